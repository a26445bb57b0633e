"""Search documents the way Vietnamese users type, only among those the person may see.

The same query language on both engines: words (all must match), "quoted phrases", prefix*; each
term matches its exact form or its folded form, and exact matches rank first.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q

from congvan.documents.models import Document
from congvan.lib.errors import InvalidInput
from congvan.lib.sql import id_list
from congvan.lib.vntext import exact_form, folded_form, pairs
from congvan.orgs.access import Acting
from congvan.workflow.access import visible_documents

_TERMS = re.compile(r'"([^"]*)"|(\S+)')
MAX_TERMS = 12
MAX_HITS = 2000


@dataclass(frozen=True)
class Term:
    exact: list[str]
    folded: list[str]
    prefix: bool


@dataclass(frozen=True)
class Filters:
    direction: str = ""  # out | in
    doc_type: str = ""
    issuer: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    state: str = ""


@dataclass(frozen=True)
class Hit:
    document: Document
    score: float
    snippet: str


def parse(q: str) -> list[Term]:
    """Split a query into terms; punctuation inside a term makes a phrase ("35-KH/HU" -> 35 kh hu)."""
    if not isinstance(q, str) or len(q) > 500:
        raise InvalidInput("q: tối đa 500 ký tự / at most 500 characters")
    terms = []
    for phrase, word in _TERMS.findall(q):
        raw = phrase or word
        prefix = not phrase and raw.endswith("*")
        exact, folded = exact_form(raw).split(), folded_form(raw).split()
        if exact:
            terms.append(Term(exact, folded, prefix))
    if not terms:
        raise InvalidInput("q: cần từ khóa tìm kiếm / type something to search for", code="empty_query")
    return terms[:MAX_TERMS]


def _phrase(words: list[str], prefix: bool) -> str:
    return '"' + " ".join(words) + '"' + ("*" if prefix else "")


def _fts5_term(t: Term, *, exact_only: bool = False) -> str:
    """One term: a word in the exact or folded column; a phrase through its syllable pairs (a phrase
    of pairs is the same phrase of syllables, found without reading common syllables' positions)."""
    if len(t.exact) == 1 or len(t.folded) == 1:
        exact, folded, columns = t.exact, t.folded, ("exact", "folded")
    else:
        exact, folded, columns = (
            pairs(" ".join(t.exact)).split(),
            pairs(" ".join(t.folded)).split(),
            (
                "xpairs",
                "fpairs",
            ),
        )
    if exact_only:
        return f"({columns[0]} : {_phrase(exact, t.prefix)})"
    return f"({columns[0]} : {_phrase(exact, t.prefix)} OR {columns[1]} : {_phrase(folded, t.prefix)})"


def _fts5(terms: list[Term]) -> str:
    return " AND ".join(_fts5_term(t) for t in terms)


def _tsquery(terms: list[Term], *, exact_only: bool = False) -> str:
    def phrase(words: list[str], weight: str, prefix: bool) -> str:
        parts = [
            f"'{w}':{'*' if prefix and i == len(words) - 1 else ''}{weight}" for i, w in enumerate(words)
        ]
        return "(" + " <-> ".join(parts) + ")"

    if exact_only:
        return " & ".join(phrase(t.exact, "A", t.prefix) for t in terms)
    return " & ".join(
        f"({phrase(t.exact, 'A', t.prefix)} | {phrase(t.folded, 'B', t.prefix)})" for t in terms
    )


BROAD = 5000  # a query matching at least this many documents is "broad": newest first, exact matches first


def _fts5_exact(terms: list[Term]) -> str:
    return " AND ".join(_fts5_term(t, exact_only=True) for t in terms)


def engine_sql(terms: list[Term]) -> list[tuple[str, list[Any]]]:
    """The statements congvan sends to the engine for a query (the benchmark sends them raw too).

    Ranking every match of a very common word costs the whole posting list (bm25 / ts_rank), so a
    broad query lists exact-diacritic matches first, then the folded ones, each newest first.
    """
    if connection.vendor == "sqlite":
        probe = (
            "SELECT count(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH %s LIMIT %s)",
            [_fts5(terms), BROAD],
        )
        ranked = (
            "SELECT rowid, bm25(search_fts, 2.0, 1.0, 2.0, 1.0) AS score FROM search_fts "
            "WHERE search_fts MATCH %s ORDER BY score LIMIT %s",
            [_fts5(terms), MAX_HITS],
        )
        broad_exact = (
            "SELECT rowid, -2.0 FROM search_fts WHERE search_fts MATCH %s ORDER BY rowid DESC LIMIT %s",
            [_fts5_exact(terms), MAX_HITS],
        )
        broad_all = (
            "SELECT rowid, -1.0 FROM search_fts WHERE search_fts MATCH %s ORDER BY rowid DESC LIMIT %s",
            [_fts5(terms), MAX_HITS],
        )
    else:
        tsq, exact = _tsquery(terms), _tsquery(terms, exact_only=True)
        probe = (
            "SELECT count(*) FROM (SELECT 1 FROM search_searchentry WHERE vector @@ to_tsquery('simple', %s) "
            "LIMIT %s) x",
            [tsq, BROAD],
        )
        # Exact-diacritic matches first: a boost when the exact forms alone match, then ts_rank.
        ranked = (
            "SELECT document_id, -(CASE WHEN vector @@ to_tsquery('simple', %s) THEN 1 ELSE 0 END"
            " + ts_rank(vector, to_tsquery('simple', %s))) AS score FROM search_searchentry "
            "WHERE vector @@ to_tsquery('simple', %s) ORDER BY score, document_id DESC LIMIT %s",
            [exact, tsq, tsq, MAX_HITS],
        )
        broad_exact = (
            "SELECT document_id, -2.0 FROM search_searchentry WHERE vector @@ to_tsquery('simple', %s) "
            "ORDER BY document_id DESC LIMIT %s",
            [exact, MAX_HITS],
        )
        broad_all = (
            "SELECT document_id, -1.0 FROM search_searchentry WHERE vector @@ to_tsquery('simple', %s) "
            "ORDER BY document_id DESC LIMIT %s",
            [tsq, MAX_HITS],
        )
    return [probe, ranked, broad_exact, broad_all]


def _engine_hits(terms: list[Term]) -> list[tuple[int, float]]:
    """The best MAX_HITS matches straight from the engine: (document id, score), best first."""
    probe, ranked, broad_exact, broad_all = engine_sql(terms)
    with connection.cursor() as cur:
        cur.execute(*probe)
        if cur.fetchone()[0] < BROAD:
            cur.execute(*ranked)
            hits = [(int(i), float(score)) for i, score in cur.fetchall()]
        else:
            cur.execute(*broad_exact)
            hits = [(int(i), float(score)) for i, score in cur.fetchall()]
            seen = {i for i, _ in hits}
            cur.execute(*broad_all)
            hits += [(int(i), float(score)) for i, score in cur.fetchall() if int(i) not in seen]
            hits = hits[:MAX_HITS]
    return hits


def _visible_among(acting: Acting, ids: list[int], f: Filters) -> set[int]:
    """Which candidates the person may see and the filters keep: one query, filtered in SQL (engine rows
    whose entry is gone, as after a flush, are ignored)."""
    qs = visible_documents(acting).filter(pk__in=id_list(connection, ids), search_entry__isnull=False)
    if f.direction == "out":
        qs = qs.filter(issuing_unit_id=acting.unit.pk)
    elif f.direction == "in":
        qs = qs.exclude(issuing_unit_id=acting.unit.pk)
    if f.doc_type:
        qs = qs.filter(doc_type__abbreviation=f.doc_type)
    if f.issuer:
        qs = qs.filter(issuing_unit__code=f.issuer)
    if f.date_from:
        qs = qs.filter(
            Q(issued_date__gte=f.date_from) | Q(issued_date=None, created_at__date__gte=f.date_from)
        )
    if f.date_to:
        qs = qs.filter(Q(issued_date__lte=f.date_to) | Q(issued_date=None, created_at__date__lte=f.date_to))
    if f.state:
        qs = qs.filter(state=f.state)
    return set(qs.values_list("pk", flat=True))


def search(acting: Acting, q: str, f: Filters, *, limit: int = 20, offset: int = 0) -> tuple[list[Hit], int]:
    """Return one page of hits (best first) and how many there are, among visible documents only.

    The engine ranks; visibility and filters are then applied in SQL to those candidates (an id list),
    so a rare word stays as fast as the engine whatever the number of documents the person can see.
    """
    terms = parse(q)
    hits = _engine_hits(terms)
    visible = _visible_among(acting, [i for i, _ in hits], f) if hits else set()
    ranked = [(i, score) for i, score in hits if i in visible]
    page = ranked[offset : offset + limit]
    docs = Document.objects.select_related("doc_type", "issuing_unit").in_bulk([i for i, _ in page])
    folded_words = {w for t in terms for w in t.folded}
    prefixes = [t.folded[-1] for t in terms if t.prefix]
    return [
        Hit(docs[i], score, snippet(docs[i].subject, folded_words, prefixes))
        for i, score in page
        if i in docs
    ], len(ranked)


def snippet(text: str, words: set[str], prefixes: list[str], width: int = 240) -> str:
    """Return escaped text with the matched words in <mark>, whatever their diacritics."""
    out = []
    for token in re.split(r"(\W+)", text[:width]):
        folded = folded_form(token)
        hit = bool(folded) and (folded in words or any(folded.startswith(p) for p in prefixes))
        out.append(f"<mark>{html.escape(token)}</mark>" if hit else html.escape(token))
    return "".join(out) + ("…" if len(text) > width else "")
