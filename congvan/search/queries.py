"""Search documents the way Vietnamese users type, only among those the person may see.

The same query language on both engines: words (all must match), "quoted phrases", prefix*; each
term matches its exact form or its folded form, and exact matches rank first.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.utils.translation import gettext as _

from congvan.capture.models import FileText
from congvan.documents.models import Document, DocumentFile, DocumentType
from congvan.lib.errors import InvalidInput
from congvan.lib.sql import DriverCursor, ids_in
from congvan.lib.vntext import FOLDED_CHARS, aligned_fold, exact_form, fold_char, folded_form, pairs
from congvan.orgs.access import Acting
from congvan.orgs.models import Unit
from congvan.search.indexer import folded_bodies
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


class Named(NamedTuple):
    pk: int
    code: str
    name: str
    abbreviation: str = ""


class Found(NamedTuple):
    """What a result shows of a document (read in one plain statement, not as a model; a tuple is
    made ten times faster than a model instance or a frozen dataclass)."""

    pk: int
    symbol: str
    subject: str
    state: str
    issued_date: dt.date | None
    doc_type: Named
    issuing_unit: Named


class Hit(NamedTuple):
    document: Found
    score: float
    snippet: str


def parse(q: str) -> list[Term]:
    """Split a query into terms; punctuation inside a term makes a phrase ("35-KH/HU" -> 35 kh hu)."""
    if not isinstance(q, str) or len(q) > 500:
        raise InvalidInput(_("q: tối đa 500 ký tự"))
    terms = []
    for phrase, word in _TERMS.findall(q):
        raw = phrase or word
        prefix = not phrase and raw.endswith("*")
        exact, folded = exact_form(raw).split(), folded_form(raw).split()
        if exact:
            terms.append(Term(exact, folded, prefix))
    if not terms:
        raise InvalidInput(_("q: cần từ khóa tìm kiếm"), code="empty_query")
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


def _ts_phrase(words: list[str], weights: list[str], prefix: bool) -> str:
    parts = []
    for i, (word, weight) in enumerate(zip(words, weights, strict=True)):
        label = ("*" if prefix and i == len(words) - 1 else "") + weight
        parts.append(f"'{word}':{label}" if label else f"'{word}'")
    return "(" + " <-> ".join(parts) + ")"


def _tsquery_parts(terms: list[Term], mode: str = "match") -> tuple[str, str]:
    """(words for to_tsquery, syllable pairs for a ::tsquery cast): a phrase is matched through its
    pairs (lexemes of the vector, see vntext.pairs_tsvector), a single word as a word.

    Exact forms are weighted A in the vector, folded forms B. Modes:
    - "match": exact or folded, without weights. The same documents (a marked lexeme is only ever an
      exact form; an unmarked one is a folded form whenever it is an exact one), but a GIN index answers
      it without reading each candidate's vector again (weights are not in the index);
    - "exact": the exact forms only, weighted A only where a lexeme has no mark (only there can it
      also be a folded form);
    - "rank": exact A or folded B, for ts_rank."""
    words: list[str] = []
    pair_terms: list[str] = []
    for t in terms:
        if len(t.exact) == 1 or len(t.folded) == 1:
            exact, folded, out = t.exact, t.folded, words
        else:
            exact, folded = pairs(" ".join(t.exact)).split(), pairs(" ".join(t.folded)).split()
            out = pair_terms
        if mode == "rank":
            out.append(
                f"({_ts_phrase(exact, ['A'] * len(exact), t.prefix)} | "
                f"{_ts_phrase(folded, ['B'] * len(folded), t.prefix)})"
            )
        elif mode == "exact":
            aligned = len(exact) == len(folded)  # where the forms line up, a marked lexeme needs no weight
            weights = ["" if aligned and e != folded[i] else "A" for i, e in enumerate(exact)]
            out.append(_ts_phrase(exact, weights, t.prefix))
        elif exact == folded:
            out.append(_ts_phrase(exact, [""] * len(exact), t.prefix))
        else:
            out.append(
                f"({_ts_phrase(exact, [''] * len(exact), t.prefix)} | "
                f"{_ts_phrase(folded, [''] * len(folded), t.prefix)})"
            )
    return " & ".join(words), " & ".join(pair_terms)


def _ts_sql(terms: list[Term], mode: str, on_words: str, on_pairs: str, joiner: str) -> tuple[str, list[Any]]:
    """One SQL expression over the entry's two vectors: ``on_words`` for the words (``vector``),
    ``on_pairs`` for the phrases' pairs (``pairs``), each with its query as the parameter."""
    words, pair_terms = _tsquery_parts(terms, mode)
    parts, params = [], []
    for template, query in ((on_words, words), (on_pairs, pair_terms)):
        if query:
            parts.append(template)
            params.append(query)
    return joiner.join(parts), params


def _tsquery_sql(terms: list[Term], mode: str = "match", alias: str = "") -> tuple[str, list[Any]]:
    """The SQL condition of the query on the entry (words in ``vector``, phrases' pairs in ``pairs``)."""
    sql, params = _ts_sql(
        terms, mode, f"{alias}vector @@ to_tsquery('simple', %s)", f"{alias}pairs @@ %s::tsquery", " AND "
    )
    return f"({sql})", params


def _ts_rank_sql(terms: list[Term], alias: str) -> tuple[str, list[Any]]:
    return _ts_sql(
        terms,
        "rank",
        f"ts_rank({alias}vector, to_tsquery('simple', %s))",
        f"ts_rank({alias}pairs, %s::tsquery)",
        " + ",
    )


BROAD = 5000  # a query matching at least this many documents is "broad": newest first, exact matches first
# A broad query lists its newest visible matches up to this many (the count says "at least"): finding
# each costs a step through the engine's matches, and nobody reads past ten pages of a common word.
BROAD_HITS = 200


def _fts5_exact(terms: list[Term]) -> str:
    return " AND ".join(_fts5_term(t, exact_only=True) for t in terms)


# PostgreSQL settings for a search statement, for that statement only (see _through_index).
_PG_SETTINGS = ("enable_seqscan", "max_parallel_workers_per_gather", "jit")


def _through_index(sql: str) -> str:
    """A PostgreSQL statement planned through the GIN index, by one process, without JIT. The planner
    prices a scan that reads (and decompresses) every document's vector as cheap and prefers it to the
    index for a common word (at 20,000 documents: a probe 58 ms against 7 ms, a ranked query 157 ms
    against 40 ms); and it guesses ~5,000 matches for a word it has no statistics on, then starts
    parallel workers (~8 ms at 1,000,000 documents) or compiles the statement (JIT, ~57 ms) to find one
    row. The settings last for this statement only: SET LOCAL, then back to the defaults, in the same
    transaction (the statement's implicit one, or the caller's)."""
    off = "".join(
        f"SET LOCAL {name} = {'0' if name.startswith('max_') else 'off'}; " for name in _PG_SETTINGS
    )
    back = "".join(f"; SET LOCAL {name} = DEFAULT" for name in _PG_SETTINGS)
    return f"{off}{sql}{back}"


def probe_sql(terms: list[Term], vendor: str) -> tuple[str, list[Any]]:
    """Does the query match at least BROAD documents? (Stops counting there.)"""
    if vendor == "sqlite":
        return (
            "SELECT count(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH %s LIMIT %s)",
            [_fts5(terms), BROAD],
        )
    q, qp = _tsquery_sql(terms)  # fixed fragments; the words are parameters
    count = f"SELECT count(*) FROM (SELECT 1 FROM search_searchentry WHERE {q} LIMIT %s) x"  # noqa: S608
    sql = _through_index(count)
    return sql, [*qp, BROAD]


def allowed_sql(acting: Acting | None, f: Filters) -> tuple[str, list[Any]] | None:
    """The SQL condition, on ``documents_document``, of what the person may see and the filters keep
    (None when a filter names nothing that exists). Only the document's own columns and correlated
    EXISTS subqueries: it is evaluated for each match the engine yields, in the engine's order.
    Without ``acting``: the filters alone (the benchmark's raw baseline)."""
    qs = visible_documents(acting) if acting is not None else Document.objects.all()
    if acting is not None and f.direction == "out":
        qs = qs.filter(issuing_unit_id=acting.unit.pk)
    elif acting is not None and f.direction == "in":
        qs = qs.exclude(issuing_unit_id=acting.unit.pk)
    # names as subqueries, not joins and not looked up now: the condition depends only on its inputs
    if f.doc_type:
        qs = qs.filter(doc_type_id__in=DocumentType.objects.filter(abbreviation=f.doc_type).values("pk"))
    if f.issuer:
        qs = qs.filter(issuing_unit_id__in=Unit.objects.filter(code=f.issuer).values("pk"))
    if f.date_from:
        qs = qs.filter(
            Q(issued_date__gte=f.date_from) | Q(issued_date=None, created_at__date__gte=f.date_from)
        )
    if f.date_to:
        qs = qs.filter(Q(issued_date__lte=f.date_to) | Q(issued_date=None, created_at__date__lte=f.date_to))
    if f.state:
        qs = qs.filter(state=f.state)
    compiler = qs.query.get_compiler(connection=connection)
    try:
        sql, params = compiler.compile(qs.query.where)
    except FullResultSet:  # no condition at all
        return "1 = 1", []
    except EmptyResultSet:  # a condition nothing can meet
        return None
    return (sql or "1 = 1"), list(params)


@dataclass(frozen=True)
class Plan:
    """A query made ready for one person: its terms, the engine's statements with the person's
    visibility and the filters inside, and the pattern that marks snippets."""

    terms: list[Term]
    sql: dict[str, tuple[str, list[Any]]]
    mark: re.Pattern[str] | None
    needles: tuple[str, ...]  # the words as looked for in a folded text (see ``_needles``)


_PLANS: dict[tuple[Any, ...], tuple[float, Plan | None]] = {}
PLAN_SECONDS = 60.0


def plan(db: BaseDatabaseWrapper, acting: Acting, q: str, f: Filters) -> Plan | None:
    """The query's plan (None when a filter names nothing that exists), kept a minute per person,
    unit, role, query and filters, so that paging through results or asking again costs only the
    engine's work. It is a function of those inputs only (no lookups: names are subqueries), and the
    limits the statements carry are part of the key."""
    key = (db.alias, acting.user.pk, acting.unit.pk, acting.role, q, f, BROAD, BROAD_HITS, MAX_HITS, INLINE)
    now = time.monotonic()
    cached = _PLANS.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    terms = parse(q)  # a bad query raises here, and is not kept
    allowed = allowed_sql(acting, f)
    words, prefixes = (
        frozenset(w for t in terms for w in t.folded),
        tuple(t.folded[-1] for t in terms if t.prefix),
    )
    value = (
        None
        if allowed is None
        else Plan(
            terms, statements(terms, *allowed, db.vendor), _marker(words, prefixes), _needles(words, prefixes)
        )
    )
    if len(_PLANS) > 2000:
        _PLANS.clear()
    _PLANS[key] = (now + PLAN_SECONDS, value)
    return value


# What a result shows, read with the matches when they are few (one statement instead of two).
INLINE = 100


def _shown(doc: str) -> tuple[str, str]:
    """The columns a result shows (after the id) and the joins they need, for the document table named
    ``doc``: read with the matches (see INLINE) or for one page (``_page_documents``)."""
    t, u = DocumentType._meta.db_table, Unit._meta.db_table
    return (
        f"{doc}.symbol, {doc}.subject, {doc}.state, {doc}.issued_date, {doc}.doc_type_id, t.abbreviation, "
        f"t.name, {doc}.issuing_unit_id, u.code, u.name",
        f"JOIN {t} t ON t.id = {doc}.doc_type_id JOIN {u} u ON u.id = {doc}.issuing_unit_id",
    )


def _found(pk: int, row: Sequence[Any], named: dict[Any, Named]) -> Found:
    """What a result shows; ``named``: the types and units of the results so far (a page has few)."""
    symbol, subject, state, issued, type_id, abbr, type_name, unit_id, code, unit_name = row
    kind = named.get(("t", type_id))
    if kind is None:
        kind = named[("t", type_id)] = Named(type_id, abbr, type_name, abbr)
    unit = named.get(("u", unit_id))
    if unit is None:
        unit = named[("u", unit_id)] = Named(unit_id, code, unit_name)
    day = dt.date.fromisoformat(issued) if isinstance(issued, str) else issued  # SQLite: text
    return Found(pk, symbol, subject, state, day, kind, unit)


def _no_exact_pass(terms: list[Term], out: dict[str, tuple[str, list[Any]]]) -> None:
    """A query typed without any mark has no "exact spelling" to put first: its exact pass would only
    find text written without marks too, after walking every match of its folded syllables (the
    costliest statement of a broad query such as "chuyen doi"). Broad results are then newest first."""
    if all(t.exact == t.folded for t in terms):
        del out["exact"]


def statements(
    terms: list[Term], where: str, wparams: list[Any], vendor: str, *, shown: bool = True
) -> dict[str, tuple[str, list[Any]]]:
    """The engine's statements with the condition inside: matches come in the engine's order (rank, or
    newest first) and only those the person may see count, so nothing visible is cut off by a cap.
    With ``shown``, also "ranked_shown": the ranked matches with what a result shows (for few matches)."""
    doc = Document._meta.db_table
    columns, joins = _shown(doc)
    if vendor == "sqlite":
        # CROSS JOIN keeps the engine as the outer loop (SQLite then never scans all documents).
        def base(more: str = "") -> str:
            return (
                "FROM search_fts CROSS JOIN search_searchentry e ON e.document_id = search_fts.rowid "
                f"CROSS JOIN {doc} ON {doc}.id = search_fts.rowid {more} "
                f"WHERE search_fts MATCH %s AND ({where})"
            )

        out = {
            "ranked": (
                f"SELECT search_fts.rowid, bm25(search_fts, 2.0, 1.0, 2.0, 1.0) AS score {base()} "
                "ORDER BY score LIMIT %s",
                [_fts5(terms), *wparams, MAX_HITS],
            ),
            "exact": (
                f"SELECT search_fts.rowid, -2.0 {base()} ORDER BY search_fts.rowid DESC LIMIT %s",
                [_fts5_exact(terms), *wparams, BROAD_HITS],
            ),
            "all": (
                f"SELECT search_fts.rowid, -1.0 {base()} ORDER BY search_fts.rowid DESC LIMIT %s",
                [_fts5(terms), *wparams, BROAD_HITS],
            ),
        }
        _no_exact_pass(terms, out)
        if shown:
            out["ranked_shown"] = (
                f"SELECT search_fts.rowid, bm25(search_fts, 2.0, 1.0, 2.0, 1.0) AS score, {columns} "
                f"{base(joins.replace('JOIN', 'CROSS JOIN'))} ORDER BY score LIMIT %s",
                [_fts5(terms), *wparams, MAX_HITS],
            )
        return out
    (tsq, tp), (exact, ep) = _tsquery_sql(terms, alias="e."), _tsquery_sql(terms, "exact", alias="e.")
    rank, rp = _ts_rank_sql(terms, "e.")

    def pg_base(q: str, more: str = "") -> str:
        return (
            f"FROM search_searchentry e JOIN {doc} ON {doc}.id = e.document_id {more} WHERE {q} AND ({where})"
        )

    score = f"-(CASE WHEN {exact} THEN 1 ELSE 0 END + {rank}) AS score"
    out = {
        "ranked": (
            f"SELECT e.document_id, {score} {pg_base(tsq)} ORDER BY score, e.document_id DESC LIMIT %s",
            [*ep, *rp, *tp, *wparams, MAX_HITS],
        ),
        "exact": (
            f"SELECT e.document_id, -2.0 {pg_base(exact)} ORDER BY e.document_id DESC LIMIT %s",
            [*ep, *wparams, BROAD_HITS],
        ),
        "all": (
            f"SELECT e.document_id, -1.0 {pg_base(tsq)} ORDER BY e.document_id DESC LIMIT %s",
            [*tp, *wparams, BROAD_HITS],
        ),
    }
    _no_exact_pass(terms, out)
    if shown:
        out["ranked_shown"] = (
            f"SELECT e.document_id, {score}, {columns} {pg_base(tsq, joins)} "
            "ORDER BY score, e.document_id DESC LIMIT %s",
            [*ep, *rp, *tp, *wparams, MAX_HITS],
        )
    return {name: (_through_index(sql), params) for name, (sql, params) in out.items()}


def run_statements(
    cur: DriverCursor, terms: list[Term], sql: dict[str, tuple[str, list[Any]]]
) -> tuple[list[tuple[int, float]], dict[int, Found]]:
    """The matches, best first, and what they show when it came with them (few matches, "ranked_shown")."""
    cur.execute(*probe_sql(terms, cur.db.vendor))
    matches = cur.fetchone()[0]
    if matches < BROAD and matches <= INLINE and "ranked_shown" in sql:
        cur.execute(*sql["ranked_shown"])
        rows = cur.fetchall()
        named: dict[Any, Named] = {}
        return [(int(r[0]), float(r[1])) for r in rows], {
            int(r[0]): _found(int(r[0]), r[2:], named) for r in rows
        }
    if matches < BROAD:
        cur.execute(*sql["ranked"])
        return [(int(i), float(score)) for i, score in cur.fetchall()], {}
    hits: list[tuple[int, float]] = []
    if "exact" in sql:
        cur.execute(*sql["exact"])
        hits = [(int(i), float(score)) for i, score in cur.fetchall()]
    seen = {i for i, _ in hits}
    if len(hits) < BROAD_HITS:
        cur.execute(*sql["all"])
        hits += [(int(i), float(score)) for i, score in cur.fetchall() if int(i) not in seen]
    return hits[:BROAD_HITS], {}


def search(acting: Acting, q: str, f: Filters, *, limit: int = 20, offset: int = 0) -> tuple[list[Hit], int]:
    """Return one page of hits (best first) and how many there are (at most MAX_HITS), among the
    documents the person may see: visibility and filters are conditions of the engine's statement."""
    db = connections[DEFAULT_DB_ALIAS]
    ready = plan(db, acting, q, f)
    if ready is None:
        return [], 0
    with DriverCursor(db) as cur:
        ranked, docs = run_statements(cur, ready.terms, ready.sql)
        page = ranked[offset : offset + limit]
        if not docs:
            docs = _page_documents(cur, [i for i, _ in page])
        shown = [(i, score) for i, score in page if i in docs]
        # Where the subject does not show every word, the snippet may come from the text in the files.
        wanted = len(ready.terms)
        inside = {
            i: _matched(docs[i].subject, ready.mark, wanted) for i, _ in shown if ready.mark is not None
        }
        inside = {i: n for i, n in inside.items() if n < wanted}
        from_body = body_snippets(cur, inside, ready.mark, ready.needles, want=wanted) if inside else {}
    hits = [
        Hit(docs[i], score, from_body.get(i) or snippet(docs[i].subject, ready.mark)) for i, score in shown
    ]
    return hits, len(ranked)


def _matched(text: str, mark: re.Pattern[str] | None, want: int) -> int:
    """How many different query words a text shows (of ``want``)."""
    if mark is None:
        return 0
    if want == 1:
        return 1 if mark.search(text) else 0
    return len({aligned_fold(w) for w in mark.findall(text)})


BODY_READ = 50_000  # characters of a document's text a snippet is looked for in
SNIPPET_SCAN = 8_000  # where a query of several words looks for the window that shows most of them


def _needles(words: frozenset[str], prefixes: tuple[str, ...]) -> tuple[str, ...]:
    """The query's words as a folded text (``FileText.folded``: letters folded, every other character a
    space, a space at each end) shows them: " doi " for a word, " chuyen" for a prefix (which also
    stands for the whole word)."""
    return tuple(sorted({f" {w} " for w in words if w not in prefixes} | {f" {p}" for p in prefixes}))


def body_snippets(
    cur: DriverCursor,
    ids: dict[int, int],
    mark: re.Pattern[str] | None,
    needles: Sequence[str],
    *,
    want: int = 2,
    width: int = 240,
) -> dict[int, str]:
    """A snippet of each document's file text, for the documents whose text shows more of the query's
    words than their subject (``ids``: document -> words its subject shows).

    The words' places are found in the files' folded texts by plain substring searches (a pattern over
    every spelling of a word was most of a page's cost); a snippet is the slice of the text (one line
    of words) from a word's start a little before the best place, marked by ``mark``."""
    if mark is None or not needles:
        return {}
    found: dict[int, tuple[str, str, int, bool]] = {}  # document -> (text, folded, place, cut in front)
    if want == 1 and len(needles) == 1:
        found = _first_places(cur, list(ids), needles[0], width)
    else:
        for doc_id, (text, folded) in folded_bodies(cur, list(ids), limit=BODY_READ).items():
            window = _window(folded, needles, width - 40, want)
            if window is not None and window[1] > ids[doc_id]:
                found[doc_id] = (text, folded, window[0], False)
    out = {}
    for doc_id, (text, folded, at, cut) in found.items():
        start = 0
        if at > 40 or cut:  # from the start of a word shortly before it
            start = text.find(" ", max(0, at - 40), at) + 1 or at
        end = min(len(text), start + width)
        shown = _marked(text, folded, start, end, needles)
        out[doc_id] = ("…" if start or cut else "") + shown + ("…" if end < len(text) else "")
    return out


def _first_places(
    cur: DriverCursor, ids: list[int], needle: str, width: int
) -> dict[int, tuple[str, str, int, bool]]:
    """Where one word first shows in each document's files, found by the database in the folded texts:
    (the part of the text around it, the same part folded with a space in front, the word's place in
    the part, whether the part starts after the text's start). Only that part is read; the files are put
    in order here (an ORDER BY sorted them in a temporary tree: a sixth of the statement)."""
    where, params = ids_in(cur.db, "f.document_id", ids)
    files, texts, n = DocumentFile._meta.db_table, FileText._meta.db_table, int(width) + 41
    if cur.db.vendor == "sqlite":
        # The place found once a file (a plain subquery is folded into the outer one, which then
        # computes instr for each of its three uses: a fifth of the statement).
        cur.execute(
            "WITH x AS MATERIALIZED (SELECT f.document_id AS d, f.position AS p, f.id AS i, t.rowid AS r,"  # noqa: S608
            f" instr(t.folded, %s) AS at FROM {files} f JOIN {texts} t ON t.blob_id = f.blob_id"
            f" WHERE {where}) SELECT d, p, i, at, substr(t.text, max(at - 40, 1), {n}),"
            f" substr(t.folded, max(at - 40, 1), {n + 1})"
            f" FROM x JOIN {texts} t ON t.rowid = x.r WHERE at > 0",
            [needle, *params],
        )
    else:
        first = "greatest(strpos(t.folded, %s) - 40, 1)"
        cur.execute(
            f"SELECT f.document_id, f.position, f.id, strpos(t.folded, %s), substr(t.text, {first}, {n}),"  # noqa: S608
            f" substr(t.folded, {first}, {n + 1})"
            f" FROM {files} f JOIN {texts} t ON t.blob_id = f.blob_id WHERE {where}",
            [needle, needle, needle, *params],
        )
    first_files: dict[int, tuple[int, int]] = {}
    out: dict[int, tuple[str, str, int, bool]] = {}
    for doc_id, position, file_id, at, part, folded in cur.fetchall():
        if at and first_files.get(doc_id, (position, file_id)) >= (position, file_id):  # its first file
            first_files[doc_id] = (position, file_id)
            # ``at`` is the place (from 1) of the space before the word in the folded text, which has one
            # more character in front: the word's place (from 0) in the text is ``at - 1``. ``part``
            # starts 40 characters before it (or at the start), ``folded`` one character before ``part``.
            out[int(doc_id)] = (part, folded + " ", min(at - 1, 40), at - 1 > 40)
    return out


def _marked(text: str, folded: str, start: int, end: int, needles: Sequence[str]) -> str:
    """``text[start:end]`` escaped, the query's words in <mark>; ``folded`` is the text folded character
    for character with one character in front (``folded[i + 1]`` is ``text[i]``), a space where the text
    begins: a needle (" doi ") found at ``i`` is a word that starts at ``text[i]``."""
    spans = []
    for needle in needles:
        at = folded.find(needle, start, end + 2)
        while at >= 0:
            if needle.endswith(" "):
                stop = at + len(needle) - 2
            else:  # a prefix: the word runs to the next space
                stop = folded.find(" ", at + len(needle))
                stop = (len(folded) if stop < 0 else stop) - 1
            if stop <= end:
                spans.append((at, stop))
            at = folded.find(needle, at + 1, end + 2)
    escape = html.escape if _needs_escape(text[start:end]) else str
    out, last = [], start
    for at, stop in sorted(spans):
        if at >= last:  # two prefixes may find the same word
            out += [escape(text[last:at]), "<mark>", text[at:stop], "</mark>"]
            last = stop
    out.append(escape(text[last:end]))
    return "".join(out)


def _window(folded: str, needles: Sequence[str], width: int, want: int) -> tuple[int, int] | None:
    """Where the window of ``width`` characters that shows most of the query's words starts, and how
    many different words the text shows (``_best_window``), in a folded text, among its first
    SNIPPET_SCAN characters.

    First the window that shows every word, by a few substring searches: each word's next place, the
    word furthest behind moved up to the earliest place that could share a window with the one furthest
    ahead. Without one, two words are never in one window: the first place of either is the window.
    Only then every place of every word is listed (``_places``, ``_best_window``)."""
    firsts = [folded.find(n, 0, SNIPPET_SCAN) for n in needles]
    places = list(firsts)
    while want >= len(needles) and min(places) >= 0:
        lo, hi = min(places), max(places)
        if hi - lo < width:
            return lo, len(needles)
        behind = places.index(lo)
        places[behind] = folded.find(needles[behind], hi - width + 1, SNIPPET_SCAN)
    found = [p for p in firsts if p >= 0]
    if not found:
        return None
    if len(needles) <= 2 or want <= 1:  # a window of one word: the first place of any
        return min(found), len(found)
    return _best_window(_places(folded, needles, SNIPPET_SCAN), width, want)


def _places(folded: str, needles: Sequence[str], scan: int) -> Iterator[tuple[int, str]]:
    """The places (in the text) of the query's words in a folded text (``folded_bodies``), in order,
    among its first ``scan`` characters."""
    found = []
    for needle in needles:
        at = folded.find(needle, 0, scan)
        while at >= 0:
            found.append((at, needle))
            at = folded.find(needle, at + 1, scan)
    found.sort()
    return iter(found)


def _best_window(places: Iterator[tuple[int, str]], width: int, want: int) -> tuple[int, int] | None:
    """Where the window of ``width`` characters that shows the most different words of the query starts
    (the first such window; a window starts at a word's place, among the first 200), and how many
    different words the text shows in all; None without any. One pass, which stops at the first window
    that shows every word (no later window can show more)."""
    window: deque[tuple[int, str]] = deque()
    counts: dict[str, int] = {}
    seen: set[str] = set()
    best: tuple[int, int] | None = None  # (words, -start)
    starts = 0

    def close() -> tuple[int, int]:
        """The window that starts at the oldest match is complete: score it, then drop that match."""
        nonlocal starts
        at, word = window[0]
        score = (len(counts), -at)
        window.popleft()
        counts[word] -= 1
        if not counts[word]:
            del counts[word]
        starts += 1
        return score

    for p, word in places:
        seen.add(word)
        while window and p >= window[0][0] + width and starts < 200:
            score = close()
            best = score if best is None else max(best, score)
            if best[0] >= want:
                return -best[1], len(seen)
        if starts >= 200:
            break
        window.append((p, word))
        counts[word] = counts.get(word, 0) + 1
    while window and starts < 200:
        score = close()
        best = score if best is None else max(best, score)
    return (-best[1], len(seen)) if best is not None else None


def _page_documents(cur: DriverCursor, ids: list[int]) -> dict[int, Found]:
    """What the results of one page show, in one plain statement (the ORM's own query building cost
    more than the search of a rare word)."""
    if not ids:
        return {}
    columns, joins = _shown("d")
    where, params = ids_in(cur.db, "d.id", ids)
    cur.execute(f"SELECT d.id, {columns} FROM {Document._meta.db_table} d {joins} WHERE {where}", params)  # noqa: S608
    named: dict[Any, Named] = {}
    return {int(r[0]): _found(int(r[0]), r[1:], named) for r in cur.fetchall()}


# Every character of those vntext folds, by its folded form (the others stay as they are).
_SAME: dict[str, set[str]] = {}
for _c in map(chr, FOLDED_CHARS):
    _SAME.setdefault(fold_char(_c), set()).add(_c)


def _letter(folded: str) -> str:
    """A regular expression for every character that folds to ``folded`` (a: a, á, à, ả, ã, ạ, ă, â,...)."""
    same = _SAME.get(folded, set()) | {folded}
    return re.escape(folded) if len(same) == 1 else "[" + "".join(re.escape(c) for c in sorted(same)) + "]"


@functools.lru_cache(maxsize=256)
def _marker(words: frozenset[str], prefixes: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for a query's folded words (whole words) and prefixes, matching the text as written,
    whatever its diacritics or case: compiled once per query, not folded again for every snippet.

    It starts with the class of every term's first letter, then checks the word boundary behind it and
    which term it begins: a pattern that starts with a class lets the engine skip to candidates (two
    to three times faster than a lookbehind first, on text that mostly does not match)."""
    terms = [(w, r"(?!\w)") for w in sorted(words)] + [(p, r"\w*") for p in prefixes]
    if not terms:
        return None
    firsts = sorted({c for term, _ in terms for c in _SAME.get(term[0], set()) | {term[0]}})
    alternatives = [f"(?<={_letter(term[0])})" + "".join(map(_letter, term[1:])) + end for term, end in terms]
    first = "[" + "".join(re.escape(c) for c in firsts) + "]"
    return re.compile("(" + first + r"(?<!\w.)(?:" + "|".join(alternatives) + "))")  # one group: see snippet


def _needs_escape(text: str) -> bool:
    return "&" in text or "<" in text or ">" in text or '"' in text or "'" in text


def snippet(text: str, mark: re.Pattern[str] | None, width: int = 240) -> str:
    """Return escaped text with the query's words in <mark> (see ``_marker``)."""
    shown = text[:width]
    # The pattern's one group is the word: split gives the text between the words at even places and
    # the words (letters only, nothing to escape) at odd ones.
    parts = mark.split(shown) if mark is not None else [shown]
    if _needs_escape(shown):  # most text has nothing to escape: it is then taken as it is
        parts[::2] = [html.escape(p) for p in parts[::2]]
    parts[1::2] = [f"<mark>{w}</mark>" for w in parts[1::2]]
    return "".join(parts) + ("…" if len(text) > width else "")
