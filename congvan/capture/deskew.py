"""Straighten a scanned page before OCR, cheaply.

A page scanned a degree or two askew has the ends of its lines read on the neighbouring lines (a date's
year, a subject's last words, the recipients beside the signature). OCRmyPDF's own deskew fixes that but
doubles the OCR time (the straightened picture replaces the page); this finds the angle on a small copy
(the angle whose rows of text are sharpest: the largest variance of the rows' ink) and turns only the
pages that need it.
"""

from __future__ import annotations

from PIL import Image, ImageStat

SMALL_WIDTH = 600  # pixels of the copy the angle is found on
LIMIT = 4.0  # degrees searched either way
SKIP_BELOW = 0.2  # degrees: straight enough to leave alone


def _sharpness(small: Image.Image, angle: float) -> float:
    turned = small.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=0)
    rows = turned.resize((1, turned.height), Image.Resampling.BOX)  # each row's mean ink
    return float(ImageStat.Stat(rows).var[0])


def skew_angle(img: Image.Image) -> float:
    """The angle (degrees, counter-clockwise) that straightens the page's lines of text: searched by
    half degrees, then tenths, then fortieths around the best."""
    grey = img.convert("L")
    scale = SMALL_WIDTH / grey.width
    small = grey.resize((SMALL_WIDTH, max(1, round(grey.height * scale))), Image.Resampling.BOX)
    ink = small.point(lambda v: 255 if v < 160 else 0)  # text white on black: the turn fills with black
    best = 0.0
    for step, span in ((0.5, LIMIT), (0.1, 0.4), (0.025, 0.075)):
        count = round(span / step)
        candidates = [best + k * step for k in range(-count, count + 1)]
        best = max(candidates, key=lambda a: _sharpness(ink, a))
    return best


def straighten(img: Image.Image) -> Image.Image:
    """The page turned by its skew angle when that is more than a fifth of a degree, else as it is."""
    angle = skew_angle(img)
    if abs(angle) < SKIP_BELOW:
        return img
    white = (255, 255, 255) if img.mode == "RGB" else 255
    return img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=white, expand=False)
