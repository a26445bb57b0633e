"""Read-only selectors over documents."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from congvan.documents.models import Document, DocumentFile, DocumentType
from congvan.lib.cursor import decode_cursor, encode_cursor


def files_of(document: Document) -> QuerySet[DocumentFile]:
    return document.files.select_related("blob").order_by("position", "id")


def document_types(rule_set: str = "", *, keep: str = "") -> QuerySet[DocumentType]:
    """The types, or those a rule set uses ("party", "state"), with ``keep`` (a draft's own type)."""
    qs = DocumentType.objects.order_by("name")
    if rule_set:
        qs = qs.filter(Q(rule_sets__contains=rule_set) | Q(abbreviation=keep))
    return qs


def outbox(
    qs: QuerySet[Document],
    *,
    state: str = "",
    cursor: str | None = None,
    limit: int = 50,
    oldest_first: bool = False,
) -> tuple[list[Document], str | None]:
    """Return one page of documents, newest first (or oldest), and the cursor to the next page."""
    if state:
        qs = qs.filter(state=state)
    if cursor:
        at, pk = decode_cursor(cursor)
        if oldest_first:
            qs = qs.filter(Q(created_at__gt=at) | Q(created_at=at, pk__gt=pk))
        else:
            qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    order = ("created_at", "pk") if oldest_first else ("-created_at", "-pk")
    rows = list(qs.select_related("doc_type").order_by(*order)[: limit + 1])
    nxt = encode_cursor(rows[limit - 1].created_at, rows[limit - 1].pk) if len(rows) > limit else None
    return rows[:limit], nxt
