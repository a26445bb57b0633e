"""Deadlines in working days, with the configured public holidays and per-unit defaults."""

from __future__ import annotations

import datetime as dt

from congvan.documents.models import Urgency
from congvan.lib.workdays import add_working_days
from congvan.orgs.models import Unit
from congvan.workflow.models import Holiday, UnitWorkflowSettings


def holidays(around: dt.date) -> set[dt.date]:
    """Return the holidays within two years of a date (enough for any deadline)."""
    lo, hi = around - dt.timedelta(days=400), around + dt.timedelta(days=400)
    return set(Holiday.objects.filter(day__range=(lo, hi)).values_list("day", flat=True))


def settings_of(unit: Unit) -> UnitWorkflowSettings:
    found = UnitWorkflowSettings.objects.filter(unit=unit).first()
    return found or UnitWorkflowSettings(unit=unit)


def default_deadline(unit: Unit, urgency: str, today: dt.date) -> dt.date:
    """Return today plus the unit's working days for the urgency."""
    s = settings_of(unit)
    days = {
        Urgency.NORMAL: s.days_normal,
        Urgency.URGENT: s.days_urgent,
        Urgency.VERY_URGENT: s.days_very_urgent,
        Urgency.FLASH: s.days_flash,
    }.get(Urgency(urgency), s.days_normal)
    return add_working_days(today, days, holidays(today))
