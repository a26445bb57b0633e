"""Read-only selectors over documents."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from congvan.documents.models import Document, DocumentFile, DocumentType
from congvan.lib.cursor import keyset_page


def files_of(document: Document) -> QuerySet[DocumentFile]:
    return document.files.select_related("blob").order_by("position", "id")


def document_types(rule_set: str = "", *, keep: str = "") -> QuerySet[DocumentType]:
    """The types, or those a rule set uses ("party", "state"), with ``keep`` (a draft's own type)."""
    qs = DocumentType.objects.order_by("name")
    if rule_set:
        qs = qs.filter(Q(rule_sets__contains=rule_set) | Q(abbreviation=keep))
    return qs


# The outbox's sortable columns: creation (the default, newest first), number and symbol, subject.
OUTBOX_SORTS = {"created": "created_at", "symbol": "symbol", "subject": "subject"}


def outbox(
    qs: QuerySet[Document],
    *,
    state: str = "",
    cursor: str | None = None,
    limit: int = 50,
    oldest_first: bool = False,
    sort: str = "created",
) -> tuple[list[Document], str | None]:
    """Return one page of documents, newest first (or ascending, or by another column of
    ``OUTBOX_SORTS``), and the cursor to the next page."""
    if state:
        qs = qs.filter(state=state)
    key = OUTBOX_SORTS.get(sort, "created_at")
    return keyset_page(
        qs.select_related("doc_type"), key, descending=not oldest_first, cursor=cursor, limit=limit
    )
