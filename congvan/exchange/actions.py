"""Every state change of the exchange app that a person or a command asks for: peers, an operator's
resend, a document message put into a unit's inbox. (The outbox sender and the inbound endpoint
record their own progress, each step in one transaction with its audit event.)"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.dispatch.actions import do_receive_document, revoke_receipt
from congvan.dispatch.models import DeliveryState, Receipt
from congvan.documents import guard
from congvan.documents.files import store_files
from congvan.documents.models import Document, DocumentFile, FileRole, Urgency
from congvan.documents.uploads import BlobUpload
from congvan.exchange import nodesig
from congvan.exchange.convert import PRIORITIES, doc_type_named, issuer_unit, stage_attachments
from congvan.exchange.edxml import EdxmlMessage, MalformedMessage
from congvan.exchange.models import InMessage, OutMessage, OutState, Peer
from congvan.lib import filetypes
from congvan.lib.errors import InvalidInput, NotFound
from congvan.lib.gather import insert as insert_rows
from congvan.lib.text import clean_line
from congvan.orgs.models import Unit, User
from congvan.workflow.actions.outgoing import tell_arrivals


def do_add_peer(
    code: str,
    *,
    url: str = "",
    certificate: str = "",
    via: str = "",
    name: str = "",
    trust_unsigned_status: bool = False,
) -> Peer:
    """Add or change a peer: reached at ``url`` (its certificate is required) or through ``via``.
    ``trust_unsigned_status``: its status messages are taken unsigned (a hub gateway behind a trusted
    transport); its documents never are."""
    code = clean_line(code, field="code", max_length=32, required=True)
    if not url and not via:
        raise InvalidInput(_("Cần địa chỉ (--url) hoặc máy chủ chuyển tiếp (--via)"))
    if url and not url.startswith(("http://", "https://")):
        raise InvalidInput(_("Địa chỉ phải bắt đầu bằng http:// hoặc https://"))
    if url:
        nodesig.check_certificate(certificate)
    relay = None
    if via:
        relay = Peer.objects.filter(code=via).first()
        if relay is None:
            raise NotFound(_("Không có máy chủ %(via)s") % {"via": via})
    with transaction.atomic():
        peer, _created = Peer.objects.update_or_create(
            code=code,
            defaults={
                "url": url,
                "certificate": certificate,
                "via": relay,
                "name": name[:200],
                "active": True,
                "trust_unsigned_status": trust_unsigned_status,
            },
        )
        record(
            "exchange.peer_set",
            actor=None,
            target_type="peer",
            target_id=code,
            details={"url": url, "via": via, "trust_unsigned_status": trust_unsigned_status},
        )
    return peer


def do_resend_message(message_id: str, *, actor: str = "operator") -> None:
    """Queue a message again (an operator's retry; the receiver answers a repeat as the first time)."""
    with transaction.atomic():
        if not OutMessage.objects.filter(message_id=message_id).update(
            state=OutState.QUEUED, next_attempt_at=timezone.now(), lease_until=None
        ):
            raise NotFound(_("Không có thông điệp %(message_id)s") % {"message_id": message_id})
        record(
            "exchange.resend",
            actor=None,
            target_type="message",
            target_id=message_id[:64],
            details={"by": actor[:150]},
        )


def received_fields(
    msg: EdxmlMessage, *, verified_by: str, verdict: nodesig.Verdict | None = None
) -> dict[str, object]:
    """What the message carried beyond the document's fields, kept as it came. ``verified_by``: the
    peer whose configured certificate verified the message (exchange); ``verdict``: what a file's
    XML-DSig said (``nodesig.verdict``)."""
    algorithm = msg.signature_algorithm.rsplit("#", 1)[-1]
    if verdict is not None and verdict.peer:
        verified_by = f"node:{verdict.peer}"
    signature: dict[str, object] = {
        "algorithm": algorithm,
        "signer": msg.signature_subject or (verdict.signer if verdict else ""),
        "verified_by": verified_by,
        "state": "valid" if verified_by else (verdict.state if verdict else "not_checked"),
    }
    if algorithm.endswith("sha1"):
        signature["warning"] = "RSA-SHA1: thuật toán cũ, không còn được coi là an toàn"
    elif verdict is not None and verdict.warning:
        signature["warning"] = verdict.warning
    kept: dict[str, object] = {
        "document_id": msg.document_id,
        "content": msg.content[:4000],
        "to_places": msg.to_places,
        "steering_type": msg.steering_type,
        "other_info": {
            "sphere_of_promulgation": msg.sphere,
            "promulgation_amount": msg.promulgation_amount,
            "appendixes": msg.appendixes,
        },
        "trace": msg.trace,
        "response_for": msg.response_for,
        "signature": signature if (algorithm or verified_by or verdict is not None) else None,
    }
    return kept


def do_import_document(
    unit: Unit,
    msg: EdxmlMessage,
    *,
    by: User,
    staged: list[tuple[BlobUpload, str, str]] | None = None,
    origin_node: str = "",
    verified_by: str = "",
    verdict: nodesig.Verdict | None = None,
    found: dict[tuple[str, ...], Any] | None = None,
    blob_rows: set[str] | None = None,
) -> Receipt:
    """Put a new-document message into the unit's inbox (arrived), with its files.

    ``staged`` are files received beside the message (exchange); otherwise the message's own
    attachments are unpacked. ``origin_node`` is where an unknown issuer lives (for replies).
    ``found``: the issuers and types already looked up for the other messages of a batch (in the same
    transaction), by their code and name. ``blob_rows``: the files whose rows the batch wrote already
    (``store_files``; only where nothing undoes this import alone).
    """
    if msg.kind != "document":
        raise MalformedMessage(_("Không phải thông điệp văn bản"))
    if staged is None:
        staged = stage_attachments(msg)
    # The classification guard, as at every entry: the fields, the subject, each file's page 1.
    guard.check_fields(subject=msg.subject or "", confidentiality=msg.confidentiality or "none")
    found = {} if found is None else found
    known_clear = found.setdefault(("clear",), set())
    states = guard.check_staged(staged, known_clear=known_clear)
    now = timezone.now()
    # one transaction of its own, or a part of the caller's (no savepoint: whoever calls it inside a
    # transaction undoes it with theirs, as the exchange does for a refusal after the import)
    with transaction.atomic(savepoint=False):
        key = ("issuer", msg.sender.organ_id, msg.sender.name, origin_node)
        issuer = found[key] = found.get(key) or issuer_unit(msg.sender, home_node=origin_node)
        named = ("type", msg.type_name)
        kind = found[named] = found.get(named) or doc_type_named(msg.type_name)
        number = int(msg.code_number) if msg.code_number.isdigit() else None
        doc = Document.objects.create(
            issuing_unit=issuer,
            created_by=by,
            doc_type=kind,
            state="released",
            subject=clean_line(msg.subject or "(không có trích yếu)", field="Subject", max_length=500),
            signer_name=msg.signer_name[:50],
            signer_position=msg.signer_position[:100],
            signer_competence=msg.signer_competence[:100],
            urgency=PRIORITIES.get(msg.priority, Urgency.NORMAL),
            number=number,
            symbol=msg.symbol[:40],
            issued_date=msg.promulgation_date,
            place=msg.place[:150],
            reply_due=msg.due_date,
            page_count=msg.page_amount if (msg.page_amount or 0) > 0 else None,
            released_at=now,
            received=received_fields(msg, verified_by=verified_by, verdict=verdict),
        )
        stored = store_files(staged, rows_written=blob_rows)
        verdicts = [guard.FileVerdict(b.sha256, s) for (b, _n), s in zip(stored, states, strict=True)]
        guard.record_verdicts(verdicts, known_clear=known_clear)
        pdf_first = sorted(range(len(stored)), key=lambda i: stored[i][0].mime != filetypes.PDF)
        insert_rows(  # in a batch of the exchange, with the batch's other rows at its end
            [
                DocumentFile(
                    document=doc,
                    role=FileRole.MAIN if rank == 0 else FileRole.ATTACHMENT,
                    blob_id=stored[i][0].sha256,
                    name=stored[i][1],
                    position=rank,
                )
                for rank, i in enumerate(pdf_first)
            ]
        )
        receipt = do_receive_document(
            doc,
            issuer=issuer,
            now=now,
            how="edxml",
            actor=by,
            unit=unit,
            details={
                "from": msg.sender.organ_id,
                "symbol": msg.symbol,
                "files": len(stored),
                "node": origin_node,
                "message": msg.message_id,
            },
        )
        assert receipt is not None
        # the unit's clerks, as for a document released on this server
        tell_arrivals(doc, receipts=[(receipt.pk, receipt.unit_id)], clerks=found.get(("clerks",)))
    return receipt


# -- edXML files imported by hand or from a mailbox --------------------------------------------------

FILE_ORIGIN = "file"  # the origin of imported files, for "once" and for changes to what they brought
DOCUMENT_KINDS = ("document", "update", "replace")  # messages that bring a document into an inbox
CHANGE_NOTES = {"replace": "Được thay thế bởi", "update": "Đã được cập nhật, xem"}


def message_kind(msg: EdxmlMessage) -> str:
    if msg.kind == "status":
        return "status"
    return {1: "revoke", 2: "update", 3: "replace"}.get(msg.business_type, "document")


def supersede_receipts(
    earlier: list[str],
    *,
    unit: Unit,
    origin: tuple[str, str],
    receipt: Receipt,
    kind: str,
    symbol: str,
    by: str,
    when: dt.datetime,
) -> int:
    """An update or a replacement arrived as ``receipt``: the earlier versions (by edXML DocumentId)
    that the same origin (node, sender organ) delivered to the unit leave its inbox with a note naming
    the new one (a released document itself never changes). Returns how many left."""

    note = f"{CHANGE_NOTES.get(kind, CHANGE_NOTES['update'])} văn bản {symbol} (số đến mới #{receipt.pk})"
    count = 0
    for old in InMessage.objects.filter(
        kind__in=DOCUMENT_KINDS,
        result="accepted",
        document_id__in=earlier,
        recipient_organ=unit.code,
        from_node=origin[0],
        sender_organ=origin[1],
    ).select_related("receipt"):
        if (
            old.receipt is not None
            and old.receipt.pk != receipt.pk
            and old.receipt.state != DeliveryState.REVOKED
        ):
            revoke_receipt(old.receipt, note, by, when)
            count += 1
    return count


@dataclass(frozen=True)
class FileImport:
    kind: str  # document | update | replace | revoke
    receipt: Receipt | None  # the new receipt, or the one revoked
    repeated: bool  # the same message was imported before: nothing new
    changed: int  # earlier receipts replaced, updated or revoked


def _file_key(msg: EdxmlMessage) -> uuid.UUID:
    """One message, one key: congvan's message id, else the document, its sender and its business
    type (a gateway's file imported twice is the same message)."""
    try:
        return uuid.UUID(msg.message_id)
    except ValueError:
        pass
    what = msg.document_id or f"{msg.symbol}|{msg.promulgation_date}"
    return uuid.uuid5(uuid.NAMESPACE_URL, f"edxml:{what}|{msg.sender.organ_id}|{msg.business_type}")


def do_import_file_message(
    unit: Unit, msg: EdxmlMessage, *, by: User, xml: bytes | None = None
) -> FileImport:
    """Import an edXML document message from a file (``edxml import``, a mailbox): once per message;
    a revocation, update or replacement is applied to what the same sender delivered before, never a
    new inbox item for a revocation. The unit must be among the message's recipients. ``xml``: the
    file as it came, whose XML-DSig is checked (a signature that verifies with nothing is refused;
    the verdict is kept on the document)."""

    if msg.kind != "document":
        raise MalformedMessage(_("Không phải thông điệp văn bản"))
    to = [r.organ_id for r in msg.recipients if r.organ_id]
    if to and unit.code not in to:
        raise InvalidInput(
            _("Đơn vị %(unit)s không phải nơi nhận của thông điệp (gửi tới: %(to)s)")
            % {"unit": unit.code, "to": ", ".join(to)},
            code="not_a_recipient",
        )
    key, kind = _file_key(msg), message_kind(msg)
    first = InMessage.objects.filter(message_id=key).select_related("receipt").first()
    if first is not None:
        return FileImport(first.kind, first.receipt, True, 0)
    verdict = file_verdict(xml) if xml is not None else None
    now, origin = timezone.now(), (FILE_ORIGIN, msg.sender.organ_id[:32])
    with transaction.atomic():
        receipt, changed = None, 0
        if kind == "revoke":
            target = msg.business_document_id or msg.document_id
            original = (
                InMessage.objects.filter(
                    kind__in=DOCUMENT_KINDS,
                    result="accepted",
                    document_id=target,
                    recipient_organ=unit.code,
                    from_node=origin[0],
                    sender_organ=origin[1],
                )
                .select_related("receipt")
                .first()
            )
            if original is not None and original.receipt is not None:
                receipt = original.receipt
                if receipt.state != DeliveryState.REVOKED:
                    revoke_receipt(receipt, msg.business_reason or "Thu hồi văn bản", by.username, now)
                    changed = 1
        else:
            receipt = do_import_document(unit, msg, by=by, verdict=verdict)
            if kind in ("update", "replace"):
                earlier = msg.replaces if kind == "replace" else [msg.business_document_id or msg.document_id]
                changed = supersede_receipts(
                    earlier,
                    unit=unit,
                    origin=origin,
                    receipt=receipt,
                    kind=kind,
                    symbol=msg.symbol,
                    by=by.username,
                    when=now,
                )
        InMessage.objects.create(
            message_id=key,
            from_node=FILE_ORIGIN,
            kind=kind,
            document_id=(msg.document_id or "")[:300],
            sender_organ=origin[1],
            recipient_organ=unit.code,
            received_at=now,
            result="accepted",
            reason=(msg.business_reason or "")[:500],
            receipt=receipt if kind != "revoke" else None,
            answer=b"",
        )
    return FileImport(kind, receipt, False, changed)


def apply_issuer_status(msg: EdxmlMessage, what: str, *, origin: str, at: dt.datetime) -> bool:
    """A status from the issuer of a document this server received (``statuscodes.FROM_ISSUER``):
    a recall request recalls the receipt, as a revocation message does (and 15 goes back to the
    issuer); an update request is recorded. Only the origin that brought the document may ask."""
    from congvan.exchange import statuscodes

    original = (
        InMessage.objects.filter(
            kind__in=DOCUMENT_KINDS,
            result="accepted",
            document_id=msg.response_for,
            from_node=origin,
            sender_organ=msg.sender.organ_id,
            receipt__isnull=False,
        )
        .select_related("receipt", "receipt__unit")
        .first()
    )
    if original is None or original.receipt is None:
        return False
    receipt = original.receipt
    reason = msg.status_description or _("Nơi gửi yêu cầu lấy lại văn bản")
    if what == statuscodes.RECALL_REQUESTED:
        if receipt.state != DeliveryState.REVOKED:
            revoke_receipt(receipt, reason, msg.sender.organ_id, at)
        return True
    record(
        "receipt.update_requested",
        actor=None,
        unit=receipt.unit.code,
        target_type="receipt",
        target_id=receipt.pk,
        details={"by": msg.sender.organ_id[:32], "note": reason[:300]},
    )
    return True


def peer_certificates() -> list[tuple[str, str]]:
    """The configured peers' certificates, which a file's XML-DSig is checked against."""
    return list(Peer.objects.filter(active=True).exclude(certificate="").values_list("code", "certificate"))


def file_verdict(xml: bytes) -> nodesig.Verdict:
    """The XML-DSig verdict of a message that came as a file (kept on the document it brings)."""
    return nodesig.verdict(xml, peer_certificates())


def status_key(msg: EdxmlMessage) -> uuid.UUID:
    """One status, one key: a real peer's status has no congvan message id, so its content names it."""
    what = f"{msg.response_for}|{msg.sender.organ_id}|{msg.status_code}|{msg.status_time}"
    return uuid.uuid5(uuid.NAMESPACE_URL, f"edxml-status:{what}|{msg.status_description[:200]}")


@dataclass(frozen=True)
class StatusImport:
    applied: bool  # a delivery of a document this server sent took it
    repeated: bool  # imported before: nothing new
    meaning: str  # what the code means here (statuscodes)
    verdict: nodesig.Verdict


def do_import_file_status(
    msg: EdxmlMessage, xml: bytes, *, by: User, trust_unsigned: bool = False
) -> StatusImport:
    """Apply a status message that came as a file (a hub gateway's output) to the delivery it
    answers, once. Signed: a configured peer's certificate must verify it. Unsigned: applied only when
    the transport is trusted (``trust_unsigned`` or ``CONGVAN_EDXML_TRUST_UNSIGNED_STATUS``)."""
    from django.conf import settings

    from congvan.exchange import statuscodes
    from congvan.exchange.outbox import apply_status

    if msg.kind != "status":
        raise MalformedMessage(_("Không phải thông điệp trạng thái"))
    verdict = file_verdict(xml)
    if verdict.state == "invalid":
        raise nodesig.BadSignature(
            _("Chữ ký của thông điệp không hợp lệ: %(why)s") % {"why": verdict.warning}
        )
    if verdict.state == "untrusted":
        raise nodesig.BadSignature(
            _("Trạng thái ký bởi %(signer)s, không phải máy chủ đã cấu hình: không áp dụng")
            % {"signer": verdict.signer or "?"}
        )
    if verdict.state != "valid" and not (trust_unsigned or settings.EDXML_TRUST_UNSIGNED_STATUS):
        raise InvalidInput(
            _(
                "Trạng thái không có chữ ký kiểm tra được: chỉ áp dụng khi đường truyền được tin cậy "
                "(--trust-unsigned hoặc CONGVAN_EDXML_TRUST_UNSIGNED_STATUS)"
            ),
            code="unsigned_status",
        )
    key = status_key(msg)
    what = statuscodes.meaning(msg.status_code)
    if InMessage.objects.filter(message_id=key).exists():
        return StatusImport(False, True, what, verdict)
    now = timezone.now()
    with transaction.atomic():
        if what in statuscodes.FROM_ISSUER:
            applied = apply_issuer_status(msg, what, origin=FILE_ORIGIN, at=now)
        else:
            applied = apply_status(msg, now, from_node=None)
        InMessage.objects.create(
            message_id=key,
            from_node=FILE_ORIGIN,
            kind="status",
            document_id=msg.response_for[:300],
            sender_organ=msg.sender.organ_id[:32],
            recipient_organ=(msg.recipients[0].organ_id if msg.recipients else "")[:32],
            received_at=now,
            result="accepted" if applied else "refused",
            reason=msg.status_description[:500],
            answer=b"",
        )
        record(
            "exchange.status_imported",
            actor=by,
            target_type="message",
            target_id=str(key),
            details={
                "code": msg.status_code,
                "document": msg.response_for[:300],
                "from": msg.sender.organ_id[:32],
                "applied": applied,
                "signature": verdict.state,
            },
        )
    return StatusImport(applied, False, what, verdict)
