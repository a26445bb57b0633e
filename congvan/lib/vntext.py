"""Vietnamese text for search: one exact form and one folded form, the same for index and query.

- exact: NFC, lower case, the tone mark placed one way (hoà -> hòa, thuỷ -> thủy, khoẻ -> khỏe),
  words only (punctuation becomes a space, so "35-KH/HU" is the words 35 kh hu);
- folded: the exact form without any mark and with đ -> d ("Đảng ủy" -> "dang uy"), as people type
  without a Vietnamese keyboard.
"""

from __future__ import annotations

import re
import unicodedata

# Old-style placement: the tone sits on the second vowel of oa, oe, uy at the end of a syllable.
_OLD_STYLE = re.compile(
    r"(?<![a-zđ])(|[bcdđghklmnpqrstvx]+)(o|u)([ae]|y)([\u0300\u0301\u0303\u0309\u0323])(?![a-zđ])"
)
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def _move_tone(match: re.Match[str]) -> str:
    onset, first, second, tone = match.groups()
    if (first, second) not in {("o", "a"), ("o", "e"), ("u", "y")}:
        return match.group(0)
    if first == "u" and onset.endswith("q"):  # quý: the u belongs to the onset, keep the tone on y
        return match.group(0)
    return f"{onset}{first}{tone}{second}"


def exact_form(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    decomposed = _OLD_STYLE.sub(_move_tone, decomposed)
    words = _NON_WORD.sub(" ", unicodedata.normalize("NFC", decomposed)).replace("_", " ")
    return " ".join(words.split())


def folded_form(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = _NON_WORD.sub(" ", stripped).replace("_", " ")
    return " ".join(words.split())


def pairs(form: str) -> str:
    """Adjacent syllables joined ("phong chong thien tai" -> "phong_chong chong_thien thien_tai").

    Vietnamese words are mostly two syllables: a phrase over very common syllables ("phòng", "chống")
    is found through its pairs, which are rare, instead of walking the positions of every syllable.
    """
    words = form.split()
    return " ".join(f"{a}_{b}" for a, b in zip(words, words[1:], strict=False))  # noqa: RUF007


def pairs_tsvector(exact: str, folded: str) -> str:
    """A PostgreSQL tsvector literal of the syllable pairs (exact weighted A, folded B), built here
    because PostgreSQL's parser would split a pair at its "_"."""
    lexemes: dict[str, list[str]] = {}
    for form, weight in ((exact, "A"), (folded, "B")):
        for i, pair in enumerate(pairs(form).split(), start=1):
            lexemes.setdefault(pair, []).append(f"{min(i, 16383)}{weight}")
    return " ".join(f"'{lexeme}':{','.join(pos)}" for lexeme, pos in lexemes.items())
