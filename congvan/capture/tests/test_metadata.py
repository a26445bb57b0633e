"""Per-field accuracy of metadata read from text PDFs of the labelled set (at least 95%)."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from congvan.capture.metadata import extract
from congvan.capture.tests.corpus import evaluation_set, render_pdf

FIELDS = [
    "number",
    "symbol",
    "type",
    "issuer",
    "place",
    "date",
    "subject",
    "signer_position",
    "signer_competence",
    "signer_name",
    "recipients",
    "urgency",
]


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_metadata_accuracy_on_text_pdfs(tmp_path):
    samples = evaluation_set(44)
    forms = {"party" if "-" in s.expected["symbol"].split("/")[0] else "state" for s in samples}
    assert forms == {"party", "state"}
    correct: Counter[str] = Counter()
    misses = []
    for s in samples:
        got = extract(pdf_text(render_pdf(s), tmp_path)).as_dict()
        for f in FIELDS:
            if got[f] == s.expected[f]:
                correct[f] += 1
            else:
                misses.append((f, s.expected[f], got[f]))
    report = {f: correct[f] / len(samples) for f in FIELDS}
    print("per-field accuracy (text PDFs):", {f: f"{v:.0%}" for f, v in report.items()})
    worst = min(report.values())
    assert worst >= 0.95, (report, misses[:8])


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
        assert find_classification(pdf_text(render_pdf(s), tmp_path)) is None
    marked = make(3)
    marked.lines.insert(3, ("TỐI MẬT", ""))
    found = find_classification(pdf_text(render_pdf(marked), tmp_path))
    assert found is not None and found.level == "secret"


def _on_postgres() -> bool:
    from django.conf import settings

    return "postgresql" in str(settings.DATABASES["default"]["ENGINE"])


def _ocr_text(path: Path) -> str:
    from congvan.capture.convert import convert
    from congvan.lib import filetypes

    return convert(path, filetypes.PNG).text


@pytest.mark.skipif(
    _on_postgres(), reason="no database involved: the SQLite run covers it (saves a minute of OCR)"
)
def test_metadata_accuracy_on_scans_with_real_ocr(tmp_path):
    """40 scans (half at 300 dpi, half at 200; noise, 1-2 degree skew) through OCRmyPDF + Tesseract
    (vie): fields >= 85%."""
    import difflib

    from congvan.capture.tests.corpus import render_scan

    samples = evaluation_set(40)
    correct: Counter[str] = Counter()
    char_ratios = []
    paths = []
    for i, s in enumerate(samples):
        paths.append(tmp_path / f"scan{i}.png")
        paths[-1].write_bytes(render_scan(s, i, dpi=300 if i % 2 else 200))
    # one OCR per core, each in a process of its own (OCRmyPDF's API is not for concurrent threads)
    with ProcessPoolExecutor(os.cpu_count() or 2, mp_context=multiprocessing.get_context("fork")) as pool:
        texts = list(pool.map(_ocr_text, paths))
    for s, text in zip(samples, texts, strict=True):
        got = extract(text).as_dict()
        for f in FIELDS:
            correct[f] += got[f] == s.expected[f]
        truth = " ".join(" ".join(x for x in line if x) for line in s.lines).split()
        char_ratios.append(difflib.SequenceMatcher(None, " ".join(truth), " ".join(text.split())).ratio())
    report = {f: correct[f] / len(samples) for f in FIELDS}
    print(
        "per-field accuracy (scans):",
        {f: f"{v:.0%}" for f, v in report.items()},
        f"OCR character accuracy {sum(char_ratios) / len(char_ratios):.1%}",
    )
    assert min(report.values()) >= 0.85, report
