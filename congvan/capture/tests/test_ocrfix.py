"""OCR corrections with the domain lexicon never change a correct text."""

from __future__ import annotations

import pytest

from congvan.capture.ocrfix import correct


@pytest.mark.parametrize(
    ("ocr", "fixed"),
    [
        ("tổ chức đại hội chỉ bộ nhiệm kỳ", "tổ chức đại hội chi bộ nhiệm kỳ"),
        ("an toàn thông tỉn", "an toàn thông tin"),
        ("kỷ niệm ngà y thành lập Đảng", "kỷ niệm ngày thành lập Đảng"),
        ("Chỉ bộ ấp 3,", "Chi bộ ấp 3,"),
        ("ỦY BAN NHÂN DẦN", "ỦY BAN NHÂN DÂN"),
        ("ĐẢẲNG ỦY XÃ BÌNH TÂN", "ĐẢNG ỦY XÃ BÌNH TÂN"),  # a vowel read twice
        ("sắp xếp bộ máy, tỉnh gọn, hiệu quả", "sắp xếp bộ máy, tinh gọn, hiệu quả"),
        ("tổ chúc đại hội chi bộ", "tổ chức đại hội chi bộ"),
        ("Đài Phát thanh và Truyên hình tỉnh,", "Đài Phát thanh và Truyền hình tỉnh,"),
    ],
)
def test_typical_ocr_errors_are_fixed(ocr, fixed):
    assert correct(ocr) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "Đồng chí Bí thư chỉ đạo các chi bộ thực hiện chỉ thị.",
        "Kế hoạch tổ chức Đại hội Đảng bộ huyện nhiệm kỳ 2025-2030",
        "Ủy ban nhân dân tỉnh gửi các sở",
        "Ban Tổ chức Tỉnh ủy; Đài Phát thanh và Truyền hình tỉnh",
        "Số 35-KH/HU\nGò Công Tây, ngày 05 tháng 3 năm 2026",
    ],
)
def test_correct_text_is_unchanged(text):
    assert correct(text) == text
