"""Who may release, recall, register and return documents, and when: one place for the actions (which
refuse with the reason) and the pages (which offer only what is allowed)."""

from __future__ import annotations

from congvan.dispatch.models import DeliveryState, Dispatch, Receipt
from congvan.documents.models import DocState, Document
from congvan.orgs.access import Acting
from congvan.orgs.models import Role

# The clerk (văn thư) numbers, releases and recalls the unit's documents and keeps its incoming register.
CLERKS = (Role.CLERK,)
RETURNABLE = (DeliveryState.ARRIVED, DeliveryState.REGISTERED)


def _issued_here(acting: Acting, doc: Document) -> bool:
    return doc.issuing_unit_id == acting.unit.pk


def may_release(acting: Acting, doc: Document) -> bool:
    return _issued_here(acting, doc) and doc.state == DocState.APPROVED and acting.role in CLERKS


def may_revoke(acting: Acting, doc: Document) -> bool:
    dispatch: Dispatch | None = getattr(doc, "dispatch", None)
    return (
        _issued_here(acting, doc)
        and doc.state == DocState.RELEASED
        and acting.role in CLERKS
        and dispatch is not None
        and dispatch.revoked_at is None
    )


def may_register(acting: Acting, receipt: Receipt) -> bool:
    return (
        receipt.unit_id == acting.unit.pk and receipt.state == DeliveryState.ARRIVED and acting.role in CLERKS
    )


def may_return(acting: Acting, receipt: Receipt) -> bool:
    return receipt.unit_id == acting.unit.pk and receipt.state in RETURNABLE and acting.role in CLERKS
