"""REST endpoints: thin, each parses, fetches through access_*, calls an action, answers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Schema, Status
from pydantic import ValidationError as PydanticValidationError

from congvan.api import serialize
from congvan.api.base import acting, api, check_uploads, parse_json_field, validation_summary
from congvan.api.schemas import (
    ApproveIn,
    CommentIn,
    DocumentMetadataIn,
    DocumentOut,
    DocumentPage,
    ErrorOut,
    InboxPage,
    MembershipIn,
    MembershipOut,
    MeOut,
    ReceiptOut,
    RegisterIn,
    RegisterOut,
    ReleaseIn,
    ReleaseOut,
    ReturnedOut,
    ReturnIn,
    SubmitIn,
    TokenIn,
    TokenOut,
    UnitIn,
    UnitOut,
    UnitPage,
    UserIn,
    UserOut,
)
from congvan.api.signing import b64
from congvan.api.types import Day
from congvan.capture.actions import office_main
from congvan.dispatch.access import visible_deliveries
from congvan.dispatch.queries import INBOX_SORTS, InboxFilter, deliveries_of, inbox
from congvan.documents import actions as doc_actions
from congvan.documents.access import issued_documents
from congvan.documents.downloads import file_response
from congvan.documents.errors import DocumentNotFound
from congvan.documents.queries import OUTBOX_SORTS, files_of, outbox
from congvan.documents.uploads import BlobUpload
from congvan.lib.cursor import parse_sort
from congvan.lib.errors import InvalidInput
from congvan.lib.http import client_address
from congvan.orgs import actions as org_actions
from congvan.orgs.access import visible_directory
from congvan.security import actions as security
from congvan.workflow import actions as wf_actions
from congvan.workflow.access import access_document, access_receipt

ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


# -- people and units ---------------------------------------------------------------------------


@api.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
    tags=["auth"],
)
def issue_token(request: HttpRequest, body: TokenIn) -> dict[str, str]:
    """Exchange a username and password (and, with two-factor sign-in, the authenticator's ``code``) for a
    bearer token. Without the code: 401 ``otp_required``; a role that requires two-factor sign-in without
    it set up: 403 ``otp_setup_required`` (it is set up on the account page)."""
    signed = security.do_sign_in(
        username=body.username,
        password=body.password,
        new_password=body.new_password,
        code=body.code,
        address=client_address(request.META),
        via="api",
    )
    return {"token": org_actions.do_issue_token(signed.user)}


@api.get("/me", response={200: MeOut, **ERRORS}, tags=["auth"])
def me(request: HttpRequest) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    return serialize.me_out(user)


@api.get("/units", response={200: UnitPage, **ERRORS}, tags=["units"])
def list_units(
    request: HttpRequest, parent: str = "", q: str = "", cursor: str = "", limit: int = 200
) -> Any:
    """The unit directory (codes and names are needed to address documents)."""
    limit = max(1, min(limit, 1000))
    qs = visible_directory().select_related("parent").order_by("code")
    if parent:
        qs = qs.filter(parent__code=parent)
    if q:
        qs = qs.filter(name__icontains=q[:100])
    if cursor:
        qs = qs.filter(code__gt=cursor[:32])
    rows = list(qs[: limit + 1])
    nxt = rows[limit - 1].code if len(rows) > limit else None
    return {"results": [serialize.unit_out(u) for u in rows[:limit]], "next": nxt}


@api.post("/units", response={201: UnitOut, **ERRORS}, tags=["units"])
def create_unit(request: HttpRequest, body: UnitIn) -> Any:
    unit = org_actions.do_create_unit(
        code=body.code,
        name=body.name,
        abbreviation=body.abbreviation,
        kind=body.kind,
        sector=body.sector,
        parent_code=body.parent,
        place=body.place,
        actor=acting(request),
    )
    return Status(201, serialize.unit_out(unit))


@api.post("/users", response={201: UserOut, **ERRORS}, tags=["units"])
def create_user(request: HttpRequest, body: UserIn) -> Any:
    user = org_actions.do_create_user(
        username=body.username, password=body.password, full_name=body.full_name, actor=acting(request)
    )
    return Status(201, {"username": user.username, "full_name": user.full_name})


@api.post("/memberships", response={201: MembershipOut, **ERRORS}, tags=["units"])
def create_membership(request: HttpRequest, body: MembershipIn) -> Any:
    m = org_actions.do_create_membership(
        username=body.user, unit_code=body.unit, role=body.role, title=body.title, actor=acting(request)
    )
    return Status(201, {"user": m.user.username, "unit": m.unit.code, "role": m.role, "title": m.title})


# -- outgoing documents --------------------------------------------------------------------------

MULTIPART_DOC = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["metadata", "file"],
                    "properties": {
                        "metadata": {
                            "type": "string",
                            "description": "JSON: type, subject, signer_name, ...",
                        },
                        "file": {"type": "string", "format": "binary", "description": "the main PDF"},
                        "attachments": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                }
            }
        },
        "required": True,
    }
}


def _uploads(request: HttpRequest) -> tuple[BlobUpload | None, list[BlobUpload]]:
    check_uploads(request)
    main = request.FILES.get("file")
    attachments = request.FILES.getlist("attachments")
    if (main is not None and not isinstance(main, BlobUpload)) or not all(
        isinstance(a, BlobUpload) for a in attachments
    ):
        raise InvalidInput(_("Tải tệp không thành công"))
    return office_main(main, attachments)  # type: ignore[arg-type]  # a DOCX/ODT main: its PDF


def _metadata(text: str | None) -> dict[str, Any]:
    """The draft's metadata JSON, typed: only the fields the body gives (``null`` clears one)."""
    raw = parse_json_field(text, "metadata")
    if not isinstance(raw, dict):
        raise InvalidInput(_("metadata: phải là một đối tượng JSON"))
    try:
        return DocumentMetadataIn.model_validate(raw).model_dump(exclude_unset=True)
    except PydanticValidationError as exc:
        raise InvalidInput(_("Dữ liệu không hợp lệ: ") + validation_summary(exc.errors())) from None


def _document_response(request: HttpRequest, doc_id: int) -> dict[str, Any]:
    who = acting(request)
    doc = access_document(who, doc_id)
    files = list(files_of(doc).select_related("blob__signature_report"))
    out = serialize.document_out(doc, files, visible_deliveries(who, doc))
    if doc.issuing_unit_id != who.unit.pk:
        out["review_comment"] = ""  # the issuing unit's internal review stays inside it
    return out


@api.post(
    "/documents",
    response={201: DocumentOut, **ERRORS, 413: ErrorOut},
    tags=["outgoing"],
    openapi_extra=MULTIPART_DOC,
)
def create_document(request: HttpRequest) -> Any:
    """Create a draft: multipart with ``metadata`` (JSON), ``file`` (PDF) and ``attachments``."""
    who = acting(request)
    main, attachments = _uploads(request)
    metadata = _metadata(request.POST.get("metadata"))
    doc = doc_actions.do_create_draft(metadata, main=main, attachments=attachments, actor=who)
    return Status(201, _document_response(request, doc.pk))


@api.post(
    "/assignments/{assignment_id}/reply",
    response={201: DocumentOut, **ERRORS, 413: ErrorOut},
    tags=["incoming"],
    openapi_extra=MULTIPART_DOC,
)
def start_reply(request: HttpRequest, assignment_id: int) -> Any:
    """Start the reply to one's own task: a draft (multipart as ``POST /documents``; the subject and the
    recipient default to the answered document's) linked to the task as its reply."""
    who = acting(request)
    main, attachments = _uploads(request)
    metadata = {
        **wf_actions.reply_prefill(who, assignment_id),
        **_metadata(request.POST.get("metadata") or "{}"),
    }
    doc = wf_actions.do_start_reply(assignment_id, metadata, main=main, attachments=attachments, actor=who)
    return Status(201, _document_response(request, doc.pk))


@api.post(
    "/receipts/{receipt_id}/reply",
    response={201: DocumentOut, **ERRORS, 413: ErrorOut},
    tags=["incoming"],
    openapi_extra=MULTIPART_DOC,
)
def start_receipt_reply(request: HttpRequest, receipt_id: int) -> Any:
    """Start the reply to a document the unit received: a draft (multipart as ``POST /documents``; the
    subject and the recipient default to the answered document's) that answers it (``in_reply_to``)."""
    who = acting(request)
    main, attachments = _uploads(request)
    metadata = {
        **wf_actions.reply_prefill(who, receipt_id=receipt_id),
        **_metadata(request.POST.get("metadata") or "{}"),
    }
    doc = wf_actions.do_start_reply(
        None, metadata, main=main, attachments=attachments, actor=who, receipt_id=receipt_id
    )
    return Status(201, _document_response(request, doc.pk))


@api.patch(
    "/documents/{document_id}",
    response={200: DocumentOut, **ERRORS, 413: ErrorOut},
    tags=["outgoing"],
    openapi_extra=MULTIPART_DOC,
)
def update_document(request: HttpRequest, document_id: int) -> Any:
    """Edit a draft: JSON metadata fields, or multipart like creation."""
    who = acting(request)
    if request.content_type == "multipart/form-data":
        main, attachments = _uploads(request)
        raw = request.POST.get("metadata") or "{}"
    else:
        main, attachments, raw = None, [], request.body.decode("utf-8", "replace")
    doc = doc_actions.do_update_draft(
        document_id, _metadata(raw), main=main, attachments=attachments, actor=who
    )
    return _document_response(request, doc.pk)


@api.get("/documents", response={200: DocumentPage, **ERRORS}, tags=["outgoing"])
def list_documents(
    request: HttpRequest, state: str = "", cursor: str = "", limit: int = 50, sort: str = "-created"
) -> Any:
    """The unit's outgoing documents (drafts, in review, released), newest first; ``sort`` by
    created, symbol or subject ("-" first: descending)."""
    key, ascending = parse_sort(sort, OUTBOX_SORTS)
    rows, nxt = outbox(
        issued_documents(acting(request)),
        state=state,
        cursor=cursor or None,
        limit=max(1, min(limit, 200)),
        oldest_first=ascending,
        sort=key,
    )
    return {"results": [serialize.summary_out(d) for d in rows], "next": nxt}


@api.get("/documents/{document_id}", response={200: DocumentOut, **ERRORS}, tags=["outgoing"])
def get_document(request: HttpRequest, document_id: int) -> Any:
    who = acting(request)
    doc_actions.do_note_document_read(access_document(who, document_id), actor=who)
    return _document_response(request, document_id)


@api.get(
    "/documents/{document_id}/files/{file_id}",
    response=ERRORS,
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file, streamed",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
    tags=["outgoing"],
    url_name="download_file",
)
def download_file(request: HttpRequest, document_id: int, file_id: int, inline: bool = False) -> Any:
    """Stream a file of a visible document; the name survives in any language (RFC 6266/5987)."""
    who = acting(request)
    doc = access_document(who, document_id)
    f = files_of(doc).filter(pk=file_id).first()
    if f is None:
        raise DocumentNotFound(_("Không tìm thấy tệp"))
    doc_actions.do_note_document_read(doc, file_id=f.pk, actor=who)
    return file_response(f, inline=inline)


@api.post("/documents/{document_id}/submit", response={200: DocumentOut, **ERRORS}, tags=["outgoing"])
def submit_document(request: HttpRequest, document_id: int, body: SubmitIn | None = None) -> Any:
    doc = wf_actions.do_submit_document(
        document_id, actor_note=body.note if body else "", actor=acting(request)
    )
    return _document_response(request, doc.pk)


@api.post("/documents/{document_id}/approve", response={200: DocumentOut, **ERRORS}, tags=["outgoing"])
def approve_document(request: HttpRequest, document_id: int, body: ApproveIn | None = None) -> Any:
    """Approve a submitted document; ``sign`` asks for the leader's signature made with their key."""
    body = body or ApproveIn()
    remote = None
    if body.session or body.signature:
        remote = wf_actions.RemoteSignature(body.session or "", b64(body.signature, "signature"))
    doc = wf_actions.do_approve_document(
        document_id, sign=body.sign, passphrase=body.passphrase, remote=remote, actor=acting(request)
    )
    return _document_response(request, doc.pk)


@api.post("/documents/{document_id}/reject", response={200: DocumentOut, **ERRORS}, tags=["outgoing"])
def reject_document(request: HttpRequest, document_id: int, body: CommentIn) -> Any:
    doc = wf_actions.do_reject_document(document_id, comment=body.comment, actor=acting(request))
    return _document_response(request, doc.pk)


@api.post("/documents/{document_id}/release", response={200: ReleaseOut, **ERRORS}, tags=["outgoing"])
def release_document(request: HttpRequest, document_id: int, body: ReleaseIn) -> Any:
    """Number, register and send an approved document to units and named groups."""
    dispatch = wf_actions.do_release_document(
        document_id,
        recipients=body.recipients,
        groups=body.groups,
        seal=body.seal,
        passphrase=body.passphrase,
        paper_copy=body.paper_copy,
        actor=acting(request),
    )
    doc = dispatch.document
    return {
        "id": doc.pk,
        "number": doc.number,
        "symbol": doc.symbol,
        "deliveries": [serialize.delivery_out(d) for d in deliveries_of(doc)],
    }


@api.post("/documents/{document_id}/revoke", response={200: DocumentOut, **ERRORS}, tags=["outgoing"])
def revoke_document(request: HttpRequest, document_id: int, body: ReturnIn) -> Any:
    """Recall a released document from all its recipients, with the reason (thu hồi)."""
    dispatch = wf_actions.do_revoke_release(document_id, reason=body.reason, actor=acting(request))
    return _document_response(request, dispatch.document_id)


# -- incoming ------------------------------------------------------------------------------------


class InboxQuery(Schema):
    view: str = "all"
    state: str = ""
    urgency: str = ""
    issuer: str = ""
    date_from: Day | None = None
    date_to: Day | None = None
    cursor: str = ""
    limit: int = 50
    sort: str = "-arrived"  # arrived, symbol, subject or issuer; "-" first: descending


@api.get("/inbox", response={200: InboxPage, **ERRORS}, tags=["incoming"])
def get_inbox(request: HttpRequest, filters: Query[InboxQuery]) -> Any:
    """The unit's incoming documents, newest first (view: new | registered | all)."""
    key, ascending = parse_sort(filters.sort, INBOX_SORTS)
    f = InboxFilter(
        sort=key,
        oldest_first=ascending,
        view=filters.view,
        state=filters.state,
        urgency=filters.urgency,
        issuer=filters.issuer,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    page = inbox(acting(request), f, cursor=filters.cursor or None, limit=max(1, min(filters.limit, 200)))
    return {"results": [serialize.receipt_out(r) for r in page.items], "next": page.next_cursor}


@api.get("/receipts/{receipt_id}", response={200: ReceiptOut, **ERRORS}, tags=["incoming"])
def get_receipt(request: HttpRequest, receipt_id: int) -> Any:
    receipt = access_receipt(acting(request), receipt_id)
    return serialize.receipt_out(receipt)


@api.post("/receipts/{receipt_id}/register", response={200: RegisterOut, **ERRORS}, tags=["incoming"])
def register_receipt(request: HttpRequest, receipt_id: int, body: RegisterIn | None = None) -> Any:
    """Give the receipt its incoming number; ``duplicates`` warns of earlier copies."""
    result = wf_actions.do_register_receipt(
        receipt_id, arrival_date=body.arrival_date if body else None, actor=acting(request)
    )
    r = result.receipt
    return {
        "id": r.pk,
        "incoming_number": r.incoming_number,
        "state": r.state,
        "duplicates": [serialize.receipt_out(d) for d in result.duplicates],
    }


@api.post("/receipts/{receipt_id}/return", response={200: ReturnedOut, **ERRORS}, tags=["incoming"])
def return_receipt(request: HttpRequest, receipt_id: int, body: ReturnIn) -> Any:
    r = wf_actions.do_return_receipt(receipt_id, reason=body.reason, actor=acting(request))
    return {"id": r.pk, "state": r.state, "reason": r.returned_reason}
