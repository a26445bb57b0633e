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

from congvan.documents.models import Document
from congvan.lib.errors import InvalidInput
from congvan.lib.vntext import exact_form, folded_form
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


def _fts5(terms: list[Term]) -> str:
    def phrase(words: list[str], prefix: bool) -> str:
        return '"' + " ".join(words) + '"' + ("*" if prefix else "")

    return " AND ".join(
        f"(exact : {phrase(t.exact, t.prefix)} OR folded : {phrase(t.folded, t.prefix)})" for t in terms
    )


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


def search(acting: Acting, q: str, f: Filters, *, limit: int = 20, offset: int = 0) -> tuple[list[Hit], int]:
    """Return one page of hits (best first) and how many there are, among visible documents only."""
    terms = parse(q)
    visible_sql, visible_params = visible_documents(acting).values("id").query.sql_with_params()
    where, params = ["d.id IN (" + visible_sql + ")"], list(visible_params)
    if f.direction == "out":
        where.append("d.issuing_unit_id = %s")
        params.append(acting.unit.pk)
    elif f.direction == "in":
        where.append("d.issuing_unit_id <> %s")
        params.append(acting.unit.pk)
    if f.doc_type:
        where.append("d.doc_type_id IN (SELECT id FROM documents_documenttype WHERE abbreviation = %s)")
        params.append(f.doc_type)
    if f.issuer:
        where.append("d.issuing_unit_id IN (SELECT id FROM orgs_unit WHERE code = %s)")
        params.append(f.issuer)
    if f.date_from:
        where.append("COALESCE(d.issued_date, DATE(d.created_at)) >= %s")
        params.append(f.date_from)
    if f.date_to:
        where.append("COALESCE(d.issued_date, DATE(d.created_at)) <= %s")
        params.append(f.date_to)
    if f.state:
        where.append("d.state = %s")
        params.append(f.state)
    if connection.vendor == "sqlite":
        hits_sql = (
            "SELECT rowid AS id, bm25(search_fts, 2.0, 1.0) AS score FROM search_fts "
            "WHERE search_fts MATCH %s ORDER BY score LIMIT %s"
        )
        order = "h.score ASC"
        hit_params: list[Any] = [_fts5(terms), MAX_HITS]
    else:
        # Exact-diacritic matches first: a boost when the exact forms alone match, then ts_rank.
        hits_sql = (
            "SELECT document_id AS id, -(CASE WHEN vector @@ to_tsquery('simple', %s) THEN 1 ELSE 0 END"
            " + ts_rank(vector, to_tsquery('simple', %s))) AS score "
            "FROM search_searchentry WHERE vector @@ to_tsquery('simple', %s) ORDER BY score LIMIT %s"
        )
        order = "h.score ASC"
        tsq = _tsquery(terms)
        hit_params = [_tsquery(terms, exact_only=True), tsq, tsq, MAX_HITS]
    sql = (
        f"WITH h AS ({hits_sql}) SELECT h.id, h.score, COUNT(*) OVER () FROM h "  # noqa: S608
        f"JOIN search_searchentry e ON e.document_id = h.id JOIN documents_document d ON d.id = h.id "
        f"WHERE {' AND '.join(where)} ORDER BY {order}, h.id DESC LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [*hit_params, *params, limit, offset])
        rows = cur.fetchall()
    total = rows[0][2] if rows else 0
    docs = Document.objects.select_related("doc_type", "issuing_unit").in_bulk([r[0] for r in rows])
    folded_words = {w for t in terms for w in t.folded}
    prefixes = [t.folded[-1] for t in terms if t.prefix]
    return [
        Hit(docs[r[0]], float(r[1]), snippet(docs[r[0]].subject, folded_words, prefixes))
        for r in rows
        if r[0] in docs
    ], total


def snippet(text: str, words: set[str], prefixes: list[str], width: int = 240) -> str:
    """Return escaped text with the matched words in <mark>, whatever their diacritics."""
    out = []
    for token in re.split(r"(\W+)", text[:width]):
        folded = folded_form(token)
        hit = bool(folded) and (folded in words or any(folded.startswith(p) for p in prefixes))
        out.append(f"<mark>{html.escape(token)}</mark>" if hit else html.escape(token))
    return "".join(out) + ("…" if len(text) > width else "")
