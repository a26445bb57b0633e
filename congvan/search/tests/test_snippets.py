"""Snippets from a document's file text: the window that shows the query's words, found in the text's
folded form by substring searches, marked in the text as written (no database: the functions on their
own; the statements are walked in test_fulltext)."""

from __future__ import annotations

import random
import re

from congvan.capture.convert import folded_line, one_line
from congvan.search.queries import _best_window, _marked, _marker, _needles, _places, _window, snippet


def mark(*words: str) -> re.Pattern[str]:
    found = _marker(frozenset(words), ())
    assert found is not None
    return found


def needles(*words: str, prefixes: tuple[str, ...] = ()) -> tuple[str, ...]:
    return _needles(frozenset(words), prefixes)


def test_a_files_text_is_kept_as_one_line_and_folded_in_the_same_places():
    """pdftotext's layout puts runs of blanks between columns and breaks lines: search keeps the words
    with one space between them, and a folded copy where every character stays in its place."""
    layout = "CỘNG HÒA XÃ HỘI" + " " * 60 + "Độc lập\n\n  Về   công tác   phòng chống   THUỶ tai, “Đổi mới”."
    line = one_line(layout)
    assert line == "CỘNG HÒA XÃ HỘI Độc lập Về công tác phòng chống THUỶ tai, “Đổi mới”."
    folded = folded_line(line)
    assert folded == " cong hoa xa hoi doc lap ve cong tac phong chong thuy tai   doi moi   "
    assert len(folded) == len(line) + 2
    at = folded.find(" thuy ")
    assert line[at : at + 4] == "THUỶ"
    assert one_line("Thu\u0309y") == "Thủy"  # letters composed, as the folded form and the patterns expect


def test_the_first_window_that_shows_every_word_is_chosen():
    text = "chuyển " + "x " * 300 + "đổi " + "y " * 300 + "chuyển đổi số " + "z " * 50 + "chuyển đổi"
    assert _window(folded_line(text), needles("chuyen", "doi"), 200, 2) == (text.index("chuyển đổi số"), 2)


def test_without_a_window_of_every_word_the_one_with_most_and_earliest_wins():
    text = "a " * 50 + "chuyển " + "x " * 300 + "đổi " + "y " * 300 + "chuyển"
    folded = folded_line(text)
    assert _window(folded, needles("chuyen", "doi", "so"), 200, 3) == (text.index("chuyển"), 2)
    assert _window(folded, needles("doi", "so"), 200, 2) == (text.index("đổi"), 1)
    assert _window(folded, needles("khong"), 200, 1) is None
    assert _window(folded, needles("khong", "ba"), 200, 2) is None


def test_the_quick_window_is_the_one_every_place_gives():
    """The window found by a few searches is the one the full walk over every place gives, on random
    texts of a small vocabulary (words close and far apart, missing, repeated)."""
    rnd = random.Random(5)
    vocabulary = ["chuyển", "đổi", "số", "Đảng", "ủy", "kế", "hoạch", "x", "y", "z", "thủy", "lợi"]
    for _ in range(400):
        text = " ".join(
            rnd.choices(vocabulary, weights=[1, 1, 1, 2, 2, 3, 3, 9, 9, 9, 1, 1], k=rnd.randint(1, 400))
        )
        folded = folded_line(text)
        words = rnd.sample(["chuyen", "doi", "so", "thuy", "loi", "khong"], rnd.randint(2, 3))
        found = needles(*words)
        quick = _window(folded, found, 200, len(words))
        walked = _best_window(_places(folded, found, 8000), 200, len(words))
        assert (quick is None) == (walked is None), text
        if quick is not None and walked is not None:
            assert quick[0] == walked[0], (words, text)


def test_words_are_marked_where_the_folded_text_finds_them():
    text = "Về <công tác> phòng chống THUỶ tai và thủy lợi; thuyền, chuyển đổi, chuyên môn"
    folded = folded_line(text)
    shown = _marked(text, folded, 0, len(text), needles("thuy"))
    assert shown == (
        "Về &lt;công tác&gt; phòng chống <mark>THUỶ</mark> tai và <mark>thủy</mark> lợi; "
        "thuyền, chuyển đổi, chuyên môn"
    )
    shown = _marked(text, folded, 0, len(text), needles(prefixes=("chuy", "chuyen")))
    assert "<mark>chuyển</mark> đổi, <mark>chuyên</mark> môn" in shown  # two prefixes, one word each
    cut = text.index("chuyển") + 3  # a window that ends inside a word does not mark it
    assert "mark" not in _marked(text, folded, text.index("thuyền"), cut, needles("chuyen"))


def test_snippets_of_subjects_are_marked_by_the_pattern():
    assert snippet("a <b> thủy", mark("thuy")) == "a &lt;b&gt; <mark>thủy</mark>"
    assert snippet("Thuỷ lợi", mark("thuy", "loi")) == "<mark>Thuỷ</mark> <mark>lợi</mark>"
