"""Text of a PDF's pages through poppler's pdftotext (layout kept: a mark on the issuer's line stays on
that line)."""

from __future__ import annotations

import re
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


_IMAGE = re.compile(rb"/Subtype\s*/Image\b")


def has_image(path: Path) -> bool:
    """Whether a PDF holds an image. An image is a stream object, and a stream's dictionary is never
    compressed inside an object stream, so its ``/Subtype /Image`` is in the file's bytes as written.
    Read in 1 MiB pieces (overlapping), so a 100 MB file costs 1 MiB of memory."""
    try:
        with path.open("rb") as fh:
            tail = b""
            while chunk := fh.read(1024 * 1024):
                if _IMAGE.search(tail + chunk):
                    return True
                tail = chunk[-64:]
    except OSError:
        return True  # unreadable: treat as a scan, to be read by OCR
    return False


def is_scan(path: Path, text: str) -> bool:
    """A page with little text that draws an image: its words are in the picture."""
    return not has_text(text) and has_image(path)
