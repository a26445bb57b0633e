"""State changes of incoming work: direct, route, re-assign, progress, extend, complete, hand back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.dispatch.actions import report_progress
from congvan.dispatch.models import DeliveryState, Receipt
from congvan.documents.access import issued_documents
from congvan.documents.actions import do_create_draft
from congvan.documents.errors import InvalidDocument
from congvan.documents.files import check_files, store_files
from congvan.documents.uploads import BlobUpload
from congvan.lib.dates import local_today
from congvan.lib.errors import Forbidden
from congvan.lib.text import clean_line, clean_text
from congvan.orgs.access import DRAFTERS, Acting
from congvan.orgs.models import Membership, Role, Unit, User
from congvan.workflow import rules
from congvan.workflow.access import access_assignment, access_receipt
from congvan.workflow.actions.notices import notify
from congvan.workflow.deadlines import default_deadline
from congvan.workflow.errors import AssignmentWrongState, InvalidAssignment
from congvan.workflow.models import (
    OPEN_STATES,
    Assignment,
    AssignmentRole,
    AssignmentState,
    Direction,
    ExtensionRequest,
    ExtensionState,
    NoteFile,
    ProgressNote,
)


@dataclass(frozen=True)
class AssignmentRequest:
    """One assignment asked for: a person of the unit (``assignee``, a username) or a unit below it
    (``unit``, a code), a role and an optional deadline (default: the unit's days for the urgency)."""

    role: str
    assignee: str = ""
    unit: str = ""
    deadline: dt.date | None = None


@dataclass(frozen=True)
class AssignmentSpec:
    role: str
    deadline: dt.date | None
    user: User | None = None
    unit: Unit | None = None


def parse_specs(receipt: Receipt, raw: list[AssignmentRequest]) -> list[AssignmentSpec]:
    """Check assignments against the receipt's unit: people of the unit, or units below it."""
    if not raw:
        raise InvalidAssignment(_("assignments: cần ít nhất một người hoặc đơn vị"))
    if len(raw) > 100:
        raise InvalidAssignment(_("assignments: tối đa 100"))
    specs, seen = [], set()
    for i, item in enumerate(raw):
        where = f"assignments[{i}]"
        spec = _one_spec(receipt, item, where)
        key = ("u", spec.user.pk) if spec.user is not None else ("n", spec.unit.pk if spec.unit else 0)
        if key in seen:
            raise InvalidAssignment((_("%(where)s: giao trùng") % {"where": where}), code="duplicate")
        seen.add(key)
        specs.append(spec)
    return specs


def _one_spec(receipt: Receipt, item: AssignmentRequest, where: str) -> AssignmentSpec:
    role = item.role
    if role not in AssignmentRole.values:
        raise InvalidAssignment(f"{where}.role: lead | support | fyi")
    deadline = item.deadline
    username, code = item.assignee, item.unit
    if bool(username) == bool(code):
        raise InvalidAssignment(_("%(where)s: cần đúng một trong assignee hoặc unit") % {"where": where})
    if username:
        user = User.objects.filter(
            username=str(username)[:150],
            is_active=True,
            memberships__unit_id=receipt.unit_id,
            memberships__active=True,
        ).first()
        if user is None:
            raise InvalidAssignment(
                _("%(where)s.assignee: %(value)s không thuộc đơn vị")
                % {"where": where, "value": f"{str(username)[:50]!r}"}
            )
        return AssignmentSpec(str(role), deadline, user=user)
    unit = (
        Unit.objects.filter(code=str(code)[:32], active=True, path__startswith=receipt.unit.path)
        .exclude(pk=receipt.unit_id)
        .first()
    )
    if unit is None:
        raise InvalidAssignment(
            _("%(where)s.unit: %(value)s không phải đơn vị trực thuộc")
            % {"where": where, "value": f"{str(code)[:32]!r}"}
        )
    return AssignmentSpec(str(role), deadline, unit=unit)


def do_direct_receipt(
    receipt_id: int,
    *,
    direction: str,
    assignments: list[AssignmentRequest],
    now: dt.datetime | None = None,
    actor: Acting,
) -> list[Assignment]:
    """A leader's direction with its assignments (a clerk may route, when the unit allows it)."""
    now = now or timezone.now()
    today = local_today(now)
    text = clean_text(direction, field="direction", max_length=4000)
    with transaction.atomic():
        receipt = access_receipt(actor, receipt_id, for_write=True)
        _check_may_direct(actor, receipt)
        specs = parse_specs(receipt, assignments)
        _check_specs(actor, receipt, specs, today)
        if text:
            Direction.objects.create(receipt=receipt, text=text, by=actor.user, at=now)
        created = [
            Assignment.objects.create(
                receipt=receipt,
                owner_unit_id=receipt.unit_id,
                assigned_by=actor.user,
                assignee_user=s.user,
                assignee_unit=s.unit,
                role=s.role,
                created_at=now,
                deadline=s.deadline or default_deadline(receipt.unit, receipt.urgency, today),
            )
            for s in specs
        ]
        for a in created:
            _notify_assignees(a, role=a.role, subject=receipt.document.subject)
        if receipt.state == DeliveryState.REGISTERED:
            report_progress(receipt, DeliveryState.DIRECTED, text[:500] or "Đã phân công", actor, now)
        record(
            "receipt.directed",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="receipt",
            target_id=receipt.pk,
            details={"direction": text[:500], "assignments": [a.pk for a in created]},
        )
    return created


def _check_may_direct(acting: Acting, receipt: Receipt) -> None:
    """Refuse, with the reason, what ``rules.may_direct`` does not allow."""
    if rules.may_direct(acting, receipt):
        return
    if receipt.unit_id != acting.unit.pk:
        raise Forbidden(_("Chỉ đơn vị nhận văn bản mới chỉ đạo"))
    if not rules.role_may_direct(acting):
        if acting.role == Role.CLERK:
            raise Forbidden(_("Đơn vị không cho văn thư chuyển trực tiếp"))
        raise Forbidden(_("Chỉ lãnh đạo chỉ đạo văn bản đến"))
    raise AssignmentWrongState(
        _("Văn bản cần được vào sổ trước")
        if receipt.state == DeliveryState.ARRIVED
        else (_("Văn bản đến đang ở trạng thái %(state)s") % {"state": receipt.state})
    )


def _check_specs(acting: Acting, receipt: Receipt, specs: list[AssignmentSpec], today: dt.date) -> None:
    """One lead (new or already open), a clerk's single handler, no deadline in the past."""
    leads = sum(1 for s in specs if s.role == AssignmentRole.LEAD)
    open_lead = Assignment.objects.filter(
        receipt=receipt, parent=None, role=AssignmentRole.LEAD, state__in=OPEN_STATES
    ).exists()
    if leads > 1 or (leads and open_lead):
        raise InvalidAssignment(_("Chỉ một đơn vị/người chủ trì"), code="one_lead")
    if not leads and not open_lead:
        raise InvalidAssignment(_("Cần một người hoặc đơn vị chủ trì"), code="one_lead")
    if acting.role == Role.CLERK and (len(specs) != 1 or specs[0].user is None):
        raise InvalidAssignment(_("Văn thư chỉ chuyển cho một người xử lý"))
    if any(s.deadline is not None and s.deadline < today for s in specs):
        raise InvalidAssignment(_("deadline: hạn xử lý đã qua"))


def _notify_assignees(a: Assignment, **params: str) -> None:
    if a.assignee_user_id is not None:
        users = [a.assignee_user_id]
    else:
        users = list(
            Membership.objects.filter(
                unit_id=a.assignee_unit_id or 0, role=Role.LEADER, active=True
            ).values_list("user_id", flat=True)
        )
    notify(users, key=f"assigned:{a.pk}", kind="assigned", about=("assignment", a.pk), **params)


def do_reassign_assignment(
    assignment_id: int,
    *,
    assignee: str,
    deadline: dt.date | None = None,
    now: dt.datetime | None = None,
    actor: Acting,
) -> Assignment:
    """The head of a sub-unit hands the sub-unit's assignment to one of its people."""
    now = now or timezone.now()
    with transaction.atomic():
        parent = access_assignment(actor, assignment_id, for_write=True)
        if parent.assignee_unit_id != actor.unit.pk or actor.role != Role.LEADER:
            raise Forbidden(_("Chỉ lãnh đạo đơn vị được giao mới giao tiếp"))
        if not rules.may_reassign(actor, parent):
            raise AssignmentWrongState(_("Việc này không còn giao tiếp được"))
        user = User.objects.filter(
            username=str(assignee)[:150],
            is_active=True,
            memberships__unit=actor.unit,
            memberships__active=True,
        ).first()
        if user is None:
            raise InvalidAssignment(_("assignee: không thuộc đơn vị"))
        when = deadline or parent.deadline
        if when > parent.deadline:
            raise InvalidAssignment(_("deadline: không được muộn hơn hạn được giao"))
        child = Assignment.objects.create(
            receipt=parent.receipt,
            owner_unit_id=parent.owner_unit_id,
            parent=parent,
            assigned_by=actor.user,
            assignee_user=user,
            role=parent.role,
            deadline=when,
            created_at=now,
        )
        Assignment.objects.filter(pk=parent.pk).update(state=AssignmentState.DELEGATED)
        _notify_assignees(child, role=child.role, subject=parent.receipt.document.subject)
        _audit(actor, "assignment.reassigned", parent.pk, {"child": child.pk, "assignee": user.username})
    return child


def _audit(acting: Acting, action: str, assignment_id: int, details: dict[str, Any]) -> None:
    """The audit event of a change to an assignment (inside the change's transaction)."""
    record(
        action,
        actor=acting.user,
        unit=acting.unit.code,
        target_type="assignment",
        target_id=assignment_id,
        details=details,
    )


def _own_open(acting: Acting, assignment_id: int, *, for_write: bool = True) -> Assignment:
    a = access_assignment(acting, assignment_id, for_write=for_write)
    if a.assignee_user_id != acting.user.pk:
        raise Forbidden(_("Chỉ người được giao cập nhật việc này"))
    if not rules.is_own_open(acting, a):
        raise AssignmentWrongState(_("Việc đã ở trạng thái %(value)s") % {"value": a.get_state_display()})
    return a


def _is_lead_chain(a: Assignment) -> bool:
    return a.role == AssignmentRole.LEAD


def do_add_progress_note(
    assignment_id: int,
    *,
    note: str,
    files: list[BlobUpload] | None = None,
    now: dt.datetime | None = None,
    actor: Acting,
) -> ProgressNote:
    """Record progress (with files such as a draft reply); the lead's progress shows to the sender."""
    now = now or timezone.now()
    text = clean_text(note, field="note", max_length=4000)
    if not text:
        raise InvalidDocument(_("note: bắt buộc"), code="missing_field")
    checked = check_files(None, files or [])
    with transaction.atomic():
        a = _own_open(actor, assignment_id)
        n = ProgressNote.objects.create(assignment=a, by=actor.user, at=now, text=text)
        NoteFile.objects.bulk_create(
            [NoteFile(note=n, blob=b, name=name) for b, name in store_files(checked)]
        )
        if a.state == AssignmentState.OPEN:
            Assignment.objects.filter(pk=a.pk).update(state=AssignmentState.IN_PROGRESS)
        if _is_lead_chain(a) and a.receipt.state == DeliveryState.DIRECTED:
            report_progress(a.receipt, DeliveryState.IN_PROGRESS, text[:500], actor, now)
        _audit(actor, "assignment.progress", a.pk, {"files": len(checked)})
    return n


def do_request_extension(
    assignment_id: int, *, until: dt.date, reason: str, now: dt.datetime | None = None, actor: Acting
) -> ExtensionRequest:
    """Ask the assigner for a later deadline."""
    now = now or timezone.now()
    reason = clean_line(reason, field="reason", max_length=500, required=True)
    when = until
    with transaction.atomic():
        a = _own_open(actor, assignment_id)
        if when <= a.deadline:
            raise InvalidAssignment(_("until: phải sau hạn hiện tại"))
        if a.extensions.filter(state=ExtensionState.PENDING).exists():
            raise AssignmentWrongState(_("Đã có đề nghị gia hạn đang chờ"))
        req = ExtensionRequest.objects.create(
            assignment=a, requested_by=actor.user, until=when, reason=reason, created_at=now
        )
        notify(
            [a.assigned_by_id],
            key=f"extension:{req.pk}",
            kind="extension",
            about=("assignment", a.pk),
            until=when.isoformat(),
            reason=reason,
        )
        _audit(actor, "assignment.extension_requested", a.pk, {"until": when.isoformat(), "reason": reason})
    return req


def do_decide_extension(
    assignment_id: int, *, approve: bool, now: dt.datetime | None = None, actor: Acting
) -> ExtensionRequest:
    """The assigner (or a leader of the owning unit) grants or refuses the pending extension."""
    now = now or timezone.now()
    with transaction.atomic():
        a = access_assignment(actor, assignment_id, for_write=True)
        if not rules.may_decide_extension(actor, a):
            raise Forbidden(_("Chỉ người giao việc quyết định gia hạn"))
        req = a.extensions.select_for_update().filter(state=ExtensionState.PENDING).first()
        if req is None:
            raise AssignmentWrongState(_("Không có đề nghị gia hạn đang chờ"))
        req.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
        req.decided_by, req.decided_at = actor.user, now
        req.save(update_fields=["state", "decided_by", "decided_at"])
        if approve:
            Assignment.objects.filter(pk=a.pk).update(deadline=req.until)
        notify(
            [req.requested_by_id],
            key=f"extension_decided:{req.pk}",
            kind="extension_approved" if approve else "extension_refused",
            about=("assignment", a.pk),
            until=req.until.isoformat(),
        )
        _audit(
            actor,
            "assignment.extension_decided",
            a.pk,
            {"approved": approve, "until": req.until.isoformat()},
        )
    return req


def do_complete_assignment(
    assignment_id: int,
    *,
    result: str,
    reply_document: int | None = None,
    now: dt.datetime | None = None,
    actor: Acting,
) -> Assignment:
    """Finish an assignment; the lead's completion completes the receipt and tells the sender."""
    now = now or timezone.now()
    result = clean_text(result, field="result", max_length=4000)
    if not result:
        raise InvalidDocument(_("result: cần nêu kết quả"), code="missing_field")
    with transaction.atomic():
        a = _own_open(actor, assignment_id)
        reply = None
        if reply_document is not None:
            reply = issued_documents(actor).filter(pk=reply_document).first()
            if reply is None:
                raise InvalidAssignment(_("reply_document: không có văn bản đi này của đơn vị"))
        # Conditional update: of two racing completions only one changes the row.
        won = Assignment.objects.filter(
            pk=a.pk, state__in=(AssignmentState.OPEN, AssignmentState.IN_PROGRESS)
        ).update(state=AssignmentState.COMPLETED, completed_at=now, result=result, reply_document=reply)
        if won != 1:
            raise AssignmentWrongState(_("Việc đã được hoàn thành"))
        root = _complete_upwards(a, now, result, reply)
        if root.role == AssignmentRole.LEAD and root.state == AssignmentState.COMPLETED:
            report_progress(a.receipt, DeliveryState.COMPLETED, result[:500], actor, now)
        _audit(actor, "assignment.completed", a.pk, {"reply_document": reply.pk if reply else None})
    a.refresh_from_db()
    return a


def _complete_upwards(a: Assignment, now: dt.datetime, result: str, reply: Any) -> Assignment:
    """Complete each delegated parent whose children are all done; return the root of the chain."""
    node = a
    node.state = AssignmentState.COMPLETED
    while node.parent_id is not None:
        parent = Assignment.objects.select_for_update().get(pk=node.parent_id)
        if parent.children.filter(state__in=OPEN_STATES).exists():
            return _root(parent)
        Assignment.objects.filter(pk=parent.pk).update(
            state=AssignmentState.COMPLETED, completed_at=now, result=result, reply_document=reply
        )
        parent.state = AssignmentState.COMPLETED
        node = parent
    return node


def _root(a: Assignment) -> Assignment:
    while a.parent_id is not None:
        a = Assignment.objects.get(pk=a.parent_id)
    return a


def do_hand_back_assignment(
    assignment_id: int, *, reason: str, now: dt.datetime | None = None, actor: Acting
) -> Assignment:
    """Give an assignment back to whoever assigned it, with the reason."""
    now = now or timezone.now()
    reason = clean_line(reason, field="reason", max_length=500, required=True)
    with transaction.atomic():
        a = _own_open(actor, assignment_id)
        Assignment.objects.filter(pk=a.pk).update(state=AssignmentState.HANDED_BACK, result=reason)
        if (
            a.parent_id is not None
            and not Assignment.objects.filter(parent_id=a.parent_id, state__in=OPEN_STATES).exists()
        ):
            Assignment.objects.filter(pk=a.parent_id).update(state=AssignmentState.OPEN)
        notify(
            [a.assigned_by_id],
            key=f"handback:{a.pk}",
            kind="handback",
            about=("assignment", a.pk),
            reason=reason,
        )
        _audit(actor, "assignment.handed_back", a.pk, {"reason": reason})
    a.refresh_from_db()
    return a


def _answered(acting: Acting, *, assignment_id: int | None, receipt_id: int | None) -> Receipt:
    """The receipt a reply answers: the one of the person's own open task, or one of the unit's own
    receipts (not sent back, not recalled) for someone who drafts."""
    if assignment_id is not None:
        return _own_open(acting, assignment_id, for_write=False).receipt
    acting.require(*DRAFTERS, what=_("soạn văn bản"))
    receipt = access_receipt(acting, receipt_id or 0)
    if not rules.may_start_reply(acting, receipt):
        raise Forbidden(_("Chỉ đơn vị nhận soạn văn bản trả lời văn bản đến chưa bị trả lại, thu hồi"))
    return receipt


def reply_prefill(
    acting: Acting, assignment_id: int | None = None, *, receipt_id: int | None = None
) -> dict[str, Any]:
    """What a reply to a task's or a receipt's document starts with: its subject, its issuer as the
    recipient."""
    receipt = _answered(acting, assignment_id=assignment_id, receipt_id=receipt_id)
    doc = receipt.document
    issuer = receipt.issuer
    subject = _("Trả lời văn bản số %(symbol)s: %(subject)s") % {
        "symbol": doc.symbol or "—",
        "subject": doc.subject,
    }
    return {"subject": subject[:500], "recipients": [issuer.code] if issuer.active else [], "type": "CV"}


def do_start_reply(
    assignment_id: int | None,
    raw_metadata: Any,
    *,
    main: BlobUpload | None,
    attachments: list[BlobUpload],
    actor: Acting,
    receipt_id: int | None = None,
) -> Any:
    """Start the reply to a task's document (``assignment_id``) or to a receipt's (``receipt_id``): a
    draft of the person's unit that answers the document; from a task it is also linked to the task
    as its reply (completing the task keeps the link; another draft can still be chosen then)."""
    with transaction.atomic():
        receipt = _answered(actor, assignment_id=assignment_id, receipt_id=receipt_id)
        if assignment_id is not None:
            _own_open(actor, assignment_id)  # the task locked while its reply is made
        draft = do_create_draft(
            raw_metadata, main=main, attachments=attachments, actor=actor, in_reply_to=receipt.document
        )
        if assignment_id is not None:
            Assignment.objects.filter(pk=assignment_id).update(reply_document=draft)
            _audit(actor, "assignment.reply_started", assignment_id, {"document": draft.pk})
        else:
            record(
                "receipt.reply_started",
                actor=actor.user,
                unit=actor.unit.code,
                target_type="receipt",
                target_id=receipt.pk,
                details={"document": draft.pk},
            )
    return draft
