"""Per-field accuracy of the metadata reader on the labelled set, shared by the tests (a part of the
set, with the threshold) and ``bench.metadata`` (the whole set, printed)."""

from __future__ import annotations

import difflib
import multiprocessing
import os
import subprocess
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from congvan.capture.metadata import extract
from congvan.capture.tests import layouts
from congvan.capture.tests.corpus import Sample, evaluation_set, render_pdf, render_scan
from congvan.capture.tests.layouts import Page

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


@dataclass
class Accuracy:
    samples: int
    correct: Counter[str] = field(default_factory=Counter)
    misses: list[tuple[str, object, object]] = field(default_factory=list)
    char_ratios: list[float] = field(default_factory=list)

    def add(self, sample: Sample | Page, text: str) -> None:
        got = extract(text).as_dict()
        for f in FIELDS:
            if got[f] == sample.expected[f]:
                self.correct[f] += 1
            else:
                self.misses.append((f, sample.expected[f], got[f]))
        if isinstance(sample, Page):
            truth = sample.words().split()
        else:
            truth = " ".join(" ".join(x for x in line if x) for line in sample.lines).split()
        self.char_ratios.append(
            difflib.SequenceMatcher(None, " ".join(truth), " ".join(text.split())).ratio()
        )

    def per_field(self) -> dict[str, float]:
        return {f: self.correct[f] / self.samples for f in FIELDS}

    def worst(self) -> float:
        return min(self.per_field().values())

    def characters(self) -> float:
        return sum(self.char_ratios) / len(self.char_ratios)


def pdf_text(data: bytes, work: Path) -> str:
    path = work / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


_SAMPLE_TEXTS: dict[tuple[tuple[str, str], ...], str] = {}


def sample_text(sample: Sample, work: Path) -> str:
    """A first-set sample drawn as a text PDF and read back (kept: two tests read the same 44)."""
    key = tuple(sample.lines)
    if key not in _SAMPLE_TEXTS:
        _SAMPLE_TEXTS[key] = pdf_text(render_pdf(sample), work)
    return _SAMPLE_TEXTS[key]


def on_text_pdfs(samples: Sequence[Sample | Page], work: Path) -> Accuracy:
    acc = Accuracy(len(samples))
    for s in samples:
        acc.add(s, pdf_text(layouts.render_pdf(s), work) if isinstance(s, Page) else sample_text(s, work))
    return acc


def _ocr_text(path: Path) -> str:
    from congvan.capture.convert import convert
    from congvan.lib import filetypes

    return convert(path, filetypes.PNG).text


def on_scans(n: int, work: Path) -> Accuracy:
    """``n`` scans of the labelled set (half at 300 dpi, half at 200; noise, 1-2 degree skew) through
    congvan's conversion (OCRmyPDF + Tesseract, vie), one OCR per core in a process of its own
    (OCRmyPDF's API is not for concurrent threads)."""
    samples = evaluation_set(n)
    paths = []
    for i, s in enumerate(samples):
        paths.append(work / f"scan{i}.png")
        paths[-1].write_bytes(render_scan(s, i, dpi=300 if i % 2 else 200))
    return _read(samples, paths)


def _read(samples: Sequence[Sample | Page], paths: list[Path]) -> Accuracy:
    with ProcessPoolExecutor(os.cpu_count() or 2, mp_context=multiprocessing.get_context("fork")) as pool:
        texts = list(pool.map(_ocr_text, paths))
    acc = Accuracy(len(samples))
    for s, text in zip(samples, texts, strict=True):
        acc.add(s, text)
    return acc


def on_layout_scans(n: int, work: Path) -> Accuracy:
    """``n`` scans of the twelve-layout set: 300 and 200 dpi in turn, every third one through JPEG at
    quality 50-89 (its block artefacts), noise, 0.5-2 degree skew, seals over the signatures."""
    pages = layouts.evaluation_set(n)
    paths = []
    for i, page in enumerate(pages):
        paths.append(work / f"layout{i}.png")
        jpeg = 50 + i % 40 if i % 3 == 0 else 0
        paths[-1].write_bytes(layouts.render_scan(page, i, dpi=300 if i % 2 else 200, jpeg=jpeg))
    return _read(pages, paths)
