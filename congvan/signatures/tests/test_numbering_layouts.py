"""The blanks for the number and date are found on drafts laid out in different ways (fonts, a table
header from a word processor, dots or spaces, the State and Party forms), and what is written reads
back with pdftotext as a recipient reads it."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from collections.abc import Callable

import pytest

from congvan.signatures import numbering
from congvan.signatures.tests import drafts

DAY = dt.date(2026, 2, 4)
# PDFs and signatures, nothing of the database: the SQLite pass is enough
pytestmark = pytest.mark.once("sqlite")
LAYOUTS: dict[str, tuple[Callable[[], bytes], str, list[str]]] = {
    "fpdf, Noto Serif, Party": (drafts.party_blank, "05-KH/HU", ["Số 05-KH/HU", "ngày 04 tháng 02 năm 2026"]),
    "fpdf, Noto Sans, other suffix, dots": (drafts.dotted_other_suffix, "05-KH/HU", ["05-KH/HU", "2026"]),
    "LibreOffice table, Liberation Serif, Party": (
        drafts.office_party,
        "12-TB/HU",
        ["Số 12-TB/HU", "ngày 04 tháng 02 năm 2026"],
    ),
    # dots for blanks: hidden on the page under a white ground, but text extraction still reads them
    "LibreOffice table, DejaVu Sans, State, dots": (
        drafts.office_state,
        "7/QĐ-UBND",
        ["7/QĐ-UBND", "04 tháng", "02 năm 2026"],
    ),
    "no blank at all": (drafts.no_blank, "3-TB/HU", ["Số: 3-TB/HU, ngày 04/02/2026"]),
}


def needs_office(make) -> None:
    if make in (drafts.office_party, drafts.office_state) and not shutil.which("soffice"):
        pytest.skip("LibreOffice is installed by scripts/setup")


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_number_and_date_read_back(layout, tmp_path, settings):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    settings.DATA_DIR = tmp_path
    make, symbol, expected = LAYOUTS[layout]
    needs_office(make)
    source = make()
    writer = IncrementalPdfFileWriter(io.BytesIO(source), strict=False)
    assert numbering.fill(writer, source, numbering.Values(symbol, DAY)) == "new"
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / "out.pdf"
    path.write_bytes(out.getvalue())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    for piece in expected:
        assert piece in flat, flat
    assert out.getvalue().startswith(source)  # an incremental update: the draft's bytes unchanged
