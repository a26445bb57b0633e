"""Writes gathered during a batch of state changes in one transaction and done once, at its end."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

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
        kept = self._new()
        self._local.kept = kept
        try:
            yield
        finally:
            self._local.kept = None
        self._flush(kept)

    @contextlib.contextmanager
    def not_gathered(self) -> Iterator[None]:
        saved = self.current()
        self._local.kept = None
        try:
            yield
        finally:
            self._local.kept = saved
