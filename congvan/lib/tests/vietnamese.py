"""Vietnamese text as other systems write it, for the tests."""

from __future__ import annotations

import unicodedata

TONES = "\u0300\u0301\u0303\u0309\u0323"  # the five tone marks, as combining characters


def windows_1258(text: str) -> bytes:
    """Text as Vietnamese Windows writes it in its code page (Excel's CSV, Outlook's mail): â, ê, ô, ơ,
    ư, ă, đ whole, the tone marks apart after their letter ("Số" is S, ô, a combining acute)."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        marks = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in marks if c in TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in marks if c not in tones)) + tones)
    return "".join(out).encode("cp1258", "replace")
