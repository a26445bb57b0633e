"""Work lists and oversight figures, filtered in SQL by what the person may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from congvan.dispatch.models import Receipt, ReceiptCount
from congvan.lib.errors import InvalidInput
from congvan.lib.workdays import add_working_days
from congvan.orgs.access import UNIT_WIDE, Acting
from congvan.orgs.errors import NotAllowed, UnknownUnit
from congvan.orgs.models import Role, Unit, User
from congvan.workflow import rules
from congvan.workflow.access import mine
from congvan.workflow.deadlines import holidays
from congvan.workflow.models import OPEN_STATES, Assignment, AssignmentRole, AssignmentState

WORK_VIEWS = ("to_direct", "todo", "due_soon", "overdue", "done")
# The work list's sortable columns: deadline (the default, nearest first), the document's subject, sender.
WORK_SORTS = {
    "deadline": "deadline",
    "subject": "receipt__document__subject",
    "issuer": "receipt__issuer__name",
}
DUE_SOON_DAYS = 3


def work_list(acting: Acting, view: str, today: dt.date) -> QuerySet[Assignment]:
    """Return the person's assignments in one view (to_direct: sub-unit work waiting for its head)."""
    if view not in WORK_VIEWS:
        raise InvalidInput(f"state: {' | '.join(WORK_VIEWS)}")
    base = Assignment.objects.filter(mine(acting)).select_related(
        "receipt__document", "receipt__issuer", "assignee_user", "assignee_unit"
    )
    doing = base.filter(assignee_user_id=acting.user.pk, state__in=rules.WORKING_STATES)
    if view == "to_direct":
        return base.filter(assignee_unit_id=acting.unit.pk, state=AssignmentState.OPEN).order_by(
            "deadline", "pk"
        )
    if view == "todo":
        return doing.order_by("deadline", "pk")
    if view == "due_soon":
        limit = add_working_days(today, DUE_SOON_DAYS, holidays(today))
        return doing.filter(deadline__gte=today, deadline__lte=limit).order_by("deadline", "pk")
    if view == "overdue":
        return doing.filter(rules.overdue(today)).order_by("deadline", "pk")
    return base.filter(assignee_user_id=acting.user.pk, state=AssignmentState.COMPLETED).order_by(
        "-completed_at"
    )


def receipts_to_direct(acting: Acting) -> QuerySet[Receipt]:
    """Registered receipts of the unit with no open lead yet (for its leaders)."""
    if acting.role != Role.LEADER:
        return Receipt.objects.none()
    open_lead = Q(
        assignments__parent=None,
        assignments__role=AssignmentRole.LEAD,
        assignments__state__in=(*OPEN_STATES, AssignmentState.COMPLETED),
    )
    return (
        Receipt.objects.filter(unit_id=acting.unit.pk, state__in=("registered", "directed"))
        .exclude(open_lead)
        .select_related("document", "issuer")
        .order_by("-arrived_at")
    )


@dataclass(frozen=True)
class UnitFigures:
    unit: Unit
    receipts_by_state: dict[str, int]
    overdue: int


@dataclass
class Oversight:
    unit: Unit
    receipts_by_state: dict[str, int]
    overdue_by_person: list[tuple[User, int]]
    overdue_by_unit: list[tuple[Unit, int]]
    below: list[UnitFigures] = field(default_factory=list)


def oversight_unit(acting: Acting, code: str | None) -> Unit:
    """Return the unit whose figures are asked: the acting unit, or (for its leaders) one below it."""
    if acting.role not in UNIT_WIDE:
        raise NotAllowed(_("Vai trò của bạn không xem được trang theo dõi"))
    if not code or code == acting.unit.code:
        return acting.unit
    unit = (
        Unit.objects.filter(code=code[:32], path__startswith=acting.unit.path)
        .exclude(pk=acting.unit.pk)
        .first()
    )
    if unit is None:
        raise UnknownUnit(_("Không có đơn vị này trong phạm vi theo dõi"))
    return unit


def oversight(acting: Acting, code: str | None, today: dt.date) -> Oversight:
    """Figures of a unit and of every unit below it, in a constant number of aggregate queries."""
    unit = oversight_unit(acting, code)
    by_state = dict(ReceiptCount.objects.filter(unit=unit, n__gt=0).values_list("state", "n"))
    overdue = Assignment.objects.filter(rules.overdue(today), owner_unit=unit)
    people = dict(
        overdue.exclude(assignee_user=None)
        .values_list("assignee_user")
        .annotate(n=Count("id"))
        .values_list("assignee_user", "n")
    )
    units = dict(
        overdue.exclude(assignee_unit=None)
        .values_list("assignee_unit")
        .annotate(n=Count("id"))
        .values_list("assignee_unit", "n")
    )
    names = {u.pk: u for u in User.objects.filter(pk__in=people)}
    unit_objs = {u.pk: u for u in Unit.objects.filter(pk__in=units)}
    result = Oversight(
        unit=unit,
        receipts_by_state=by_state,
        overdue_by_person=sorted(((names[k], v) for k, v in people.items()), key=lambda x: -x[1]),
        overdue_by_unit=sorted(((unit_objs[k], v) for k, v in units.items()), key=lambda x: -x[1]),
    )
    result.below = figures_below(unit, today)
    return result


def figures_below(unit: Unit, today: dt.date) -> list[UnitFigures]:
    """Counts (no document content) for every unit under ``unit``: receipts by state and overdue work."""
    sub = list(
        Unit.objects.filter(path__startswith=unit.path)
        .exclude(pk=unit.pk)
        .order_by("path")
        .only("id", "code", "name", "path")
    )
    counts: dict[int, dict[str, int]] = {}
    for unit_id, state, n in (
        ReceiptCount.objects.filter(unit__path__startswith=unit.path, n__gt=0)
        .exclude(unit=unit)
        .values_list("unit_id", "state", "n")
    ):
        counts.setdefault(unit_id, {})[state] = n
    overdue = dict(
        Assignment.objects.filter(rules.overdue(today), owner_unit__in=[u.pk for u in sub])
        .values_list("owner_unit")
        .annotate(n=Count("id"))
        .values_list("owner_unit", "n")
    )
    return [UnitFigures(u, counts.get(u.pk, {}), overdue.get(u.pk, 0)) for u in sub]
