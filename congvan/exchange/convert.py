"""Between edXML messages and congvan's documents: import into a unit's inbox, export a document."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone

from congvan.audit.actions import record
from congvan.dispatch.actions import count_receipts
from congvan.dispatch.models import DeliveryState, Receipt
from congvan.documents import blobstore
from congvan.documents.files import store_files
from congvan.documents.models import Blob, Document, DocumentFile, DocumentType, FileRole, Urgency
from congvan.documents.queries import files_of
from congvan.documents.uploads import stage_bytes
from congvan.exchange.edxml import Attachment, EdxmlMessage, MalformedMessage, Organ, unzip_if_packed
from congvan.lib import filetypes
from congvan.lib.text import clean_file_name, clean_line
from congvan.orgs.models import Unit, UnitKind, User

PRIORITIES = {0: Urgency.NORMAL, 1: Urgency.URGENT, 2: Urgency.VERY_URGENT, 3: Urgency.FLASH}


def issuer_unit(organ: Organ) -> Unit:
    """The sending organ: a known unit by its code, or an inactive directory entry."""
    code = clean_line(organ.organ_id or "KHONG-RO", field="OrganId", max_length=32)
    unit = Unit.objects.filter(code=code).first()
    if unit is not None:
        return unit
    name = clean_line(organ.name or code, field="OrganName", max_length=200) or code
    unit, _ = Unit.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "abbreviation": "NGOAI",
            "kind": UnitKind.AGENCY,
            "path": f"/{code}/",
            "active": False,
        },
    )
    return unit


def _doc_type(name: str) -> DocumentType:
    found = DocumentType.objects.filter(name__iexact=name.strip()).first() if name else None
    return found or DocumentType.objects.get(abbreviation="CV")


def _safe_name(name: str, index: int) -> str:
    try:
        return clean_file_name(name)
    except Exception:
        return f"tep-dinh-kem-{index}"


def do_import_document(unit: Unit, msg: EdxmlMessage, *, by: User) -> Receipt:
    """Put a new-document message into the unit's inbox (arrived), with its files unpacked."""
    if msg.kind != "document":
        raise MalformedMessage("Không phải thông điệp văn bản / not a document message")
    files: list[Attachment] = [f for a in msg.attachments for f in unzip_if_packed(a)]
    now = timezone.now()
    with transaction.atomic():
        issuer = issuer_unit(msg.sender)
        number = int(msg.code_number) if msg.code_number.isdigit() else None
        doc = Document.objects.create(
            issuing_unit=issuer,
            created_by=by,
            doc_type=_doc_type(msg.type_name),
            state="released",
            subject=clean_line(msg.subject or "(không có trích yếu)", field="Subject", max_length=500),
            signer_name=msg.signer_name[:50],
            signer_position=(msg.signer_competence + " " + msg.signer_position).strip()[:100],
            urgency=PRIORITIES.get(msg.priority, Urgency.NORMAL),
            number=number,
            symbol=msg.symbol[:40],
            issued_date=msg.promulgation_date,
            place=msg.place[:150],
            reply_due=msg.due_date,
            page_count=msg.page_amount if (msg.page_amount or 0) > 0 else None,
            released_at=now,
        )
        staged = []
        for i, f in enumerate(files):
            upload = stage_bytes(_safe_name(f.name, i), f.data)
            mime = filetypes.sniff(upload.head, upload.temp) or "application/octet-stream"
            staged.append((upload, upload.name or f"tep-{i}", mime))
        stored = store_files(staged)
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
        receipt = Receipt.objects.create(
            unit=unit, document=doc, issuer=issuer, urgency=doc.urgency, arrived_at=now
        )
        count_receipts(unit.pk, DeliveryState.ARRIVED, +1)
        record(
            "receipt.imported_edxml",
            actor=by,
            unit=unit.code,
            target_type="receipt",
            target_id=receipt.pk,
            details={"from": msg.sender.organ_id, "symbol": msg.symbol, "files": len(stored)},
        )
    return receipt


def export_document(doc: Document) -> EdxmlMessage:
    """The edXML message of a released document (attachments as files, not zipped)."""
    number, notation = "", doc.symbol
    m = re.match(r"^(\d+)[-/](.+)$", doc.symbol)
    if m:
        number, notation = m.groups()
    recipients = [
        Organ(u.code, u.name) for u in Unit.objects.filter(code__in=doc.planned_recipients).order_by("code")
    ]
    attachments = []
    for f in files_of(doc):
        blob: Blob = f.blob
        with blobstore.open_blob(blob.sha256) as fh:
            attachments.append(Attachment(name=f.name, content_type=blob.mime, data=fh.read()))
    date = doc.issued_date
    return EdxmlMessage(
        kind="document",
        sender=Organ(doc.issuing_unit.code, doc.issuing_unit.name),
        recipients=recipients,
        document_id=f"{doc.issuing_unit.code},{date:%Y/%m/%d},{doc.symbol}" if date else doc.symbol,
        code_number=number,
        code_notation=notation,
        place=doc.place,
        promulgation_date=date,
        type_name=doc.doc_type.name,
        subject=doc.subject,
        signer_position=doc.signer_position,
        signer_name=doc.signer_name,
        due_date=doc.reply_due,
        priority={v: k for k, v in PRIORITIES.items()}.get(Urgency(doc.urgency), 0),
        page_amount=doc.page_count,
        business_type=0,
        business_reason="Văn bản điện tử mới",
        attachments=attachments,
    )
