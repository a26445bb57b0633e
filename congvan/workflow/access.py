"""What a person sees of incoming work: their unit's receipts, and what is assigned to them."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from congvan.dispatch import access as dispatch_access
from congvan.dispatch.errors import ReceiptNotFound
from congvan.dispatch.models import Receipt
from congvan.documents.errors import DocumentNotFound
from congvan.documents.models import Document
from congvan.lib.access import fetch_visible, parse_id
from congvan.orgs.access import UNIT_WIDE, Acting
from congvan.orgs.models import Role
from congvan.workflow.errors import AssignmentNotFound, DossierNotFound
from congvan.workflow.models import Assignment, Dossier, NoteFile


def mine(acting: Acting) -> Q:
    """Assignments to the person, or to the acting unit when its leader acts (to re-assign them)."""
    q = Q(assignee_user_id=acting.user.pk)
    if acting.role == Role.LEADER:
        q |= Q(assignee_unit_id=acting.unit.pk)
    return q


def visible_assignments(acting: Acting) -> QuerySet[Assignment]:
    """Return the assignments the acting membership may see: its own, and all of its unit's if unit-wide."""
    q = mine(acting)
    if acting.role in UNIT_WIDE:
        q |= Q(owner_unit_id=acting.unit.pk)
    return Assignment.objects.filter(q)


def visible_receipts(acting: Acting) -> QuerySet[Receipt]:
    """Return the unit's receipts (unit-wide roles) and those with work assigned to this person or unit."""
    assigned = Assignment.objects.filter(mine(acting), receipt_id=OuterRef("pk"))
    unit_wide = Q(unit_id=acting.unit.pk) if acting.role in UNIT_WIDE else Q(pk__in=[])
    return Receipt.objects.filter(unit_wide | Exists(assigned))


def access_receipt(acting: Acting, receipt_id: int, *, for_write: bool = False) -> Receipt:
    qs = visible_receipts(acting).select_related("document", "issuer", "unit", "delivery")
    return fetch_visible(
        qs,
        receipt_id,
        ReceiptNotFound(_("Không tìm thấy văn bản đến")),
        for_write=for_write,
    )


def access_assignment(acting: Acting, assignment_id: int, *, for_write: bool = False) -> Assignment:
    qs = visible_assignments(acting).select_related("receipt", "receipt__document", "owner_unit", "parent")
    return fetch_visible(
        qs,
        assignment_id,
        AssignmentNotFound(_("Không tìm thấy việc được giao")),
        for_write=for_write,
    )


def access_note_file(acting: Acting, assignment_id: int, file_id: object) -> NoteFile:
    """A file of a progress note, for whoever may see the task (a hidden task's files stay hidden)."""
    a = access_assignment(acting, assignment_id)
    pk = parse_id(file_id)
    f = NoteFile.objects.select_related("blob").filter(pk=pk or 0, note__assignment=a).first()
    if f is None:
        raise AssignmentNotFound(_("Không tìm thấy tệp"))
    return f


def visible_documents(acting: Acting) -> QuerySet[Document]:
    """Documents issued by or received by the unit, and those of receipts assigned to this person."""
    via_work = visible_receipts(acting).filter(document_id=OuterRef("pk"))
    return dispatch_access.visible_documents(acting) | Document.objects.filter(Exists(via_work))


def access_document(acting: Acting, document_id: int) -> Document:
    """Return a document the person may read (issued, received, or assigned to them); hide all others."""
    qs = visible_documents(acting).select_related("doc_type", "issuing_unit", "created_by")
    return fetch_visible(qs, document_id, DocumentNotFound(_("Không tìm thấy văn bản")))


def unit_dossiers(acting: Acting) -> QuerySet[Dossier]:
    return Dossier.objects.filter(unit_id=acting.unit.pk)


def access_dossier(acting: Acting, dossier_id: int, *, for_write: bool = False) -> Dossier:
    return fetch_visible(
        unit_dossiers(acting),
        dossier_id,
        DossierNotFound(_("Không tìm thấy hồ sơ")),
        for_write=for_write,
    )
