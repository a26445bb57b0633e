"""The sending side: turn the rows other apps wrote into signed messages, send them, apply answers.

At least once: a message is a row before it is sent, claimed with a lease (a sender killed mid-send
leaves a lease that expires, and the message is sent again with the same id; the receiver answers a
repeat with its first answer). Failures back off exponentially until ``EXCHANGE_GIVE_UP_DAYS``, then
the message fails and the sending unit's clerks are told. A message with ``after`` waits for that
one to be answered (a recall never overtakes its document).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.dispatch.actions import (
    do_note_remote_answer,
    do_record_remote_status,
    set_transport,
    set_transports,
)
from congvan.dispatch.models import Delivery, DeliveryState, Dispatch, ReceiptEvent, Transport
from congvan.exchange import edxml, nodesig, statuscodes
from congvan.exchange.convert import edxml_document_id, export_document
from congvan.exchange.models import InMessage, OutKind, OutMessage, OutState
from congvan.exchange.routing import NoRoute, batch_multipart, multipart, next_hop, post
from congvan.lib.dates import VN
from congvan.lib.sql import one_writer
from congvan.orgs.models import Membership, Role
from congvan.workflow.actions.notices import notify

log = logging.getLogger(__name__)
MAX_BACKOFF = 3600


def _queue(
    *,
    kind: str,
    destination: str,
    xml_msg: edxml.EdxmlMessage,
    status: bool = False,
    **links: object,
) -> OutMessage | None:
    """Sign and queue one message; None when the same row already has one (another sender made it)."""
    return _save([_made(kind=kind, destination=destination, xml_msg=xml_msg, status=status, links=links)])[0]


def _made(
    *,
    kind: str,
    destination: str,
    xml_msg: edxml.EdxmlMessage,
    status: bool = False,
    hops: dict[str, str] | None = None,
    links: dict[str, object],
) -> OutMessage:
    """One message signed, not yet saved; ``hops``: the next hop of each destination, found once for
    the messages made together."""
    me = nodesig.identity()
    xml_msg.message_id = xml_msg.message_id or str(uuid.uuid4())
    xml_msg.node = xml_msg.node or me.code
    signed = nodesig.sign(edxml.write_status(xml_msg) if status else edxml.write(xml_msg), me)
    hops = {} if hops is None else hops
    if destination not in hops:
        try:
            hops[destination] = next_hop(destination).code
        except NoRoute:
            # tried again at each send; fails after the give-up period like an unreachable peer
            hops[destination] = ""
    now = timezone.now()
    return OutMessage(
        message_id=xml_msg.message_id,
        hop=hops[destination],
        destination=destination,
        kind=kind,
        header=signed.decode("utf-8"),
        size=len(signed) + sum(m.size for m in xml_msg.manifest),
        next_attempt_at=now,
        created_at=now,
        **links,
    )


def _save(rows: list[OutMessage]) -> list[OutMessage | None]:
    """Messages made (and signed) beforehand, saved in one short transaction: all in one statement, or,
    when one of them conflicts, each in a savepoint of its own: None for one whose row already has a
    message (another sender made it first)."""
    saved: list[OutMessage | None] = []
    with one_writer(), transaction.atomic():
        if len(rows) > 1:
            try:
                with transaction.atomic():
                    OutMessage.objects.bulk_create(rows)
                return list(rows)
            except IntegrityError:
                pass  # nothing was set on the rows (their keys are read back only on success)
        for row in rows:
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
                saved.append(row)
            except IntegrityError:
                saved.append(None)
    return saved


def prepare(limit: int = 500) -> int:
    """Queue messages for what other apps recorded: releases, recalls and receipt changes."""
    made = 0
    queued = list(
        Delivery.objects.filter(transport=Transport.QUEUED)
        .exclude(unit__home_node="")  # an organisation off the system: the mail app mails it
        .exclude(pk__in=OutMessage.objects.filter(kind=OutKind.DOCUMENT).values("delivery_id"))
        .select_related("unit")
        .order_by("id")[:limit]
    )
    # a release to many units is one dispatch: its document read once, not joined to every delivery
    dispatches = Dispatch.objects.filter(pk__in={d.dispatch_id for d in queued}).select_related(
        "document__issuing_unit", "document__doc_type"
    )
    documents = {x.pk: x.document for x in dispatches}
    hops: dict[str, str] = {}
    rows = []
    exported: dict[int, edxml.EdxmlMessage] = {}  # a document released to many units is exported once
    for d in queued:
        doc = documents[d.dispatch_id]
        if doc.pk not in exported:
            exported[doc.pk] = export_document(doc, recipients=[], embed=False)
        msg = dataclasses.replace(exported[doc.pk], recipients=[edxml.Organ(d.unit.code, d.unit.name)])
        if doc.replaces is not None:
            msg.business_type, msg.business_reason = 3, "Văn bản thay thế"
            msg.replaces = [edxml_document_id(doc.replaces)]
        rows.append(
            _made(
                kind=OutKind.DOCUMENT,
                destination=d.unit.home_node,
                xml_msg=msg,
                hops=hops,
                links={"delivery": d},
            )
        )
    # made and signed first, then saved together: one commit, and the database's lock held only for the
    # inserts (the sending threads write their claims and answers meanwhile)
    made += sum(row is not None for row in _save(rows))
    made += _prepare_recalls(limit)
    made += _prepare_statuses(limit)
    return made


def _prepare_recalls(limit: int) -> int:
    made = 0
    pending = (
        Delivery.objects.filter(dispatch__revoked_at__isnull=False)
        .exclude(transport=Transport.LOCAL)
        .exclude(unit__home_node="")
        .exclude(state=DeliveryState.REVOKED)
        .exclude(pk__in=OutMessage.objects.filter(kind=OutKind.REVOKE).values("delivery_id"))
        .select_related("unit", "dispatch__document__issuing_unit", "dispatch__document__doc_type")
        .order_by("id")[:limit]
    )
    for d in pending:
        dispatch: Dispatch = d.dispatch
        with transaction.atomic():
            first = OutMessage.objects.select_for_update().filter(kind=OutKind.DOCUMENT, delivery=d).first()
            if first is not None and first.state == OutState.QUEUED and first.attempts == 0:
                # never left this server: it is not sent at all, and nothing needs recalling
                first.state, first.last_error = (
                    OutState.FAILED,
                    _("thu hồi trước khi gửi"),
                )
                first.save(update_fields=["state", "last_error"])
                at = dispatch.revoked_at or timezone.now()
                do_record_remote_status(d.pk, DeliveryState.REVOKED, dispatch.revoke_reason, at, by="")
                set_transport(d.pk, Transport.ACKNOWLEDGED, _("không gửi: đã thu hồi"))
                continue
        msg = export_document(dispatch.document, recipients=[d.unit], embed=False)
        msg.manifest = []
        msg.business_type, msg.business_reason = 1, dispatch.revoke_reason
        made += (
            _queue(kind=OutKind.REVOKE, destination=d.unit.home_node, xml_msg=msg, delivery=d, after=first)
            is not None
        )
    return made


def _prepare_statuses(limit: int) -> int:
    """Status messages for changes of receipts that came from another server, back the way they came."""
    made = 0
    brought = InMessage.objects.filter(
        kind__in=["document", "update", "replace"], result="accepted", receipt__isnull=False
    )
    events = (
        ReceiptEvent.objects.filter(receipt_id__in=brought.values("receipt_id"))
        .exclude(pk__in=OutMessage.objects.filter(receipt_event__isnull=False).values("receipt_event_id"))
        .select_related("receipt__unit", "receipt__issuer")
        .order_by("id")[:limit]
    )
    for ev in events:
        origin = brought.filter(receipt_id=ev.receipt_id).first()
        if origin is None:
            continue
        receipt = ev.receipt
        msg = edxml.EdxmlMessage(
            kind="status",
            sender=edxml.Organ(receipt.unit.code, receipt.unit.name),
            recipients=[edxml.Organ(receipt.issuer.code, receipt.issuer.name)],
            document_id=origin.document_id,
            status_code=ev.code,
            status_description=ev.note,
            status_time=ev.at.astimezone(VN).strftime("%Y/%m/%d %H:%M:%S"),
        )
        # The statuses of one receipt go in order (03 before 04): each waits for the previous one.
        previous = (
            OutMessage.objects.filter(kind=OutKind.STATUS, receipt_event__receipt_id=ev.receipt_id)
            .order_by("-id")
            .first()
        )
        made += (
            _queue(
                kind=OutKind.STATUS,
                destination=origin.from_node,
                xml_msg=msg,
                status=True,
                receipt_event=ev,
                after=previous,
            )
            is not None
        )
    return made


def _ready(now: dt.datetime) -> Q:
    """Messages that may be sent now: queued and due, or claimed by a sender whose lease ran out."""
    return Q(state=OutState.QUEUED, next_attempt_at__lte=now) | Q(state=OutState.SENDING, lease_until__lt=now)


def due(limit: int = 50) -> list[int]:
    """Messages ready to send now, oldest first; those waiting for another message are left."""
    waiting = Q(after__isnull=False) & ~Q(after__state__in=[OutState.DONE, OutState.FAILED])
    return list(
        OutMessage.objects.filter(_ready(timezone.now()))
        .exclude(waiting)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


def _claim(pk: int) -> OutMessage | None:
    claimed = _claim_many([pk])
    return claimed[0] if claimed else None


def _claim_many(ids: list[int]) -> list[OutMessage]:
    """The messages that could be claimed, in one transaction (the ready rows locked, then claimed: two
    statements whatever their number) and read back in one query: a commit and a read per message were
    a fifth of the sender's time."""
    now = timezone.now()
    lease = now + dt.timedelta(seconds=settings.EXCHANGE_TIMEOUT + 5)  # a dead sender's claim ends
    with one_writer(), transaction.atomic():
        locked = OutMessage.objects.select_for_update().filter(_ready(now), pk__in=ids)
        got = list(locked.values_list("pk", flat=True))
        OutMessage.objects.filter(pk__in=got).update(state=OutState.SENDING, lease_until=lease)
    rows = OutMessage.objects.in_bulk(got)
    return [rows[pk] for pk in ids if pk in rows]


def send_one(pk: int) -> str:
    """Send one message if it can be claimed; return what happened (for logs and tests)."""
    out = _claim(pk)
    if out is None:
        return "taken"
    return _send_claimed(out)


def deliver(destination: str, signed: bytes, message_id: str, *, node: str = "") -> edxml.EdxmlMessage:
    """POST a signed message (its files streamed from the store) to the next hop towards
    ``destination``; return the hop's verified answer. Transport problems raise OSError."""
    peer = next_hop(destination)
    sent = edxml.parse(signed)
    body = multipart(signed, sent.manifest)
    status, answer = post(
        peer.url,
        "/exchange/v1/messages",
        body,
        {"X-Congvan-Node": node or nodesig.identity().code, "X-Congvan-Message-Id": message_id},
        settings.EXCHANGE_TIMEOUT,
    )
    if status != 200:
        raise OSError(f"HTTP {status}: {answer[:200].decode('utf-8', 'replace')}")
    reply = edxml.parse(nodesig.verify(answer, peer.certificate).xml)
    if reply.ack_for != message_id:
        raise OSError(_("câu trả lời không khớp thông điệp"))
    return reply


def _failed(out: OutMessage, error: str) -> None:
    now = timezone.now()
    attempts = out.attempts + 1
    give_up = now - out.created_at >= dt.timedelta(days=settings.EXCHANGE_GIVE_UP_DAYS)
    delay = min(settings.EXCHANGE_RETRY_SECONDS * 2 ** (attempts - 1), MAX_BACKOFF)
    with one_writer(), transaction.atomic():
        OutMessage.objects.filter(pk=out.pk).update(
            state=OutState.FAILED if give_up else OutState.QUEUED,
            attempts=attempts,
            next_attempt_at=now + dt.timedelta(seconds=delay),
            lease_until=None,
            last_error=error[:500],
        )
        if give_up:
            _gave_up(out, error)
    log.warning(
        "exchange: message %s to %s failed (%s attempt(s)): %s", out.message_id, out.hop, attempts, error
    )


def _gave_up(out: OutMessage, error: str) -> None:
    note = (
        _("Không gửi được sau %(EXCHANGE_GIVE_UP_DAYS)s ngày: %(error)s")
        % {"EXCHANGE_GIVE_UP_DAYS": settings.EXCHANGE_GIVE_UP_DAYS, "error": error}
    )[:500]
    if out.delivery_id is None:
        record(
            "exchange.failed",
            actor=None,
            target_type="message",
            target_id=out.message_id,
            details={"error": error[:300]},
        )
        return
    delivery = Delivery.objects.select_related("dispatch__document__issuing_unit", "unit").get(
        pk=out.delivery_id
    )
    set_transport(delivery.pk, Transport.FAILED, note)
    doc = delivery.dispatch.document
    clerks = Membership.objects.filter(unit=doc.issuing_unit, role=Role.CLERK, active=True).values_list(
        "user_id", flat=True
    )
    notify(
        clerks,
        key=f"exchange-failed:{out.message_id}",
        kind="exchange_failed",
        about=("document", doc.pk),
        symbol=doc.symbol,
        unit=delivery.unit.name,
        error=error[:300],
    )
    record(
        "exchange.failed",
        actor=None,
        unit=doc.issuing_unit.code,
        target_type="document",
        target_id=doc.pk,
        details={"to": delivery.unit.code, "message": str(out.message_id), "error": error[:300]},
    )


def apply_answer(out: OutMessage, reply: edxml.EdxmlMessage) -> None:
    """Record the next hop's answer: on the delivery, or passed back along a relay."""
    now = timezone.now()
    if _plainly_accepted(out, reply):
        with one_writer(), transaction.atomic():
            _apply_accepted([out])
        return
    with one_writer(), transaction.atomic():
        OutMessage.objects.filter(pk=out.pk).update(
            state=OutState.DONE, acked_at=now, lease_until=None, result=reply.result, last_error=""
        )
        reason = reply.status_description
        if out.kind == OutKind.RELAY and out.relay_of_id is not None and reply.result != "relayed":
            pass_back(out.relay_of_id, reply)
        if out.delivery_id is None:
            return
        if out.kind == OutKind.DOCUMENT:
            if reply.result == "relayed":
                set_transport(out.delivery_id, Transport.SENT, _("qua %(hop)s") % {"hop": out.hop})
            elif reply.result == "refused":
                set_transport(out.delivery_id, Transport.ACKNOWLEDGED, reason)
                do_record_remote_status(
                    out.delivery_id, DeliveryState.RETURNED, reason, now, by=reply.sender.organ_id
                )
            else:
                set_transport(out.delivery_id, Transport.ACKNOWLEDGED)
        elif out.kind == OutKind.REVOKE and reply.result != "relayed":
            if reply.result == "refused":
                set_transport(
                    out.delivery_id,
                    Transport.ACKNOWLEDGED,
                    (_("thu hồi bị từ chối: %(reason)s") % {"reason": reason}),
                )
            else:
                do_record_remote_status(
                    out.delivery_id, DeliveryState.REVOKED, reason, now, by=reply.sender.organ_id
                )


def pass_back(in_id: int, reply: edxml.EdxmlMessage) -> None:
    """A relayed message was answered by its destination: tell the node it came from, as a status."""
    origin = InMessage.objects.get(pk=in_id)
    code = reply.status_code or ("02" if reply.result == "refused" else "01")
    msg = edxml.EdxmlMessage(
        kind="status",
        sender=reply.sender,
        recipients=[edxml.Organ(origin.sender_organ)],
        document_id=origin.document_id,
        status_code=code,
        status_description=reply.status_description,
        status_time=reply.status_time,
        message_id=str(uuid.uuid4()),
    )
    _queue(kind=OutKind.STATUS, destination=origin.from_node, xml_msg=msg, status=True)


def apply_status(msg: edxml.EdxmlMessage, at: dt.datetime, *, from_node: str | None) -> bool:
    """A recipient's status for a document this server sent; False when no delivery matches or the
    code means nothing here (``statuscodes``).

    Over the exchange (``from_node``) only the node that hosts the recipient (or the peer that relays
    for it) speaks for it; a file (``None``) was checked by its signature before."""
    from congvan.exchange.convert import find_document

    doc = find_document(msg.response_for or msg.document_id)
    what = statuscodes.meaning(msg.status_code)
    if doc is None or what in ("", statuscodes.IGNORED, *statuscodes.FROM_ISSUER):
        return False
    delivery = (
        Delivery.objects.filter(dispatch__document=doc, unit__code=msg.sender.organ_id)
        .select_related("unit", "dispatch")
        .first()
    )
    if delivery is None or (from_node is not None and not _speaks_for(delivery, from_node)):
        return False
    if delivery.transport in (Transport.QUEUED, Transport.SENT):
        set_transport(delivery.pk, Transport.ACKNOWLEDGED)
    by = msg.sender.organ_id + (f" ({msg.status_staff})" if msg.status_staff else "")
    recalled = delivery.dispatch.revoked_at is not None
    if what == statuscodes.REQUEST_AGREED and recalled:
        what = DeliveryState.REVOKED  # 15 answering a recall; answering an update it changes no state
    if what in DeliveryState.values:
        if what == DeliveryState.ARRIVED and delivery.state != DeliveryState.ARRIVED:
            return True  # an arrival notice after later progress changes nothing
        do_record_remote_status(delivery.pk, what, msg.status_description, at, by=by)
        return True
    note = msg.status_description or statuscodes.answer_note(what, recalled=recalled)
    do_note_remote_answer(delivery.pk, msg.status_code, note, at, by=by)
    return True


def _speaks_for(delivery: Delivery, node: str) -> bool:
    """Whether a status from ``node`` may speak for the delivery's recipient: its host or relay."""
    if not delivery.unit.home_node:
        return False
    try:
        return next_hop(delivery.unit.home_node).code == node
    except NoRoute:
        return False


BATCH_MESSAGES = 25  # messages for one peer posted together (``/exchange/v1/batch``)
BATCH_BYTES = 32 * 1024 * 1024  # of files in one batch (each content once); a larger message goes alone
_NO_BATCH: dict[str, float] = {}  # peers that answered 404 to a batch (an older congvan), until when


def run_once(pool: ThreadPoolExecutor | None = None) -> int:
    """Queue what is new and send what is due (several batches at once with a pool, while the next
    messages are made); return how many."""
    n = BATCH_MESSAGES * max(1, settings.EXCHANGE_CONCURRENCY)
    prepare(limit=20)  # a little first: the first messages leave while the rest are made
    groups = batches(due(limit=n))
    if pool is None:
        return sum(sum(r != "taken" for r in send_batch(g)) for g in groups)
    on_the_wire = [pool.submit(_send_in_thread, g) for g in groups]
    prepare(limit=n)
    return sum(sum(r != "taken" for r in f.result()) for f in on_the_wire)


def batches(ids: list[int]) -> list[list[int]]:
    """Due messages grouped by the peer they go to, up to ``BATCH_MESSAGES`` and ``BATCH_BYTES``."""
    rows = OutMessage.objects.filter(pk__in=ids).order_by("id").values_list("id", "hop", "size")
    out: list[list[int]] = []
    open_: dict[str, tuple[list[int], int]] = {}
    for pk, hop, size in rows:
        group, total = open_.get(hop, ([], 0))
        if group and (len(group) >= BATCH_MESSAGES or total + size > BATCH_BYTES):
            out.append(group)
            group, total = [], 0
        group.append(pk)
        open_[hop] = (group, total + size)
    out.extend(group for group, _total in open_.values() if group)
    return out


def _send_in_thread(ids: list[int]) -> list[str]:
    try:
        return send_batch(ids)
    finally:
        close_old_connections()


class BatchNotSupported(Exception):
    """The peer has no batch endpoint (an older congvan): its messages go one by one."""


def send_batch(ids: list[int]) -> list[str]:
    """Send messages for one peer in one POST when there are several (each file once); one by one
    otherwise, or when the peer takes no batch. Each message keeps its own answer and its retries."""
    if len(ids) == 1 or _NO_BATCH.get(_hop_of(ids[0]), 0) > time.monotonic():
        return [send_one(pk) for pk in ids]
    outs = _claim_many(ids)
    if not outs:
        return ["taken"] * len(ids)
    try:
        replies = deliver_batch(outs)
    except BatchNotSupported:
        _NO_BATCH[outs[0].hop] = time.monotonic() + 3600
        return [_send_claimed(out) for out in outs]
    except (OSError, NoRoute, nodesig.BadSignature, edxml.MalformedMessage) as exc:
        for out in outs:
            _failed(out, str(exc))
        return ["retry"] * len(outs)
    said = []
    # the batch's answers recorded together: the documents the destination accepted in two statements
    # (what apply_answer writes for each), every other answer as apply_answer does it
    accepted = [
        o for o, r in zip(outs, replies, strict=True) if not isinstance(r, str) and _plainly_accepted(o, r)
    ]
    with one_writer(), transaction.atomic():
        _apply_accepted(accepted)
        done = {o.pk for o in accepted}
        for out, reply in zip(outs, replies, strict=True):
            if isinstance(reply, str):
                _failed(out, reply)
                said.append("retry")
            else:
                if out.pk not in done:
                    apply_answer(out, reply)
                said.append(reply.result)
    return said


def _plainly_accepted(out: OutMessage, reply: edxml.EdxmlMessage) -> bool:
    """A document its destination accepted: the answer ``apply_answer`` records as "acknowledged"."""
    return out.kind == OutKind.DOCUMENT and out.delivery_id is not None and reply.result == "accepted"


def _apply_accepted(outs: list[OutMessage]) -> None:
    """``apply_answer`` for documents their destination accepted, all at once."""
    if not outs:
        return
    now = timezone.now()
    OutMessage.objects.filter(pk__in=[o.pk for o in outs]).update(
        state=OutState.DONE, acked_at=now, lease_until=None, result="accepted", last_error=""
    )
    set_transports([o.delivery_id for o in outs if o.delivery_id is not None], Transport.ACKNOWLEDGED)


def _hop_of(pk: int) -> str:
    return OutMessage.objects.filter(pk=pk).values_list("hop", flat=True).first() or ""


def deliver_batch(outs: list[OutMessage]) -> list[edxml.EdxmlMessage | str]:
    """POST several signed messages (and each of their files once, by SHA-256) to the peer they all
    go to; return each one's verified answer, or the reason it has none."""
    peer = next_hop(outs[0].destination)
    if any(next_hop(d).pk != peer.pk for d in {out.destination for out in outs} - {outs[0].destination}):
        raise BatchNotSupported  # the route changed since they were queued: one by one
    body = batch_multipart([out.header.encode("utf-8") for out in outs])
    status, answer = post(
        peer.url,
        "/exchange/v1/batch",
        body,
        {"X-Congvan-Node": nodesig.identity().code, "X-Congvan-Answers": "signed-together"},
        settings.EXCHANGE_TIMEOUT,
    )
    if status in (404, 405):
        raise BatchNotSupported
    if status != 200:
        raise OSError(f"HTTP {status}: {answer[:200].decode('utf-8', 'replace')}")
    try:
        said = json.loads(answer)
        answers = [base64.b64decode(a) for a in said["answers"]]
        together = said.get("signature")  # one signature over them all; an earlier version signs each
        if together is not None and not isinstance(together, str):
            raise TypeError(together)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise OSError(_("câu trả lời không đọc được")) from None
    if len(answers) != len(outs):
        raise OSError(_("câu trả lời không khớp thông điệp"))
    if together is not None:
        nodesig.verify_answers(answers, together, peer.certificate)
    replies: list[edxml.EdxmlMessage | str] = []
    for out, got in zip(outs, answers, strict=True):
        reply = edxml.parse(got if together is not None else nodesig.verify(got, peer.certificate).xml)
        ok = reply.ack_for == str(out.message_id)
        replies.append(reply if ok else _("câu trả lời không khớp thông điệp"))
    return replies


def _send_claimed(out: OutMessage) -> str:
    try:
        reply = deliver(out.destination, out.header.encode("utf-8"), str(out.message_id))
    except (OSError, NoRoute, nodesig.BadSignature, edxml.MalformedMessage) as exc:
        _failed(out, str(exc))
        return "retry"
    apply_answer(out, reply)
    return reply.result


def sender_pool() -> ThreadPoolExecutor | None:
    n = settings.EXCHANGE_CONCURRENCY
    return ThreadPoolExecutor(max_workers=n, thread_name_prefix="exchange") if n > 1 else None
