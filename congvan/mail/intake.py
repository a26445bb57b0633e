"""Take one mail read from a unit's mailbox: an arrival for its clerks, a note on one taken before, the
delivery report of a document this server mailed, or nothing (a mail that is not for congvan).

Called by the fetch (``mail/fetch.py``) inside one transaction per mail, with the mail's place
(``SeenMail``): the place and the arrival are written together or not at all, so a fetch that stops
half-way is resumed without losing or doubling a mail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.capture.models import Intake
from congvan.capture.tasks import process_intake
from congvan.dispatch.actions import set_transport
from congvan.dispatch.models import Transport
from congvan.documents.files import check_files, store_files
from congvan.documents.uploads import stage_bytes
from congvan.lib.classification import find_mark, fold, subject_mark
from congvan.lib.errors import CongvanError
from congvan.mail.models import ArrivalState, MailArrival, Mailbox, MailFile, MailOut, OutState, SeenMail
from congvan.mail.reading import Attachment, ReadMail, Report, read_mail
from congvan.orgs.access import role_holders
from congvan.orgs.models import Role
from congvan.workflow.actions.notices import notify_many

TAKEN, AGAIN, SKIPPED, BOUNCE, REFUSED = "taken", "again", "skipped", "bounce", "refused"
# what is done in the mailbox afterwards: the mailbox's step for a mail taken (or taken before), a flag
# for a delivery report read; a mail not for congvan or refused is left as it was
NEEDS_STEP = {TAKEN, AGAIN, BOUNCE}


@dataclass(frozen=True)
class Place:
    folder: str
    uidvalidity: int
    uid: int


def matches(mailbox: Mailbox, mail: ReadMail) -> bool:
    """The mailbox's rules: sender (address or @domain), words of the subject, kinds of attachment."""
    if mailbox.senders:
        sender = mail.sender.lower()
        if not any(
            sender == s.lower() or (s.startswith("@") and sender.endswith(s.lower())) for s in mailbox.senders
        ):
            return False
    if mailbox.subject_contains and fold(mailbox.subject_contains) not in fold(mail.subject):
        return False
    return bool(mail.documents(mailbox.kinds))


def take(mailbox: Mailbox, place: Place, raw: bytes, now: dt.datetime) -> str | None:
    """Take one mail; return its outcome, or None when it was already read at that place."""
    mail = read_mail(raw)
    try:
        with transaction.atomic():
            if mail.report is not None:
                outcome = BOUNCE if note_report(mail.report, now) else SKIPPED
                _seen(mailbox, place, outcome, None, now)
                return outcome
            if not matches(mailbox, mail):
                _seen(mailbox, place, SKIPPED, None, now)
                return SKIPPED
            docs = mail.documents(mailbox.kinds)
            digest = hashlib.sha256(
                "".join(sorted(hashlib.sha256(a.data).hexdigest() for a in docs)).encode()
            ).hexdigest()
            earlier = _earlier(mailbox, mail, digest)
            if earlier is not None:
                _note_again(earlier, place, mail, now)
                _seen(mailbox, place, AGAIN, earlier, now)
                return AGAIN
            arrival = MailArrival.objects.create(
                unit_id=mailbox.unit_id,
                mailbox=mailbox,
                message_id=mail.message_id,
                digest=digest,
                sender=mail.sender,
                sender_name=mail.sender_name,
                subject=mail.subject,
                sent_at=mail.sent_at,
                received_at=now,
                body=mail.body,
                headers=mail.headers,
            )
            reason = _refusal(mail)
            if reason is None:
                try:
                    _files(arrival, docs)
                except CongvanError as exc:
                    reason = exc.message
            if reason is not None:
                # nothing of it is kept but who sent it and why it was refused; it stays in the mailbox
                MailArrival.objects.filter(pk=arrival.pk).update(
                    state=ArrivalState.REFUSED, reason=reason[:500], body=""
                )
                _seen(mailbox, place, REFUSED, arrival, now)
                _audit("mail.refused", mailbox, arrival, reason=reason[:200])
                return REFUSED
            _seen(mailbox, place, TAKEN, arrival, now)
            _audit("mail.arrived", mailbox, arrival, files=len(docs))
            _tell_clerks(mailbox, arrival)
            return TAKEN
    except IntegrityError:
        # another fetch wrote this place first (the lease ran out under a slow fetch): it is taken once
        return None


def _refusal(mail: ReadMail) -> str | None:
    mark = subject_mark(mail.subject) or find_mark(mail.body, top_lines=None)
    if mark is not None:
        return _("Thư có dấu %(mark)s: văn bản mật không được nhận qua hệ thống này") % {"mark": mark.mark}
    too_big = [a.name for a in mail.documents() if len(a.data) > settings.MAX_UPLOAD_BYTES]
    if too_big:
        return _("Tệp quá lớn (tối đa %(mb)s MB): %(names)s") % {
            "mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024),
            "names": ", ".join(too_big[:5]),
        }
    return None


def _files(arrival: MailArrival, docs: list[Attachment]) -> None:
    uploads = [stage_bytes(a.name, a.data) for a in docs]
    checked = check_files(None, uploads)
    stored = store_files(checked)
    intakes = Intake.objects.bulk_create(
        [Intake(unit_id=arrival.unit_id, created_by=None, blob=blob, name=name) for blob, name in stored]
    )
    MailFile.objects.bulk_create(
        [MailFile(arrival=arrival, intake=intake, position=i) for i, intake in enumerate(intakes)]
    )
    for intake in intakes:
        process_intake.enqueue(intake.pk)  # runs once this transaction commits


def _earlier(mailbox: Mailbox, mail: ReadMail, digest: str) -> MailArrival | None:
    same = Q(digest=digest)
    if mail.message_id:
        same |= Q(message_id=mail.message_id)
    return MailArrival.objects.select_for_update().filter(same, unit_id=mailbox.unit_id).first()


def _note_again(arrival: MailArrival, place: Place, mail: ReadMail, now: dt.datetime) -> None:
    line = _("%(at)s: nhận lại (thư mục %(folder)s, %(sender)s)") % {
        "at": formats.date_format(timezone.localtime(now), "d/m/Y H:i"),
        "folder": place.folder,
        "sender": mail.sender or "?",
    }
    notes = (arrival.notes + "\n" + line).strip()[-5000:]
    MailArrival.objects.filter(pk=arrival.pk).update(notes=notes)


def _seen(
    mailbox: Mailbox, place: Place, outcome: str, arrival: MailArrival | None, now: dt.datetime
) -> None:
    SeenMail.objects.create(
        mailbox=mailbox,
        folder=place.folder,
        uidvalidity=place.uidvalidity,
        uid=place.uid,
        outcome=outcome,
        arrival=arrival,
        done=outcome not in NEEDS_STEP,
        at=now,
    )


def _audit(action: str, mailbox: Mailbox, arrival: MailArrival, **details: object) -> None:
    record(
        action,
        actor=None,
        unit=mailbox.unit.code,
        target_type="mail",
        target_id=arrival.pk,
        details={
            "sender": arrival.sender,
            "subject": arrival.subject[:200],
            "message_id": arrival.message_id[:200],
            **details,
        },
    )


def _tell_clerks(mailbox: Mailbox, arrival: MailArrival) -> None:
    first = (
        MailFile.objects.filter(arrival=arrival)
        .order_by("position")
        .values_list("intake_id", flat=True)
        .first()
    )
    clerks = role_holders([mailbox.unit_id], Role.CLERK).get(mailbox.unit_id, [])
    notify_many(
        [(u, f"mail:{arrival.pk}") for u in clerks],
        kind="mail_arrived",
        about=("intake", first) if first else None,
        subject=arrival.subject[:120] or "-",
        sender=arrival.sender or "-",
    )


def note_report(report: Report, now: dt.datetime) -> bool:
    """A delivery report about a document this server mailed: a failure marks the delivery bounced."""
    out = (
        MailOut.objects.select_for_update(of=("self",))
        .filter(message_id=report.original_id)
        .select_related("delivery__unit", "delivery__dispatch__document")
        .first()
    )
    if out is None:
        return False
    if report.action != "failed":
        return True  # "delayed", "delivered", "relayed": nothing to change
    reason = " ".join(filter(None, [report.status, report.diagnostic])) or _("máy chủ nhận trả thư về")
    MailOut.objects.filter(pk=out.pk).update(state=OutState.BOUNCED, last_error=reason[:500])
    set_transport(
        out.delivery_id, Transport.BOUNCED, _("Thư bị trả về: %(reason)s") % {"reason": reason[:400]}
    )
    doc = out.delivery.dispatch.document
    clerks = role_holders([doc.issuing_unit_id], Role.CLERK).get(doc.issuing_unit_id, [])
    notify_many(
        [(u, f"mail-bounced:{out.pk}") for u in clerks],
        kind="exchange_failed",
        about=("document", doc.pk),
        symbol=doc.symbol,
        unit=out.delivery.unit.name,
        error=reason[:300],
    )
    record(
        "mail.bounced",
        actor=None,
        target_type="delivery",
        target_id=out.delivery_id,
        details={"to": out.to, "status": report.status, "diagnostic": report.diagnostic[:200]},
    )
    return True
