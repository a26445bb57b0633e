"""The exact and folded forms that make Vietnamese search forgiving."""

from __future__ import annotations

import unicodedata

import pytest

from congvan.lib.vntext import aligned_fold, exact_form, folded_form, pairs_tsvector


@pytest.mark.parametrize(
    ("a", "b"),
    [("hoà", "hòa"), ("thuỷ", "thủy"), ("khoẻ", "khỏe"), ("Hoà Bình", "hòa bình"), ("Thuỷ lợi", "thủy lợi")],
)
def test_both_tone_placements_have_one_exact_form(a, b):
    assert exact_form(a) == exact_form(b)


def test_quy_keeps_its_tone_on_y():
    assert exact_form("quý") == "quý"


def test_nfd_input_is_the_same_as_nfc():
    assert exact_form(unicodedata.normalize("NFD", "Văn bản")) == exact_form("Văn bản") == "văn bản"


def test_folded_form_drops_marks_and_folds_d():
    assert folded_form("Đảng ủy xã Bình Tân") == "dang uy xa binh tan"
    assert folded_form("Chuyển đổi số") == "chuyen doi so"


def test_symbols_become_words():
    assert exact_form("Số 35-KH/HU") == "số 35 kh hu"
    assert folded_form("12/UBND-VX") == "12 ubnd vx"


def test_the_tone_moves_only_in_a_syllable_that_starts_there():
    """oa, oe, uy at a word's start or after its consonants: the tone moves; after a vowel (inside a
    longer run of letters) it stays as written."""
    assert exact_form("Nghoà, (thuỷ) khoẻ") == "nghòa thủy khỏe"
    assert exact_form("ahoà") == unicodedata.normalize("NFC", "ahoa\u0300")
    assert exact_form("quỷ quý") == "quỷ quý"


def test_marks_of_every_script_are_dropped_in_the_folded_form_and_nothing_else():
    assert folded_form("Ёлка “Đảng uỷ” – שָׁלוֹם") == "елка dang uy שלום"
    assert folded_form("a\u034fb") == "a b"  # the grapheme joiner is no mark: it parts the words


def test_pairs_carry_both_forms_positions():
    assert (
        pairs_tsvector("đảng ủy đảng ủy", "dang uy dang uy")
        == "'đảng_ủy':1A,3A 'ủy_đảng':2A 'dang_uy':1B,3B 'uy_dang':2B"
    )


def test_full_width_letters_and_compatibility_forms_are_their_plain_letters():
    """An East Asian keyboard types full-width letters ("ｔｈｕｙ"); ligatures and superscripts come from
    PDFs: index and query see their plain letters, and the aligned folding keeps every place."""
    assert exact_form("ＴＨＵỶ ＬỢＩ") == exact_form("thủy lợi") == "thủy lợi"
    assert folded_form("ｔｈủｙ") == "thuy"
    assert exact_form("ﬁle 25 m²") == "file 25 m2"
    text = "Về ｔｈủｙ lợi"
    folded = aligned_fold(text)
    assert len(folded) == len(text) and folded.find(" thuy ") == text.index("ｔｈủｙ") - 1
