"""A broader labelled set: Party (HD 36) and State (Decree 30) documents in twelve layouts, five faces
(Noto, DejaVu; sans, serif, condensed) at 11-14 pt, wrapped subjects, letters with "V/v" under the number,
urgency in boxes, round seals over the signature, rules under the header; drawn as text PDFs and as scans
(200/300 dpi, noise, skew, JPEG).

Each layout puts the same parts (issuer, number, place and date, title and subject, recipients, signer)
where some real office puts them; the reader must not depend on one arrangement.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TRUETYPE = Path("/usr/share/fonts/truetype")
# (name, regular, bold, italic): sans and serif faces with Vietnamese letters, as offices use them
FONTS = [
    ("NotoSans", "noto/NotoSans-Regular.ttf", "noto/NotoSans-Bold.ttf", "noto/NotoSans-Italic.ttf"),
    ("NotoSerif", "noto/NotoSerif-Regular.ttf", "noto/NotoSerif-Bold.ttf", "noto/NotoSerif-Italic.ttf"),
    ("DejaVuSerif", "dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf", "dejavu/DejaVuSerif-Italic.ttf"),
    ("DejaVuSans", "dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf", "dejavu/DejaVuSans-Oblique.ttf"),
    (
        "DejaVuSansCondensed",
        "dejavu/DejaVuSansCondensed.ttf",
        "dejavu/DejaVuSansCondensed-Bold.ttf",
        "dejavu/DejaVuSansCondensed-Oblique.ttf",
    ),
]

PARTY_BODIES = [  # (parent line, body, abbreviation, place); parent "" when the body heads its own tree
    ("ĐẢNG BỘ TỈNH TIỀN GIANG", "HUYỆN ỦY GÒ CÔNG TÂY", "HU", "Gò Công Tây"),
    ("ĐẢNG BỘ HUYỆN CHÂU THÀNH", "ĐẢNG ỦY XÃ TÂN HƯƠNG", "ĐU", "Tân Hương"),
    ("ĐẢNG BỘ TỈNH BẾN TRE", "BAN TỔ CHỨC TỈNH ỦY", "BTCTU", "Bến Tre"),
    ("ĐẢNG BỘ KHỐI CƠ QUAN TỈNH", "ĐẢNG ỦY SỞ TÀI CHÍNH", "ĐU", "Mỹ Tho"),
    ("", "TỈNH ỦY LONG AN", "TU", "Tân An"),
    ("ĐẢNG BỘ THÀNH PHỐ CẦN THƠ", "QUẬN ỦY NINH KIỀU", "QU", "Ninh Kiều"),
]
STATE_BODIES = [  # (upper line, body line, abbreviation, department, place, issuer as the reader names it)
    ("ỦY BAN NHÂN DÂN", "HUYỆN CÁI BÈ", "UBND", "VP", "Cái Bè", "ỦY BAN NHÂN DÂN HUYỆN CÁI BÈ"),
    ("ỦY BAN NHÂN DÂN", "TỈNH ĐỒNG THÁP", "UBND", "KT", "Đồng Tháp", "ỦY BAN NHÂN DÂN TỈNH ĐỒNG THÁP"),
    ("UBND TỈNH TIỀN GIANG", "SỞ NỘI VỤ", "SNV", "TCCB", "Tiền Giang", "SỞ NỘI VỤ"),
    (
        "UBND HUYỆN TÂN PHƯỚC",
        "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO",
        "PGDĐT",
        "TH",
        "Tân Phước",
        "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO",
    ),
    ("HỘI ĐỒNG NHÂN DÂN", "TỈNH VĨNH LONG", "HĐND", "VP", "Vĩnh Long", "HỘI ĐỒNG NHÂN DÂN TỈNH VĨNH LONG"),
    (
        "BỘ NỘI VỤ",
        "CỤC VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC",
        "VTLTNN",
        "NVĐP",
        "Hà Nội",
        "CỤC VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC",
    ),
]
PARTY_TYPES = [("KẾ HOẠCH", "KH"), ("BÁO CÁO", "BC"), ("THÔNG BÁO", "TB"), ("NGHỊ QUYẾT", "NQ")]
PARTY_TYPES += [("HƯỚNG DẪN", "HD"), ("CHƯƠNG TRÌNH", "CTr"), ("QUYẾT ĐỊNH", "QĐ"), ("TỜ TRÌNH", "TTr")]
STATE_TYPES = [("QUYẾT ĐỊNH", "QĐ"), ("KẾ HOẠCH", "KH"), ("BÁO CÁO", "BC"), ("THÔNG BÁO", "TB")]
STATE_TYPES += [("TỜ TRÌNH", "TTr"), ("CHỈ THỊ", "CT"), ("GIẤY MỜI", "GM")]
SUBJECTS = [
    "tổ chức đại hội chi bộ nhiệm kỳ 2025-2027",
    "triển khai công tác chuyển đổi số năm 2026",
    "kết quả thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển "
    "khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
    "tuyên truyền kỷ niệm 96 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2026)",
    "phòng, chống thiên tai và tìm kiếm cứu nạn mùa mưa bão năm 2026",
    "kiểm tra, giám sát việc thực hiện quy chế dân chủ ở cơ sở",
    "công tác bảo vệ bí mật nhà nước trong tình hình mới",
    "đổi mật khẩu hộp thư công vụ và bảo đảm an toàn thông tin mạng",
    "sắp xếp tổ chức bộ máy, tinh gọn, hoạt động hiệu lực, hiệu quả theo Kết luận số 121-KL/TW",
    "chuẩn bị nội dung phục vụ kỳ họp thứ 9 Hội đồng nhân dân tỉnh khóa X",
]
NAMES = [
    "Võ Minh Tâm",
    "Trần Văn Hùng",
    "Nguyễn Thị Thu Hà",
    "Lê Hoàng Phúc",
    "Phạm Ngọc Lan",
    "Đặng Văn Lộc",
    "Huỳnh Thị Mỹ Dung",
    "Châu Quốc Việt",
]
PARTY_SIGNERS = [  # (competence, position)
    ("T/M BAN THƯỜNG VỤ", "BÍ THƯ"),
    ("T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ"),
    ("T/M ĐẢNG ỦY", "BÍ THƯ"),
    ("K/T BÍ THƯ", "PHÓ BÍ THƯ"),
    ("T/L BAN THƯỜNG VỤ", "CHÁNH VĂN PHÒNG"),
    ("", "TRƯỞNG BAN"),
]
STATE_SIGNERS = [
    ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
    ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
    ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"),
    ("TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG"),
    ("TUQ. CHỦ TỊCH", "GIÁM ĐỐC"),
    ("", "GIÁM ĐỐC"),
]
RECIPIENTS = [
    "Thường trực Tỉnh ủy",
    "Các đảng ủy trực thuộc",
    "Ban Tuyên giáo và Dân vận",
    "Các sở, ban, ngành tỉnh",
    "Ủy ban nhân dân các xã, phường",
    "Ban Thường vụ Tỉnh đoàn",
    "Đài Phát thanh và Truyền hình tỉnh",
]
URGENCY = [("", "normal")] * 5 + [("KHẨN", "urgent"), ("THƯỢNG KHẨN", "very_urgent"), ("HỎA TỐC", "flash")]
PARTY_LAYOUTS = ("p_classic", "p_number_date_row", "p_no_parent", "p_letter", "p_boxed_urgency", "p_large")
STATE_LAYOUTS = ("s_classic", "s_parent_body", "s_letter", "s_decision", "s_date_below", "s_council")


@dataclass
class Item:
    """A piece of text (or a box or a rule) on the page, in millimetres from the top left."""

    x: float
    y: float
    text: str = ""
    width: float = 0.0  # > 0: centred in [x, x + width]
    style: str = ""  # "B", "I" or ""
    size: float = 0.0  # 0: the page's size
    box: bool = False  # a rectangle around the text (urgency marks)
    rule: float = 0.0  # > 0: a line this long under the text's place (no text)
    seal: float = 0.0  # > 0: a round seal of this radius (graphics only)


@dataclass
class Page:
    layout: str
    font: int
    size: float
    items: list[Item] = field(default_factory=list)
    expected: dict[str, Any] = field(default_factory=dict)

    def words(self) -> str:
        return " ".join(i.text for i in self.items if i.text)


def _date_text(day: dt.date, rnd: random.Random) -> str:
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return (
        f"ngày {day.day:02d} tháng {month} năm {day.year}"
        if rnd.random() < 0.85
        else (f"ngày {day.day} tháng {day.month} năm {day.year}")
    )


def make(seed: int) -> Page:  # noqa: C901 - one page drawn top to bottom, each layout's turns in place
    rnd = random.Random(seed * 7919 + 17)
    party = seed % 2 == 0
    layouts = PARTY_LAYOUTS if party else STATE_LAYOUTS
    layout = layouts[(seed // 2) % len(layouts)]
    font = rnd.randrange(len(FONTS))
    size = rnd.choice((11.0, 12.0, 13.0, 13.0, 14.0)) if layout not in ("p_large",) else 14.0
    page = Page(layout, font, size)
    day = dt.date(2025, 1, 1) + dt.timedelta(days=rnd.randrange(0, 700))
    number = rnd.randrange(1, 1200)
    subject = rnd.choice(SUBJECTS)
    name = rnd.choice(NAMES)
    urgency_mark, urgency = rnd.choice(URGENCY)
    recipients = [*rnd.sample(RECIPIENTS, rnd.randrange(2, 5)), "Lưu VT"]
    letter = layout in ("p_letter", "s_letter")
    L, R = 10.0, 100.0  # the header columns: left [10, 95], right [100, 200]
    LW, RW = 85.0, 100.0
    line = size * 0.47  # the line height in mm for the size in points
    add = page.items.append
    if party:
        parent, body, abbr, place = rnd.choice(PARTY_BODIES)
        if layout == "p_no_parent":
            parent, body, abbr, place = "", "TỈNH ỦY LONG AN", "TU", "Tân An"
        title, code = rnd.choice(PARTY_TYPES)
        code = "CV" if letter else code
        sep = rnd.choice(("-", "-", " - ")) if layout != "p_classic" else "-"
        symbol = f"{number:02d}-{code}/{abbr}"
        shown = f"{number:02d}{sep}{code}/{abbr}"
        issuer = body
        y = 12.0
        if parent:
            add(Item(L, y, parent, LW, size=size - 1))
            y += line
        add(Item(L, y, body, LW, "B"))
        add(Item(R, 12.0, "ĐẢNG CỘNG SẢN VIỆT NAM", RW, "B"))
        add(Item(R + 30, 12.0 + line * 1.1, rule=40))
        y += line
        add(Item(L, y, "*", LW))
        date_line = f"{place}, {_date_text(day, rnd)}"
        if layout == "p_number_date_row":
            y += line
            add(Item(L, y, f"Số {shown}", LW))
            add(Item(R, y, date_line, RW, "I"))
        else:
            add(Item(R, 12.0 + line * 2.2, date_line, RW, "I"))
            y += line
            add(Item(L, y, f"Số {shown}", LW))
        sign = rnd.choice(PARTY_SIGNERS[:-1] if "BAN" not in body[:4] else PARTY_SIGNERS)
    else:
        upper, body_line, abbr, dept, place, issuer = rnd.choice(STATE_BODIES)
        if layout == "s_council":
            upper, body_line, abbr, dept, place, issuer = STATE_BODIES[4]
        title, code = rnd.choice(STATE_TYPES)
        if layout == "s_decision":
            title, code = "QUYẾT ĐỊNH", "QĐ"
        symbol = f"{number}/{abbr}-{dept}" if letter else f"{number}/{code}-{abbr}"
        if letter:
            code = "CV"
        shown = symbol
        y = 12.0
        add(Item(L, y, upper, LW, "" if upper.startswith(("UBND", "BỘ")) else "B"))
        add(Item(R, y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", RW, "B", size=size - 1))
        y += line
        add(Item(L, y, body_line, LW, "B"))
        add(Item(R, y, "Độc lập - Tự do - Hạnh phúc", RW, "B"))
        add(Item(L + 30, y + line * 1.1, rule=25))
        add(Item(R + 30, y + line * 1.1, rule=40))
        y += line * 1.6
        date_line = f"{place}, {_date_text(day, rnd)}"
        if layout == "s_date_below":
            add(Item(R, y, date_line, RW, "I"))
            y += line * 1.4
            add(Item(L, y, f"Số: {shown}", LW))
        else:
            add(Item(L, y, f"Số: {shown}", LW))
            add(Item(R, y, date_line, RW, "I"))
        sign = rnd.choice(
            STATE_SIGNERS[:2] if issuer.startswith(("ỦY BAN", "HỘI ĐỒNG")) else STATE_SIGNERS[2:]
        )
        if layout == "s_council":
            sign = rnd.choice((("TM. THƯỜNG TRỰC HĐND", "CHỦ TỊCH"), ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")))
    y += line
    if letter:
        about = textwrap.wrap(f"V/v {subject}", 42 if size >= 13 else 48)
        for part in about:
            add(Item(L, y, part, LW, size=size - 1))
            y += line
        expected_subject = " ".join(about)
    if urgency_mark:
        if layout in ("p_boxed_urgency", "s_date_below") or rnd.random() < 0.4:
            add(Item(L + 20, y + 1, urgency_mark, 0, "B", box=True))
        else:
            add(Item(L, y + 1, urgency_mark, LW, "B"))
        y += line * 1.5
    y += line
    if letter:
        add(Item(L, y, "Kính gửi: " + recipients[0], 190, ""))
        y += line * 1.5
    else:
        add(Item(L, y, title, 190, "B", size=size + 1))
        y += line * 1.1
        wrapped = textwrap.wrap(subject, 70 if size <= 12 else 60)
        if layout == "s_decision":
            wrapped = textwrap.wrap("Về việc " + subject, 70 if size <= 12 else 60)
        for part in wrapped[:3]:
            add(Item(L, y, part, 190, "B"))
            y += line
        expected_subject = " ".join(wrapped[:3])
        add(Item(85, y + 1, rule=40))
        y += line * 1.5
        if layout == "s_decision":
            add(Item(L, y, f"{sign[1] or 'GIÁM ĐỐC'} {issuer}"[:70], 190, "B"))
            y += line * 1.5
    paragraphs = [
        "Căn cứ Điều lệ Đảng và các quy định hiện hành;"
        if party
        else "Căn cứ Luật Tổ chức chính quyền địa phương;",
        rnd.choice(SUBJECTS).capitalize() + " là nhiệm vụ trọng tâm của năm.",
        "Đề nghị các cơ quan, đơn vị nghiêm túc triển khai thực hiện./.",
    ]
    for text in paragraphs:
        for part in textwrap.wrap(text, 95 if size <= 12 else 80):
            add(Item(L + 5, y, part, size=size))
            y += line
    y += line
    # The recipients on the left, the signer's block on the right; the seal over the signature space.
    add(Item(L, y, "Nơi nhận:", 0, "B", size=max(size - 1, 12)))
    right_y = y
    for text in filter(None, (sign[0], sign[1])):
        add(Item(R, right_y, text, RW, "B"))
        right_y += line
    rec_y = y + line
    for i, r in enumerate(recipients):
        end = "." if i == len(recipients) - 1 else ","
        add(Item(L, rec_y, f"- {r}{end}", 0, size=max(size - 2, 11)))
        rec_y += line * 0.9
    # The seal over the left third of the signature (Decree 30, Appendix I), near the position's last line.
    if rnd.random() < 0.6:
        add(Item(R + 38, right_y + 13, seal=rnd.uniform(11, 13)))
    add(Item(R, max(right_y + 28, rec_y + 2), name, RW, "B"))
    page.expected = {
        "number": number,
        "symbol": symbol,
        "type": code,
        "issuer": issuer,
        "place": place,
        "date": day.isoformat(),
        "subject": expected_subject,
        "signer_competence": sign[0],
        "signer_position": sign[1],
        "signer_name": name,
        "recipients": recipients,
        "urgency": urgency,
    }
    return page


def evaluation_set(n: int = 48) -> list[Page]:
    """``n`` pages, the twelve layouts in turn (Party and State alternate)."""
    return [make(seed) for seed in range(n)]


def _font_files(index: int) -> dict[str, str]:
    _name, regular, bold, italic = FONTS[index]
    return {"": str(TRUETYPE / regular), "B": str(TRUETYPE / bold), "I": str(TRUETYPE / italic)}


def render_pdf(page: Page) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    for style, path in _font_files(page.font).items():
        pdf.add_font("F", style, path)
    pdf.add_page()
    for it in page.items:
        if it.rule:
            pdf.line(it.x, it.y, it.x + it.rule, it.y)
            continue
        if it.seal:
            pdf.set_draw_color(200, 30, 30)
            for r in (it.seal, it.seal * 0.7):
                pdf.circle(it.x - r, it.y - r, r)
            pdf.set_draw_color(0, 0, 0)
            continue
        pdf.set_font("F", it.style, it.size or page.size)
        height = (it.size or page.size) * 0.42
        if it.width:
            pdf.set_xy(it.x, it.y)
            pdf.cell(it.width, height, it.text, align="C", border=1 if it.box else 0)
        else:
            pdf.set_xy(it.x, it.y)
            pdf.cell(pdf.get_string_width(it.text) + 2, height, it.text, border=1 if it.box else 0)
    return bytes(pdf.output())


def render_scan(page: Page, seed: int, *, dpi: int = 300, jpeg: int = 0) -> bytes:
    """The page as a scan: grey paper, speckles, a 0.5-2 degree skew, a slight blur; ``jpeg``: saved as a
    JPEG of that quality (its block artefacts) and returned as PNG bytes of the decoded picture."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rnd = random.Random(seed)
    mm = dpi / 25.4
    img = Image.new("L", (int(210 * mm), int(297 * mm)), 248)
    draw = ImageDraw.Draw(img)
    files = _font_files(page.font)
    fonts: dict[tuple[str, float], Any] = {}
    for it in page.items:
        if it.rule:
            draw.line([(it.x * mm, it.y * mm), ((it.x + it.rule) * mm, it.y * mm)], fill=30, width=2)
            continue
        if it.seal:
            for r in (it.seal, it.seal * 0.7):
                box = [(it.x - r) * mm, (it.y - r) * mm, (it.x + r) * mm, (it.y + r) * mm]
                draw.ellipse(box, outline=150, width=max(2, dpi // 60))
            continue
        key = (it.style, it.size or page.size)
        if key not in fonts:
            fonts[key] = ImageFont.truetype(files[it.style], round(key[1] * dpi / 72))
        font = fonts[key]
        width = draw.textlength(it.text, font=font)
        x = it.x * mm + ((it.width * mm - width) / 2 if it.width else 0)
        draw.text((x, it.y * mm), it.text, font=font, fill=25)
        if it.box:
            left, top, right, bottom = draw.textbbox((x, it.y * mm), it.text, font=font)
            pad = round(2 * mm)  # a stamped mark's frame stands clear of its letters
            draw.rectangle([left - pad, top - pad, right + pad, bottom + pad], outline=25, width=2)
    noise = Image.frombytes("L", img.size, rnd.randbytes(img.size[0] * img.size[1]))
    img = Image.composite(Image.new("L", img.size, 150), img, noise.point(lambda v: 255 if v < 1 else 0))
    img = img.rotate(
        rnd.uniform(0.5, 2.0) * rnd.choice((-1, 1)), resample=Image.Resampling.BICUBIC, fillcolor=248
    ).filter(ImageFilter.GaussianBlur(0.4))
    if jpeg:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=jpeg)
        img = Image.open(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    img.save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()
