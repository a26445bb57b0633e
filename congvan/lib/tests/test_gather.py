"""Writes gathered for a batch's end (lib/gather.py)."""

from __future__ import annotations

import pytest

from congvan.lib.gather import Gathering


def test_what_is_flushed_early_is_written_once_and_the_rest_at_the_end():
    written: list[list[str]] = []
    g: Gathering[list[str]] = Gathering(list, written.append)
    with g.gathered():
        kept = g.current()
        assert kept is not None
        kept += ["a", "b"]
        g.flush_now()  # work that reads them comes next
        assert written == [["a", "b"]]
        with g.not_gathered():
            assert g.current() is None  # a savepoint's own work: written at once by its writer
        current = g.current()
        assert current is not None
        current.append("c")
    assert written == [["a", "b"], ["c"]]
    assert g.current() is None


def test_an_error_writes_nothing_more():
    written: list[list[str]] = []
    g: Gathering[list[str]] = Gathering(list, written.append)
    with pytest.raises(ZeroDivisionError), g.gathered():
        kept = g.current()
        assert kept is not None
        kept.append("lost")
        1 / 0  # noqa: B018
    assert written == []
    assert g.current() is None
