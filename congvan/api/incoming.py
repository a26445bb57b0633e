"""REST endpoints of incoming work: direct, assignments, oversight, notices, dossiers, registers."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema, Status

from congvan.api.base import acting, api, check_uploads, json_object
from congvan.api.incoming_schemas import (
    AssignmentDetailOut,
    AssignmentOut,
    AssignmentsOut,
    CompleteIn,
    DecideIn,
    DirectIn,
    DossierDocIn,
    DossierIn,
    DossierOut,
    DossiersOut,
    DraftCreatedOut,
    ExtendIn,
    ExtensionStateOut,
    HolidayIn,
    HolidayOut,
    HolidaysOut,
    IntakeCreatedOut,
    IntakeOut,
    MarkedOut,
    NoticesOut,
    OversightOut,
    PaperFieldsIn,
    PaperRegisteredOut,
    PolicyIn,
    PolicyOut,
    ProcessingOut,
    ProgressOut,
    ReadIn,
    ReasonIn,
    ReassignIn,
    SearchOut,
    UnitSettingsIn,
    UnitSettingsOut,
)
from congvan.api.schemas import DocumentMetadataIn, ErrorOut
from congvan.api.types import Day
from congvan.capture import actions as capture
from congvan.capture.models import Intake
from congvan.dispatch.actions import do_register_paper_arrival
from congvan.documents.uploads import BlobUpload
from congvan.lib.dates import local_today
from congvan.lib.errors import InvalidInput
from congvan.lib.filetypes import XLSX
from congvan.lib.http import content_disposition
from congvan.lib.links import page_of
from congvan.orgs.access import Acting
from congvan.reports import registers
from congvan.search.queries import Filters as SearchFilters
from congvan.search.queries import search as run_search
from congvan.signatures.actions import do_set_policy
from congvan.workflow import actions as wf
from congvan.workflow import rules
from congvan.workflow.access import (
    access_assignment,
    access_dossier,
    access_receipt,
    unit_dossiers,
    visible_documents,
)
from congvan.workflow.actions.notices import notice_text
from congvan.workflow.models import Assignment, Direction, Dossier, Holiday, Notification
from congvan.workflow.queries import oversight, work_list

ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
FILE_CONTENT = {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}
    },
}


def assignment_out(a: Assignment, today: dt.date) -> dict[str, Any]:
    doc = a.receipt.document
    return {
        "id": a.pk,
        "receipt": a.receipt_id,
        "role": a.role,
        "state": a.state,
        "deadline": a.deadline,
        "document": {"id": doc.pk, "symbol": doc.symbol, "subject": doc.subject},
        "overdue": rules.is_overdue(a, today),
        "assignee": a.assignee_user.username if a.assignee_user else None,
        "unit": a.assignee_unit.code if a.assignee_unit else None,
        "parent": a.parent_id,
        "assigned_by": a.assigned_by.username,
        "created_at": a.created_at,
        "completed_at": a.completed_at,
        "result": a.result,
        "reply_document": a.reply_document_id,
    }


def _full(pk: int) -> Assignment:
    return Assignment.objects.select_related(
        "receipt__document", "assignee_user", "assignee_unit", "assigned_by"
    ).get(pk=pk)


def _today() -> dt.date:
    return local_today(timezone.now())


@api.post("/receipts/{receipt_id}/direct", response={200: AssignmentsOut, **ERRORS}, tags=["incoming"])
def direct_receipt(request: HttpRequest, receipt_id: int, body: DirectIn) -> Any:
    """The leader's direction and assignments: one lead, any support and for-information, each a
    person of the unit (``assignee``) or a unit below it (``unit``), each with a deadline (default:
    the unit's working days for the document's urgency)."""
    created = wf.do_direct_receipt(
        receipt_id,
        direction=body.direction,
        assignments=[
            wf.AssignmentRequest(
                role=a.role, assignee=a.assignee or "", unit=a.unit or "", deadline=a.deadline
            )
            for a in body.assignments
        ],
        actor=acting(request),
    )
    return {"assignments": [assignment_out(_full(a.pk), _today()) for a in created]}


@api.get("/receipts/{receipt_id}/processing", response={200: ProcessingOut, **ERRORS}, tags=["incoming"])
def receipt_processing(request: HttpRequest, receipt_id: int) -> Any:
    """Directions and the whole chain of assignments of a receipt."""
    receipt = access_receipt(acting(request), receipt_id)
    today = _today()
    rows = (
        Assignment.objects.filter(receipt=receipt)
        .select_related("receipt__document", "assignee_user", "assignee_unit", "assigned_by")
        .order_by("id")
    )
    return {
        "receipt": receipt.pk,
        "state": receipt.state,
        "directions": [
            {"text": d.text, "by": d.by.username, "at": d.at}
            for d in Direction.objects.filter(receipt=receipt).select_related("by")
        ],
        "assignments": [assignment_out(a, today) for a in rows],
    }


@api.get("/assignments", response={200: AssignmentsOut, **ERRORS}, tags=["incoming"])
def list_assignments(request: HttpRequest, state: str = "todo", limit: int = 200) -> Any:
    """My work list: to_direct | todo | due_soon | overdue | done."""
    today = _today()
    rows = work_list(acting(request), state, today).select_related("assigned_by")[: max(1, min(limit, 500))]
    return {"assignments": [assignment_out(a, today) for a in rows]}


@api.get("/assignments/{assignment_id}", response={200: AssignmentDetailOut, **ERRORS}, tags=["incoming"])
def get_assignment(request: HttpRequest, assignment_id: int) -> Any:
    a = access_assignment(acting(request), assignment_id)
    out = assignment_out(_full(a.pk), _today())
    out["notes"] = [
        {
            "id": n.pk,
            "by": n.by.username,
            "at": n.at,
            "text": n.text,
            "files": [{"name": f.name, "sha256": f.blob_id, "size": f.blob.size} for f in n.files.all()],
        }
        for n in a.notes.select_related("by").prefetch_related("files__blob")
    ]
    out["extensions"] = [
        {"id": e.pk, "until": e.until, "reason": e.reason, "state": e.state}
        for e in a.extensions.order_by("id")
    ]
    return out


@api.post("/assignments/{assignment_id}/reassign", response={200: AssignmentOut, **ERRORS}, tags=["incoming"])
def reassign(request: HttpRequest, assignment_id: int, body: ReassignIn) -> Any:
    child = wf.do_reassign_assignment(
        assignment_id, assignee=body.assignee, deadline=body.deadline, actor=acting(request)
    )
    return assignment_out(_full(child.pk), _today())


@api.post("/assignments/{assignment_id}/progress", response={200: ProgressOut, **ERRORS}, tags=["incoming"])
def progress(request: HttpRequest, assignment_id: int) -> Any:
    """A progress note: JSON ``{note}``, or multipart with ``note`` and ``files``."""

    if request.content_type == "multipart/form-data":
        check_uploads(request)
        note = request.POST.get("note", "")
        files = [f for f in request.FILES.getlist("files") if isinstance(f, BlobUpload)]
    else:
        note = json_object(request).get("note", "")
        files = []
    n = wf.do_add_progress_note(assignment_id, note=note, files=files, actor=acting(request))
    return {"id": n.pk, "at": n.at, "files": n.files.count()}


@api.post("/assignments/{assignment_id}/complete", response={200: AssignmentOut, **ERRORS}, tags=["incoming"])
def complete(request: HttpRequest, assignment_id: int, body: CompleteIn) -> Any:
    a = wf.do_complete_assignment(
        assignment_id, result=body.result, reply_document=body.reply_document, actor=acting(request)
    )
    return assignment_out(_full(a.pk), _today())


@api.post(
    "/assignments/{assignment_id}/extend", response={200: ExtensionStateOut, **ERRORS}, tags=["incoming"]
)
def extend(request: HttpRequest, assignment_id: int, body: ExtendIn) -> Any:
    req = wf.do_request_extension(assignment_id, until=body.until, reason=body.reason, actor=acting(request))
    return {"id": req.pk, "until": req.until, "state": req.state}


@api.post(
    "/assignments/{assignment_id}/extension", response={200: ExtensionStateOut, **ERRORS}, tags=["incoming"]
)
def decide_extension(request: HttpRequest, assignment_id: int, body: DecideIn) -> Any:
    req = wf.do_decide_extension(assignment_id, approve=body.approve, actor=acting(request))
    return {"id": req.pk, "until": req.until, "state": req.state}


@api.post("/assignments/{assignment_id}/handback", response={200: AssignmentOut, **ERRORS}, tags=["incoming"])
def handback(request: HttpRequest, assignment_id: int, body: ReasonIn) -> Any:
    a = wf.do_hand_back_assignment(assignment_id, reason=body.reason, actor=acting(request))
    return assignment_out(_full(a.pk), _today())


@api.get("/oversight", response={200: OversightOut, **ERRORS}, tags=["oversight"])
def get_oversight(request: HttpRequest, unit: str = "") -> Any:
    """Receipts by state and overdue work by person and by sub-unit; figures of every unit below."""
    o = oversight(acting(request), unit or None, _today())
    return {
        "unit": o.unit.code,
        "receipts_by_state": o.receipts_by_state,
        "overdue_by_person": [
            {"username": u.username, "full_name": u.full_name, "overdue": n} for u, n in o.overdue_by_person
        ],
        "overdue_by_unit": [{"unit": u.code, "name": u.name, "overdue": n} for u, n in o.overdue_by_unit],
        "below": [
            {
                "unit": r.unit.code,
                "name": r.unit.name,
                "receipts_by_state": r.receipts_by_state,
                "overdue": r.overdue,
            }
            for r in o.below
        ],
    }


@api.get("/notifications", response={200: NoticesOut, **ERRORS}, tags=["notifications"])
def notifications(request: HttpRequest, unread: bool = False, limit: int = 50) -> Any:
    user = acting(request).user
    qs = Notification.objects.filter(user=user).order_by("-created_at", "-id")
    if unread:
        qs = qs.filter(read_at=None)
    return {
        "unread": Notification.objects.filter(user=user, read_at=None).count(),
        "results": [
            {
                "id": n.pk,
                "kind": n.kind,
                "text": notice_text(n),
                "link": page_of(n.about_type, n.about_id),
                "about": {"type": n.about_type, "id": n.about_id} if n.about_type else None,
                "created_at": n.created_at,
                "read": n.read_at is not None,
            }
            for n in qs[: max(1, min(limit, 200))]
        ],
    }


@api.post("/notifications/read", response={200: MarkedOut, **ERRORS}, tags=["notifications"])
def mark_read(request: HttpRequest, body: ReadIn) -> Any:
    return {"marked": wf.do_mark_read(None if body.all else body.ids[:1000], actor=acting(request))}


@api.get(
    "/registers/{direction}",
    response=ERRORS,
    tags=["registers"],
    openapi_extra={"responses": {"200": {"description": "The register", "content": FILE_CONTENT}}},
)
def print_register(
    request: HttpRequest,
    direction: Literal["out", "in"],
    date_from: Day,
    date_to: Day,
    format: Literal["pdf", "xlsx"] = "pdf",
) -> Any:
    """The outgoing (``out``) or incoming (``in``) register of Decree 30 Appendix IV, as PDF or XLSX."""
    who = acting(request)
    reg = (registers.outgoing_register if direction == "out" else registers.incoming_register)(
        who, date_from, date_to
    )
    data = registers.to_pdf(reg) if format == "pdf" else registers.to_xlsx(reg)
    mime = "application/pdf" if format == "pdf" else XLSX
    response = HttpResponse(data, content_type=mime)
    name = f"so-van-ban-{'di' if direction == 'out' else 'den'}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.{format}"
    response["Content-Disposition"] = content_disposition(name)
    return response


def dossier_out(d: Dossier, who: Acting) -> dict[str, Any]:
    """A dossier with the documents in it that the person may read."""
    docs = d.documents.filter(pk__in=visible_documents(who).values("pk")).order_by("id")
    return {
        "id": d.pk,
        "code": d.code,
        "title": d.title,
        "retention": d.retention,
        "closed": d.closed_at is not None,
        "documents": [{"id": doc.pk, "symbol": doc.symbol, "subject": doc.subject} for doc in docs],
    }


@api.get("/dossiers", response={200: DossiersOut, **ERRORS}, tags=["dossiers"])
def list_dossiers(request: HttpRequest) -> Any:
    rows = unit_dossiers(acting(request)).order_by("-created_at")[:500]
    return {
        "results": [
            {"id": d.pk, "code": d.code, "title": d.title, "closed": d.closed_at is not None} for d in rows
        ]
    }


@api.post("/dossiers", response={201: DossierOut, **ERRORS}, tags=["dossiers"])
def create_dossier(request: HttpRequest, body: DossierIn) -> Any:
    d = wf.do_create_dossier(
        code=body.code, title=body.title, retention=body.retention, actor=acting(request)
    )
    return Status(201, dossier_out(d, acting(request)))


@api.get("/dossiers/{dossier_id}", response={200: DossierOut, **ERRORS}, tags=["dossiers"])
def get_dossier(request: HttpRequest, dossier_id: int) -> Any:
    who = acting(request)
    return dossier_out(access_dossier(who, dossier_id), who)


@api.post("/dossiers/{dossier_id}/documents", response={200: DossierOut, **ERRORS}, tags=["dossiers"])
def add_to_dossier(request: HttpRequest, dossier_id: int, body: DossierDocIn) -> Any:
    who = acting(request)
    return dossier_out(wf.do_add_to_dossier(dossier_id, body.document, actor=who), who)


@api.post("/dossiers/{dossier_id}/close", response={200: DossierOut, **ERRORS}, tags=["dossiers"])
def close_dossier(request: HttpRequest, dossier_id: int) -> Any:
    who = acting(request)
    return dossier_out(wf.do_close_dossier(dossier_id, actor=who), who)


@api.get("/holidays", response={200: HolidaysOut, **ERRORS}, tags=["settings"])
def list_holidays(request: HttpRequest, year: int | None = None) -> Any:
    acting(request)
    qs = Holiday.objects.order_by("day")
    if year is not None and not 1 <= year <= 9999:
        raise InvalidInput(_("year: từ 1 đến 9999"))
    if year:
        qs = qs.filter(day__year=year)
    return {"results": [{"day": h.day, "name": h.name} for h in qs[:1000]]}


@api.post("/holidays", response={201: HolidayOut, **ERRORS}, tags=["settings"])
def add_holiday(request: HttpRequest, body: HolidayIn) -> Any:
    h = wf.do_add_holiday(day=body.day, name=body.name, actor=acting(request))
    return Status(201, {"day": h.day, "name": h.name})


@api.put("/units/{code}/workflow-settings", response={200: UnitSettingsOut, **ERRORS}, tags=["settings"])
def unit_settings(request: HttpRequest, code: str, body: UnitSettingsIn) -> Any:
    """Change ``clerk_may_route`` and the default deadlines (working days) by urgency."""
    changes = body.model_dump(exclude_none=True)
    s = wf.do_update_unit_settings(code, changes, actor=acting(request))
    return {name: getattr(s, name) for name in wf.SETTING_FIELDS}


@api.put("/units/{code}/signature-policy", response={200: PolicyOut, **ERRORS}, tags=["settings"])
def signature_policy(request: HttpRequest, code: str, body: PolicyIn) -> Any:
    """What the unit does with incoming documents with an invalid or no signature: accept | flag | refuse."""
    p = do_set_policy(code, on_invalid=body.on_invalid, on_unsigned=body.on_unsigned, actor=acting(request))
    return {"unit": code, "on_invalid": p.on_invalid, "on_unsigned": p.on_unsigned}


@api.get("/search", response={200: SearchOut, **ERRORS}, tags=["search"])
def search_documents(
    request: HttpRequest,
    q: str,
    direction: str = "",
    type: str = "",
    issuer: str = "",
    date_from: Day | None = None,
    date_to: Day | None = None,
    state: str = "",
    limit: int = 20,
    offset: int = 0,
) -> Any:
    """Full-text search over the documents the person may see; diacritics optional ("van ban" finds
    "văn bản"), "phrases", prefix*, symbols ("35-KH/HU"); filters by direction (out|in), type, issuer,
    date and state. Snippets mark the matched words."""
    f = SearchFilters(
        direction=direction, doc_type=type, issuer=issuer, date_from=date_from, date_to=date_to, state=state
    )
    hits, total = run_search(acting(request), q, f, limit=max(1, min(limit, 100)), offset=max(0, offset))
    return {
        "count": total,
        "results": [
            {
                "id": h.document.pk,
                "symbol": h.document.symbol,
                "subject": h.document.subject,
                "type": h.document.doc_type.abbreviation,
                "issuer": h.document.issuing_unit.code,
                "issued_date": h.document.issued_date,
                "state": h.document.state,
                "snippet": h.snippet,
            }
            for h in hits
        ],
    }


@api.post(
    "/intake",
    response={201: IntakeCreatedOut, **ERRORS, 413: ErrorOut},
    tags=["digitisation"],
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                }
            },
            "required": True,
        }
    },
)
def take_in(request: HttpRequest) -> Any:
    """Take in a PDF (text or scanned), a JPEG/PNG/TIFF scan, DOCX or ODT; the worker does the rest."""
    who = acting(request)
    check_uploads(request)
    upload = request.FILES.get("file")
    intake = capture.do_take_in_file(upload if isinstance(upload, BlobUpload) else None, actor=who)
    return Status(201, {"id": intake.pk, "state": intake.state})


def intake_out(i: Intake) -> dict[str, Any]:
    return {
        "id": i.pk,
        "state": i.state,
        "progress": i.progress,
        "reason": i.reason,
        "kind": i.kind,
        "pages": i.pages,
        "suggested": i.suggested if i.state == "done" else None,
        "document": i.document_id,
        "rendition": i.rendition_id,
    }


@api.get("/intake/{intake_id}", response={200: IntakeOut, **ERRORS}, tags=["digitisation"])
def get_intake(request: HttpRequest, intake_id: int) -> Any:
    return intake_out(capture.access_intake(acting(request), intake_id))


@api.post("/intake/{intake_id}/draft", response={201: DraftCreatedOut, **ERRORS}, tags=["digitisation"])
def intake_to_draft(request: HttpRequest, intake_id: int, body: DocumentMetadataIn | None = None) -> Any:
    """Make a draft outgoing document from a finished intake; the JSON body may correct any field."""
    overrides = body.model_dump(mode="json", exclude_none=True) if body else {}
    doc = capture.do_make_draft_from_intake(intake_id, overrides, actor=acting(request))
    return Status(201, {"id": doc.pk, "state": doc.state, "subject": doc.subject})


@api.post("/intake/{intake_id}/register", response={200: PaperRegisteredOut, **ERRORS}, tags=["digitisation"])
def intake_to_incoming(request: HttpRequest, intake_id: int, body: PaperFieldsIn | None = None) -> Any:
    """Register a finished intake as an incoming document (paper arrivals); the body may correct fields."""
    overrides = body.model_dump(mode="json", exclude_none=True) if body else {}
    result = do_register_paper_arrival(intake_id, overrides, actor=acting(request))
    r = result.receipt
    return {
        "receipt": r.pk,
        "document": r.document_id,
        "incoming_number": r.incoming_number,
        "state": r.state,
    }
