"""REST endpoints of official e-mail: a unit's mailbox, the mails that arrived with documents, and the
organisations off the system that receive documents by e-mail."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema, Status

from congvan.api.base import acting, api
from congvan.api.incoming_schemas import Strict
from congvan.api.schemas import ErrorOut
from congvan.api.types import Day
from congvan.mail import actions as mail
from congvan.mail.models import MailArrival, Mailbox
from congvan.orgs.access import mail_contacts
from congvan.orgs.actions import do_save_mail_contact
from congvan.orgs.models import Unit

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    502: ErrorOut,
}
Sec = Literal["tls", "starttls", "plain"]


class MailboxIn(Strict):
    address: str
    host: str
    port: int | None = None
    security: Sec = "tls"
    username: str
    password: str = ""  # blank: keep the stored one
    folders: list[str] = ["INBOX"]
    senders: list[str] = []
    subject_contains: str = ""
    kinds: list[Literal["pdf", "docx", "odt", "image"]] = []
    after: Literal["move", "flag", "delete"] = "flag"
    after_folder: str = ""
    smtp_host: str = ""
    smtp_port: int | None = None
    smtp_security: Sec = "starttls"
    smtp_username: str = ""
    smtp_password: str = ""
    active: bool = True
    # the first day of the mails taken (the mailbox's arrival date); blank: the stored day, and a new
    # mailbox's is the day before its setup: the mail already in it stays there
    since: Day | None = None


class MailboxOut(Schema):
    unit: str
    configured: bool
    address: str = ""
    host: str = ""
    port: int | None = None
    security: str = ""
    username: str = ""
    has_password: bool = False
    folders: list[str] = []
    senders: list[str] = []
    subject_contains: str = ""
    kinds: list[str] = []
    after: str = ""
    after_folder: str = ""
    smtp_host: str = ""
    smtp_port: int | None = None
    smtp_security: str = ""
    smtp_username: str = ""
    active: bool = False
    since: dt.date | None = None
    last_fetch_at: dt.datetime | None = None
    last_error: str = ""


def mailbox_out(unit: Unit, box: Mailbox | None) -> dict[str, Any]:
    if box is None:
        return {"unit": unit.code, "configured": False}
    fields = [f for f in MailboxOut.model_fields if f not in ("unit", "configured", "has_password")]
    return {
        "unit": unit.code,
        "configured": True,
        "has_password": bool(box.password),
        **{f: getattr(box, f) for f in fields},
    }


@api.get("/units/{code}/mailbox", response={200: MailboxOut, **ERRORS}, tags=["mail"])
def get_mailbox(request: HttpRequest, code: str) -> Any:
    """The unit's mailbox settings (its admins); the passwords are never shown."""
    unit, box = mail.access_mailbox(acting(request), code)
    return mailbox_out(unit, box)


@api.put("/units/{code}/mailbox", response={200: MailboxOut, **ERRORS}, tags=["mail"])
def put_mailbox(request: HttpRequest, code: str, body: MailboxIn) -> Any:
    """Set up or change the unit's mailbox (IMAP in, optionally SMTP out)."""
    who = acting(request)
    mail.do_configure_mailbox(code, body.dict(), actor=who)
    unit, box = mail.access_mailbox(who, code)
    return mailbox_out(unit, box)


class CheckOut(Schema):
    ok: bool
    folders: dict[str, int]


@api.post("/units/{code}/mailbox/check", response={200: CheckOut, **ERRORS}, tags=["mail"])
def check_mailbox(request: HttpRequest, code: str) -> Any:
    """Sign in and open the folders, changing nothing (502 with the server's words when it refuses)."""
    return mail.check_mailbox(acting(request), code)


class FetchedOut(Schema):
    unit: str
    taken: int
    again: int
    skipped: int
    bounce: int
    refused: int
    busy: bool
    error: str


@api.post("/units/{code}/mailbox/fetch", response={200: FetchedOut, **ERRORS}, tags=["mail"])
def fetch_mailbox(request: HttpRequest, code: str) -> Any:
    """Fetch the unit's mailbox now (the worker also does on its schedule)."""
    results = mail.do_fetch_mail(unit_code=code, actor=acting(request))
    if not results:
        raise mail.MailboxNotFound(_("Đơn vị chưa cấu hình hộp thư"))
    return results[0].as_dict()


class ArrivalFileOut(Schema):
    intake: int
    name: str
    state: str
    reason: str


class ArrivalOut(Schema):
    id: int
    state: str
    sender: str
    sender_name: str
    subject: str
    sent_at: dt.datetime | None
    received_at: dt.datetime
    body: str
    reason: str
    notes: str
    document: int | None
    files: list[ArrivalFileOut]


class ArrivalsOut(Schema):
    count: int
    results: list[ArrivalOut]


def arrival_out(a: MailArrival) -> dict[str, Any]:
    return {
        "id": a.pk,
        "state": a.state,
        "sender": a.sender,
        "sender_name": a.sender_name,
        "subject": a.subject,
        "sent_at": a.sent_at,
        "received_at": a.received_at,
        "body": a.body[:20_000],
        "reason": a.reason,
        "notes": a.notes,
        "document": a.document_id,
        "files": [
            {"intake": i.pk, "name": i.name, "state": i.state, "reason": i.reason}
            for i in mail.arrival_intakes(a)
        ],
    }


@api.get("/mail/arrivals", response={200: ArrivalsOut, **ERRORS}, tags=["mail"])
def list_arrivals(
    request: HttpRequest,
    state: Literal["new", "registered", "dismissed", "refused", ""] = "new",
    limit: int = 50,
) -> Any:
    """The mails with documents that arrived in the unit's mailbox (newest first)."""
    qs = mail.visible_arrivals(acting(request)).order_by("-received_at", "-id")
    if state:
        qs = qs.filter(state=state)
    rows = list(qs[: max(1, min(limit, 200))])
    return {"count": qs.count(), "results": [arrival_out(a) for a in rows]}


@api.get("/mail/arrivals/{arrival_id}", response={200: ArrivalOut, **ERRORS}, tags=["mail"])
def get_arrival(request: HttpRequest, arrival_id: int) -> Any:
    return arrival_out(mail.access_arrival(acting(request), arrival_id))


class RegisterMailIn(Strict):
    issuer: str | None = None
    number: int | None = None
    symbol: str | None = None
    date: dt.date | None = None
    type: str | None = None
    subject: str | None = None
    signer_name: str | None = None
    signer_position: str | None = None
    urgency: Literal["normal", "urgent", "very_urgent", "flash"] | None = None


class RegisteredOut(Schema):
    document: int
    receipt: int
    incoming_number: int | None


@api.post("/mail/arrivals/{arrival_id}/register", response={200: RegisteredOut, **ERRORS}, tags=["mail"])
def register_arrival(request: HttpRequest, arrival_id: int, body: RegisterMailIn | None = None) -> Any:
    """Register the mail's documents as one incoming document, prefilled with what was read; any field
    may be corrected."""
    fields = {k: v for k, v in (body.dict() if body else {}).items() if v is not None}
    if "date" in fields:
        fields["date"] = fields["date"].isoformat()
    result = mail.do_register_mail_arrival(arrival_id, fields, actor=acting(request))
    return {
        "document": result.receipt.document_id,
        "receipt": result.receipt.pk,
        "incoming_number": result.receipt.incoming_number,
    }


class DismissIn(Strict):
    reason: str


@api.post("/mail/arrivals/{arrival_id}/dismiss", response={200: ArrivalOut, **ERRORS}, tags=["mail"])
def dismiss_arrival(request: HttpRequest, arrival_id: int, body: DismissIn) -> Any:
    """Set the mail aside with a reason."""
    return arrival_out(mail.do_dismiss_mail_arrival(arrival_id, reason=body.reason, actor=acting(request)))


class ContactIn(Strict):
    name: str
    email: str
    abbreviation: str = ""
    active: bool = True


class ContactOut(Schema):
    code: str
    name: str
    email: str
    active: bool


@api.post("/directory/mail-contacts", response={201: ContactOut, **ERRORS}, tags=["mail"])
def add_contact(request: HttpRequest, body: ContactIn) -> Any:
    """An organisation off the system that receives documents by e-mail (administrators): releasing a
    document to its code mails the signed files."""
    unit = do_save_mail_contact(**body.dict(), actor=acting(request))
    return Status(201, {"code": unit.code, "name": unit.name, "email": unit.email, "active": unit.active})


@api.put("/directory/mail-contacts/{code}", response={200: ContactOut, **ERRORS}, tags=["mail"])
def change_contact(request: HttpRequest, code: str, body: ContactIn) -> Any:
    unit = do_save_mail_contact(code=code, **body.dict(), actor=acting(request))
    return {"code": unit.code, "name": unit.name, "email": unit.email, "active": unit.active}


@api.get("/directory/mail-contacts", response={200: list[ContactOut], **ERRORS}, tags=["mail"])
def list_contacts(request: HttpRequest) -> Any:
    """The organisations reached by e-mail."""
    acting(request)
    rows = mail_contacts()[:2000]
    return [{"code": u.code, "name": u.name, "email": u.email, "active": u.active} for u in rows]
