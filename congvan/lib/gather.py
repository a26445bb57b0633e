"""Writes gathered during a batch of state changes in one transaction and done once, at its end."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from django.db.models import Model

T = TypeVar("T")


class Gathering(Generic[T]):
    """Inside ``gathered()`` (this thread), what a writer would write at once is kept in ``current()``
    and written by ``flush`` when the block ends without an error (inside the same transaction; on an
    error nothing is written, the transaction is undone too). Only around work that nothing undoes to a
    savepoint and goes on: work that a savepoint of its own may undo runs inside ``not_gathered()``."""

    def __init__(self, new: Callable[[], T], flush: Callable[[T], None]) -> None:
        self._new, self._flush = new, flush
        self._local = threading.local()

    def current(self) -> T | None:
        kept: T | None = getattr(self._local, "kept", None)
        return kept

    @contextlib.contextmanager
    def gathered(self) -> Iterator[None]:
        if self.current() is not None:
            yield  # already gathering: the outer block writes
            return
        self._local.kept = self._new()
        try:
            yield
            kept = self.current()  # what is kept since the last ``flush_now``
        finally:
            self._local.kept = None
        if kept is not None:
            self._flush(kept)

    def flush_now(self) -> None:
        """Write what is kept so far (work about to read it runs next) and go on gathering."""
        kept = self.current()
        if kept is not None:
            self._local.kept = self._new()
            self._flush(kept)

    @contextlib.contextmanager
    def not_gathered(self) -> Iterator[None]:
        saved = self.current()
        self._local.kept = None
        try:
            yield
        finally:
            self._local.kept = saved


def _insert_rows(rows: list[Model]) -> None:
    """New model rows, one statement for each model, the models in the order their first rows came
    (a row refers only to rows written before it was made: those of another model, written already, or
    of a model that came first)."""
    by_model: dict[type[Model], list[Model]] = {}
    for row in rows:
        by_model.setdefault(type(row), []).append(row)
    for model, mine in by_model.items():
        model._default_manager.bulk_create(mine)


# New rows that nothing reads before the batch ends (a batch of exchange messages: each message's file
# list and its record), inserted together at its end; outside ``rows_gathered()``, at once.
_ROWS: Gathering[list[Model]] = Gathering(list, _insert_rows)
rows_gathered, rows_not_gathered, rows_flush_now = _ROWS.gathered, _ROWS.not_gathered, _ROWS.flush_now


def insert(rows: list[Model]) -> None:
    """Insert new model rows (without reading back their keys): at once, or, inside ``rows_gathered()``,
    at its end."""
    kept = _ROWS.current()
    if kept is None:
        _insert_rows(rows)
    else:
        kept.extend(rows)
