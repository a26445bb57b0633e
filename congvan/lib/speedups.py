"""congvan's compiled helpers (``_speedups.c``, built by ``setup.py`` where congvan is installed with a
C compiler), and what runs in their place without them: the same results, more slowly."""

from __future__ import annotations

import binascii
import threading
from collections.abc import Callable
from typing import Any

import pybase64

_unlines: Callable[[Any, Any], int] | None
try:
    from congvan.lib._speedups import unlines as _unlines
except ImportError:  # installed without a compiler
    _unlines = None

BUILT = _unlines is not None
_SCRATCH_MAX = 16 * 1024 * 1024  # a thread keeps a buffer this big at most, for the next attachment
_local = threading.local()


def b64decode_lines(data: bytes | bytearray | memoryview) -> bytes:
    """Base64 as mail carries it, in lines, decoded as ``pybase64.b64decode(data, validate=False)`` does
    (characters outside the alphabet skipped; ``binascii.Error`` for what cannot be decoded at all).

    The SIMD decoder takes 0.07 ms for a 1 MB attachment's 1.6 MB of base64 without line breaks and
    0.5 ms when it skips them itself: the line breaks are taken out first (0.06 ms), into a buffer this
    thread keeps. A text the strict decoder refuses (stray characters, padding inside) is left to the
    lenient one."""
    if _unlines is not None:
        scratch = _scratch(len(data))
        size = _unlines(data, scratch)
        try:
            return pybase64.b64decode(memoryview(scratch)[:size], validate=True)
        except binascii.Error:
            pass
    return pybase64.b64decode(data, validate=False)


def _scratch(size: int) -> bytearray:
    if size > _SCRATCH_MAX:
        return bytearray(size)
    buffer: bytearray | None = getattr(_local, "buffer", None)
    if buffer is None or len(buffer) < size:
        buffer = _local.buffer = bytearray(max(size, 64 * 1024))
    return buffer
