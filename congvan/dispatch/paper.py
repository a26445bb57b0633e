"""Register a document that arrived on paper (or by any other way than the exchange): from its intake."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from congvan.capture.actions import access_intake
from congvan.capture.errors import IntakeRefused
from congvan.capture.models import Intake, IntakeState
from congvan.dispatch.actions import Registered, do_receive_document, do_register_receipt
from congvan.documents.metadata import clean_metadata
from congvan.documents.models import Document, DocumentFile, FileRole
from congvan.lib.text import clean_line
from congvan.orgs.access import Acting
from congvan.orgs.actions import do_record_external_unit
from congvan.orgs.models import Role, Unit


def external_issuer(name: str, acting: Acting) -> Unit:
    """The issuing body of a paper document: a directory entry of that name (for a unit of this server
    too: a paper arrival is the registering unit's incoming document, its issuer only a reference)."""
    name = clean_line(name, field="issuer", max_length=200, required=True)
    return do_record_external_unit(name=name, actor=acting)


def do_register_paper(acting: Acting, intake_id: object, overrides: dict[str, Any]) -> Registered:
    """Make an incoming document of a finished intake and give it its incoming number, in one go."""
    acting.require(Role.CLERK, what="vào sổ văn bản đến / register incoming documents")
    with transaction.atomic():
        intake: Intake = access_intake(acting, intake_id, for_write=True)
        if intake.state != IntakeState.DONE or intake.document_id is not None:
            raise IntakeRefused(
                "Tệp chưa xử lý xong hoặc đã dùng / the intake is not done or already used",
                code="wrong_state",
            )
        s = {**intake.suggested, **overrides}
        meta = clean_metadata(
            {
                "type": s.get("type") or "CV",
                "subject": s.get("subject") or intake.name,
                "signer_name": str(s.get("signer_name", ""))[:50],
                "signer_position": str(s.get("signer_position", ""))[:100],
                "urgency": s.get("urgency") or "normal",
            }
        )
        issuer = external_issuer(str(s.get("issuer") or "Không rõ nơi gửi"), acting)
        issued = _date(s.get("date"))
        now = timezone.now()
        doc = Document.objects.create(
            issuing_unit=issuer,
            created_by=acting.user,
            state="released",
            number=s.get("number") or None,
            symbol=str(s.get("symbol") or "")[:40],
            issued_date=issued,
            released_at=now,
            place=str(s.get("place") or "")[:150],
            **{k: v for k, v in meta.items() if k != "planned_recipients"},
        )
        DocumentFile.objects.create(
            document=doc, role=FileRole.MAIN, blob_id=intake.blob_id, name=intake.name
        )
        if intake.rendition_id:
            DocumentFile.objects.create(
                document=doc,
                role=FileRole.RENDITION,
                blob_id=intake.rendition_id,
                name=intake.name.rsplit(".", 1)[0] + " (OCR).pdf",
                position=1,
            )
        receipt = do_receive_document(
            doc,
            issuer=issuer,
            now=now,
            how="paper",
            actor=acting.user,
            unit=acting.unit,
            details={"intake": intake.pk, "issuer_name": issuer.name},
        )
        Intake.objects.filter(pk=intake.pk).update(document=doc)
        assert receipt is not None
        return do_register_receipt(acting, receipt.pk)


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
