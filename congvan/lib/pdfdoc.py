"""PDFs made by congvan itself (registers, reports, the print of a mail): A4, Noto Sans embedded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from congvan.lib.errors import Conflict


def a4(*, landscape: bool = False, title: str = "") -> Any:
    """A new FPDF document on A4 with the Vietnamese font "Noto" (regular and bold) ready; a clear
    refusal when the font is not installed."""
    from fpdf import FPDF

    fonts = Path(settings.FONT_DIR)
    regular, bold = fonts / "NotoSans-Regular.ttf", fonts / "NotoSans-Bold.ttf"
    if not regular.exists() or not bold.exists():
        raise Conflict(_("Thiếu phông chữ Noto (%(value)s): cài fonts-noto-core") % {"value": fonts})
    pdf = FPDF(orientation="L" if landscape else "P", unit="mm", format="A4")
    if title:
        pdf.set_title(title)
    pdf.set_creator("congvan")
    pdf.add_font("Noto", "", str(regular))
    pdf.add_font("Noto", "B", str(bold))
    return pdf
