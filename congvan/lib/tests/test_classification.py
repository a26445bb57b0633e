"""The classification guard's reading: marks in all the forms offices write them refuse; prose does not.

The same cases run on text PDFs and on scans in capture/tests/test_guard_files.py."""

from __future__ import annotations

import pytest

from congvan.lib.classification import find_mark, subject_mark

HEADER = "ĐẢNG CỘNG SẢN VIỆT NAM"
ISSUER = "TỈNH ỦY TIỀN GIANG"
BODY = "Số 35-KH/TU\nTiền Giang, ngày 12 tháng 3 năm 2026\nKẾ HOẠCH\nvề công tác năm 2026"

MARKED = [  # (text, level)
    (f"{ISSUER}\nMẬT\n{BODY}", "confidential"),
    (f"TỐI MẬT\n{ISSUER}\n{BODY}", "secret"),
    (f"[ TUYỆT MẬT ]\n{BODY}", "top_secret"),
    (f"*** MẬT ***\n{BODY}", "confidential"),
    (f"{ISSUER}\nMẬT - KHẨN\n{BODY}", "confidential"),
    (f"{ISSUER}\nKHẨN - MẬT\n{BODY}", "confidential"),
    (f"{ISSUER}\nHỎA TỐC, TỐI MẬT\n{BODY}", "secret"),
    (f"{ISSUER}          MẬT\n{BODY}", "confidential"),  # on the issuer's line
    (f"{ISSUER}    {HEADER}    MẬT\n{BODY}", "confidential"),
    (f"{ISSUER}\nĐộ mật: Mật\n{BODY}", "confidential"),
    (f"{ISSUER}\nĐộ mật: Tối mật\n{BODY}", "secret"),
    (f"{ISSUER}\nĐỘ MẬT: TUYỆT MẬT\n{BODY}", "top_secret"),
    (f"{ISSUER}\nDo mat: Mat\n{BODY}", "confidential"),  # typed without diacritics
    (f"{ISSUER}\nMật\n{BODY}", "confidential"),  # title case in the mark's place
    (f"{ISSUER}\nMAT\n{BODY}", "confidential"),  # diacritics lost in the mark's place
    (f"{ISSUER}\nTOI MAT\n{BODY}", "secret"),
    (f"{ISSUER}\nTUYET MAT\n{BODY}", "top_secret"),
    (f"{ISSUER}\nМẬТ\n{BODY}", "confidential"),  # Cyrillic М and Т
    (f"{ISSUER}\nΜẬΤ\n{BODY}", "confidential"),  # Greek Μ and Τ
    (f"{ISSUER}\nM\u200bẬ\u200cT\n{BODY}", "confidential"),  # zero-width characters inside
    (f"{ISSUER}\n\ufeffMẬT\n{BODY}", "confidential"),
    (f"{ISSUER}\nMA\u0302\u0323T\n{BODY}", "confidential"),  # NFD
    (f"{ISSUER}\nM Ậ T\n{BODY}", "confidential"),  # a stamp in spaced capitals, or OCR of one
    (f"{ISSUER}\nM.Ậ.T\n{BODY}", "confidential"),
    (f"{ISSUER}\nT Ố I   M Ậ T\n{BODY}", "secret"),
    (f"T U Y Ệ T  M Ậ T\n{ISSUER}\n{BODY}", "top_secret"),
    (f"{ISSUER}\n( MẬT )\n{BODY}", "confidential"),
    (f"{ISSUER}\n| TỐI MẬT |\n{BODY}", "secret"),
    (f"{ISSUER}\nTỐI  MẬT\n{BODY}", "secret"),  # two spaces
    (f"{ISSUER}\nMẬT\nTHƯỢNG KHẨN\n{BODY}", "confidential"),
    (f"{HEADER}\n{ISSUER}\nSố 12-CV/TU\nMẬT\nV/v triển khai nhiệm vụ", "confidential"),
]
PROSE = [
    "Công tác bảo vệ bí mật nhà nước được tăng cường.",
    "Đề nghị đổi mật khẩu hộp thư công vụ định kỳ.",
    "Mật độ dân số của xã tăng nhanh.",
    "Quan hệ thân mật giữa hai địa phương kết nghĩa.",
    "Triển khai các biện pháp bảo mật thông tin trên mạng.",
    "BẢO VỆ BÍ MẬT NHÀ NƯỚC",
    "KẾ HOẠCH BẢO MẬT THÔNG TIN NĂM 2026",
    "HƯỚNG DẪN ĐỔI MẬT KHẨU",
    "BÁO CÁO MẬT ĐỘ DÂN CƯ",
    "CÔNG TÁC CƠ YẾU, MẬT MÃ",
    "HỘI NGHỊ NUÔI ONG LẤY MẬT",
    "Độ khẩn: Khẩn",
    "Độ mật: không",
    "Quan hệ mật thiết giữa Đảng và Nhân dân.",
    "Giữ gìn bí mật, không để lộ lọt.",
    "NGHỊ QUYẾT VỀ CÔNG TÁC BẢO VỆ BÍ MẬT NHÀ NƯỚC TRONG TÌNH HÌNH MỚI",
    "Mai Văn Mật, chuyên viên",  # a name
    "T/M BAN THƯỜNG VỤ",  # "on behalf of", with its initials
]


@pytest.mark.parametrize(("text", "level"), MARKED)
def test_marks_are_found(text, level):
    found = find_mark(text)
    assert found is not None and found.level == level, found


@pytest.mark.parametrize("text", PROSE)
def test_prose_is_not_a_mark(text):
    assert find_mark(f"{ISSUER}\n{BODY}\n{text}") is None


def test_a_mark_far_below_the_top_is_body_text():
    body = "\n".join(f"Dòng nội dung số {i}." for i in range(40))
    assert find_mark(f"{ISSUER}\n{body}\nMẬT") is None
    assert find_mark(f"{ISSUER}\n{body}\nMẬT", top_lines=None) is not None


@pytest.mark.parametrize(
    ("subject", "marked"),
    [
        ("(MẬT) Kế hoạch kiểm tra", True),
        ("MẬT - Kế hoạch kiểm tra", True),
        ("Kế hoạch kiểm tra [TỐI MẬT]", True),
        ("Tối mật", True),
        ("Kế hoạch bảo vệ bí mật nhà nước", False),
        ("Về việc đổi mật khẩu", False),
        ("KẾ HOẠCH BẢO MẬT THÔNG TIN", False),
    ],
)
def test_marks_in_a_subject(subject, marked):
    assert (subject_mark(subject) is not None) is marked
