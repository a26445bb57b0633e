"""Reminders before a deadline and on the day it is missed; each is created once per deadline."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from congvan.audit.actions import record
from congvan.lib.workdays import add_working_days
from congvan.orgs.models import Membership, Role
from congvan.workflow.actions.notices import notify
from congvan.workflow.deadlines import holidays
from congvan.workflow.models import OPEN_STATES, Assignment, AssignmentState


def scan_deadlines(today: dt.date) -> int:
    """Notify assignees whose deadline is near or missed; return the number of notices written.

    The notice key carries the deadline, so an extension brings new reminders and a rerun adds none.
    """
    soon = add_working_days(today, settings.REMINDER_DAYS_BEFORE, holidays(today))
    written = 0
    qs = (
        Assignment.objects.filter(
            state__in=[s for s in OPEN_STATES if s != AssignmentState.DELEGATED], deadline__lte=soon
        )
        .select_related("receipt__document")
        .only("id", "deadline", "assignee_user_id", "assignee_unit_id", "receipt__document__subject")
    )
    with transaction.atomic():
        for a in qs.iterator(chunk_size=2000):
            overdue = a.deadline < today
            kind = "overdue" if overdue else "due_soon"
            subject = a.receipt.document.subject[:300]
            text = (
                f"Quá hạn xử lý ({a.deadline:%d/%m/%Y}): {subject}"
                if overdue
                else f"Sắp đến hạn xử lý ({a.deadline:%d/%m/%Y}): {subject}"
            )
            if a.assignee_user_id is not None:
                users = [a.assignee_user_id]
            else:
                users = list(
                    Membership.objects.filter(unit_id=a.assignee_unit_id or 0, role=Role.LEADER).values_list(
                        "user_id", flat=True
                    )
                )
            written += notify(
                users,
                key=f"{kind}:{a.pk}:{a.deadline.isoformat()}",
                kind=kind,
                text=text,
                link=f"/assignments/{a.pk}/",
            )
        if written:
            record("reminders.scanned", actor=None, details={"day": today.isoformat(), "notices": written})
    return written
