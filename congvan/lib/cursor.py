"""Opaque cursors for keyset pagination over (a sort value, id)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import TypeVar

from django.db import models
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from congvan.lib.errors import InvalidInput

M = TypeVar("M", bound=Model)


def encode_cursor(at: dt.datetime, pk: int) -> str:
    raw = json.dumps([at.isoformat(), pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, pk = json.loads(raw)
        parsed = dt.datetime.fromisoformat(at)
        if not isinstance(pk, int) or parsed.tzinfo is None:
            raise ValueError
        return parsed, pk
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise InvalidInput(_("cursor: không hợp lệ"), code="bad_cursor") from None


def keyset_page(
    qs: QuerySet[M], key: str, *, descending: bool, cursor: str | None, limit: int
) -> tuple[list[M], str | None]:
    """One page of ``qs`` ordered by ``key`` (a field path: a time, a date or a text, never null) then
    by id, and the cursor to the next page: the last row's (value, id), so a page never repeats or
    skips a row when rows are added meanwhile."""
    if cursor:
        value, pk = _decode_key(cursor)
        if type(value) is not _kind(qs.model, key):  # a cursor of another sort
            raise InvalidInput(_("cursor: không hợp lệ"), code="bad_cursor")
        op = "lt" if descending else "gt"
        qs = qs.filter(Q(**{f"{key}__{op}": value}) | Q(**{key: value, f"pk__{op}": pk}))
    order = (f"-{key}", "-pk") if descending else (key, "pk")
    rows = list(qs.order_by(*order)[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    value = last
    for part in key.split("__"):
        value = getattr(value, part)
    return rows[:limit], _encode_key(value, last.pk)


def _kind(model: type[Model], key: str) -> type:
    *path, name = key.split("__")
    for part in path:
        model = model._meta.get_field(part).related_model  # type: ignore[assignment]
    field = model._meta.get_field(name)
    if isinstance(field, models.DateTimeField):
        return dt.datetime
    return dt.date if isinstance(field, models.DateField) else str


def _encode_key(value: object, pk: int) -> str:
    if isinstance(value, dt.datetime):
        return encode_cursor(value, pk)  # the form older cursors have
    kind = "d" if isinstance(value, dt.date) else "s"
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    raw = json.dumps([kind, text, pk], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_key(cursor: str) -> tuple[object, int]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise InvalidInput(_("cursor: không hợp lệ"), code="bad_cursor") from None
    if isinstance(raw, list) and len(raw) == 2:
        return decode_cursor(cursor)
    if not (isinstance(raw, list) and len(raw) == 3 and raw[0] in ("d", "s") and isinstance(raw[1], str)):
        raise InvalidInput(_("cursor: không hợp lệ"), code="bad_cursor")
    kind, text, pk = raw
    if not isinstance(pk, int) or isinstance(pk, bool):
        raise InvalidInput(_("cursor: không hợp lệ"), code="bad_cursor")
    if kind == "d":
        try:
            return dt.date.fromisoformat(text), pk
        except ValueError:
            raise InvalidInput(_("cursor: không hợp lệ"), code="bad_cursor") from None
    return text, pk


def parse_sort(param: str, keys: dict[str, str] | tuple[str, ...]) -> tuple[str, bool]:
    """A ``sort`` parameter ("subject" ascending, "-subject" descending) as (column, ascending),
    refusing a column the list cannot sort by."""
    key = param.removeprefix("-")
    if key not in keys:
        raise InvalidInput(_("sort: một trong %(items)s") % {"items": ", ".join(keys)}, code="bad_sort")
    return key, not param.startswith("-")
