"""OCR throughput: congvan's intake conversion beside running the ocrmypdf command directly.

Makes N scanned pages (300 dpi, noise, skew) from the labelled set, then OCRs each page both ways.
Target (issue "Digitisation and search"): pages per minute at least 0.9x of ocrmypdf directly.

    .venv/bin/python -m bench.ocr [--quick]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import parse_args, setup_django, size, verdict


def main() -> None:
    args = parse_args(__doc__ or "")
    setup_django(args)
    from PIL import Image

    from congvan.capture.convert import convert
    from congvan.capture.tests.corpus import make, render_scan
    from congvan.lib import filetypes

    n = size(args, 10, 3, 1)
    work = Path(tempfile.mkdtemp(prefix="congvan-ocr-"))
    pdfs = []
    for i in range(n):
        png = work / f"p{i}.png"
        png.write_bytes(render_scan(make(i), i))
        pdf = work / f"p{i}.pdf"
        Image.open(png).convert("RGB").save(pdf, "PDF", resolution=300.0)
        pdfs.append(pdf)
    exe = str(Path(sys.executable).parent / "ocrmypdf")
    start = time.perf_counter()
    for pdf in pdfs:
        subprocess.run(
            [
                exe,
                "-q",
                "-l",
                "vie",
                "--force-ocr",
                "--output-type",
                "pdfa",
                "--optimize",
                "0",
                "--jobs",
                "1",
                str(pdf),
                str(pdf.with_suffix(".direct.pdf")),
            ],
            check=True,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
    direct = time.perf_counter() - start
    start = time.perf_counter()
    for pdf in pdfs:
        converted = convert(pdf, filetypes.PDF)
        assert converted.kind == "pdf_scan" and converted.rendition
    ours = time.perf_counter() - start
    ours_ppm, direct_ppm = 60 * n / ours, 60 * n / direct
    print(f"OCR of {n} scanned pages (300 dpi, vie, PDF/A)")
    print(f"  congvan intake conversion  {ours_ppm:6.1f} pages/min")
    print(f"  ocrmypdf directly          {direct_ppm:6.1f} pages/min")
    print(
        f"  ratio                      {ours_ppm / direct_ppm:6.2f}x   target >= 0.9x: {verdict(ours_ppm >= 0.9 * direct_ppm)}"
    )


if __name__ == "__main__":
    main()
