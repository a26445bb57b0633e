"""Keep the index current: documents changed since their entry was written are (re)indexed.

``documents`` cannot call this app (it is to its left): the worker drains what changed, by comparing
each document's ``updated_at`` with its entry, and ``congvan reindex`` rebuilds everything, resumably.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from congvan.capture.actions import do_extract_texts
from congvan.capture.models import FileText
from congvan.documents.models import Document, DocumentFile
from congvan.lib.sql import DriverCursor, ids_in
from congvan.lib.vntext import exact_form, folded_form, pairs, pairs_tsvector
from congvan.search.models import ReindexState, SearchEntry

log = logging.getLogger(__name__)


BODY_MAX = 300_000  # characters of a document's files' text that are indexed


def document_text(doc: Document, body: str = "") -> str:
    """The metadata a person may search by, then the text written inside the document's files."""
    parts = [
        doc.symbol,
        doc.doc_type.name,
        doc.subject,
        doc.issuing_unit.name,
        doc.signer_position,
        doc.signer_name,
        doc.description,
        doc.place,
        body,
    ]
    return " \n".join(p for p in parts if p)


def _cut(cur: DriverCursor, column: str, n: int) -> str:
    """A text column's first ``n`` characters. A text no longer in bytes than the limit is within it in
    characters: it is read as it is. The cut only where it may be needed: SQLite's substr (and length)
    count a text's characters and copy it, which cost three times the reading of 20 texts of 2 KB; a
    blob's length is its stored size."""
    size = f"octet_length({column})" if cur.db.vendor == "postgresql" else f"length(CAST({column} AS BLOB))"
    return f"CASE WHEN {size} <= {int(n)} THEN {column} ELSE substr({column}, 1, {int(n)}) END"


def _file_texts(cur: DriverCursor, ids: list[int], columns: str) -> list[Any]:
    where, params = ids_in(cur.db, "f.document_id", ids)
    cur.execute(
        f"SELECT f.document_id, {columns} FROM {DocumentFile._meta.db_table} f"  # noqa: S608
        f" JOIN {FileText._meta.db_table} t ON t.blob_id = f.blob_id WHERE {where}"
        " ORDER BY f.document_id, f.position, f.id",
        params,
    )
    return cur.fetchall()


def bodies(cur: DriverCursor, ids: list[int], *, limit: int = BODY_MAX) -> dict[int, str]:
    """The text of each document's files (main, attachments, renditions) as ``capture`` read it (one
    line of words), its first ``limit`` characters, in one plain statement (what the indexer reads;
    snippets read ``folded_bodies`` or, for one word, only the part around it)."""
    out: dict[int, list[str]] = {}
    for doc_id, text in _file_texts(cur, ids, _cut(cur, "t.text", limit)):
        if text:
            out.setdefault(int(doc_id), []).append(text)
    return {k: " ".join(v)[:limit] for k, v in out.items()}


def folded_bodies(cur: DriverCursor, ids: list[int], *, limit: int = BODY_MAX) -> dict[int, tuple[str, str]]:
    """``bodies`` with, beside each text, its folded form character for character (``FileText.folded``)
    with a space at each end: a word's place found in it, less one, is its place in the text."""
    out: dict[int, tuple[list[str], list[str]]] = {}
    rows = _file_texts(cur, ids, f"{_cut(cur, 't.text', limit)}, {_cut(cur, 't.folded', limit + 1)}")
    for doc_id, text, folded in rows:
        if text and len(folded) > len(text):  # a text read before its folded form was kept has none
            texts, forms = out.setdefault(int(doc_id), ([], []))
            texts.append(text)
            forms.append(folded[1 : len(text) + 1])
    return {k: (" ".join(t)[:limit], " " + " ".join(f)[:limit] + " ") for k, (t, f) in out.items()}


def index_documents(ids: Iterable[int]) -> int:
    """Write the entries (and the engine's structure) of these documents in one transaction."""
    docs = list(Document.objects.filter(pk__in=list(ids)).select_related("doc_type", "issuing_unit"))
    if not docs:
        return 0
    # Files with a text layer (or office text) are read now; scans wait for the OCR pass, then come back.
    do_extract_texts(
        list(DocumentFile.objects.filter(document__in=docs).values_list("blob_id", flat=True).distinct())
    )
    with DriverCursor(connection) as cur:
        body = bodies(cur, [d.pk for d in docs])
    now = timezone.now()
    texts = [(d.pk, document_text(d, body.get(d.pk, ""))) for d in docs]
    rows = [(i, exact_form(t), folded_form(t)) for i, t in texts]
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


# A document whose entry is missing, or older than the document or than its files' text. A change is
# stamped when it is saved, not when it commits: an entry written up to COMMIT_LAG after the change may
# have read the row before that commit, so it counts as stale until an entry written later.
COMMIT_LAG = dt.timedelta(seconds=5)


def stale(margin: dt.timedelta = dt.timedelta(0)) -> Q:
    return (
        Q(search_entry__isnull=True)
        | Q(updated_at__gt=F("search_entry__indexed_at") - margin)
        | Q(files__blob__text__extracted_at__gt=F("search_entry__indexed_at") - margin)
    )


def index_pending(limit: int = 500) -> int:
    """Index documents that are new or changed since they were indexed, or whose files' text was read
    since (a scan after its OCR)."""
    ids = list(
        Document.objects.filter(stale()).order_by("pk").values_list("pk", flat=True).distinct()[:limit]
    )
    return index_documents(ids)


def index_recent(since: dt.datetime, batch: int = 500) -> int:
    """Index what changed since a moment (the follower's step, every second): documents saved since, and
    documents whose files' text was read since; both found through indexed columns, at any size. Every
    one of them, in batches (a bulk import is not cut at a limit)."""
    ids = set(Document.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
    ids |= set(
        DocumentFile.objects.filter(blob__text__extracted_at__gte=since).values_list("document_id", flat=True)
    )
    ordered = sorted(ids)
    done = 0
    for i in range(0, len(ordered), batch):
        # Only those whose entry is missing or older than what changed: a step that overlaps the last
        # one does not index the same documents again.
        todo = Document.objects.filter(pk__in=ordered[i : i + batch]).filter(stale(COMMIT_LAG))
        done += index_documents(sorted(set(todo.values_list("pk", flat=True))))
    return done


def follow(interval: float = 1.0, *, stop: Callable[[], bool] = lambda: False) -> None:
    """Keep the index fresh: every ``interval`` seconds, index what changed (a new document is searchable
    within about two intervals of its commit). Overlapping windows: a commit that lands while a step
    runs is seen by the next one."""
    # From now: what changed while no follower ran is the tick's catch-up (the last quarter hour).
    since = timezone.now() - 2 * COMMIT_LAG
    while not stop():
        started = timezone.now()
        try:
            index_recent(since)
            since = started - 2 * COMMIT_LAG  # overlapping steps: a late commit is read again
        except DatabaseError:
            log.exception("search: indexing failed; retried at the next step")
        finally:
            connection.close_if_unusable_or_obsolete()
        time.sleep(interval)


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
