"""Receipts as the receiving unit keeps them (its register: clerks and leaders), and the documents
a unit issued or received. What a person sees through work assigned to them is added by
``workflow.access``, whose ``access_receipt`` is the one for reading a receipt."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from congvan.dispatch.errors import ReceiptNotFound
from congvan.dispatch.models import Delivery, Receipt
from congvan.documents.access import issuer_visible
from congvan.documents.models import DocState, Document
from congvan.lib.access import fetch_visible
from congvan.orgs.access import UNIT_WIDE, Acting, lineage_ids


def unit_receipts(acting: Acting) -> QuerySet[Receipt]:
    """Return the receipts of the acting unit that the role may see (specialists: none before assignment)."""
    if acting.role not in UNIT_WIDE:
        return Receipt.objects.none()
    return Receipt.objects.filter(unit_id=acting.unit.pk)


def access_unit_receipt(acting: Acting, receipt_id: int, *, for_write: bool = False) -> Receipt:
    """Return a receipt of the acting unit, locked when it is to be changed; hide all others."""
    qs = unit_receipts(acting).select_related("document", "issuer", "unit", "delivery")
    return fetch_visible(
        qs,
        receipt_id,
        ReceiptNotFound(_("Không tìm thấy văn bản đến")),
        for_write=for_write,
    )


def visible_deliveries(acting: Acting, document: Document) -> list[Delivery]:
    """The deliveries of a document the person may see: all of them for the issuing unit (its
    tracking), a recipient's own only (another recipient's notes are that unit's business)."""
    qs = Delivery.objects.filter(dispatch__document=document).select_related("unit").order_by("unit__code")
    if document.issuing_unit_id != acting.unit.pk:
        qs = qs.filter(unit_id=acting.unit.pk)
    return list(qs)


def visible_documents(acting: Acting) -> QuerySet[Document]:
    """Return the documents the acting membership may read: issued by its unit, or received by it, and
    (unit-wide roles) the history of the units merged into it: what they released or received."""
    received = unit_receipts(acting).filter(document_id=OuterRef("pk"))
    q: Q = issuer_visible(acting) | Q(Exists(received))
    history = lineage_ids(acting.unit)[1:] if acting.role in UNIT_WIDE else []
    if history:
        theirs = Receipt.objects.filter(unit_id__in=history, document_id=OuterRef("pk"))
        q |= Q(issuing_unit_id__in=history, state=DocState.RELEASED) | Q(Exists(theirs))
    return Document.objects.filter(q)
