"""Validate document metadata (Decree 30 Appendix VI lengths) from any interface."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congvan.documents.errors import Classified, InvalidDocument
from congvan.documents.models import Confidentiality, DocumentType, Urgency
from congvan.lib.dates import local_today, parse_date
from congvan.lib.text import clean_line

LINES = {  # field -> (max length, required)
    "subject": (500, True),
    "signer_name": (50, False),
    "signer_position": (100, False),
    "signer_competence": (100, False),
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
    "groups",
    "replaces",
}
CLASSIFIED_REASON = gettext_lazy(
    "congvan chỉ xử lý văn bản thường: văn bản {label} phải chuyển theo quy định bảo vệ bí mật nhà nước, "
    "không qua hệ thống này"
)


def refuse_classified(value: str) -> None:
    """Refuse any confidentiality other than "none" with the reason (DOMAIN.md)."""
    if value != Confidentiality.NONE:
        label = Confidentiality(value).label if value in Confidentiality.values else value
        raise Classified(CLASSIFIED_REASON.format(label=str(label).upper(), value=value))


def clean_metadata(raw: Any, *, partial: bool = False) -> dict[str, Any]:
    """Return cleaned metadata fields, refusing unknown, missing, over-long or wrong-typed ones."""
    if not isinstance(raw, dict):
        raise InvalidDocument(_("metadata: phải là một đối tượng JSON"))
    unknown = sorted(set(raw) - ALLOWED)
    if unknown:
        raise InvalidDocument(_("metadata: trường không hỗ trợ: %(items)s") % {"items": ", ".join(unknown)})
    out: dict[str, Any] = {}
    for name, (max_length, required) in LINES.items():
        if name in raw:
            out[name] = clean_line(raw[name], field=name, max_length=max_length, required=required)
        elif required and not partial:
            raise InvalidDocument((_("%(name)s: bắt buộc") % {"name": name}), code="missing_field")
    if "type" in raw:
        out["doc_type"] = _doc_type(raw["type"])
    elif not partial:
        raise InvalidDocument(_("type: bắt buộc"), code="missing_field")
    return out | _clean_options(raw)


def _doc_type(code: Any) -> DocumentType:
    doc_type = DocumentType.objects.filter(abbreviation=code).first() if isinstance(code, str) else None
    if doc_type is None:
        raise InvalidDocument(_("type: không có loại văn bản %(value)s") % {"value": f"{str(code)[:20]!r}"})
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
    if "groups" in raw:
        out["planned_groups"] = clean_codes(raw["groups"], "groups")
    if "replaces" in raw:
        value = raw["replaces"]
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value <= 0):
            raise InvalidDocument(_("replaces: mã số văn bản bị thay thế"))
        out["replaces_id"] = value
    return out


def clean_codes(value: Any, field: str) -> list[str]:
    """Return a list of unit codes, refusing duplicates and non-strings."""
    if not isinstance(value, list) or not all(isinstance(c, str) and 0 < len(c) <= 32 for c in value):
        raise InvalidDocument(_("%(field)s: phải là danh sách mã đơn vị") % {"field": field})
    codes = [c.strip() for c in value]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise InvalidDocument(
            (_("%(field)s: mã đơn vị bị lặp: %(items)s") % {"field": field, "items": ", ".join(dupes)}),
            code="duplicate",
        )
    return codes


def _choice(value: Any, allowed: list[str], field: str) -> str:
    if value not in allowed:
        raise InvalidDocument(
            _("%(field)s: phải là một trong: %(items)s") % {"field": field, "items": ", ".join(allowed)}
        )
    return str(value)


def check_reply_due(fields: dict[str, Any]) -> None:
    """A draft asks for a reply by a day still to come (an incoming document's may have passed)."""
    due = fields.get("reply_due")
    if due is not None and due < local_today(timezone.now()):
        raise InvalidDocument(_("reply_due: hạn trả lời đã qua"), code="invalid")


def _date(value: Any, field: str) -> dt.date | None:
    return parse_date(value, field)


def _count(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 100000:
        raise InvalidDocument(_("%(field)s: số nguyên dương") % {"field": field})
    return value
