"""Validate document metadata (Decree 30 Appendix VI lengths) from any interface."""

from __future__ import annotations

import datetime as dt
from typing import Any

from congvan.documents.errors import Classified, InvalidDocument
from congvan.documents.models import Confidentiality, DocumentType, Urgency
from congvan.lib.text import clean_line

LINES = {  # field -> (max length, required)
    "subject": (500, True),
    "signer_name": (50, False),
    "signer_position": (100, False),
    "place": (150, False),
    "description": (500, False),
    "drafting_department": (20, False),
}
ALLOWED = set(LINES) | {
    "type",
    "urgency",
    "confidentiality",
    "reply_due",
    "page_count",
    "copies",
    "recipients",
    "replaces",
}
CLASSIFIED_REASON = (
    "congvan chỉ xử lý văn bản thường: văn bản {label} phải chuyển theo quy định bảo vệ bí mật nhà nước, "
    "không qua hệ thống này / congvan carries only non-classified documents; a {value} document must travel "
    "by the state-secrets rules, not through this system"
)


def refuse_classified(value: str) -> None:
    """Refuse any confidentiality other than "none" with the reason (DOMAIN.md)."""
    if value != Confidentiality.NONE:
        label = Confidentiality(value).label if value in Confidentiality.values else value
        raise Classified(CLASSIFIED_REASON.format(label=str(label).upper(), value=value))


def clean_metadata(raw: Any, *, partial: bool = False) -> dict[str, Any]:
    """Return cleaned metadata fields, refusing unknown, missing, over-long or wrong-typed ones."""
    if not isinstance(raw, dict):
        raise InvalidDocument("metadata: phải là một đối tượng JSON / must be a JSON object")
    unknown = sorted(set(raw) - ALLOWED)
    if unknown:
        raise InvalidDocument(f"metadata: trường không hỗ trợ / unknown fields: {', '.join(unknown)}")
    out: dict[str, Any] = {}
    for name, (max_length, required) in LINES.items():
        if name in raw:
            out[name] = clean_line(raw[name], field=name, max_length=max_length, required=required)
        elif required and not partial:
            raise InvalidDocument(f"{name}: bắt buộc / is required", code="missing_field")
    if "type" in raw:
        out["doc_type"] = _doc_type(raw["type"])
    elif not partial:
        raise InvalidDocument("type: bắt buộc / is required", code="missing_field")
    return out | _clean_options(raw)


def _doc_type(code: Any) -> DocumentType:
    doc_type = DocumentType.objects.filter(abbreviation=code).first() if isinstance(code, str) else None
    if doc_type is None:
        raise InvalidDocument(f"type: không có loại văn bản {str(code)[:20]!r} / unknown document type")
    return doc_type


def _clean_options(raw: dict[str, Any]) -> dict[str, Any]:
    """The optional fields that are not free text: choices, dates, counts, codes, the replaced id."""
    out: dict[str, Any] = {}
    if "urgency" in raw:
        out["urgency"] = _choice(raw["urgency"], Urgency.values, "urgency")
    if "confidentiality" in raw:
        out["confidentiality"] = _choice(raw["confidentiality"], Confidentiality.values, "confidentiality")
        refuse_classified(out["confidentiality"])
    if "reply_due" in raw:
        out["reply_due"] = _date(raw["reply_due"], "reply_due")
    for name in ("page_count", "copies"):
        if name in raw:
            out[name] = _count(raw[name], name)
    if "recipients" in raw:
        out["planned_recipients"] = clean_codes(raw["recipients"], "recipients")
    if "replaces" in raw:
        value = raw["replaces"]
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value <= 0):
            raise InvalidDocument("replaces: mã số văn bản bị thay thế / the id of the replaced document")
        out["replaces_id"] = value
    return out


def clean_codes(value: Any, field: str) -> list[str]:
    """Return a list of unit codes, refusing duplicates and non-strings."""
    if not isinstance(value, list) or not all(isinstance(c, str) and 0 < len(c) <= 32 for c in value):
        raise InvalidDocument(f"{field}: phải là danh sách mã đơn vị / must be a list of unit codes")
    codes = [c.strip() for c in value]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise InvalidDocument(
            f"{field}: mã đơn vị bị lặp / duplicate unit codes: {', '.join(dupes)}", code="duplicate"
        )
    return codes


def _choice(value: Any, allowed: list[str], field: str) -> str:
    if value not in allowed:
        raise InvalidDocument(f"{field}: phải là một trong / must be one of: {', '.join(allowed)}")
    return str(value)


def _date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InvalidDocument(f"{field}: ngày dạng YYYY-MM-DD / a date as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidDocument(f"{field}: ngày dạng YYYY-MM-DD / a date as YYYY-MM-DD") from None


def _count(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 100000:
        raise InvalidDocument(f"{field}: số nguyên dương / a positive whole number")
    return value
