"""Drafts laid out as offices lay them out (fonts, blanks, header columns), made here with fpdf2: the
number and date are blank, to be written at release."""

from __future__ import annotations

from fpdf import FPDF

NOTO = "/usr/share/fonts/truetype/noto"


def _pdf(font: str, size: float) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.add_font("f", "", f"{NOTO}/{font}")
    pdf.set_font("f", size=size)
    return pdf


def _body(pdf: FPDF, subject: str) -> bytes:
    pdf.set_xy(20, 70)
    pdf.multi_cell(170, 7, f"KẾ HOẠCH\n{subject}\nNội dung kế hoạch gồm ba phần.")
    return bytes(pdf.output())


def party_blank(subject: str = "về việc triển khai nghị quyết 57") -> bytes:
    """Party form: "Số      -KH/HU" under the issuer, the date line right, Noto Serif 13."""
    pdf = _pdf("NotoSerif-Regular.ttf", 13)
    pdf.set_xy(20, 20)
    pdf.cell(80, 6, "HUYỆN ỦY GÒ CÔNG TÂY", align="C")
    pdf.set_xy(20, 27)
    pdf.cell(80, 6, "Số        -KH/HU", align="C")
    pdf.set_xy(100, 27)
    pdf.cell(95, 6, "Gò Công Tây, ngày      tháng      năm 2026", align="R")
    return _body(pdf, subject)


def dotted_other_suffix(subject: str = "về việc kiểm tra cuối năm") -> bytes:
    """A template whose suffix is not the issued one ("/KH-UBND"), dots for blanks, Noto Sans 12, the
    year left blank too."""
    pdf = _pdf("NotoSans-Regular.ttf", 12)
    pdf.set_xy(15, 18)
    pdf.cell(85, 6, "ỦY BAN NHÂN DÂN XÃ", align="C")
    pdf.set_xy(15, 26)
    pdf.cell(85, 6, "Số: ......../KH-UBND", align="C")
    pdf.set_xy(100, 26)
    pdf.cell(95, 6, "Bình Xuân, ngày ..... tháng ..... năm ......", align="R")
    return _body(pdf, subject)


def no_blank(subject: str = "về việc tổng kết") -> bytes:
    """No number or date in the layout at all."""
    pdf = _pdf("NotoSerif-Regular.ttf", 13)
    pdf.set_xy(20, 30)
    pdf.cell(170, 6, "THÔNG BÁO KẾT LUẬN", align="C")
    return _body(pdf, subject)
