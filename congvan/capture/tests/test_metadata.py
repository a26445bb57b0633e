"""Per-field accuracy of metadata read from the labelled set: text PDFs (at least 95%) and scans through
real OCR (at least 85%)."""

from __future__ import annotations

import pytest

from congvan.capture.tests.corpus import evaluation_set, render_pdf
from congvan.capture.tests.evaluation import on_scans, on_text_pdfs, pdf_text, sample_text


def test_metadata_accuracy_on_text_pdfs(tmp_path):
    samples = evaluation_set(44)
    forms = {"party" if "-" in s.expected["symbol"].split("/")[0] else "state" for s in samples}
    assert forms == {"party", "state"}
    acc = on_text_pdfs(samples, tmp_path)
    print("per-field accuracy (text PDFs):", {f: f"{v:.0%}" for f, v in acc.per_field().items()})
    assert acc.worst() >= 0.95, (acc.per_field(), acc.misses[:8])


def test_metadata_accuracy_on_twelve_layouts_as_text_pdfs(tmp_path):
    """The broader set: six Party and six State layouts, five faces at 11-14 pt, wrapped subjects, letters,
    boxed marks, seals; every field at least 95%."""
    from congvan.capture.tests import layouts

    pages = layouts.evaluation_set(24)  # each layout twice (bench.metadata reads 48, and 96 were read)
    assert {p.layout for p in pages} == set(layouts.PARTY_LAYOUTS + layouts.STATE_LAYOUTS)
    assert len({(p.font, p.size) for p in pages}) >= 8
    acc = on_text_pdfs(pages, tmp_path)
    print("per-field accuracy (twelve layouts):", {f: f"{v:.0%}" for f, v in acc.per_field().items()})
    assert acc.worst() >= 0.95, (acc.per_field(), acc.misses[:8])


def test_classification_guard_on_the_labelled_set(tmp_path):
    from congvan.capture.tests.corpus import make
    from congvan.lib.classification import find_mark as find_classification

    prose = [
        s
        for s in evaluation_set(44)
        if "bí mật" in s.expected["subject"] or "mật khẩu" in s.expected["subject"]
    ]
    assert prose, "the set has documents whose prose says 'bí mật' or 'mật khẩu'"
    for s in evaluation_set(44):
        assert find_classification(sample_text(s, tmp_path)) is None
    marked = make(3)
    marked.lines.insert(3, ("TỐI MẬT", ""))
    found = find_classification(pdf_text(render_pdf(marked), tmp_path))
    assert found is not None and found.level == "secret"


def _on_postgres() -> bool:
    from django.conf import settings

    return "postgresql" in str(settings.DATABASES["default"]["ENGINE"])


@pytest.mark.skipif(
    _on_postgres(), reason="no database involved: the SQLite run covers it (OCR takes a while)"
)
def test_metadata_accuracy_on_scans_with_real_ocr(tmp_path):
    """10 scans of the labelled set through OCRmyPDF + Tesseract (vie): every field >= 85%. The whole
    set (48), and the twelve-layout set's scans, are measured by ``python -m bench.metadata``
    (docs/benchmarks.md)."""
    acc = on_scans(10, tmp_path)
    print(
        "per-field accuracy (scans):",
        {f: f"{v:.0%}" for f, v in acc.per_field().items()},
        f"OCR character accuracy {acc.characters():.1%}",
    )
    assert acc.worst() >= 0.85, (acc.per_field(), acc.misses[:8])


def test_long_runs_of_blanks_are_read_in_linear_time():
    """pdftotext's layout can pad lines with long runs of blanks: the date column's pattern tried every
    start inside a run and took 8.8 s for 40,000 spaces (quadratic); a 200,000-blank page now takes
    milliseconds."""
    import time

    from congvan.capture.metadata import extract

    for blank in (" ", "\t"):
        started = time.perf_counter()
        extract("ỦY BAN NHÂN DÂN" + blank * 200_000 + "Số: 12/UBND")  # no date found the plain way
        assert time.perf_counter() - started < 2.0, blank
