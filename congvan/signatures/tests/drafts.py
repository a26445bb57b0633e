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


def office(html: str) -> bytes:
    """A draft made the way most offices make one: a word processor's page (LibreOffice, its fonts,
    the header laid out in a two-column table), exported to PDF."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice is installed by scripts/setup")
    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder) / "draft.html"
        src.write_text(html, encoding="utf-8")
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{folder}/profile",
                "--headless",
                "--convert-to",
                "pdf:writer_pdf_Export",
                "--outdir",
                folder,
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return (Path(folder) / "draft.pdf").read_bytes()


GAP = "&nbsp;" * 9
HEAD = (
    '<html><head><meta charset="utf-8"><style>body{{font-family:"{font}";font-size:{size}pt}} '
    "td{{vertical-align:top;text-align:center}}</style></head><body>"
)


def office_party() -> bytes:
    """Party form in a table: the committee and "Số      -TB/HU" left, the Party's name and the date right."""
    return office(
        HEAD.format(font="Liberation Serif", size=13)
        + f'<table width="100%"><tr><td width="45%">HUYỆN ỦY GÒ CÔNG TÂY<br>*<br>Số{GAP}-TB/HU</td>'
        + '<td width="55%"><b><u>ĐẢNG CỘNG SẢN VIỆT NAM</u></b><br>'
        + "<i>Gò Công Tây, ngày&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; "
        + "tháng&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; năm 2026</i></td></tr></table>"
        + '<p align="center"><b>THÔNG BÁO</b><br>kết luận của Ban Thường vụ</p><p>Nội dung.</p></body></html>'
    )


def office_state() -> bytes:
    """State form (Decree 30): "Số:      /QĐ-UBND", the national motto, dots for the whole date."""
    return office(
        HEAD.format(font="DejaVu Sans", size=12)
        + '<table width="100%"><tr><td width="40%">ỦY BAN NHÂN DÂN<br><b>XÃ BÌNH XUÂN</b><br>'
        + f"Số:{GAP}/QĐ-UBND</td>"
        + '<td width="60%"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br>'
        + "<b>Độc lập - Tự do - Hạnh phúc</b><br>"
        + "<i>Bình Xuân, ngày ..... tháng ..... năm ......</i></td></tr></table>"
        + '<p align="center"><b>QUYẾT ĐỊNH</b><br>Về việc kiện toàn tổ công tác</p></body></html>'
    )
