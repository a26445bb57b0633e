"""Read-only selectors: inbox pages and the sender's tracking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from congvan.dispatch.access import unit_receipts
from congvan.dispatch.models import Delivery, Receipt, ReceiptCount
from congvan.documents.models import Document
from congvan.lib.cursor import keyset_page
from congvan.lib.dates import VN
from congvan.lib.errors import InvalidInput
from congvan.orgs.access import Acting

INBOX_VIEWS = {
    "new": Q(state="arrived"),
    "registered": ~Q(state__in=["arrived", "returned", "revoked"]),
    "all": ~Q(state="revoked"),  # a recalled document leaves the inbox (its row stays, for the record)
}


# Only the columns an inbox row shows: a page builds 50 rows of three models each.
INBOX_FIELDS = (
    "state",
    "arrived_at",
    "incoming_number",
    "arrival_date",
    "returned_reason",
    "urgency",
    "unit_id",
    "document__symbol",
    "document__subject",
    "document__issued_date",
    "document__number",
    "document__doc_type__abbreviation",
    "document__doc_type__name",
    "issuer__code",
    "issuer__name",
    "addressed_to__code",
    "addressed_to__name",
)


@dataclass(frozen=True)
class InboxFilter:
    view: str = "all"
    state: str = ""
    urgency: str = ""
    issuer: str = ""  # unit code
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    oldest_first: bool = False  # ascending (the oldest first when sorted by arrival)
    sort: str = "arrived"  # a key of INBOX_SORTS


# The inbox's sortable columns: arrival (the default, newest first), number and symbol, subject, sender.
INBOX_SORTS = {
    "arrived": "arrived_at",
    "symbol": "document__symbol",
    "subject": "document__subject",
    "issuer": "issuer__name",
}


@dataclass(frozen=True)
class Page:
    items: list[Receipt]
    next_cursor: str | None


def inbox(acting: Acting, f: InboxFilter, *, cursor: str | None = None, limit: int = 50) -> Page:
    """Return one page of the unit's inbox, newest first (or oldest), with a cursor to the next page."""
    if f.view not in INBOX_VIEWS:
        raise InvalidInput("view: new | registered | all")
    qs: QuerySet[Receipt] = unit_receipts(acting).filter(INBOX_VIEWS[f.view])
    if f.state:
        qs = qs.filter(state=f.state)
    if f.urgency:
        qs = qs.filter(urgency=f.urgency)
    if f.issuer:
        qs = qs.filter(issuer__code=f.issuer)
    # Day bounds in Vietnam time, as plain ranges over the indexed column.
    if f.date_from and f.date_from > dt.date.min:  # the first day there is has no instant before it
        qs = qs.filter(arrived_at__gte=dt.datetime.combine(f.date_from, dt.time(), VN))
    if f.date_to and f.date_to < dt.date.max:  # the last day there is has no day after it
        qs = qs.filter(arrived_at__lt=dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time(), VN))
    if f.sort not in INBOX_SORTS:
        raise InvalidInput("sort: " + " | ".join(INBOX_SORTS))
    qs = qs.select_related("document", "document__doc_type", "issuer", "addressed_to").only(*INBOX_FIELDS)
    rows, nxt = keyset_page(
        qs, INBOX_SORTS[f.sort], descending=not f.oldest_first, cursor=cursor, limit=limit
    )
    return Page(rows, nxt)


def deliveries_of(document: Document) -> list[Delivery]:
    """Return each recipient's delivery with its state, for the sender's tracking."""
    return list(
        Delivery.objects.filter(dispatch__document=document).select_related("unit").order_by("unit__code")
    )


def inbox_counts(acting: Acting) -> dict[str, int]:
    rows = unit_receipts(acting).values("state").annotate(n=Count("id"))
    return {r["state"]: r["n"] for r in rows}


def duplicates_of(receipt: Receipt) -> list[Receipt]:
    """Return other registered receipts of the unit with the same issuer, number and symbol."""
    doc: Document = receipt.document
    if not doc.symbol:
        return []
    return list(
        Receipt.objects.filter(
            unit_id=receipt.unit_id,
            issuer_id=receipt.issuer_id,
            document__symbol=doc.symbol,
            document__number=doc.number,
        )
        .exclude(pk=receipt.pk)
        .exclude(incoming_number=None)
        .select_related("document")[:10]
    )


def count_drift() -> list[tuple[int, str, int, int]]:
    """Return (unit, state, kept count, real count) wherever the kept receipt counts disagree."""
    real = {
        (u, st): n
        for u, st, n in Receipt.objects.values_list("unit_id", "state")
        .annotate(n=Count("id"))
        .values_list("unit_id", "state", "n")
    }
    kept = {(u, st): n for u, st, n in ReceiptCount.objects.values_list("unit_id", "state", "n")}
    return [
        (u, st, kept.get((u, st), 0), real.get((u, st), 0))
        for u, st in sorted(set(real) | set(kept))
        if kept.get((u, st), 0) != real.get((u, st), 0)
    ]
