"""Take one mail read from a unit's mailbox: an arrival for its clerks, a note on one taken before, the
delivery report of a document this server mailed, or nothing (a mail that is not for congvan).

Called by the fetch (``mail/fetch.py``) inside one transaction per mail, with the mail's place
(``SeenMail``): the place and the arrival are written together or not at all, so a fetch that stops
half-way is resumed without losing or doubling a mail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from congvan.audit.actions import Event, record, record_many
from congvan.capture.models import Intake
from congvan.capture.tasks import process_intake, process_intakes
from congvan.dispatch.actions import set_transport
from congvan.dispatch.models import Transport
from congvan.documents.files import check_files, store_files
from congvan.documents.uploads import BlobUpload, stage_bytes
from congvan.lib.classification import find_mark, fold, subject_mark
from congvan.lib.errors import CongvanError
from congvan.mail.models import ArrivalState, MailArrival, Mailbox, MailFile, MailOut, OutState, SeenMail
from congvan.mail.reading import Attachment, ReadMail, Report, read_mail
from congvan.orgs.access import role_holders
from congvan.orgs.models import Role
from congvan.workflow.actions.notices import Told, notify_each, notify_many

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


def take_read(mailbox: Mailbox, place: Place, mail: ReadMail, now: dt.datetime) -> str | None:
    """Take one mail already read, in a transaction of its own; return its outcome, or None when it was
    already read at that place."""
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
            digest = _digest(docs)
            earlier = _earlier(mailbox, mail, digest)
            if earlier is not None:
                _note_again(earlier, place, mail, now)
                _seen(mailbox, place, AGAIN, earlier, now)
                return AGAIN
            arrival = _arrival_row(mailbox, mail, digest, now, None)
            arrival.save(force_insert=True)
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


class _OneByOne(Exception):
    """A chunk the batch does not take (a mail twice in it): each mail in a transaction of its own."""


def read_ahead(mailbox: Mailbox, raw: bytes) -> ReadMail:
    """A mail read, and its documents' SHA-256 computed: the work that needs no database, done by the
    fetch's reading thread while the taking thread writes the chunk before (the decoding and hashing
    leave the interpreter's lock: the two go on together on two cores)."""
    mail = read_mail(raw)
    for attachment in mail.documents(mailbox.kinds):
        _ = attachment.sha256
    return mail


def take_many(mailbox: Mailbox, mails: list[tuple[Place, ReadMail]], now: dt.datetime) -> list[str | None]:
    """Take a chunk of mails (read by ``read_ahead``) in one transaction: the arrivals, their files and
    intakes, the places, the audit events and the clerks' notices written together, a few statements for
    the whole chunk (what one mail at a time cost was the database's round trips). The same outcomes as
    ``take_read``; a chunk another fetch wrote part of first, or holding one mail twice, is taken one mail
    at a time."""
    try:
        with transaction.atomic():
            return _take_chunk(mailbox, mails, now)
    except (IntegrityError, _OneByOne):
        return [take_read(mailbox, place, mail, now) for place, mail in mails]


@dataclass
class _New:
    index: int
    place: Place
    mail: ReadMail
    docs: list[Attachment]
    digest: str
    reason: str | None = None
    checked: list[tuple[BlobUpload, str, str]] | None = None
    arrival: MailArrival | None = None
    intakes: list[Intake] = field(default_factory=list)


class _Chunk:
    """What came of each mail of a chunk, and the places to write."""

    def __init__(self, mailbox: Mailbox, size: int, now: dt.datetime) -> None:
        self.mailbox, self.now = mailbox, now
        self.outcomes: list[str | None] = [None] * size
        self.seen: list[SeenMail] = []

    def done(self, index: int, place: Place, outcome: str, arrival: MailArrival | None) -> None:
        self.outcomes[index] = outcome
        self.seen.append(_seen_row(self.mailbox, place, outcome, arrival, self.now))


def _take_chunk(mailbox: Mailbox, mails: list[tuple[Place, ReadMail]], now: dt.datetime) -> list[str | None]:
    chunk = _Chunk(mailbox, len(mails), now)
    new: list[_New] = []
    for i, (place, mail) in enumerate(mails):
        if mail.report is not None:
            chunk.done(i, place, BOUNCE if note_report(mail.report, now) else SKIPPED, None)
        elif not matches(mailbox, mail):
            chunk.done(i, place, SKIPPED, None)
        else:
            docs = mail.documents(mailbox.kinds)
            new.append(_New(i, place, mail, docs, _digest(docs)))
    fresh = _admit(chunk, new)
    MailArrival.objects.bulk_create([n.arrival for n in fresh if n.arrival is not None])
    taken = [n for n in fresh if n.reason is None]
    _store(mailbox, taken)
    events = []
    for n in fresh:
        assert n.arrival is not None
        chunk.done(n.index, n.place, TAKEN if n.reason is None else REFUSED, n.arrival)
        if n.reason is None:
            events.append(_event("mail.arrived", mailbox, n.arrival, files=len(n.docs)))
        else:
            events.append(_event("mail.refused", mailbox, n.arrival, reason=n.reason[:200]))
    SeenMail.objects.bulk_create(chunk.seen)
    record_many(events, actor=None)
    _tell_clerks_many(
        mailbox,
        [n.arrival for n in taken if n.arrival is not None],
        {n.arrival.pk: n.intakes[0].pk if n.intakes else None for n in taken if n.arrival is not None},
    )
    return chunk.outcomes


def _admit(chunk: _Chunk, new: list[_New]) -> list[_New]:
    """The mails of a chunk not taken before, each checked (its refusal's reason, or its files staged);
    one taken before is noted on its first arrival."""
    keys = [n.digest for n in new] + [n.mail.message_id for n in new if n.mail.message_id]
    if len(set(keys)) < len(keys):
        raise _OneByOne  # a mail twice in the chunk (or two that share a Message-ID)
    earlier = _earlier_many(chunk.mailbox, new)
    fresh = []
    for n in new:
        first = earlier.get(("d", n.digest)) or earlier.get(("m", n.mail.message_id))
        if first is not None:
            _note_again(first, n.place, n.mail, chunk.now)
            chunk.done(n.index, n.place, AGAIN, first)
            continue
        n.reason = _refusal(n.mail)
        if n.reason is None:
            try:
                n.checked = check_files(None, [stage_bytes(a.name, a.data, sha256=a.sha256) for a in n.docs])
            except CongvanError as exc:
                n.reason = exc.message
        n.arrival = _arrival_row(chunk.mailbox, n.mail, n.digest, chunk.now, n.reason)
        fresh.append(n)
    return fresh


def _store(mailbox: Mailbox, taken: list[_New]) -> None:
    """The files of the mails taken, their intakes (queued for reading) and the mail's list of them."""
    stored = [store_files(n.checked or []) for n in taken]
    intakes = Intake.objects.bulk_create(
        [
            Intake(unit_id=mailbox.unit_id, created_by=None, blob=blob, name=name)
            for files in stored
            for blob, name in files
        ]
    )
    at = 0
    for n, files in zip(taken, stored, strict=True):
        n.intakes, at = intakes[at : at + len(files)], at + len(files)
    MailFile.objects.bulk_create(
        [
            MailFile(arrival=n.arrival, intake=intake, position=k)
            for n in taken
            for k, intake in enumerate(n.intakes)
        ]
    )
    if intakes:
        process_intakes.enqueue([i.pk for i in intakes])  # runs once this transaction commits


def _digest(docs: list[Attachment]) -> str:
    """The mail's documents as one fingerprint (the same documents in any order: the same mail)."""
    return hashlib.sha256("".join(sorted(a.sha256 for a in docs)).encode()).hexdigest()


def _earlier_many(mailbox: Mailbox, new: list[_New]) -> dict[tuple[str, str], MailArrival]:
    if not new:
        return {}
    same = Q(digest__in=[n.digest for n in new])
    ids = [n.mail.message_id for n in new if n.mail.message_id]
    if ids:
        same |= Q(message_id__in=ids)
    found: dict[tuple[str, str], MailArrival] = {}
    for a in MailArrival.objects.select_for_update().filter(same, unit_id=mailbox.unit_id).order_by("pk"):
        found.setdefault(("d", a.digest), a)
        if a.message_id:
            found.setdefault(("m", a.message_id), a)
    return found


def _arrival_row(
    mailbox: Mailbox, mail: ReadMail, digest: str, now: dt.datetime, reason: str | None
) -> MailArrival:
    """A mail's arrival; a refused one keeps who sent it and why, not its text (it stays in the mailbox)."""
    return MailArrival(
        unit_id=mailbox.unit_id,
        mailbox=mailbox,
        message_id=mail.message_id,
        digest=digest,
        sender=mail.sender,
        sender_name=mail.sender_name,
        subject=mail.subject,
        sent_at=mail.sent_at,
        received_at=now,
        body="" if reason else mail.body,
        headers=mail.headers,
        state=ArrivalState.REFUSED if reason else ArrivalState.NEW,
        reason=(reason or "")[:500],
    )


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
    uploads = [stage_bytes(a.name, a.data, sha256=a.sha256) for a in docs]
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
    _seen_row(mailbox, place, outcome, arrival, now).save(force_insert=True)


def _seen_row(
    mailbox: Mailbox, place: Place, outcome: str, arrival: MailArrival | None, now: dt.datetime
) -> SeenMail:
    return SeenMail(
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
    record_many([_event(action, mailbox, arrival, **details)], actor=None)


def _event(action: str, mailbox: Mailbox, arrival: MailArrival, **details: object) -> Event:
    details = {
        "sender": arrival.sender,
        "subject": arrival.subject[:200],
        "message_id": arrival.message_id[:200],
        **details,
    }
    return Event(action, "mail", str(arrival.pk), mailbox.unit.code, details)


def _tell_clerks(mailbox: Mailbox, arrival: MailArrival) -> None:
    first = (
        MailFile.objects.filter(arrival=arrival)
        .order_by("position")
        .values_list("intake_id", flat=True)
        .first()
    )
    _tell_clerks_many(mailbox, [arrival], {arrival.pk: first})


def _tell_clerks_many(mailbox: Mailbox, arrivals: list[MailArrival], firsts: dict[int, int | None]) -> None:
    """Each clerk of the unit told of each mail (it opens the mail's first document)."""
    if not arrivals:
        return
    clerks = role_holders([mailbox.unit_id], Role.CLERK).get(mailbox.unit_id, [])
    notify_each(
        "mail_arrived",
        [
            Told(
                [(u, f"mail:{a.pk}") for u in clerks],
                ("intake", first) if (first := firsts.get(a.pk)) else None,
                {"subject": a.subject[:120] or "-", "sender": a.sender or "-"},
            )
            for a in arrivals
        ],
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
