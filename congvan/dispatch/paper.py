"""Register a document that arrived on paper (or by any other way than the exchange): from its intake."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from congvan.audit.actions import record
from congvan.capture.actions import access_intake
from congvan.capture.errors import IntakeRefused
from congvan.capture.models import Intake, IntakeState
from congvan.dispatch.actions import Registered, count_receipts, do_register_receipt
from congvan.dispatch.models import DeliveryState, Receipt
from congvan.documents.metadata import clean_metadata
from congvan.documents.models import Document, DocumentFile, FileRole
from congvan.lib.text import clean_line
from congvan.orgs.access import Acting
from congvan.orgs.models import Role, Unit, UnitKind


def external_issuer(name: str) -> Unit:
    """The issuing body of a paper document: a known unit of that name, or an inactive directory entry."""
    name = clean_line(name, field="issuer", max_length=200, required=True)
    found = Unit.objects.filter(name__iexact=name).first()
    if found is not None:
        return found
    code = "EXT-" + hashlib.sha256(name.lower().encode()).hexdigest()[:12].upper()
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
        issuer = external_issuer(str(s.get("issuer") or "Không rõ nơi gửi"))
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
        receipt = Receipt.objects.create(
            unit=acting.unit,
            document=doc,
            issuer=issuer,
            urgency=meta.get("urgency", "normal"),
            arrived_at=now,
        )
        count_receipts(acting.unit.pk, DeliveryState.ARRIVED, +1)
        Intake.objects.filter(pk=intake.pk).update(document=doc)
        record(
            "receipt.arrived_on_paper",
            actor=acting.user,
            unit=acting.unit.code,
            target_type="receipt",
            target_id=receipt.pk,
            details={"intake": intake.pk, "issuer": issuer.name},
        )
        return do_register_receipt(acting, receipt.pk)


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
