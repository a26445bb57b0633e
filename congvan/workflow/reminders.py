"""Reminders before a deadline and on the day it is missed; each is created once per deadline."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from congvan.audit.actions import record
from congvan.lib.workdays import add_working_days
from congvan.orgs.models import Role, User
from congvan.workflow import rules
from congvan.workflow.actions.notices import notify
from congvan.workflow.deadlines import holidays
from congvan.workflow.models import Assignment


def scan_deadlines(today: dt.date) -> int:
    """Notify assignees whose deadline is near or missed; return the number of notices written.

    The notice key carries the deadline, so an extension brings new reminders and a rerun adds none.
    """
    soon = add_working_days(today, settings.REMINDER_DAYS_BEFORE, holidays(today))
    written = 0
    qs = (
        Assignment.objects.filter(state__in=rules.WORKING_STATES, deadline__lte=soon)
        .select_related("receipt__document")
        .only("id", "deadline", "assignee_user_id", "assignee_unit_id", "receipt__document__subject")
    )
    with transaction.atomic():
        for a in qs.iterator(chunk_size=2000):
            overdue = rules.is_overdue(a, today)
            kind = "overdue" if overdue else "due_soon"
            users = _people_to_remind(a)
            written += notify(
                users,
                key=f"{kind}:{a.pk}:{a.deadline.isoformat()}",
                kind=kind,
                about=("assignment", a.pk),
                deadline=a.deadline.isoformat(),
                subject=a.receipt.document.subject[:300],
            )
        if written:
            record("reminders.scanned", actor=None, details={"day": today.isoformat(), "notices": written})
    return written


def _people_to_remind(a: Assignment) -> list[int]:
    """The assignee, or the active leaders of the assigned unit; never a deactivated account."""
    if a.assignee_user_id is not None:
        people = User.objects.filter(pk=a.assignee_user_id)
    else:
        people = User.objects.filter(
            memberships__unit_id=a.assignee_unit_id or 0,
            memberships__role=Role.LEADER,
            memberships__active=True,
        )
    return list(people.filter(is_active=True).values_list("pk", flat=True).distinct())
