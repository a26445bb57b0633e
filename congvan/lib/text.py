"""Vietnamese-aware text helpers: normalisation, cleaning of user text and file names."""

from __future__ import annotations

import re
import unicodedata

from congvan.lib.errors import InvalidInput

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


def nfc(value: str) -> str:
    """Return the NFC form (Vietnamese typed on different keyboards arrives as NFC or NFD)."""
    return unicodedata.normalize("NFC", value)


def clean_line(value: str, *, field: str, max_length: int, required: bool = False) -> str:
    """Return one line of user text: NFC, no control characters, single spaces, within a length."""
    if not isinstance(value, str):
        raise InvalidInput(f"{field}: phải là chuỗi ký tự / must be text", code="invalid_field")
    text = _SPACES.sub(" ", _CONTROL.sub("", nfc(value))).strip()
    if required and not text:
        raise InvalidInput(f"{field}: bắt buộc / is required", code="missing_field")
    if len(text) > max_length:
        raise InvalidInput(
            f"{field}: dài tối đa {max_length} ký tự / at most {max_length} characters", code="too_long"
        )
    return text


def clean_text(value: str, *, field: str, max_length: int) -> str:
    """Return multi-line user text: NFC, no control characters except line breaks and tabs."""
    if not isinstance(value, str):
        raise InvalidInput(f"{field}: phải là chuỗi ký tự / must be text", code="invalid_field")
    text = _CONTROL.sub("", nfc(value).replace("\r\n", "\n")).strip()
    if len(text) > max_length:
        raise InvalidInput(
            f"{field}: dài tối đa {max_length} ký tự / at most {max_length} characters", code="too_long"
        )
    return text


FILE_NAME_MAX = 200  # edXML hub validators refuse longer attachment names


def clean_file_name(name: str) -> str:
    """Return a safe file name, or refuse one that hides a path or control characters."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("Tên tệp trống / the file has no name", code="bad_file_name")
    if _CONTROL.search(name) or "\n" in name or "\r" in name or "\t" in name:
        raise InvalidInput(
            "Tên tệp chứa ký tự điều khiển / the file name contains control characters", code="bad_file_name"
        )
    if "/" in name or "\\" in name or name.strip() in {".", ".."} or name.startswith("."):
        raise InvalidInput(
            "Tên tệp không được chứa đường dẫn / the file name must not contain a path", code="bad_file_name"
        )
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
