"""Small SQL helpers for the few statements the ORM cannot express in one query."""

from __future__ import annotations

import contextlib
import functools
import json
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field


def ids_in(connection: BaseDatabaseWrapper, column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
    """Return ``column IN (ids)`` as one parameter, whatever the number of ids (no per-batch queries)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    if connection.vendor == "sqlite":
        return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]
    raise NotImplementedError(connection.vendor)


_WRITER = threading.Lock()


@contextlib.contextmanager
def one_writer() -> Iterator[None]:
    """Around a write transaction that threads of one process run side by side (the exchange's batches,
    its sending threads): on SQLite, one at a time, the others waiting on a lock that hands over at
    once. SQLite has one writer, and a thread that waits on the database itself sleeps in steps of up
    to 100 ms (its busy handler), which left a receiving node idle a quarter of the time. Nothing on
    PostgreSQL, where such transactions overlap."""
    from django.db import connection

    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield  # inside a transaction already: it holds the database, waiting here could only stall
        return
    with _WRITER:
        yield


_QMARK = re.compile(r"(?<!%)%s")


@functools.lru_cache(maxsize=256)
def _qmark(sql: str) -> str:
    return _QMARK.sub("?", sql).replace("%%", "%")


class DriverCursor:
    """Read statements sent straight to the database driver, for a hot path whose statements are
    written by hand (search): Django's cursor wrapper (placeholder rewriting, execute wrappers, the
    connection proxy) costs as much as a fast statement itself. Same connection and transaction as the
    ORM; no query logging. Statements use ``%s`` placeholders on both engines, as with Django."""

    def __init__(self, db: BaseDatabaseWrapper) -> None:
        db.ensure_connection()
        self.db = db
        self._sqlite = db.vendor == "sqlite"
        self._wrapper = db.wrap_database_errors
        self._cursor = db.connection.cursor()

    def execute(self, sql: str, params: Sequence[Any]) -> None:
        """Run a statement (PostgreSQL: or several, "SET LOCAL ...; SELECT ..."; the rows read are then
        the first result that has rows)."""
        with self._wrapper:  # driver errors become django.db errors, as through the ORM
            if self._sqlite:
                self._cursor.execute(_qmark(sql), params)
                return
            self._cursor.execute(sql, params)
            while self._cursor.description is None and self._cursor.nextset():
                pass

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._cursor.fetchall())

    def close(self) -> None:
        self._cursor.close()

    def __enter__(self) -> DriverCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Fields whose value goes to the database as it is when it is a plain str, int, bool or None (what
# Django's conversion of them gives back unchanged); other fields and values take Django's own way
_PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)
_PLAIN_VALUES = frozenset({str, int, bool, type(None)})


@dataclass(frozen=True)
class _Plan:
    head: str  # INSERT INTO "table" ("a", "b", ...)
    tail: str  # ON CONFLICT ... / RETURNING "id"
    fields: tuple[Field[Any, Any], ...]
    plain: tuple[bool, ...]  # the value is sent as it is when it is of a plain type
    presave: tuple[bool, ...]  # the field fills itself in (auto_now_add)
    related: tuple[models.ForeignKey[Any, Any], ...]  # foreign keys: their key taken from their object
    returns: bool  # the database gives the new rows' keys


def _is_plain(field: Field[Any, Any]) -> bool:
    if isinstance(field, models.ForeignKey):
        return _is_plain(field.target_field)
    return isinstance(field, _PLAIN_FIELDS)


def _unwritable(field: Field[Any, Any]) -> bool:
    """What the plain path does not write: a field with a placeholder of its own, a generated column, a
    default kept by the database."""
    return hasattr(field, "get_placeholder") or field.generated or field.db_default is not models.NOT_PROVIDED


@functools.lru_cache(maxsize=64)
def _plan(model: type[models.Model], alias: str, ignore: bool, with_pk: bool) -> _Plan | None:
    from django.db import connections
    from django.db.models.constants import OnConflict

    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if with_pk or not f.primary_key)
    db = connections[alias]
    returns = not with_pk
    if any(_unwritable(f) for f in fields) or (returns and not db.features.can_return_rows_from_bulk_insert):
        return None
    ops = db.ops
    on_conflict = OnConflict.IGNORE if ignore else None
    head = "{} {} ({})".format(
        ops.insert_statement(on_conflict=on_conflict),
        ops.quote_name(meta.db_table),
        ", ".join(ops.quote_name(f.column) for f in fields),
    )
    tail = ops.on_conflict_suffix_sql(fields, on_conflict, None, None) if ignore else ""
    if returns:
        tail += f" RETURNING {ops.quote_name(meta.pk.column)}"
    return _Plan(
        head=head,
        tail=tail,
        fields=fields,
        plain=tuple(_is_plain(f) for f in fields),
        presave=tuple(type(f).pre_save is not Field.pre_save for f in fields),
        related=tuple(f for f in fields if isinstance(f, models.ForeignKey)),
        returns=returns,
    )


def _row(plan: _Plan, obj: models.Model, db: BaseDatabaseWrapper) -> list[Any]:
    for fk in plan.related:  # Intake(blob=blob): its key, as Django takes it before saving
        if getattr(obj, fk.attname) is None and fk.is_cached(obj):
            other = fk.get_cached_value(obj)
            if other is not None:
                if other.pk is None:
                    raise ValueError(f"insert_rows: {fk.name} of {type(obj).__name__} is not saved yet")
                setattr(obj, fk.attname, other.pk)
    row = []
    for field, plain, presave in zip(plan.fields, plan.plain, plan.presave, strict=True):
        value = field.pre_save(obj, True) if presave else getattr(obj, field.attname)
        row.append(value if plain and type(value) in _PLAIN_VALUES else field.get_db_prep_save(value, db))
    return row


def insert_rows(objs: Sequence[models.Model], *, ignore_conflicts: bool = False) -> None:
    """Insert new model instances (all of one model) in as few statements as ``bulk_create`` and as it
    would, with their new keys set, at a third of its cost: Django's building of a bulk INSERT goes
    through eight calls a field and a row, which was most of the cost of writing a chunk of mails.
    Values of the plain fields (text, numbers, booleans, keys) are sent as they are; the others (dates,
    JSON...) are converted by their field, as Django does. A model this cannot write (a field with its
    own placeholder, a database default) is left to ``bulk_create``. No signals, as ``bulk_create``."""
    if not objs:
        return
    from django.db import connections, router

    model = type(objs[0])
    alias = router.db_for_write(model)
    db = connections[alias]
    with_pk = objs[0].pk is not None
    plan = _plan(model, alias, ignore_conflicts, with_pk)
    if plan is None or any(type(o) is not model or (o.pk is not None) != with_pk for o in objs):
        model._default_manager.bulk_create(objs, ignore_conflicts=ignore_conflicts)
        return
    size = db.ops.bulk_batch_size(list(plan.fields), objs) or len(objs)
    width = "(" + ", ".join(["%s"] * len(plan.fields)) + ")"
    with db.cursor() as cur:
        for start in range(0, len(objs), size):
            batch = objs[start : start + size]
            params = [value for obj in batch for value in _row(plan, obj, db)]
            cur.execute(f"{plan.head} VALUES {', '.join([width] * len(batch))}{plan.tail}", params)
            if plan.returns:
                keys = cur.fetchall()
                if len(keys) != len(batch):
                    raise RuntimeError(f"insert_rows: {len(keys)} keys returned for {len(batch)} rows")
                for obj, (key,) in zip(batch, keys, strict=True):
                    obj.pk = key
            for obj in batch:
                obj._state.adding = False
                obj._state.db = alias
