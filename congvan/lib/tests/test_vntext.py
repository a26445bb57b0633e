"""The exact and folded forms that make Vietnamese search forgiving."""

from __future__ import annotations

import unicodedata

import pytest

from congvan.lib.vntext import exact_form, folded_form


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
