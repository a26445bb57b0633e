"""Vietnamese text for search: one exact form and one folded form, the same for index and query.

- exact: NFKC (full-width letters as an East Asian keyboard types them, ligatures, superscripts: their
  plain letters and digits), lower case, the tone mark placed one way (hoà -> hòa, thuỷ -> thủy,
  khoẻ -> khỏe), words only (punctuation becomes a space, so "35-KH/HU" is the words 35 kh hu);
- folded: the exact form without any mark and with đ -> d ("Đảng ủy" -> "dang uy"), as people type
  without a Vietnamese keyboard.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

# Old-style placement: the tone sits on the second vowel of oa, oe, uy at the end of a syllable. The
# pattern starts at the vowels (a class the engine skips to); the syllable's onset, the consonants
# before them back to the word's start, is checked by ``_move_tone`` (a pattern that began with the
# onset was tried at every position: a third of ``exact_form``).
_OLD_STYLE = re.compile(r"(o|u)([ae]|y)([\u0300\u0301\u0303\u0309\u0323])(?![a-zđ])")
_ONSET = frozenset("bcdđghklmnpqrstvx")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzđ")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


# The combining marks Latin letters take (U+034F, the grapheme joiner, is not one), deleted in one pass;
# any other script's marks, character by character in the runs outside ASCII that are left (a generator
# over every character was half of ``folded_form``).
_LATIN_MARKS = re.compile("[\u0300-\u034e\u0350-\u036f]+")
_NON_ASCII = re.compile("[^\x00-\x7f]+")


def _without_marks(run: re.Match[str]) -> str:
    return "".join(c for c in run.group() if not unicodedata.combining(c))


def _strip_marks(decomposed: str) -> str:
    stripped = _LATIN_MARKS.sub("", decomposed)
    return stripped if stripped.isascii() else _NON_ASCII.sub(_without_marks, stripped)


def _move_tone(match: re.Match[str]) -> str:
    first, second, tone = match.groups()
    if (first, second) not in {("o", "a"), ("o", "e"), ("u", "y")}:
        return match.group(0)
    text, start = match.string, match.start()
    at = start
    while at > 0 and text[at - 1] in _ONSET:
        at -= 1
    if at > 0 and text[at - 1] in _LETTERS:
        return match.group(0)  # inside a word, not at a syllable's start
    if first == "u" and start > at and text[start - 1] == "q":
        return match.group(0)  # quý: the u belongs to the onset, keep the tone on y
    return f"{first}{tone}{second}"


def exact_form(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    decomposed = _OLD_STYLE.sub(_move_tone, decomposed)
    words = _NON_WORD.sub(" ", unicodedata.normalize("NFKC", decomposed)).replace("_", " ")
    return " ".join(words.split())


def folded_form(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("đ", "d").replace("Đ", "d"))
    stripped = _strip_marks(decomposed)
    words = _NON_WORD.sub(" ", stripped).replace("_", " ")
    return " ".join(words.split())


def fold_char(c: str) -> str:
    """One character folded to one character (its base letter in lower case; đ -> d; a full-width letter
    its plain one), or itself."""
    base = [
        x for x in unicodedata.normalize("NFKD", c.lower().replace("đ", "d")) if not unicodedata.combining(x)
    ]
    return base[0] if len(base) == 1 else c


# Latin, Latin Extended, the Vietnamese block and the full-width forms of ASCII: enough for administrative
# text; others stay as they are.
FOLDED_CHARS = [*range(0x250), *range(0x1E00, 0x1F00), *range(0xFF01, 0xFF5F)]


def _aligned_char(c: str) -> str:
    return fold_char(c) if re.fullmatch(r"\w", c) else " "


_ALIGNED = {i: _aligned_char(chr(i)) for i in FOLDED_CHARS if _aligned_char(chr(i)) != chr(i)}
_OTHER_NON_WORD = re.compile(r"[^\w ]")


def aligned_fold(text: str) -> str:
    """The folded form of a text character for character (same length, same places): every letter its
    folded form, every character that is not part of a word a space. A word's place found in it is its
    place in the text, and a word is found by a plain substring search (" doi " finds "Đổi," and
    "đội"), which is many times faster than a pattern over every spelling."""
    return _OTHER_NON_WORD.sub(" ", text.translate(_ALIGNED))


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
    for form, positions in ((exact, _POSITIONS_A), (folded, _POSITIONS_B)):
        words = form.split()
        for i, pair in enumerate(map("_".join, itertools.pairwise(words)), start=1):
            at = positions[min(i, 16383)]
            got = lexemes.get(pair)
            if got is None:
                lexemes[pair] = [at]
            else:
                got.append(at)
    return " ".join([f"'{lexeme}':{','.join(pos)}" for lexeme, pos in lexemes.items()])


# a tsvector's positions as written ("12A"), made once (a position is at most 16383)
_POSITIONS_A = [f"{i}A" for i in range(16384)]
_POSITIONS_B = [f"{i}B" for i in range(16384)]
