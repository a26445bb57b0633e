"""Opaque cursors for keyset pagination over (time, id), newest first."""

from __future__ import annotations

import base64
import datetime as dt
import json

from django.utils.translation import gettext as _

from congvan.lib.errors import InvalidInput


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
