"""Metadata read from scans by real OCR, beside the same documents read from their text PDFs.

Renders N documents of each labelled set (the first: one layout per form; the second: twelve layouts, five
faces at 11-14 pt, seals, boxed marks, every third scan through JPEG) as scans (half at 300 dpi, half
at 200; noise, skew), reads them
through congvan's conversion (OCRmyPDF + Tesseract) and the metadata reader, and prints the per-field
accuracy beside the text-PDF baseline (pdftotext of the same documents: what the reader does with
perfect text). Target (issue "Digitisation and search"): every field at least 90% on scans, 95% on
text PDFs. The test command checks a part of the set with the same thresholds.

    .venv/bin/python -m bench.metadata [--quick | --smoke]
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.common import parse_args, setup_django, size, verdict


def main() -> None:
    args = parse_args(__doc__ or "")
    setup_django(args)
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # its subsetter talks at INFO
    from congvan.capture.tests import layouts
    from congvan.capture.tests.corpus import Sample, evaluation_set
    from congvan.capture.tests.evaluation import FIELDS, Accuracy, on_layout_scans, on_scans, on_text_pdfs
    from congvan.capture.tests.layouts import Page

    n = size(args, 48, 12, 1)
    work = Path(tempfile.mkdtemp(prefix="congvan-metadata-"))
    sets: list[tuple[str, Callable[[int, Path], Accuracy], Sequence[Sample | Page]]] = [
        ("the first set (one layout per form)", on_scans, evaluation_set(n)),
        (
            "the twelve-layout set (fonts, sizes, seals, boxes, JPEG)",
            on_layout_scans,
            layouts.evaluation_set(n),
        ),
    ]
    for title, read, pages in sets[1:] if args.smoke else sets:  # the smoke: the code path, once
        start = time.perf_counter()
        scans = read(n, work)
        took = time.perf_counter() - start
        text = on_text_pdfs(pages, work)
        print(
            f"Metadata of {n} documents of {title}: scans through OCR ({took:.0f} s) beside text PDFs (baseline)"
        )
        print(f"  {'field':<20} {'scans':>7} {'text PDFs':>10}")
        for f in FIELDS:
            print(f"  {f:<20} {scans.per_field()[f]:>7.0%} {text.per_field()[f]:>10.0%}")
        print(f"  OCR character accuracy {scans.characters():.1%}")
        print(
            f"  worst field on scans   {scans.worst():.0%}   target >= 90%: {verdict(scans.worst() >= 0.90)}"
        )
        print(f"  worst on text PDFs     {text.worst():.0%}   target >= 95%: {verdict(text.worst() >= 0.95)}")


if __name__ == "__main__":
    main()
