"""A labelled set of realistic documents, Party and State forms, made for the tests (text PDFs)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FONT = Path("/usr/share/fonts/truetype/noto")

PARTY = [  # (upper line, body, abbreviation, place)
    ("ĐẢNG BỘ TỈNH TIỀN GIANG", "HUYỆN ỦY GÒ CÔNG TÂY", "HU", "Gò Công Tây"),
    ("ĐẢNG BỘ HUYỆN GÒ CÔNG TÂY", "ĐẢNG ỦY XÃ BÌNH TÂN", "ĐU", "Bình Tân"),
    ("ĐẢNG BỘ TỈNH TIỀN GIANG", "BAN TUYÊN GIÁO TỈNH ỦY", "BTGTU", "Mỹ Tho"),
    ("ĐẢNG BỘ HUYỆN GÒ CÔNG TÂY", "ĐẢNG ỦY THỊ TRẤN VĨNH BÌNH", "ĐU", "Vĩnh Bình"),
]
STATE = [  # (first line, second line, body abbreviation, department, place)
    ("ỦY BAN NHÂN DÂN", "HUYỆN GÒ CÔNG TÂY", "UBND", "VX", "Gò Công Tây"),
    ("ỦY BAN NHÂN DÂN", "TỈNH TIỀN GIANG", "UBND", "KT", "Tiền Giang"),
    ("ỦY BAN NHÂN DÂN", "XÃ LONG BÌNH", "UBND", "VP", "Long Bình"),
]
PARTY_TYPES = [
    ("KẾ HOẠCH", "KH"),
    ("BÁO CÁO", "BC"),
    ("THÔNG BÁO", "TB"),
    ("NGHỊ QUYẾT", "NQ"),
    ("HƯỚNG DẪN", "HD"),
    ("CHƯƠNG TRÌNH", "CTr"),
]
STATE_TYPES = [("QUYẾT ĐỊNH", "QĐ"), ("KẾ HOẠCH", "KH"), ("BÁO CÁO", "BC"), ("THÔNG BÁO", "TB")]
SUBJECTS = [
    "tổ chức đại hội chi bộ nhiệm kỳ 2025-2027",
    "triển khai công tác chuyển đổi số năm 2026",
    "kết quả thực hiện Nghị quyết về xây dựng nông thôn mới",
    "tuyên truyền kỷ niệm ngày thành lập Đảng Cộng sản Việt Nam",
    "phòng chống thiên tai và tìm kiếm cứu nạn mùa mưa bão",
    "kiểm tra, giám sát việc thực hiện quy chế dân chủ ở cơ sở",
    "công tác bảo vệ bí mật nhà nước trong tình hình mới",
    "đổi mật khẩu hộp thư công vụ và an toàn thông tin",
]
NAMES = ["Võ Minh Tâm", "Trần Văn Hùng", "Nguyễn Thị Thu", "Lê Hoàng Phúc", "Phạm Ngọc Lan", "Đặng Văn Lộc"]
PARTY_SIGNERS = [
    ["T/M BAN THƯỜNG VỤ", "BÍ THƯ"],
    ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ"],
    ["T/M ĐẢNG ỦY", "BÍ THƯ"],
]
STATE_SIGNERS = [["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]]
RECIPIENTS = [
    "Thường trực Tỉnh ủy",
    "Các đảng ủy cơ sở",
    "Ban Tuyên giáo Huyện ủy",
    "Các phòng, ban chuyên môn",
    "Ủy ban nhân dân các xã",
    "Lưu Văn phòng",
]
URGENCY = [("", "normal")] * 6 + [("KHẨN", "urgent"), ("THƯỢNG KHẨN", "very_urgent"), ("HỎA TỐC", "flash")]


@dataclass
class Sample:
    lines: list[tuple[str, str]]  # (left column, right column)
    expected: dict[str, Any] = field(default_factory=dict)


def _date_text(day: dt.date) -> str:
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def make(seed: int) -> Sample:
    rnd = random.Random(seed)
    party = seed % 2 == 0
    day = dt.date(2025, 1, 1) + dt.timedelta(days=rnd.randrange(0, 600))
    number = rnd.randrange(1, 400)
    subject = rnd.choice(SUBJECTS)
    name = rnd.choice(NAMES)
    urgency_mark, urgency = rnd.choice(URGENCY)
    recipients = [*rnd.sample(RECIPIENTS[:-1], rnd.randrange(2, 4)), "Lưu Văn phòng"]
    lines: list[tuple[str, str]] = []
    if party:
        upper, body, abbr, place = rnd.choice(PARTY)
        title, code = rnd.choice(PARTY_TYPES)
        letter = rnd.random() < 0.25
        code = "CV" if letter else code
        symbol = f"{number:02d}-{code}/{abbr}"
        issuer = body
        lines += [
            (upper, "ĐẢNG CỘNG SẢN VIỆT NAM"),
            (body, ""),
            ("*", f"{place}, {_date_text(day)}"),
            (f"Số {symbol}", ""),
        ]
        position = rnd.choice(PARTY_SIGNERS)
    else:
        first, second, abbr, dept, place = rnd.choice(STATE)
        title, code = rnd.choice(STATE_TYPES)
        letter = rnd.random() < 0.35
        symbol = f"{number:02d}/{abbr}-{dept}" if letter else f"{number:02d}/{code}-{abbr}"
        code = "CV" if letter else code
        issuer = f"{first} {second}"
        lines += [
            (first, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
            (second, "Độc lập - Tự do - Hạnh phúc"),
            (f"Số: {symbol}", f"{place}, {_date_text(day)}"),
        ]
        position = rnd.choice(STATE_SIGNERS)
    if urgency_mark:
        lines.append((urgency_mark, ""))
    if letter:
        subject_line = f"V/v {subject}"
        lines += [(subject_line, ""), ("", ""), ("", "Kính gửi: Các đơn vị liên quan")]
        expected_subject = subject_line
    else:
        lines += [("", ""), ("", title), ("", subject), ("", "-----")]
        expected_subject = subject
    body_text = rnd.choice(SUBJECTS).capitalize() + " là nhiệm vụ trọng tâm của năm."
    lines += [
        ("", ""),
        (body_text, ""),
        ("Đề nghị các đơn vị nghiêm túc triển khai thực hiện.", ""),
        ("", ""),
    ]
    lines.append(("Nơi nhận:", position[0]))
    rec_lines = [f"- {r}," for r in recipients[:-1]] + [f"- {recipients[-1]}."]
    for i, r in enumerate(rec_lines):
        right = position[1] if i == 0 and len(position) > 1 else ""
        lines.append((r, right))
    lines += [("", ""), ("", name)]
    expected = {
        "number": number,
        "symbol": symbol,
        "type": code,
        "issuer": issuer,
        "place": place,
        "date": day.isoformat(),
        "subject": expected_subject,
        # The block's first line is the competence when it starts T/M, TM., KT., TL. (Decree 30 art. 13).
        "signer_competence": position[0] if len(position) > 1 else "",
        "signer_position": position[-1] if len(position) > 1 else " ".join(position),
        "signer_name": name,
        "recipients": recipients,
        "urgency": urgency,
    }
    return Sample(lines, expected)


def render_pdf(sample: Sample) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("Noto", "", str(FONT / "NotoSans-Regular.ttf"))
    pdf.add_page()
    pdf.set_font("Noto", "", 10)
    y = 20.0
    for left, right in sample.lines:
        if left:
            pdf.set_xy(15, y)
            pdf.cell(85, 6, left)
        if right:
            pdf.set_xy(105, y)
            pdf.cell(95, 6, right, align="C")
        y += 6
    return bytes(pdf.output())


def evaluation_set(n: int = 40) -> list[Sample]:
    return [make(seed) for seed in range(n)]


def render_scan(sample: Sample, seed: int, *, fmt: str = "PNG", dpi: int = 300) -> bytes:
    """The page as a scan at ``dpi`` (300 or 200, as offices scan): grey paper, noise, a 1-2 degree skew."""
    import io

    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rnd = random.Random(seed)
    mm = dpi / 25.4
    page = Image.new("L", (int(210 * mm), int(297 * mm)), 250)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(FONT / "NotoSans-Regular.ttf"), round(42 * dpi / 300))
    y = 20.0
    for left, right in sample.lines:
        if left:
            draw.text((15 * mm, y * mm), left, font=font, fill=20)
        if right:
            width = draw.textlength(right, font=font)
            draw.text((152.5 * mm - width / 2, y * mm), right, font=font, fill=20)
        y += 6
    # Speckles: about 0.4% of the pixels greyed (seeded, so every run sees the same scan).
    noise = Image.frombytes("L", page.size, rnd.randbytes(page.size[0] * page.size[1]))
    page = Image.composite(Image.new("L", page.size, 150), page, noise.point(lambda v: 255 if v < 1 else 0))
    page = page.rotate(
        rnd.uniform(1.0, 2.0) * rnd.choice((-1, 1)),
        resample=Image.Resampling.BICUBIC,
        fillcolor=250,
        expand=False,
    ).filter(ImageFilter.GaussianBlur(0.4))
    out = io.BytesIO()
    page.save(out, fmt, dpi=(dpi, dpi))
    return out.getvalue()
