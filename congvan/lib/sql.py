"""Small SQL helpers for the few statements the ORM cannot express in one query."""

from __future__ import annotations

import contextlib
import functools
import json
import re
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper


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
