"""The two rule sets that turn a sequence number into a symbol (DOMAIN.md)."""

from __future__ import annotations

import datetime as dt


def number_text(number: int) -> str:
    """Numbers below 10 take a leading zero."""
    return f"{number:02d}"


def party_symbol(number: int, type_abbr: str, body_abbr: str) -> str:
    """Return ``35-KH/HU``: number, hyphen, type, slash, issuing body."""
    return f"{number_text(number)}-{type_abbr}/{body_abbr}"


def state_symbol(
    number: int, type_abbr: str, body_abbr: str, *, is_letter: bool, department: str = ""
) -> str:
    """Return ``15/QĐ-BNV``, or for a letter ``05/BNV-VP`` (body, then the drafting department)."""
    if is_letter:
        tail = f"{body_abbr}-{department}" if department else body_abbr
        return f"{number_text(number)}/{tail}"
    return f"{number_text(number)}/{type_abbr}-{body_abbr}"


def state_scope(day: dt.date) -> str:
    return str(day.year)


def party_scope(term_id: int, type_abbr: str) -> str:
    return f"term:{term_id}:{type_abbr}"
