"""The classification guard's reading of text: a MẬT / TỐI MẬT / TUYỆT MẬT mark refuses a document; the
same letters in prose ("bí mật", "mật khẩu", "mật độ", "thân mật", "bảo mật thông tin") do not.

A mark is looked for where offices put it (Decree 30, Party guidance 36-HD/VPTW): near the top of the
first page, as a stamp on its own line or in a box, on the issuer's line, beside the urgency ("MẬT -
KHẨN"), or as the field "Độ mật: Mật". Before reading, the text is made plain: NFC, format characters
(zero-width spaces and joiners, BOM) removed, letters that look Latin but are Cyrillic or Greek mapped
to Latin. Then, on each of the first lines:

- the field "độ mật: <level>" in any case, with or without diacritics;
- a line that is only a mark (with urgency words and punctuation around it), in any case, with or
  without diacritics ("Mật", "MAT", "[ TỐI MẬT ]", "MẬT - KHẨN", "HỎA TỐC, MẬT");
- an upper-case word MẬT in a line (the issuer's line, a heading), unless a word beside it makes it
  prose (BÍ MẬT, BẢO MẬT, MẬT KHẨU, MẬT ĐỘ, ...);
- a line that is only a mark's letters set apart ("M Ậ T", "M.Ậ.T", "T Ố I  M Ậ T").

The subject of a document is read whole with the same rules (a subject "(MẬT) Kế hoạch ..." refuses).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

LEVELS = {"mat": "confidential", "toi mat": "secret", "tuyet mat": "top_secret"}
MARK_TEXT = {"confidential": "MẬT", "secret": "TỐI MẬT", "top_secret": "TUYỆT MẬT"}
TOP_LINES = 25  # where the mark stands: the top of the first page

# Letters of other scripts that look like the Latin ones of a mark (Cyrillic, Greek).
_LOOKALIKE = str.maketrans(
    {
        "А": "A",
        "а": "a",
        "Т": "T",
        "т": "t",
        "М": "M",
        "м": "m",
        "О": "O",
        "о": "o",
        "Е": "E",
        "е": "e",
        "К": "K",
        "к": "k",
        "Н": "H",
        "Х": "X",
        "х": "x",
        "С": "C",
        "с": "c",
        "Р": "P",
        "р": "p",
        "У": "Y",
        "у": "y",
        "І": "I",
        "і": "i",
        "Α": "A",
        "α": "a",
        "Τ": "T",
        "τ": "t",
        "Μ": "M",
        "Ο": "O",
        "ο": "o",
        "Ε": "E",
        "Κ": "K",
        "Η": "H",
        "Ι": "I",
        "ι": "i",
        "Χ": "X",
        "Υ": "Y",
        "Ν": "N",
    }
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Words that make "mật" prose when they stand before or after it (folded: no marks, đ -> d).
_PROSE_BEFORE = {"bi", "bao", "than", "co", "do", "giu", "ma", "ong", "nuoc", "mat", "lay", "duong"}
_PROSE_AFTER = {
    "khau",
    "do",
    "thiet",
    "ma",
    "ong",
    "tham",
    "vu",
    "bao",
    "danh",
    "lenh",
    "thu",
    "uoc",
    "hieu",
    "mia",
    "nghi",
    "dam",
    "tin",
}
# Words that may stand on a stamp's line beside the mark (urgency, framing words).
_STAMP_WORDS = {"khan", "thuong", "hoa", "toc", "hen", "gio", "do", "mat", "toi", "tuyet", "muc"}
# A mark whose letters stand apart (a stamp set in spaced capitals, or read so by OCR): its letters.
_SPACED = {"mat": "confidential", "toimat": "secret", "tuyetmat": "top_secret"}
_FIELD = re.compile(r"\bdo\s+mat\s*[:：]\s*(tuyet\s+mat|toi\s+mat|mat)\b")


@dataclass(frozen=True)
class Classification:
    level: str  # confidential | secret | top_secret
    mark: str  # as a person reads it: MẬT, TỐI MẬT, TUYỆT MẬT
    line: int
    text: str  # the line it was found on

    @property
    def reason(self) -> str:
        return f"{self.mark} ({self.text[:80]})"


def plain(text: str) -> str:
    """NFC without format characters (zero-width, BOM, direction marks) and with look-alike letters
    made Latin; NFD input composes."""
    text = "".join(ch for ch in unicodedata.normalize("NFC", text) if unicodedata.category(ch) != "Cf")
    return unicodedata.normalize("NFC", text.translate(_LOOKALIKE))


def fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _level(words: list[str], i: int) -> str:
    before = fold(words[i - 1]) if i > 0 else ""
    return {"toi": "secret", "tuyet": "top_secret"}.get(before, "confidential")


def _found(level: str, number: int, line: str) -> Classification:
    return Classification(level, MARK_TEXT[level], number, line.strip())


def read_line(line: str, number: int) -> Classification | None:
    """The mark one line of text carries, if any (the rules in the module's docstring)."""
    line = " ".join(line.split())
    folded = fold(line)
    field = _FIELD.search(folded)
    if field:
        return _found(LEVELS[" ".join(field.group(1).split())], number, line)
    words = _WORD.findall(line)
    if not words:
        return None
    spaced = _SPACED.get("".join(fold(w) for w in words)) if all(len(w) <= 2 for w in words) else None
    if spaced is not None and len(words) >= 3:  # a stamp set in spaced capitals: "M Ậ T", "M.Ậ.T"
        return _found(spaced, number, line)
    folded_words = [fold(w) for w in words]
    if "mat" in folded_words and set(folded_words) <= _STAMP_WORDS:  # a stamp's line
        i = folded_words.index("mat")
        # "ĐỘ MẬT" alone is a label, not a level.
        if not (i > 0 and folded_words[i - 1] == "do"):
            return _found(_level(words, i), number, line)
    for i, (word, f) in enumerate(zip(words, folded_words, strict=True)):
        if f != "mat" or not word.isupper() or fold(word) == word.lower():  # upper case, with its marks
            continue
        before = folded_words[i - 1] if i > 0 else ""
        after = folded_words[i + 1] if i + 1 < len(words) else ""
        if before in _PROSE_BEFORE or after in _PROSE_AFTER:
            continue
        return _found(_level(words, i), number, line)
    return None


def find_mark(text: str, *, top_lines: int | None = TOP_LINES) -> Classification | None:
    """The classification mark of a document's text (its first ``top_lines`` non-blank lines; None: all)."""
    number = 0
    for raw in plain(text).splitlines():
        if not raw.strip():
            continue
        number += 1
        if top_lines is not None and number > top_lines:
            break
        found = read_line(raw, number)
        if found is not None:
            return found
    return None


def subject_mark(subject: str) -> Classification | None:
    """A mark written into a subject (or any one-line field): read whole."""
    return find_mark(subject.replace("\n", " "), top_lines=1)
