"""QR codes as inline SVG (an authenticator app scans the otpauth:// address); drawn here, no network."""

from __future__ import annotations

import qrcode
from django.utils.html import format_html
from django.utils.safestring import SafeString


def qr_svg(text: str, *, module: int = 5) -> SafeString:
    """An SVG of the QR code of ``text``: one path of dark squares, with a quiet zone of four modules."""
    qr = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    size = len(matrix) * module
    parts = [
        f"M{x * module},{y * module}h{module}v{module}h-{module}z"
        for y, row in enumerate(matrix)
        for x, dark in enumerate(row)
        if dark
    ]
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {} {}" role="img" '
        'aria-label="QR"><rect width="100%" height="100%" fill="#fff"/><path d="{}" fill="#000"/></svg>',
        size,
        size,
        size,
        size,
        "".join(parts),
    )
