"""Correct what OCR typically gets wrong in Vietnamese administrative text, with a domain lexicon.

Tesseract confuses tone marks on common words ("chi bộ" read as "chỉ bộ", "thông tin" as "thông tỉn")
and splits syllables ("ngà y"). A run of words whose folded form (no marks, đ -> d, no spaces) equals
a lexicon phrase is replaced by the phrase, keeping the first letter's case. Only phrases that have one
sensible spelling are listed, so a correct text is never changed.
"""

from __future__ import annotations

import re

from congvan.lib.vntext import folded_form

LEXICON = [
    "chi bộ",
    "đảng bộ",
    "đảng ủy",
    "huyện ủy",
    "tỉnh ủy",
    "thường trực",
    "ban thường vụ",
    "ủy ban nhân dân",
    "hội đồng nhân dân",
    "văn phòng",
    "ban tuyên giáo",
    "ban tổ chức",
    "ban dân vận",
    "ủy ban kiểm tra",
    "thông tin",
    "thành lập",
    "nhiệm kỳ",
    "kế hoạch",
    "báo cáo",
    "thông báo",
    "hướng dẫn",
    "nghị quyết",
    "quyết định",
    "chương trình",
    "chuyển đổi số",
    "đại hội",
    "tuyên truyền",
    "kỷ niệm",
    "ngày",
    "tháng",
    "nơi nhận",
    "kính gửi",
    "cộng hòa xã hội chủ nghĩa việt nam",
    "độc lập",
    "tự do",
    "hạnh phúc",
    "đảng cộng sản việt nam",
    "nông thôn mới",
    "thiên tai",
    "cứu nạn",
    "quy chế dân chủ",
    "cơ sở",
    "tinh gọn",  # "tỉnh gọn", as OCR reads it, is no Vietnamese phrase
    "phòng chống",
    "giám sát",
    "bảo vệ bí mật nhà nước",
    "mật khẩu",
    "hộp thư công vụ",
    "an toàn thông tin",
    "tổ chức",  # "tổ chúc" as OCR reads it
    "truyền hình",
    "phát thanh",
]
_BY_FOLDED = {folded_form(p).replace(" ", ""): p for p in LEXICON}
# OCR sometimes doubles a vowel ("ĐẢẲNG" for "ĐẢNG"): a run whose folded form, doubled letters made
# single, equals a lexicon phrase's folded the same way is that phrase too
_DOUBLED = re.compile(r"(.)\1+")
_BY_COLLAPSED = {_DOUBLED.sub(r"\1", key): p for key, p in _BY_FOLDED.items()}
_LONGEST = max(len(p.split()) for p in LEXICON) + 1  # one more: a split syllable adds a token
_TOKEN = re.compile(r"\S+")


def correct(text: str) -> str:
    return "\n".join(_correct_line(line) for line in text.split("\n"))


def _same_case(words: list[str], phrase: str) -> str:
    """Write the phrase with the case of the words it replaces."""
    if all(w.isupper() for w in words):
        return phrase.upper()
    parts = phrase.split()
    if len(parts) == len(words):
        return " ".join(
            p[:1].upper() + p[1:] if w[:1].isupper() else p for w, p in zip(words, parts, strict=True)
        )
    return phrase[:1].upper() + phrase[1:] if words[0][:1].isupper() else phrase


def _correct_line(line: str) -> str:
    tokens = list(_TOKEN.finditer(line))
    if not tokens:
        return line
    out: list[str] = []
    cursor, i = 0, 0
    while i < len(tokens):
        best: tuple[int, str, str, list[str]] | None = None
        for n in range(min(_LONGEST, len(tokens) - i), 0, -1):
            words = [t.group(0) for t in tokens[i : i + n]]
            trail = re.search(r"[,.;:]+$", words[-1])
            if trail:
                words[-1] = words[-1][: trail.start()]
            if not all(w.isalpha() for w in words):
                continue  # only runs of plain words: never eat a dash, a number or a symbol
            folded = folded_form("".join(words))
            phrase = _BY_FOLDED.get(folded) or _BY_COLLAPSED.get(_DOUBLED.sub(r"\1", folded))
            if phrase is None or len(phrase.split()) not in (n, n - 1):
                continue
            if " ".join(words).lower() == phrase:
                break  # already right: keep it as written (case included)
            best = (n, phrase, trail.group(0) if trail else "", words)
            break
        if best is None:
            i += 1
            continue
        n, phrase, ending, replaced = best
        start, end = tokens[i].start(), tokens[i + n - 1].end()
        out.append(line[cursor:start] + _same_case(replaced, phrase) + ending)
        cursor, i = end, i + n
    out.append(line[cursor:])
    return "".join(out)
