"""Vietnamese-aware text helpers: normalisation, cleaning of user text and file names."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

from congvan.lib.errors import InvalidInput

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


def nfc(value: str) -> str:
    """Return the NFC form (Vietnamese typed on different keyboards arrives as NFC or NFD)."""
    return unicodedata.normalize("NFC", value)


def clean_line(value: str, *, field: str, max_length: int, required: bool = False) -> str:
    """Return one line of user text: NFC, no control characters, single spaces, within a length."""
    if not isinstance(value, str):
        raise InvalidInput((_("%(field)s: phải là chuỗi ký tự") % {"field": field}), code="invalid_field")
    text = _SPACES.sub(" ", _CONTROL.sub("", nfc(value))).strip()
    if required and not text:
        raise InvalidInput((_("%(field)s: bắt buộc") % {"field": field}), code="missing_field")
    if len(text) > max_length:
        raise InvalidInput(
            (_("%(field)s: dài tối đa %(max_length)s ký tự") % {"field": field, "max_length": max_length}),
            code="too_long",
        )
    return text


def clean_text(value: str, *, field: str, max_length: int) -> str:
    """Return multi-line user text: NFC, no control characters except line breaks and tabs."""
    if not isinstance(value, str):
        raise InvalidInput((_("%(field)s: phải là chuỗi ký tự") % {"field": field}), code="invalid_field")
    text = _CONTROL.sub("", nfc(value).replace("\r\n", "\n")).strip()
    if len(text) > max_length:
        raise InvalidInput(
            (_("%(field)s: dài tối đa %(max_length)s ký tự") % {"field": field, "max_length": max_length}),
            code="too_long",
        )
    return text


FILE_NAME_MAX = 200  # edXML hub validators refuse longer attachment names


def clean_file_name(name: str) -> str:
    """Return a safe file name, or refuse one that hides a path or control characters."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(_("Tên tệp trống"), code="bad_file_name")
    if _CONTROL.search(name) or "\n" in name or "\r" in name or "\t" in name:
        raise InvalidInput(_("Tên tệp chứa ký tự điều khiển"), code="bad_file_name")
    if "/" in name or "\\" in name or name.strip() in {".", ".."} or name.startswith("."):
        raise InvalidInput(_("Tên tệp không được chứa đường dẫn"), code="bad_file_name")
    text = _SPACES.sub(" ", nfc(name)).strip()
    if len(text) > FILE_NAME_MAX:
        stem, dot, ext = text.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            text = stem[: FILE_NAME_MAX - len(ext) - 1] + "." + ext
        else:
            text = text[:FILE_NAME_MAX]
    return text


def extension(name: str) -> str:
    """Return the lower-case extension without the dot, or an empty string."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def decode_text_file(data: bytes) -> str:
    """The text of an uploaded text file (a CSV), NFC: UTF-8 with or without its mark, UTF-16 with its
    mark (Excel's "Unicode text"), otherwise Windows-1258, what Excel writes a CSV in on a Vietnamese
    Windows (its tone marks as combining characters: composed here). A file with NUL bytes that is not
    UTF-16 is refused: it is not text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return nfc(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise InvalidInput(_("Tệp không phải văn bản (UTF-16 hỏng)"), code="not_text") from None
    if b"\x00" in data:
        raise InvalidInput(_("Tệp không phải văn bản"), code="not_text")
    try:
        return nfc(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    try:
        return nfc(data.decode("cp1258"))
    except UnicodeDecodeError:
        raise InvalidInput(_("Tệp không đọc được: hãy lưu lại dạng CSV UTF-8"), code="not_text") from None
