"""The receiving side: check a peer's message, take it once, answer it with a signed acknowledgement.

Every answer is an edXML status (``cv:AckFor`` = the message id, ``cv:Result`` = accepted, relayed or
refused, StatusCode 01 or 02 with the reason), signed by the node when it is sent (alone, or together
with the other answers of its batch). A message id is taken once: a repeat gets the first answer again,
byte for byte, and changes nothing.
"""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.audit.actions import gathered as audit_gathered
from congvan.audit.actions import not_gathered as audit_not_gathered
from congvan.audit.actions import record
from congvan.dispatch.actions import counts_gathered, counts_not_gathered, revoke_receipt
from congvan.dispatch.models import DeliveryState, Receipt
from congvan.documents.errors import Classified
from congvan.documents.models import Confidentiality
from congvan.documents.uploads import BlobUpload
from congvan.exchange import edxml, nodesig, statuscodes
from congvan.exchange.actions import (
    DOCUMENT_KINDS,
    apply_issuer_status,
    do_import_document,
    message_kind,
    status_key,
    supersede_receipts,
)
from congvan.exchange.convert import exchange_user, sniffed
from congvan.exchange.models import InMessage, OutKind, OutMessage, Peer
from congvan.exchange.outbox import _queue, apply_status
from congvan.exchange.routing import NoRoute, next_hop
from congvan.lib.classification import subject_mark
from congvan.lib.dates import VN
from congvan.lib.errors import CongvanError
from congvan.lib.gather import insert as insert_rows
from congvan.lib.gather import rows_flush_now, rows_gathered, rows_not_gathered
from congvan.lib.sql import one_writer
from congvan.orgs.access import current_unit, role_holders
from congvan.orgs.actions import EXTERNAL_PREFIX
from congvan.orgs.models import Role, Unit
from congvan.signatures.actions import SignatureRefused, enforce_policy
from congvan.signatures.models import PolicyAction, SignaturePolicy

log = logging.getLogger(__name__)
MAX_FILES = 50


class Refused(Exception):
    """A message this server does not take, with the reason sent back as status 02."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DamagedInTransit(Refused):
    """A signed message whose files did not arrive whole: refused, but not recorded, so the genuine
    copy sent again under the same id is taken (a damaged copy must not block it)."""


@dataclass
class Incoming:
    node: str  # the peer that says it sent this (X-Congvan-Node)
    xml: bytes
    files: dict[str, BlobUpload] = field(default_factory=dict)  # by content id
    too_large: bool = False
    # a batch's files, by SHA-256: one upload for every message of the batch that lists that content
    shared: dict[str, BlobUpload] = field(default_factory=dict)
    # what every message of a batch looks up alike (the peer, the exchange's account), found once
    memo: dict[str, Any] = field(default_factory=dict)

    @property
    def in_batch(self) -> bool:
        """Taken as a message of a batch, in the batch's transaction (``receive_batch``'s lookups)."""
        return "taken" in self.memo

    def file(self, m: edxml.ManifestEntry) -> BlobUpload | None:
        """The file a manifest entry names: the message's own part, else the batch's by content."""
        return self.files.get(m.content_id) or self.shared.get(m.sha256)


def answer(
    *,
    ack_for: str,
    result: str,
    code: str,
    reason: str = "",
    organ: edxml.Organ | None = None,
    to: edxml.Organ | None = None,
    document_id: str = "",
) -> bytes:
    me = nodesig.identity()
    msg = edxml.EdxmlMessage(
        kind="status",
        sender=organ or edxml.Organ(me.code, me.code),
        recipients=[to] if to else [],
        document_id=document_id,
        status_code=code,
        status_description=reason[:500],
        status_time=timezone.now().astimezone(VN).strftime("%Y/%m/%d %H:%M:%S"),
        message_id=str(uuid.uuid4()),
        node=me.code,
        ack_for=ack_for,
        result=result,
    )
    return edxml.write_status(msg)


def signed(answer_xml: bytes) -> bytes:
    """An answer as sent alone: signed by the node. Answers are kept unsigned (a batch's answers are
    signed together, ``nodesig.sign_answers``); one kept signed by an earlier version goes as it is.
    The signature is the same for the same answer: a repeat's answer stays the same bytes."""
    return answer_xml if nodesig.signed_already(answer_xml) else nodesig.sign(answer_xml)


def receive(incoming: Incoming) -> bytes:
    """Take one message from a peer and return its answer, unsigned (``signed``; never raises for bad
    input)."""
    try:
        return _receive(incoming)
    finally:
        for f in incoming.files.values():
            f.close()  # what was not kept is dropped (a batch's shared files: when the batch is done)


def receive_batch(
    node: str, messages: list[bytes], shared: dict[str, BlobUpload], *, too_large: bool = False
) -> list[bytes]:
    """Take several messages from one peer, posted together with their files once each (by
    SHA-256); return each message's answer (unsigned), in order. Each message is taken as if posted
    alone (its own answer; a refusal or a damaged file undoes that message only), all of them in one
    transaction: a commit per message was a quarter of the receiver's time (the pages every message
    touches written again each time). Should anything unforeseen fail, the batch is taken again one
    message at a time, each in its own transaction, so one bad message does not hold up the others."""
    memo: dict[str, Any] = {}

    def each() -> list[bytes]:
        _prefetch(messages, memo)
        return [
            receive(Incoming(node=node, xml=xml, shared=shared, too_large=too_large, memo=memo))
            for xml in messages
        ]

    try:
        try:
            # one transaction; its audit events and receipt counts written once, at its end
            with one_writer(), transaction.atomic(), audit_gathered(), counts_gathered(), rows_gathered():
                return each()
        except Exception:
            log.exception(
                "exchange: a batch of %s from %r failed; taking it one message at a time", len(messages), node
            )
            memo.clear()  # what was found inside the undone transaction may not exist
            return [
                receive(Incoming(node=node, xml=xml, shared=shared, too_large=too_large)) for xml in messages
            ]
    finally:
        for f in shared.values():
            f.close()


HINTS = 500  # values of each kind a batch's lookups take (25 messages name a few each)
_ORGAN_ID = re.compile(rb"<(?:[\w.-]+:)?OrganId>\s*([^<\s]{1,32})\s*</")
_DOCUMENT_ID = re.compile(rb"<(?:[\w.-]+:)?DocumentId>\s*([^<]{1,300}?)\s*</")
_MESSAGE_ID = re.compile(rb"<(?:[\w.-]+:)?MessageId>\s*([0-9a-fA-F-]{36})\s*</")


def _prefetch(messages: list[bytes], memo: dict[str, Any]) -> None:
    """Look up at once, for every message of a batch, what each would look up alone: the units its
    organ codes name (with their clerks) and the messages already taken under its ids. Read from the
    XML before it is verified, these are hints only: a unit found is the row a lookup would return, a
    unit not found is looked up again, and an id is known new only if it was asked here and is not
    taken since (``_taken``)."""
    codes = {c.decode("utf-8", "replace") for xml in messages for c in _ORGAN_ID.findall(xml[:65536])}
    codes = set(sorted(codes)[:HINTS])  # a message crammed with codes gets no more than a lookup each
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)} if codes else {}
    memo["units"] = units
    clerks = role_holders([u.pk for u in units.values()], Role.CLERK) if units else {}
    memo["found"] = {("clerks",): {u.pk: clerks.get(u.pk, []) for u in units.values()}}
    asked = {i for xml in messages for m in _MESSAGE_ID.findall(xml[:65536]) if (i := _uuid(m.decode()))}
    asked = set(sorted(asked)[:HINTS])
    memo["asked"] = asked
    # the recalls already taken for the batch's documents (and, as the batch goes, those it takes)
    documents = {d.decode("utf-8", "replace") for xml in messages for d in _DOCUMENT_ID.findall(xml[:65536])}
    documents = set(sorted(documents)[:HINTS])
    memo["documents"] = documents
    memo["recalls"] = set(
        InMessage.objects.filter(kind="revoke", result="accepted", document_id__in=documents).values_list(
            "document_id", "recipient_organ", "from_node", "sender_organ"
        )
    )
    memo["taken"] = (
        {str(r.message_id): r for r in InMessage.objects.filter(message_id__in=list(asked))} if asked else {}
    )


def _uuid(text: str) -> str:
    """The id as ``_message_id`` writes it, or "" for what is not one (dashes alone...)."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return ""


def _unit(incoming: Incoming, code: str) -> Unit | None:
    """The unit of that code (the batch's prefetched row, else a lookup)."""
    hit = incoming.memo.get("units", {}).get(code)
    return hit if hit is not None else Unit.objects.filter(code=code).first()


def _taken(incoming: Incoming, message_id: str) -> InMessage | None:
    """The message taken before under this id (once per batch for the ids the batch asked; one this
    batch took, whose row may be written only at its end, by the batch's memo)."""
    found: InMessage | None = incoming.memo.get("taken", {}).get(message_id)
    if found is not None or message_id in incoming.memo.get("asked", ()):
        return found
    return InMessage.objects.filter(message_id=message_id).first()


def _memo(incoming: Incoming, key: str, find: Callable[[], Any]) -> Any:
    """What ``find`` gives, found once per batch."""
    if key not in incoming.memo:
        incoming.memo[key] = find()
    return incoming.memo[key]


def _refuse_unverified(incoming: Incoming, reason: str) -> bytes:
    """An answer to what cannot be trusted: nothing is recorded (its id could be anyone's)."""
    log.warning("exchange: refused a message from %r: %s", incoming.node, reason)
    return answer(ack_for=_claimed_id(incoming.xml), result="refused", code="02", reason=reason)


def _claimed_id(xml: bytes) -> str:
    try:
        return edxml.parse(xml).message_id
    except CongvanError:
        return ""


def _receive(incoming: Incoming) -> bytes:
    peer = _memo(
        incoming,
        "peer",
        lambda: Peer.objects.filter(code=incoming.node, active=True).exclude(certificate="").first(),
    )
    if peer is None:
        return _refuse_unverified(
            incoming, (_("Máy chủ gửi không được biết: %(node)s") % {"node": f"{incoming.node!r}"})
        )
    try:
        msg = _verified(incoming, peer)
        message_id = _message_id(msg)
    except (nodesig.BadSignature, edxml.MalformedMessage) as exc:
        return _refuse_unverified(incoming, str(exc))
    first = _taken(incoming, message_id)
    if first is not None:
        return bytes(first.answer)  # a repeat: the same answer, nothing new
    to = msg.recipients[0] if msg.recipients else edxml.Organ()
    row = InMessage(
        message_id=message_id,
        from_node=peer.code,
        kind=message_kind(msg),
        document_id=(msg.document_id or msg.response_for)[:300],
        sender_organ=msg.sender.organ_id[:32],
        recipient_organ=to.organ_id[:32],
        received_at=timezone.now(),
        answer=b"",
    )
    # A document for a unit of a batch is taken without a savepoint of its own (two statements less a
    # message): it refuses only before it writes (or inside a savepoint of its own, see _take_document),
    # and anything unforeseen undoes the batch, which is then taken one message at a time.
    own_savepoint = not incoming.in_batch or row.kind != "document"
    try:
        with _own_savepoint() if own_savepoint else contextlib.nullcontext():
            result, code, reason, organ = _take(row, msg, incoming, peer)
            row.result, row.reason = result, reason[:500]
            row.answer = answer(
                ack_for=message_id,
                result=result,
                code=code,
                reason=reason,
                organ=organ,
                to=msg.sender,
                document_id=row.document_id,
            )
            _record(row)
        if incoming.in_batch:
            incoming.memo["taken"][message_id] = row  # a second copy in the same batch is a repeat
            if row.kind == "revoke" and row.result == "accepted":
                incoming.memo["recalls"].add(
                    (row.document_id, row.recipient_organ, row.from_node, row.sender_organ)
                )
    except DamagedInTransit as exc:  # nothing recorded: the sender's retry is taken as new
        log.warning("exchange: %s from %r arrived damaged: %s", message_id, peer.code, exc.reason)
        return answer(ack_for=message_id, result="refused", code="02", reason=exc.reason, to=msg.sender)
    except IntegrityError:  # the same message posted twice at once: the first one's answer
        if not own_savepoint:
            raise  # what it wrote cannot be undone alone: the batch is taken again, one at a time
        first = InMessage.objects.filter(message_id=message_id).first()
        if first is None:
            raise
        return bytes(first.answer)
    return bytes(row.answer)


def _record(row: InMessage) -> None:
    """Write a message's record with its answer: in a batch, without a savepoint of its own, with the
    batch's other new rows at its end; one written already (a relay's: its onward message points at
    it) is updated."""
    if row.pk is not None:
        row.save()
    else:
        insert_rows([row])


@contextlib.contextmanager
def _own_savepoint() -> Iterator[None]:
    """A savepoint for work that may be undone alone: what it records is written at once, not gathered
    for the batch's end (a rollback to the savepoint takes it back). The batch's new rows so far are
    written first: this work may read them (a recall, an update of a document the batch brought)."""
    rows_flush_now()
    with audit_not_gathered(), counts_not_gathered(), rows_not_gathered(), transaction.atomic():
        yield


def _verified(incoming: Incoming, peer: Peer) -> edxml.EdxmlMessage:
    """The message, verified by the peer's certificate; a hub's status taken unsigned when the peer's
    transport is trusted (``Peer.trust_unsigned_status``), nothing else."""
    if peer.trust_unsigned_status and b"SignatureValue" not in incoming.xml:
        msg = edxml.parse(incoming.xml)
        if msg.kind != "status":
            raise nodesig.BadSignature(_("Thông điệp không có chữ ký của máy chủ gửi"))
        return msg
    return edxml.parse(nodesig.verify(incoming.xml, peer.certificate).xml)


def _message_id(msg: edxml.EdxmlMessage) -> str:
    """congvan's message id; a real peer's status has none, so its content names it once."""
    try:
        return str(uuid.UUID(msg.message_id))
    except ValueError:
        if msg.kind != "status":
            raise edxml.MalformedMessage(_("Thiếu mã thông điệp")) from None
        return str(status_key(msg))


def _take(
    row: InMessage, msg: edxml.EdxmlMessage, incoming: Incoming, peer: Peer
) -> tuple[str, str, str, edxml.Organ | None]:
    """Act on a verified, new message inside the transaction that records it."""
    to = msg.recipients[0] if msg.recipients else edxml.Organ()
    try:
        if row.kind == "status":
            what = statuscodes.meaning(msg.status_code)
            if what in statuscodes.FROM_ISSUER:
                applied = apply_issuer_status(msg, what, origin=peer.code, at=row.received_at)
            else:
                applied = apply_status(msg, row.received_at, from_node=peer.code)
            return ("accepted", "01", "", None) if applied else _relay_status(row, msg)
        unit, addressed = _recipient_unit(msg, incoming)
        organ = edxml.Organ(unit.code, unit.name)
        _check_sender(msg, peer, incoming)
        if unit.home_node:
            try:
                next_hop(unit.home_node)
            except NoRoute:
                raise Refused(_("Không có đường tới đơn vị %(code)s") % {"code": unit.code}) from None
            return _relay(row, msg, incoming, unit), "01", "", organ
        if row.kind == "revoke":
            return (*_revoke(row, msg, unit), organ)
        _take_document(row, msg, incoming, peer, unit)
        if addressed is not None and row.receipt is not None:  # addressed to a unit merged since
            Receipt.objects.filter(pk=row.receipt.pk).update(addressed_to=addressed)
        return "accepted", "01", "", organ
    except DamagedInTransit:
        raise
    except Refused as exc:
        record(
            "exchange.refused",
            actor=None,
            unit=to.organ_id[:32],
            target_type="message",
            target_id=row.message_id,
            details={"from": peer.code, "reason": exc.reason[:300]},
        )
        return "refused", "02", exc.reason, edxml.Organ(to.organ_id, to.name) if to.organ_id else None


def nodes_behind(peer: Peer) -> set[str]:
    """The nodes a peer may speak for: itself and the nodes it relays for (``Peer.via``)."""
    return {peer.code, *Peer.objects.filter(via=peer).values_list("code", flat=True)}


def _check_sender(msg: edxml.EdxmlMessage, peer: Peer, incoming: Incoming) -> None:
    """A node sends only for units the directory places behind it, or for bodies it does not know at
    all (recorded as behind the node); never for a unit hosted here or behind another node."""
    code = (msg.sender.organ_id or "")[:32]
    # found once per batch (a body unknown before the batch, recorded by its first message, is
    # allowed either way: it is recorded as behind this peer)
    unit = _memo(incoming, f"sender:{code}", lambda: _unit(incoming, code)) if code else None
    behind = _memo(incoming, "behind", lambda: nodes_behind(peer))
    if unit is None:
        return
    if not unit.home_node and not unit.code.startswith(EXTERNAL_PREFIX):
        raise Refused(
            _("Máy chủ %(node)s không được gửi thay đơn vị %(code)s của máy chủ này")
            % {"node": peer.code, "code": code}
        )
    if unit.home_node and unit.home_node not in behind:
        raise Refused(
            _("Máy chủ %(node)s không được gửi thay đơn vị %(code)s (thuộc máy chủ %(home)s)")
            % {"node": peer.code, "code": code, "home": unit.home_node}
        )


def _recipient_unit(msg: edxml.EdxmlMessage, incoming: Incoming) -> tuple[Unit, Unit | None]:
    """The unit that receives the message, and the unit it was addressed to when that one has been
    merged into it since (a document for a merged unit goes to its successor)."""
    if len(msg.recipients) != 1:
        raise Refused(_("Mỗi thông điệp gửi một đơn vị nhận"))
    to = msg.recipients[0]
    named = _unit(incoming, to.organ_id)
    unit = current_unit(named) if named is not None else None
    if named is None or unit is None:
        raise Refused(_("Đơn vị nhận %(organ_id)s không ở máy chủ này") % {"organ_id": f"{to.organ_id!r}"})
    return unit, (named if unit.pk != named.pk else None)


def _take_document(
    row: InMessage, msg: edxml.EdxmlMessage, incoming: Incoming, peer: Peer, unit: Unit
) -> None:
    """Import a document (or an update or replacement) for a unit of this server."""
    _check_document(msg, incoming)
    if _recalled(incoming, row, unit):
        raise Refused(_("Văn bản đã bị nơi gửi thu hồi"))
    # named as the signed manifest names them (a batch's shared part is named by its content alone)
    staged = [sniffed(_file(incoming, m), i, m.name) for i, m in enumerate(msg.manifest)]
    staged += _embedded(msg)
    policies = _memo(incoming, "policies", lambda: {p.unit_id: p for p in SignaturePolicy.objects.all()})
    policy = policies.get(unit.pk)
    # A refusal after the import (the unit's signature policy, an update's checks) undoes it: a savepoint
    # of its own then. Otherwise nothing refuses once the import has begun writing (its checks come
    # first): the message's own savepoint, or in a batch the batch's transaction, is enough.
    may_refuse_after = row.kind != "document" or _refuses(policy)
    with _own_savepoint() if may_refuse_after else contextlib.nullcontext():
        try:
            receipt = do_import_document(
                unit,
                msg,
                by=_memo(incoming, "user", exchange_user),
                staged=staged,
                origin_node=msg.node or peer.code,
                verified_by=f"node:{peer.code}",
                found=incoming.memo.setdefault("found", {}),
                # the rows of a batch's shared files written once (not where a savepoint may undo them)
                blob_rows=None
                if may_refuse_after or not incoming.in_batch
                else incoming.memo.setdefault("blobs", set()),
            )
        except Classified as exc:  # a mark in the files' own text (read before anything is written)
            raise Refused(exc.message) from None
        _check_pdf_policy(policy, unit, receipt)
        row.receipt = receipt
        if row.kind != "document":
            _supersede(row, msg, unit, receipt)


def _recalled(incoming: Incoming, row: InMessage, unit: Unit) -> bool:
    """Whether the sender recalled this document before it came (a recall that overtook it)."""
    key = (row.document_id, unit.code, row.from_node, row.sender_organ)
    if row.document_id in incoming.memo.get("documents", ()):
        return key in incoming.memo["recalls"]
    return InMessage.objects.filter(
        kind="revoke",
        result="accepted",
        document_id=row.document_id,
        recipient_organ=unit.code,
        from_node=row.from_node,
        sender_organ=row.sender_organ,
    ).exists()


def _check_document(msg: edxml.EdxmlMessage, incoming: Incoming) -> None:
    if msg.confidentiality and msg.confidentiality != Confidentiality.NONE:
        raise Refused(_("Văn bản mật không được gửi qua trục liên thông"))
    mark = subject_mark(msg.subject)
    if mark is not None:
        raise Refused(_("Văn bản có dấu %(mark)s: không tiếp nhận") % {"mark": mark.mark})
    if incoming.too_large or sum(max(m.size, 0) for m in msg.manifest) > settings.EXCHANGE_MAX_BYTES:
        raise Refused(_("Thông điệp vượt giới hạn dung lượng"))
    if len(msg.manifest) + len(msg.attachments) > MAX_FILES:
        raise Refused(_("Quá %(MAX_FILES)s tệp") % {"MAX_FILES": MAX_FILES})
    for m in msg.manifest:
        got = incoming.file(m)
        if got is None:
            raise DamagedInTransit(_("Thiếu tệp %(content_id)s") % {"content_id": m.content_id})
        if got.sha256 != m.sha256 or got.size != m.size:
            raise DamagedInTransit(
                _("Tệp %(content_id)s bị thay đổi trên đường truyền") % {"content_id": m.content_id}
            )
    if not msg.manifest and not msg.attachments:
        raise Refused(_("Thông điệp không có tệp văn bản"))


def _file(incoming: Incoming, m: edxml.ManifestEntry) -> BlobUpload:
    """The checked file of a manifest entry (``_check_document`` made sure it is there)."""
    got = incoming.file(m)
    assert got is not None
    return got


def _embedded(msg: edxml.EdxmlMessage) -> list[tuple[BlobUpload, str, str]]:
    from congvan.exchange.convert import stage_attachments

    return stage_attachments(msg) if msg.attachments else []


def _refuses(policy: SignaturePolicy | None) -> bool:
    return policy is not None and PolicyAction.REFUSE in (policy.on_invalid, policy.on_unsigned)


def _check_pdf_policy(policy: SignaturePolicy | None, unit: Unit, receipt: Receipt) -> None:
    """Verify the PDF signatures now when the unit refuses unsigned or invalid ones (else the worker does)."""
    if not _refuses(policy):
        return
    main = receipt.document.files.filter(role="main").first()
    if main is None:
        return
    try:
        enforce_policy(unit, main.blob_id)
    except SignatureRefused as exc:
        raise Refused(exc.message) from None


def _supersede(row: InMessage, msg: edxml.EdxmlMessage, unit: Unit, receipt: Receipt) -> None:
    """An update or a replacement: the new version is a new receipt; the earlier one leaves the inbox."""
    earlier = msg.replaces if row.kind == "replace" else [msg.business_document_id or msg.document_id]
    supersede_receipts(
        earlier,
        unit=unit,
        origin=(row.from_node, row.sender_organ),  # changes apply only to what the same origin delivered
        receipt=receipt,
        kind=row.kind,
        symbol=msg.symbol,
        by=f"node:{row.from_node}",
        when=row.received_at,
    )


def _revoke(row: InMessage, msg: edxml.EdxmlMessage, unit: Unit) -> tuple[str, str, str]:
    original = (
        InMessage.objects.filter(
            kind__in=DOCUMENT_KINDS, result="accepted", document_id=row.document_id, recipient_organ=unit.code
        )
        .select_related("receipt")
        .first()
    )
    reason = msg.business_reason or "Thu hồi văn bản"
    if original is not None and (original.from_node, original.sender_organ) != (
        row.from_node,
        row.sender_organ,
    ):
        raise Refused(_("Chỉ nơi đã gửi văn bản mới thu hồi được"))
    if original is not None and original.receipt is not None:
        receipt = original.receipt
        if receipt.state != DeliveryState.REVOKED:
            revoke_receipt(receipt, reason, f"node:{row.from_node}", row.received_at)
    # A recall of a document not (yet) here is kept: the document is refused if it comes later.
    return "accepted", "15", reason


def _relay(row: InMessage, msg: edxml.EdxmlMessage, incoming: Incoming, unit: Unit) -> str:
    """Pass a message on, signed by this node, for a unit hosted by a node this one relays for."""
    after = None
    if row.kind == "revoke":
        after = (
            OutMessage.objects.filter(
                kind=OutKind.RELAY, relay_of__document_id=row.document_id, relay_of__recipient_organ=unit.code
            )
            .exclude(relay_of__kind="revoke")
            .order_by("-id")
            .first()
        )
    else:
        _check_document(msg, incoming)
        for m in msg.manifest:
            _file(incoming, m).commit()  # kept in this node's store until sent on
    row.save()
    msg.message_id = str(row.message_id)  # the same id all the way: the destination takes it once
    _queue(kind=OutKind.RELAY, destination=unit.home_node, xml_msg=msg, relay_of=row, after=after)
    return "relayed"


def _relay_status(row: InMessage, msg: edxml.EdxmlMessage) -> tuple[str, str, str, edxml.Organ | None]:
    """A status for a document this node relayed: pass it back to the node the document came from."""
    relayed = InMessage.objects.filter(
        kind__in=DOCUMENT_KINDS,
        result="relayed",
        document_id=row.document_id,
        recipient_organ=msg.sender.organ_id,
    ).first()
    if relayed is None:
        return "refused", "02", _("Không có văn bản này"), None
    msg.message_id = str(row.message_id)
    msg.node = ""
    _queue(kind=OutKind.STATUS, destination=relayed.from_node, xml_msg=msg, status=True)
    return "relayed", "01", "", None


__all__ = ["Incoming", "OutMessage", "receive", "receive_batch"]
