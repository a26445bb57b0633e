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
from congvan.capture.tasks import process_intakes
from congvan.dispatch.actions import set_transport
from congvan.dispatch.models import Transport
from congvan.documents.files import check_files, store_files
from congvan.documents.uploads import BlobUpload, stage_bytes
from congvan.lib.classification import find_mark, fold, subject_mark
from congvan.lib.errors import CongvanError
from congvan.lib.sql import insert_rows
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
    return _from_wanted(mailbox, mail) and bool(mail.documents(mailbox.kinds))


def _from_wanted(mailbox: Mailbox, mail: ReadMail) -> bool:
    """The rules the headers alone answer: sender (address or @domain), words of the subject."""
    if mailbox.senders:
        sender = mail.sender.lower()
        if not any(
            sender == s.lower() or (s.startswith("@") and sender.endswith(s.lower())) for s in mailbox.senders
        ):
            return False
    return not (mailbox.subject_contains and fold(mailbox.subject_contains) not in fold(mail.subject))


@dataclass
class Prepared:
    """A mail read and, when it is for congvan, its documents hashed and its refusal (a mark, a size)
    found, its documents staged and checked (``checked``; or ``reason``: a broken file): what needs no
    database, done by the fetch's reading threads while the taking thread writes the chunk before."""

    mail: ReadMail
    wanted: bool = False
    docs: list[Attachment] = field(default_factory=list)
    digest: str = ""
    reason: str | None = None
    checked: list[tuple[BlobUpload, str, str]] = field(default_factory=list)

    def discard(self) -> None:
        """Drop the staged files that were not stored (a mail taken before, a chunk given up)."""
        for upload, _name, _mime in self.checked:
            upload.close()


def read_ahead(mailbox: Mailbox, raw: bytes, too_big: int | None = None) -> Prepared:
    """Read a mail and, when the mailbox's rules want it, hash its documents, look for a reason to refuse
    it and stage its files (no database: the fetch's reading threads do this beside the taking thread's
    work; the decoding, hashing and writing leave the interpreter's lock). A mail found taken before
    has its staged files dropped by ``take_many``. ``too_big``: the size of a mail over
    ``MAIL_MAX_BYTES``, of which only the headers were fetched: refused, if its sender and subject are
    wanted (what it carries is not known), and recognised again by its Message-ID and size."""
    if too_big is not None:
        mail = read_mail(raw)
        if not _from_wanted(mailbox, mail):
            return Prepared(mail)
        digest = hashlib.sha256(f"too big {mail.message_id} {too_big}".encode()).hexdigest()
        reason = _("Thư quá lớn (%(size)s MB; tối đa %(mb)s MB): không tải về, thư vẫn ở hộp thư") % {
            "size": -(-too_big // (1024 * 1024)),
            "mb": settings.MAIL_MAX_BYTES // (1024 * 1024),
        }
        return Prepared(mail, True, [], digest, reason)
    mail = read_mail(raw)
    if mail.report is not None or not matches(mailbox, mail):
        ready = Prepared(mail)
    else:
        docs = mail.documents(mailbox.kinds)
        ready = Prepared(mail, True, docs, _digest(docs), _refusal(mail))
        _stage(ready)
    # what the taking needs of the contents is staged, hashed or refused by now: they are let go here,
    # by the thread that decoded them (its next mail's contents then reuse their memory; held until the
    # chunk was taken, they came back from the system as new pages, a fifth of the decoding's cost)
    for a in mail.attachments:
        a.release()
    return ready


def _stage(ready: Prepared) -> None:
    """Write a mail's documents to the store's staging folder and check them (or note why they are
    refused)."""
    if ready.reason is not None or ready.checked:
        return
    uploads: list[BlobUpload] = []
    try:
        for a in ready.docs:
            uploads.append(stage_bytes(a.name, a.data, sha256=a.sha256))
        ready.checked = check_files(None, uploads)
    except BaseException as exc:
        for upload in uploads:
            upload.close()
        if not isinstance(exc, CongvanError):
            raise
        ready.reason = exc.message


def take_read(mailbox: Mailbox, place: Place, ready: Prepared, now: dt.datetime) -> str | None:
    """Take one mail, in a transaction of its own; return its outcome, or None when it was already read
    at that place."""
    mail = ready.mail
    try:
        with transaction.atomic():
            if mail.report is not None:
                outcome = BOUNCE if note_report(mail.report, now) else SKIPPED
                _seen(mailbox, place, outcome, None, now)
                return outcome
            if not ready.wanted:
                _seen(mailbox, place, SKIPPED, None, now)
                return SKIPPED
            earlier = _earlier(mailbox, mail, ready.digest)
            if earlier is not None:
                _note_again(earlier, place, mail, now)
                _seen(mailbox, place, AGAIN, earlier, now)
                return AGAIN
            _stage(ready)
            arrival = _arrival_row(mailbox, mail, ready.digest, now, ready.reason)
            arrival.save(force_insert=True)
            if ready.reason is not None:
                # nothing of it is kept but who sent it and why it was refused; it stays in the mailbox
                _seen(mailbox, place, REFUSED, arrival, now)
                _audit("mail.refused", mailbox, arrival, reason=ready.reason[:200])
                return REFUSED
            firsts = _store(mailbox, [(arrival, ready)])
            _seen(mailbox, place, TAKEN, arrival, now)
            _audit("mail.arrived", mailbox, arrival, files=len(ready.docs))
            _tell_clerks(mailbox, [arrival], firsts)
            return TAKEN
    except IntegrityError:
        # another fetch wrote this place first (the lease ran out under a slow fetch): it is taken once
        return None


class _OneByOne(Exception):
    """A chunk the batch does not take (a mail twice in it): each mail in a transaction of its own."""


def take_many(mailbox: Mailbox, mails: list[tuple[Place, Prepared]], now: dt.datetime) -> list[str | None]:
    """Take a chunk of mails (prepared by ``read_ahead``) in one transaction: the arrivals, their files
    and intakes, the places, the audit events and the clerks' notices written together, a few statements
    for the whole chunk (what one mail at a time cost was the database's round trips). The same outcomes
    as ``take_read``; a chunk another fetch wrote part of first, or holding one mail twice, is taken one
    mail at a time. The staged files of mails not taken are dropped."""
    try:
        try:
            with transaction.atomic():
                return _take_chunk(mailbox, mails, now)
        except (IntegrityError, _OneByOne):
            return [take_read(mailbox, place, ready, now) for place, ready in mails]
    finally:
        for _place, ready in mails:
            ready.discard()


class _Chunk:
    """What came of each mail of a chunk, and the places to write."""

    def __init__(self, mailbox: Mailbox, size: int, now: dt.datetime) -> None:
        self.mailbox, self.now = mailbox, now
        self.outcomes: list[str | None] = [None] * size
        self.seen: list[SeenMail] = []

    def done(self, index: int, place: Place, outcome: str, arrival: MailArrival | None) -> None:
        self.outcomes[index] = outcome
        self.seen.append(_seen_row(self.mailbox, place, outcome, arrival, self.now))


def _take_chunk(mailbox: Mailbox, mails: list[tuple[Place, Prepared]], now: dt.datetime) -> list[str | None]:
    chunk = _Chunk(mailbox, len(mails), now)
    new: list[tuple[int, Place, Prepared]] = []
    for i, (place, ready) in enumerate(mails):
        if ready.mail.report is not None:
            chunk.done(i, place, BOUNCE if note_report(ready.mail.report, now) else SKIPPED, None)
        elif not ready.wanted:
            chunk.done(i, place, SKIPPED, None)
        else:
            new.append((i, place, ready))
    fresh = _admit(chunk, new)
    insert_rows([arrival for _i, _p, arrival, _r in fresh])
    firsts = _store(mailbox, [(arrival, ready) for _i, _p, arrival, ready in fresh if ready.reason is None])
    events = []
    for i, place, arrival, ready in fresh:
        chunk.done(i, place, TAKEN if ready.reason is None else REFUSED, arrival)
        if ready.reason is None:
            events.append(_event("mail.arrived", mailbox, arrival, files=len(ready.docs)))
        else:
            events.append(_event("mail.refused", mailbox, arrival, reason=ready.reason[:200]))
    insert_rows(chunk.seen)
    record_many(events, actor=None)
    taken = [arrival for _i, _p, arrival, ready in fresh if ready.reason is None]
    _tell_clerks(mailbox, taken, firsts)
    return chunk.outcomes


def _admit(
    chunk: _Chunk, new: list[tuple[int, Place, Prepared]]
) -> list[tuple[int, Place, MailArrival, Prepared]]:
    """The mails of a chunk not taken before, each with its arrival (refused or new); one taken before is
    noted on its first arrival."""
    keys = [r.digest for _i, _p, r in new] + [r.mail.message_id for _i, _p, r in new if r.mail.message_id]
    if len(set(keys)) < len(keys):
        raise _OneByOne  # a mail twice in the chunk (or two that share a Message-ID)
    earlier = _earlier_many(chunk.mailbox, [r for _i, _p, r in new])
    fresh = []
    for i, place, ready in new:
        first = earlier.get(("d", ready.digest)) or earlier.get(("m", ready.mail.message_id))
        if first is not None:
            _note_again(first, place, ready.mail, chunk.now)
            chunk.done(i, place, AGAIN, first)
            continue
        _stage(ready)
        arrival = _arrival_row(chunk.mailbox, ready.mail, ready.digest, chunk.now, ready.reason)
        fresh.append((i, place, arrival, ready))
    return fresh


def _store(mailbox: Mailbox, taken: list[tuple[MailArrival, Prepared]]) -> dict[int, int | None]:
    """The files of the mails taken (their blobs in one statement), their intakes (queued for reading)
    and each mail's list of them; returns each arrival's first intake (what its notice opens)."""
    stored = store_files([c for _arrival, ready in taken for c in ready.checked])
    intakes = [Intake(unit_id=mailbox.unit_id, created_by=None, blob=b, name=name) for b, name in stored]
    insert_rows(intakes)
    rows, firsts, at = [], {}, 0
    for arrival, ready in taken:
        mine = intakes[at : at + len(ready.checked)]
        rows += [MailFile(arrival=arrival, intake=intake, position=k) for k, intake in enumerate(mine)]
        firsts[arrival.pk] = mine[0].pk if mine else None
        at += len(mine)
    insert_rows(rows)
    if intakes:
        process_intakes.enqueue([i.pk for i in intakes])  # runs once this transaction commits
    return firsts


def _digest(docs: list[Attachment]) -> str:
    """The mail's documents as one fingerprint (the same documents in any order: the same mail)."""
    return hashlib.sha256("".join(sorted(a.sha256 for a in docs)).encode()).hexdigest()


def _earlier_many(mailbox: Mailbox, new: list[Prepared]) -> dict[tuple[str, str], MailArrival]:
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
    too_big = [a.name for a in mail.documents() if a.size > settings.MAX_UPLOAD_BYTES]
    if too_big:
        return _("Tệp quá lớn (tối đa %(mb)s MB): %(names)s") % {
            "mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024),
            "names": ", ".join(too_big[:5]),
        }
    return None


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


def _tell_clerks(mailbox: Mailbox, arrivals: list[MailArrival], firsts: dict[int, int | None]) -> None:
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
