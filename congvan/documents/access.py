"""Fetch documents as their issuing unit sees them."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from congvan.documents.errors import DocumentNotFound
from congvan.documents.models import DocState, Document
from congvan.lib.access import fetch_visible
from congvan.orgs.access import UNIT_WIDE, Acting


def issuer_visible(acting: Acting) -> Q:
    """Return the filter of the documents the acting membership sees as their issuer."""
    mine = Q(issuing_unit_id=acting.unit.pk)
    if acting.role in UNIT_WIDE:
        return mine
    # A specialist sees their own drafts and everything their unit has released or has in review.
    return mine & (Q(created_by_id=acting.user.pk) | Q(state=DocState.RELEASED))


def issued_documents(acting: Acting) -> QuerySet[Document]:
    return Document.objects.filter(issuer_visible(acting))


def access_issued_document(acting: Acting, document_id: int, *, for_write: bool = False) -> Document:
    """Return a document of the acting unit, locked when it is to be changed; hide all others."""
    qs = issued_documents(acting).select_related("doc_type", "issuing_unit", "created_by")
    return fetch_visible(qs, document_id, DocumentNotFound(_("Không tìm thấy văn bản")), for_write=for_write)
