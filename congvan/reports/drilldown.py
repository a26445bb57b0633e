"""What stands behind an indicator: the documents, files, assignments or people counted in its
numerator and denominator, for the acting person's own unit (the oversight rule: the units below are
seen as figures, never as their documents). The rows are those the counts read (``indicators.py``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper
from django.utils.translation import gettext as _

from congvan.documents.models import Document
from congvan.lib.errors import InvalidInput
from congvan.orgs.access import Acting
from congvan.orgs.models import Unit
from congvan.reports.indicators import (
    RATIOS,
    ROW_RATIOS,
    Period,
    assignments_done,
    assignments_opened,
    inactive_units,
    label,
    leads_done,
    mailbox_units,
    on_time,
    overdue_at_end,
    parse_period,
    released_mains,
    signature_flags,
)
from congvan.workflow.models import Assignment
from congvan.workflow.queries import oversight_unit

MAX_ITEMS = 1000
OVERDUE = "overdue"  # not a ratio: the work overdue at the period's end, each with who has it


@dataclass
class Item:
    label: str
    detail: str
    numerator: bool
    denominator: bool
    document: int | None = None


def access_indicator_items(acting: Acting, key: str, period_text: str) -> dict[str, Any]:
    """The items behind one indicator of the acting unit's own counts (not the units below)."""
    unit = oversight_unit(acting, None)
    if key not in RATIOS and key != OVERDUE:
        raise InvalidInput(_("indicator: không có chỉ tiêu %(key)s") % {"key": key[:40]})
    period = parse_period(period_text)
    items = _items(key, unit, period)
    return {
        "unit": unit.code,
        "name": unit.name,
        "period": period.label,
        "indicator": key,
        "label": label(key) if key != OVERDUE else _("Việc quá hạn cuối kỳ (theo người được giao)"),
        "numerator": sum(i.numerator for i in items),
        "denominator": sum(i.denominator for i in items),
        "count": len(items),
        "items": [asdict(i) for i in items[:MAX_ITEMS]],
        "truncated": len(items) > MAX_ITEMS,
    }


def _doc(d: Document) -> tuple[str, str]:
    return d.symbol or "—", d.subject


def _items(key: str, unit: Unit, period: Period) -> list[Item]:
    ids = [unit.pk]
    if key in ROW_RATIOS:
        return _row_items(key, ids, period)
    if key in ("signed_personal", "signed_unit"):
        mains = released_mains(ids, period)
        docs = Document.objects.in_bulk([d for _u, d, _s in mains])
        out = []
        for _u, doc_id, sigs in mains:
            personal, seal = signature_flags(sigs)
            symbol, subject = _doc(docs[doc_id])
            counted = personal if key == "signed_personal" else seal
            out.append(Item(symbol, subject, counted, True, doc_id))
        return out
    if key == "assignments_completed":
        opened = set(assignments_opened(ids, period).values_list("pk", flat=True))
        done = set(assignments_done(ids, period).values_list("pk", flat=True))
        return _assignment_items(opened | done, numerator=done, denominator=opened)
    if key == OVERDUE:
        late = set(overdue_at_end(ids, period).values_list("pk", flat=True))
        return _assignment_items(late, numerator=late, denominator=late)
    if key == "on_time":
        leads = list(leads_done(ids, period).values_list("pk", "completed_at", "deadline"))
        kept = {pk for pk, completed, deadline in leads if on_time(completed, deadline)}
        every = {pk for pk, _c, _d in leads}
        return _assignment_items(every, numerator=kept, denominator=every)
    found = inactive_units(ids, period) if key == "units_inactive" else mailbox_units(ids, period)
    return [Item(unit.name, unit.code, unit.pk in found, True)]


def _row_items(key: str, ids: list[int], period: Period) -> list[Item]:
    ratio = ROW_RATIOS[key]
    rows = ratio.rows(ids, period).annotate(
        counted=ExpressionWrapper(ratio.counted(period), output_field=BooleanField())
    )
    out: list[Item] = []
    if ratio.kind in ("receipt", "dispatch"):
        for row in rows.select_related("document").order_by("id"):
            symbol, subject = _doc(row.document)
            out.append(Item(symbol, subject, bool(row.counted), True, row.document_id))
    elif ratio.kind == "intake":
        for row in rows.order_by("id"):
            out.append(Item(row.name, row.get_state_display(), bool(row.counted), True, row.document_id))
    else:
        for row in rows.select_related("user").order_by("user__username"):
            name = row.user.full_name or row.user.username
            out.append(Item(name, f"{row.user.username} · {row.get_role_display()}", bool(row.counted), True))
    return out


def _assignment_items(pks: set[int], *, numerator: set[int], denominator: set[int]) -> list[Item]:
    rows = (
        Assignment.objects.filter(pk__in=pks)
        .select_related("receipt__document", "assignee_user", "assignee_unit")
        .order_by("id")
    )
    out = []
    for a in rows:
        symbol, subject = _doc(a.receipt.document)
        who = (
            a.assignee_user.full_name if a.assignee_user else a.assignee_unit.name if a.assignee_unit else ""
        )
        detail = f"{subject} — {who} ({a.get_state_display()}, {a.deadline:%d/%m/%Y})"
        out.append(Item(symbol, detail, a.pk in numerator, a.pk in denominator, a.receipt.document_id))
    return out
