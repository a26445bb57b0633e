"""Each person's start page: the work waiting for them, as short lists with their counts, by role.

- clerk: documents to register, to number and release, returned by a recipient, deliveries that failed;
- leader: drafts to approve, registered documents to direct, extension requests, overdue work of the unit;
- specialist: their tasks by deadline, their drafts and where each stands.
Each list reads through the visibility filters of the apps that own the rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from congvan.dispatch.models import Delivery, DeliveryState, Receipt, Transport
from congvan.documents.access import issued_documents
from congvan.documents.models import DocState, Urgency
from congvan.lib.links import page_of
from congvan.orgs.access import Acting
from congvan.orgs.models import Role
from congvan.workflow import rules
from congvan.workflow.models import Assignment, ExtensionRequest, ExtensionState
from congvan.workflow.queries import receipts_to_direct, work_list

SHOWN = 5


@dataclass
class Row:
    title: str
    detail: str
    href: str
    when: dt.date | dt.datetime | None = None
    flag: str = ""  # urgent | overdue | failed


@dataclass
class Section:
    key: str
    title: str
    count: int
    rows: list[Row] = field(default_factory=list)
    more: tuple[str, str] | None = None  # the page with all of them: its URL name and query


def _doc_row(doc: object, when: dt.date | dt.datetime | None, flag: str = "", detail: str = "") -> Row:
    return Row(
        title=getattr(doc, "symbol", "") or _("(chưa có số)"),
        detail=detail or getattr(doc, "subject", ""),
        href=page_of("document", getattr(doc, "pk", None)),
        when=when,
        flag=flag,
    )


def _clerk(acting: Acting) -> list[Section]:
    arrived = Receipt.objects.filter(unit_id=acting.unit.pk, state=DeliveryState.ARRIVED).select_related(
        "document", "issuer"
    )
    approved = issued_documents(acting).filter(state=DocState.APPROVED)
    mine = Delivery.objects.filter(dispatch__document__issuing_unit_id=acting.unit.pk).select_related(
        "dispatch__document", "unit"
    )
    returned = mine.filter(state=DeliveryState.RETURNED)
    failed = mine.filter(transport__in=[Transport.FAILED, Transport.BOUNCED])
    return [
        Section(
            "to_register",
            _("Văn bản đến chờ vào sổ"),
            arrived.count(),
            [
                _doc_row(
                    r.document,
                    r.arrived_at,
                    "urgent" if r.urgency != Urgency.NORMAL else "",
                    f"{r.issuer.name}: {r.document.subject}",
                )
                for r in arrived.order_by("-arrived_at")[:SHOWN]
            ],
            ("web:inbox", "view=new"),
        ),
        Section(
            "to_release",
            _("Chờ cấp số, ban hành"),
            approved.count(),
            [_doc_row(d, d.approved_at) for d in approved.order_by("approved_at")[:SHOWN]],
            ("web:outbox", "state=approved"),
        ),
        Section(
            "returned",
            _("Bị nơi nhận trả lại"),
            returned.count(),
            [
                _doc_row(d.dispatch.document, d.state_changed_at, "", f"{d.unit.name}: {d.note}")
                for d in returned.order_by("-state_changed_at")[:SHOWN]
            ],
        ),
        Section(
            "failed",
            _("Gửi không được"),
            failed.count(),
            [
                _doc_row(
                    d.dispatch.document, d.state_changed_at, "failed", f"{d.unit.name}: {d.transport_note}"
                )
                for d in failed.order_by("-id")[:SHOWN]
            ],
        ),
    ]


def _leader(acting: Acting, today: dt.date) -> list[Section]:
    submitted = issued_documents(acting).filter(state=DocState.SUBMITTED).select_related("created_by")
    to_direct = receipts_to_direct(acting)
    extensions = (
        ExtensionRequest.objects.filter(state=ExtensionState.PENDING)
        .filter(Q(assignment__assigned_by_id=acting.user.pk) | Q(assignment__owner_unit_id=acting.unit.pk))
        .select_related("assignment__receipt__document", "requested_by")
    )
    overdue = (
        Assignment.objects.filter(owner_unit_id=acting.unit.pk)
        .filter(rules.overdue(today))
        .select_related("receipt__document", "assignee_user", "assignee_unit")
    )
    return [
        Section(
            "to_approve",
            _("Dự thảo chờ duyệt"),
            submitted.count(),
            [
                _doc_row(
                    d, d.updated_at, "", f"{d.subject} — {d.created_by.full_name or d.created_by.username}"
                )
                for d in submitted.order_by("updated_at")[:SHOWN]
            ],
            ("web:outbox", "state=submitted"),
        ),
        Section(
            "to_direct",
            _("Văn bản đến chờ chỉ đạo"),
            to_direct.count(),
            [
                _doc_row(r.document, r.registered_at, "urgent" if r.urgency != Urgency.NORMAL else "")
                for r in to_direct[:SHOWN]
            ],
            ("web:work", "view=todo"),
        ),
        Section(
            "extensions",
            _("Đề nghị gia hạn"),
            extensions.count(),
            [
                Row(
                    e.assignment.receipt.document.symbol or e.assignment.receipt.document.subject[:40],
                    f"{e.requested_by.full_name}: {e.reason} ({e.until:%d/%m/%Y})",
                    page_of("assignment", e.assignment_id),
                    e.created_at,
                )
                for e in extensions.order_by("created_at")[:SHOWN]
            ],
        ),
        Section(
            "overdue",
            _("Việc quá hạn trong đơn vị"),
            overdue.count(),
            [_assignment_row(a, today) for a in overdue.order_by("deadline")[:SHOWN]],
            ("web:oversight", ""),
        ),
    ]


def _assignment_row(a: Assignment, today: dt.date) -> Row:
    who = a.assignee_user.full_name if a.assignee_user else a.assignee_unit.name if a.assignee_unit else ""
    doc = a.receipt.document
    return Row(
        doc.symbol or _("(chưa có số)"),
        f"{doc.subject} — {who}" if who else doc.subject,
        page_of("assignment", a.pk),
        a.deadline,
        "overdue" if a.deadline < today else "",
    )


def _specialist(acting: Acting, today: dt.date) -> list[Section]:
    tasks = work_list(acting, "todo", today)
    drafts = issued_documents(acting).filter(created_by_id=acting.user.pk).exclude(state=DocState.RELEASED)
    return [
        Section(
            "my_tasks",
            _("Việc của tôi (theo hạn)"),
            tasks.count(),
            [_assignment_row(a, today) for a in tasks[:SHOWN]],
            ("web:work", "view=todo"),
        ),
        Section(
            "my_drafts",
            _("Dự thảo của tôi"),
            drafts.count(),
            [
                _doc_row(d, d.updated_at, "", f"{d.subject} — {d.get_state_display()}")
                for d in drafts.order_by("-updated_at")[:SHOWN]
            ],
            ("web:outbox", "state=draft"),
        ),
    ]


def access_dashboard(acting: Acting, today: dt.date) -> list[Section]:
    """The sections of the acting person's start page (none for administrators and auditors)."""
    if acting.role == Role.CLERK:
        return _clerk(acting)
    if acting.role == Role.LEADER:
        return _leader(acting, today)
    if acting.role == Role.SPECIALIST:
        return _specialist(acting, today)
    return []
