"""A document's history as its reader may see it, oldest first.

- Its own unit: every step the audit log holds for the document (drafted, edited, submitted, approved or
  sent back, signed, sealed, released, recalled), each recipient's answers (arrived, registered,
  directed, in progress, completed, returned, recalled) and the document that replaced it.
- A recipient: the release, then its own copy's steps (arrived, registered, directed, returned...).
Nobody else's copies, nor the sender's internal steps, are shown to a recipient.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from congvan.audit.models import AuditEvent
from congvan.dispatch.models import DeliveryState, Receipt, StatusEvent
from congvan.documents.models import DocState, Document
from congvan.orgs.access import Acting
from congvan.orgs.models import User

MAX_STEPS = 300


@dataclass
class Step:
    at: dt.datetime
    what: str
    who: str = ""
    note: str = ""


def _labels() -> dict[str, str]:
    return {
        "document.drafted": _("Soạn dự thảo"),
        "document.edited": _("Sửa dự thảo"),
        "document.submitted": _("Trình duyệt"),
        "document.approved": _("Lãnh đạo duyệt"),
        "document.rejected": _("Trả lại dự thảo"),
        "document.signed": _("Ký số"),
        "document.sealed": _("Đóng dấu số của cơ quan"),
        "document.released": _("Cấp số và ban hành"),
        "document.revoked": _("Thu hồi"),
        "receipt.arrived": _("Văn bản đến"),
        "receipt.registered": _("Vào sổ văn bản đến"),
        "receipt.directed": _("Lãnh đạo chỉ đạo, phân công"),
        "receipt.returned": _("Trả lại nơi gửi"),
        "receipt.revoked": _("Bị thu hồi"),
        "receipt.moved": _("Chuyển cho đơn vị kế thừa"),
        "receipt.reply_started": _("Soạn văn bản trả lời"),
    }


def _names(usernames: set[str]) -> dict[str, str]:
    return {
        u: f or u for u, f in User.objects.filter(username__in=usernames).values_list("username", "full_name")
    }


def _note(action: str, details: dict[str, object]) -> str:
    if action == "document.released":
        return str(details.get("symbol") or "")
    if action == "receipt.registered" and details.get("incoming_number"):
        return _("số đến %(n)s") % {"n": details["incoming_number"]}
    for key in ("comment", "reason", "note"):
        if details.get(key):
            return str(details[key])[:300]
    return ""


def access_history(acting: Acting, doc: Document, receipt: Receipt | None) -> list[Step]:
    """The steps of ``doc`` its reader may see (``doc`` read through ``access_document``; ``receipt``:
    the reader's own copy, if any)."""
    labels = _labels()
    own = doc.issuing_unit_id == acting.unit.pk
    if own:
        events = list(
            AuditEvent.objects.filter(target_type="document", target_id=str(doc.pk), action__in=labels)
            .order_by("seq")
            .values_list("at", "action", "actor", "details")[:MAX_STEPS]
        )
    else:
        events = []
        if doc.released_at is not None and doc.state == DocState.RELEASED:
            events.append((doc.released_at, "document.released", "", {"symbol": doc.symbol}))
    if receipt is not None:
        events += list(
            AuditEvent.objects.filter(target_type="receipt", target_id=str(receipt.pk), action__in=labels)
            .order_by("seq")
            .values_list("at", "action", "actor", "details")[:MAX_STEPS]
        )
    names = _names({actor for _at, _a, actor, _d in events if actor})
    steps = [
        Step(
            at,
            labels[action],
            names.get(actor, actor) if own or action.startswith("receipt.") else "",
            _note(action, details),
        )
        for at, action, actor, details in events
    ]
    if own:
        states = dict(DeliveryState.choices)
        for ev in (
            StatusEvent.objects.filter(delivery__dispatch__document=doc)
            .select_related("delivery__unit")
            .order_by("at", "id")[:MAX_STEPS]
        ):
            steps.append(
                Step(ev.at, f"{ev.delivery.unit.name}: {states.get(ev.state, ev.state)}", ev.by, ev.note)
            )
        for newer in Document.objects.filter(replaces=doc, state=DocState.RELEASED).only(
            "symbol", "released_at"
        ):
            assert newer.released_at is not None
            steps.append(
                Step(newer.released_at, _("Được thay thế bởi văn bản %(symbol)s") % {"symbol": newer.symbol})
            )
    return sorted(steps, key=lambda s: s.at)
