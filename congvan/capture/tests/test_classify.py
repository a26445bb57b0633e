"""Marks refuse; prose does not."""

from __future__ import annotations

import pytest

from congvan.capture.classify import find_classification


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("HUYỆN ỦY GÒ CÔNG TÂY\nMẬT\nSố 35-KH/HU", "confidential"),
        ("TỐI MẬT\nKẾ HOẠCH", "secret"),
        ("  [ TUYỆT MẬT ]  \nQUYẾT ĐỊNH", "top_secret"),
        ("Độ mật: Tối mật\nNơi nhận:", "secret"),
        ("*** MẬT ***", "confidential"),
    ],
)
def test_marks_are_found(text, level):
    found = find_classification(text)
    assert found is not None and found.level == level


@pytest.mark.parametrize(
    "text",
    [
        "Công tác bảo vệ bí mật nhà nước được tăng cường.",
        "Đề nghị đổi mật khẩu hộp thư công vụ định kỳ.",
        "Mật độ dân số của xã tăng nhanh.",
        "Quan hệ thân mật giữa hai địa phương kết nghĩa.",
        "BẢO VỆ BÍ MẬT NHÀ NƯỚC",
        "Mật",  # title case in prose, not a stamp
        "Độ khẩn: Khẩn",
    ],
)
def test_prose_is_not_a_mark(text):
    assert find_classification(text) is None
