"""Visible signatures as Decree 30 draws them, with the Vietnamese font embedded.

The signer's box shows the blue handwritten signature with the position and name; the unit's seal
box overlaps the left third of the signer's box; a separate attachment gets a 10 pt line at the top
right of page 1 with the number/symbol and the signing time (ISO 8601, Vietnam time).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings

from congvan.lib.dates import VN

SIGNER_BOX = (330.0, 60.0, 530.0, 150.0)  # x1, y1, x2, y2 on the last page (points)
SEAL_SIZE = 86.0


def seal_box() -> tuple[float, float, float, float]:
    """A square centred on the left third of the signer's box."""
    x1, y1, x2, y2 = SIGNER_BOX
    cx, cy = x1 + (x2 - x1) / 6, (y1 + y2) / 2
    half = SEAL_SIZE / 2
    return (cx - half, cy - half, cx + half, cy + half)


def _font(size: int) -> Any:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

    path = Path(settings.FONT_DIR) / "NotoSans-Regular.ttf"
    return GlyphAccumulatorFactory(str(path), font_size=size)


def signer_style(image: str | None) -> Any:
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    background = None
    if image:
        from PIL import Image
        from pyhanko.pdf_utils.images import PdfImage

        background = PdfImage(Image.open(image))
    return TextStampStyle(
        stamp_text="%(position)s\n%(name)s",
        text_box_style=TextBoxStyle(font=_font(9), font_size=9),
        background=background,
        background_opacity=1.0,
        border_width=0,
    )


def seal_style(image: str) -> Any:
    from PIL import Image
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    return TextStampStyle(
        stamp_text=" ",
        text_box_style=TextBoxStyle(font=_font(6), font_size=6),
        background=PdfImage(Image.open(image)),
        background_opacity=1.0,
        border_width=0,
    )


def line_style() -> Any:
    """The unit's signature drawn as the 10 pt number line (a file signed outside congvan)."""
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    return TextStampStyle(
        stamp_text="%(line)s", text_box_style=TextBoxStyle(font=_font(10), font_size=10), border_width=0
    )


def number_line(symbol: str, when: dt.datetime) -> str:
    return f"{symbol} {when.astimezone(VN).isoformat(timespec='seconds')}"


def stamp_number_line(writer: Any, text: str) -> None:
    """Write the 10 pt line at the top right of page 1 (part of what the unit's signature covers)."""
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStamp, TextStampStyle

    page = writer.root["/Pages"]["/Kids"][0].get_object()
    media = [float(v) for v in page["/MediaBox"]]
    style = TextStampStyle(
        stamp_text="%(line)s", text_box_style=TextBoxStyle(font=_font(10), font_size=10), border_width=0
    )
    width = round(10 * 0.55 * len(text) + 12)
    stamp = TextStamp(
        writer, style, text_params={"line": text}, box=layout.BoxConstraints(width=width, height=18)
    )
    stamp.apply(0, round(media[2] - width - 20), round(media[3] - 36))
