"""The page's skew is found on a small copy and undone before OCR; a straight page is left alone."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from congvan.capture.deskew import skew_angle, straighten
from congvan.capture.tests import layouts


def _page(angle: float) -> Image.Image:
    page = layouts.make(3)
    clean = Image.open(io.BytesIO(layouts.render_scan(page, 0, dpi=200))).convert("L")
    return clean.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=248)


@pytest.mark.parametrize("angle", [-2.0, -1.2, 0.7, 1.8])
def test_the_skew_is_found_within_a_tenth_of_a_degree(angle):
    straight = skew_angle(_page(0))  # the generated scan's own skew (0.5-2 degrees), measured first
    assert abs(skew_angle(_page(angle)) - (straight - angle)) <= 0.1


def test_a_straight_page_is_left_as_it_is():
    page = straighten(_page(0))
    level = straighten(page)
    assert level is page
