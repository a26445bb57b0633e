"""Template helpers of the web interface."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import gettext as _

from congvan.dispatch.models import DeliveryState, Dispatch
from congvan.documents.models import Confidentiality, Document, DocumentType, Urgency
from congvan.lib.links import page_of
from congvan.workflow import rules
from congvan.workflow.actions import notices
from congvan.workflow.models import Assignment, Notification

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    """Show a receipt state in the interface language ("registered" -> "Đã vào sổ")."""
    try:
        return str(DeliveryState(value).label)
    except ValueError:
        return value


FIELD_LABELS = {
    "number": "Số",
    "symbol": "Số, ký hiệu",
    "type": "Loại văn bản",
    "issuer": "Cơ quan ban hành",
    "place": "Địa danh",
    "date": "Ngày ban hành",
    "subject": "Trích yếu",
    "signer_position": "Chức vụ người ký",
    "signer_name": "Người ký",
    "recipients": "Nơi nhận",
    "urgency": "Độ khẩn",
    "confidentiality": "Độ mật",
}


@register.filter
def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


@register.filter
def as_text(value: object) -> str:
    """Lists as "a; b; c", anything else as text."""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


@register.filter
def shown(value: object, key: str) -> str:
    """A value read from a document as a person reads it: choices by their label, dates as d/m/Y, the
    type by its name (``as_text`` for the rest)."""
    text = as_text(value)
    if key == "urgency" and text in Urgency.values:
        return str(Urgency(text).label)
    if key == "confidentiality" and text in Confidentiality.values:
        return str(Confidentiality(text).label)
    if key == "type" and text:
        found = DocumentType.objects.filter(abbreviation=text).values_list("name", flat=True).first()
        return f"{found} ({text})" if found else text
    if key in ("date", "reply_due", "issued_date") and len(text) == 10:
        try:
            return dt.date.fromisoformat(text).strftime("%d/%m/%Y")
        except ValueError:
            return text
    return text


@register.filter
def overdue(assignment: Assignment, today: dt.date) -> bool:
    """The workflow's rule: still being worked on after its deadline."""
    return rules.is_overdue(assignment, today)


@register.filter
def notice_text(n: Notification) -> str:
    return notices.notice_text(n)


@register.filter
def notice_page(n: Notification) -> str:
    return page_of(n.about_type, n.about_id)


@register.filter
def iso_time(value: str | None) -> str:
    """An ISO 8601 time from a signature report, as the pages show times (dd/mm/yyyy hh:mm:ss)."""
    if not value:
        return ""
    try:
        return dt.datetime.fromisoformat(str(value)).strftime("%d/%m/%Y %H:%M:%S")
    except ValueError:
        return str(value)


@register.filter
def signature_role(field_name: str) -> str:
    """Who signed, from the signature field congvan names: the leader, the unit's seal, or another."""
    return {
        "LanhDaoKy": _("Lãnh đạo ký duyệt"),
        "DonViKy": _("Đơn vị ký (con dấu số)"),
    }.get(str(field_name), _("Chữ ký khác (%(name)s)") % {"name": field_name})


@register.filter
def message_signature(state: str) -> str:
    """The verdict of an edXML message's XML-DSig (``Document.received``), in words."""
    words = {
        "valid": _("Hợp lệ, do máy chủ liên thông đã cấu hình xác nhận"),
        "untrusted": _("Đúng chữ ký, nhưng chứng thư không thuộc máy chủ đã cấu hình"),
        "invalid": _("Không hợp lệ: thông điệp bị thay đổi sau khi ký"),
        "unverifiable": _("Không kiểm tra được"),
        "unsigned": _("Không có chữ ký"),
        "not_checked": _("Chưa kiểm tra"),
    }
    return words.get(state, state)


@register.filter
def paper_reason(value: str) -> str:
    """Why a document was also sent on paper, in words."""
    from congvan.dispatch.models import PaperCopy

    return str(PaperCopy(value).label) if value in PaperCopy.values else value


@register.filter
def document_state(doc: Document) -> str:
    """A document's state as its reader should see it: a released one recalled reads "Đã thu hồi",
    one replaced by a newer document "Đã thay thế"."""
    if doc.state == "released":
        dispatch = Dispatch.objects.filter(document=doc).values_list("revoked_at", flat=True).first()
        if dispatch is not None:
            return _("Đã thu hồi")
        if doc.replaced_by.exists():
            return _("Đã thay thế")
    return str(doc.get_state_display())
