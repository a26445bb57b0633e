"""Text of a PDF's pages through poppler's pdftotext (layout kept: a mark on the issuer's line stays on
that line)."""

from __future__ import annotations

import subprocess
from pathlib import Path

MIN_TEXT = 40  # fewer letters than this on a page: it is a scan whose text must be read by OCR


def page_text(path: Path, *, first: int = 1, last: int | None = 1, timeout: int = 60) -> str:
    """The text of pages ``first``..``last`` (None: to the end); empty for a broken file."""
    args = ["pdftotext", "-layout", "-f", str(first)]
    if last is not None:
        args += ["-l", str(last)]
    try:
        out = subprocess.run([*args, str(path), "-"], capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.decode("utf-8", "replace")


def has_text(text: str) -> bool:
    return sum(ch.isalpha() for ch in text) >= MIN_TEXT


def page_has_image(path: Path, page: int = 1) -> bool:
    """Whether a page draws an image (a scan is an image with little or no text over it)."""
    try:
        out = subprocess.run(
            ["pdfimages", "-list", "-f", str(page), "-l", str(page), str(path)],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return True  # unreadable: treat as a scan, to be read by OCR
    return len(out.stdout.decode("utf-8", "replace").strip().splitlines()) > 2  # two header lines


def is_scan(path: Path, text: str) -> bool:
    """A page with little text that draws an image: its words are in the picture."""
    return not has_text(text) and page_has_image(path)
