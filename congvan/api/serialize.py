"""Turn domain objects into API shapes."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from congvan.dispatch.models import STATUS_CODES, Delivery, DeliveryState, Receipt
from congvan.documents.models import Document, DocumentFile
from congvan.orgs.models import Membership, Unit, User


def unit_out(u: Unit) -> dict[str, Any]:
    return {
        "code": u.code,
        "name": u.name,
        "abbreviation": u.abbreviation,
        "kind": u.kind,
        "sector": u.sector,
        "parent": u.parent.code if u.parent_id and u.parent else None,
    }


def file_out(f: DocumentFile) -> dict[str, Any]:
    return {
        "id": f.pk,
        "name": f.name,
        "role": f.role,
        "size": f.blob.size,
        "mime": f.blob.mime,
        "sha256": f.blob_id,
        "url": reverse("api:download_file", kwargs={"document_id": f.document_id, "file_id": f.pk}),
        "signature": signature_out(f),
    }


def signature_out(f: DocumentFile) -> dict[str, Any] | None:
    """The stored verdict on a PDF's signatures; None until the worker has checked it."""
    report = getattr(f.blob, "signature_report", None) if f.blob.mime == "application/pdf" else None
    if report is None:
        return None
    return {
        "verdict": report.verdict,
        "verdict_text": report.get_verdict_display(),
        "reasons": report.reasons,
        "signatures": report.signatures,
        "checked_at": report.checked_at,
    }


def delivery_out(d: Delivery) -> dict[str, Any]:
    return {
        "unit": d.unit.code,
        "unit_name": d.unit.name,
        "state": d.state,
        "status_code": STATUS_CODES[DeliveryState(d.state)],
        "changed_at": d.state_changed_at,
        "note": d.note,
        "transport": d.transport,  # local | queued | sent | acknowledged | failed (another server)
        "transport_note": d.transport_note,
    }


def document_out(doc: Document, files: list[DocumentFile], deliveries: list[Delivery]) -> dict[str, Any]:
    return {
        "id": doc.pk,
        "state": doc.state,
        "type": doc.doc_type.abbreviation,
        "type_name": doc.doc_type.name,
        "subject": doc.subject,
        "issuer": {"code": doc.issuing_unit.code, "name": doc.issuing_unit.name},
        "number": doc.number,
        "symbol": doc.symbol,
        "issued_date": doc.issued_date,
        "place": doc.place,
        "signer_name": doc.signer_name,
        "signer_position": doc.signer_position,
        "signer_competence": doc.signer_competence,
        "urgency": doc.urgency,
        "confidentiality": doc.confidentiality,
        "reply_due": doc.reply_due,
        "description": doc.description,
        "page_count": doc.page_count,
        "copies": doc.copies,
        "drafting_department": doc.drafting_department,
        "recipients": doc.planned_recipients,
        "groups": doc.planned_groups,
        "in_reply_to": doc.in_reply_to_id,
        "replaces": doc.replaces_id,
        "review_comment": doc.review_comment,
        "created_at": doc.created_at,
        "released_at": doc.released_at,
        "files": [file_out(f) for f in files],
        "deliveries": [delivery_out(d) for d in deliveries],
        "received": doc.received or None,
    }


def summary_out(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.pk,
        "state": doc.state,
        "type": doc.doc_type.abbreviation,
        "subject": doc.subject,
        "symbol": doc.symbol,
        "urgency": doc.urgency,
        "created_at": doc.created_at,
        "released_at": doc.released_at,
    }


def receipt_out(r: Receipt) -> dict[str, Any]:
    d = r.document
    return {
        "id": r.pk,
        "state": r.state,
        "arrived_at": r.arrived_at,
        "incoming_number": r.incoming_number,
        "arrival_date": r.arrival_date,
        "returned_reason": r.returned_reason,
        "addressed_to": r.addressed_to.code if r.addressed_to_id is not None and r.addressed_to else None,
        "document": {
            "id": d.pk,
            "symbol": d.symbol,
            "subject": d.subject,
            "type": d.doc_type.abbreviation,
            "issuer": r.issuer.code,
            "issuer_name": r.issuer.name,
            "issued_date": d.issued_date,
            "urgency": r.urgency,
        },
    }


def me_out(user: User) -> dict[str, Any]:
    """The person, and the memberships they may act as."""
    ms = Membership.objects.filter(user=user, active=True).select_related("unit")
    return {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "email_notices": user.email_notices,
        "memberships": [
            {"unit": m.unit.code, "unit_name": m.unit.name, "role": m.role, "title": m.title} for m in ms
        ],
    }
