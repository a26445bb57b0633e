"""Snippets from a document's file text: the window that shows the query's words, tidied of the layout's
runs of blanks, read from the text as it was extracted (no database: the functions on their own)."""

from __future__ import annotations

import re

from congvan.search.queries import _best_window, _marker, snippet


def mark(*words: str) -> re.Pattern[str]:
    found = _marker(frozenset(words), ())
    assert found is not None
    return found


def test_the_first_window_that_shows_every_word_is_chosen():
    text = "chuyển " + "x " * 300 + "đổi " + "y " * 300 + "chuyển đổi số " + "z " * 50 + "chuyển đổi"
    found = _best_window(mark("chuyen", "doi").finditer(text), 200, 2)
    assert found == (text.index("chuyển đổi số"), 2)


def test_without_a_window_of_every_word_the_one_with_most_and_earliest_wins():
    text = "a " * 50 + "chuyển " + "x " * 300 + "đổi " + "y " * 300 + "chuyển"
    found = _best_window(mark("chuyen", "doi", "so").finditer(text), 200, 3)
    assert found == (text.index("chuyển"), 2)
    assert _best_window(mark("khong").finditer(text), 200, 1) is None


def test_a_body_in_columns_gives_a_tidy_snippet_around_its_word(monkeypatch):
    """pdftotext's layout puts runs of blanks between columns: the snippet shows one space each."""
    from congvan.search import queries

    head = "CỘNG HÒA XÃ HỘI" + " " * 60 + "Độc lập\n\n"
    body = head + "Nội dung   báo cáo " * 40 + "về   công tác   phòng chống   thủy tai."
    monkeypatch.setattr(queries, "bodies", lambda cur, ids, limit: {7: body})  # the text of one document
    [shown] = queries.body_snippets(None, {7: 0}, mark("thuy"), want=1).values()  # type: ignore[arg-type]
    assert shown.startswith("…") and "  " not in shown
    assert "phòng chống <mark>thủy</mark> tai." in shown
    assert snippet("a <b> thủy", mark("thuy")) == "a &lt;b&gt; <mark>thủy</mark>"
