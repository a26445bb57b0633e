"""Every state change of the exchange app that a person or a command asks for: peers, an operator's
resend, a document message put into a unit's inbox. (The outbox sender and the inbound endpoint
record their own progress, each step in one transaction with its audit event.)"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.dispatch.actions import do_receive_document
from congvan.dispatch.models import Receipt
from congvan.documents import guard
from congvan.documents.files import store_files
from congvan.documents.models import Document, DocumentFile, FileRole, Urgency
from congvan.documents.uploads import BlobUpload
from congvan.exchange import nodesig
from congvan.exchange.convert import PRIORITIES, doc_type_named, issuer_unit, stage_attachments
from congvan.exchange.edxml import EdxmlMessage, MalformedMessage
from congvan.exchange.models import OutMessage, OutState, Peer
from congvan.lib import filetypes
from congvan.lib.errors import InvalidInput, NotFound
from congvan.lib.text import clean_line
from congvan.orgs.models import Unit, User


def do_add_peer(code: str, *, url: str = "", certificate: str = "", via: str = "", name: str = "") -> Peer:
    """Add or change a peer: reached at ``url`` (its certificate is required) or through ``via``."""
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
            },
        )
        record(
            "exchange.peer_set",
            actor=None,
            target_type="peer",
            target_id=code,
            details={"url": url, "via": via},
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


def do_import_document(
    unit: Unit,
    msg: EdxmlMessage,
    *,
    by: User,
    staged: list[tuple[BlobUpload, str, str]] | None = None,
    origin_node: str = "",
) -> Receipt:
    """Put a new-document message into the unit's inbox (arrived), with its files.

    ``staged`` are files received beside the message (exchange); otherwise the message's own
    attachments are unpacked. ``origin_node`` is where an unknown issuer lives (for replies).
    """
    if msg.kind != "document":
        raise MalformedMessage(_("Không phải thông điệp văn bản"))
    if staged is None:
        staged = stage_attachments(msg)
    # The classification guard, as at every entry: the fields, the subject, each file's page 1.
    guard.check_fields(subject=msg.subject or "", confidentiality=msg.confidentiality or "none")
    states = guard.check_files([(upload.temp, mime, name) for upload, name, mime in staged])
    now = timezone.now()
    with transaction.atomic():
        issuer = issuer_unit(msg.sender, home_node=origin_node)
        number = int(msg.code_number) if msg.code_number.isdigit() else None
        doc = Document.objects.create(
            issuing_unit=issuer,
            created_by=by,
            doc_type=doc_type_named(msg.type_name),
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
        )
        stored = store_files(staged)
        guard.record_verdicts(
            guard.FileVerdict(blob.sha256, state) for (blob, _name), state in zip(stored, states, strict=True)
        )
        pdf_first = sorted(range(len(stored)), key=lambda i: stored[i][0].mime != filetypes.PDF)
        DocumentFile.objects.bulk_create(
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
    return receipt
