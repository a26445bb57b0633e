"""Keep the index current: documents changed since their entry was written are (re)indexed.

``documents`` cannot call this app (it is to its left): the worker drains what changed, by comparing
each document's ``updated_at`` with its entry, and ``congvan reindex`` rebuilds everything, resumably.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from congvan.documents.models import Document
from congvan.lib.vntext import exact_form, folded_form, pairs, pairs_tsvector
from congvan.search.models import ReindexState, SearchEntry


def document_text(doc: Document) -> str:
    parts = [
        doc.symbol,
        doc.doc_type.name,
        doc.subject,
        doc.issuing_unit.name,
        doc.signer_position,
        doc.signer_name,
        doc.description,
        doc.place,
    ]
    return " \n".join(p for p in parts if p)


def index_documents(ids: Iterable[int]) -> int:
    """Write the entries (and the engine's structure) of these documents in one transaction."""
    docs = list(Document.objects.filter(pk__in=list(ids)).select_related("doc_type", "issuing_unit"))
    if not docs:
        return 0
    now = timezone.now()
    rows = [(d.pk, exact_form(document_text(d)), folded_form(document_text(d))) for d in docs]
    with transaction.atomic():
        SearchEntry.objects.filter(pk__in=[r[0] for r in rows]).delete()
        SearchEntry.objects.bulk_create(
            [SearchEntry(document_id=i, exact=e, folded=f, indexed_at=now) for i, e, f in rows]
        )
        with connection.cursor() as cur:
            if connection.vendor == "sqlite":
                cur.executemany("DELETE FROM search_fts WHERE rowid = %s", [(r[0],) for r in rows])
                cur.executemany(
                    "INSERT INTO search_fts (rowid, exact, folded, xpairs, fpairs) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    [(i, e, f, pairs(e), pairs(f)) for i, e, f in rows],
                )
            else:
                cur.execute(VECTOR_SQL, [[r[0] for r in rows], [pairs_tsvector(e, f) for _, e, f in rows]])
    return len(rows)


# The words of both forms (the parser's tokens), and apart their syllable pairs (a literal: see vntext).
VECTOR_SQL = (
    "UPDATE search_searchentry SET vector = setweight(to_tsvector('simple', exact), 'A') || "
    "setweight(to_tsvector('simple', folded), 'B'), pairs = x.p::tsvector "
    "FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS p) x WHERE document_id = x.id"
)


def index_pending(limit: int = 500) -> int:
    """Index documents that are new or changed since they were indexed."""
    ids = list(
        Document.objects.filter(
            Q(search_entry__isnull=True) | Q(updated_at__gt=F("search_entry__indexed_at"))
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return index_documents(ids)


def reindex(batch: int = 1000, *, restart: bool = False, progress: object = None) -> int:
    """Rebuild every entry in id order; resumes after the last finished batch unless ``restart``."""
    state, _ = ReindexState.objects.get_or_create(id=1)
    if restart:
        state.last_id = 0
        state.save(update_fields=["last_id"])
    total = Document.objects.filter(pk__gt=state.last_id).count()
    done = 0
    while True:
        ids = list(
            Document.objects.filter(pk__gt=state.last_id).order_by("pk").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            break
        index_documents(ids)
        state.last_id = ids[-1]
        state.save(update_fields=["last_id"])
        done += len(ids)
        if callable(progress):
            progress(done, total)
    state.last_id = 0  # finished: the next run starts from the beginning
    state.save(update_fields=["last_id"])
    return done
