"""State changes of the reports app: freezing a month's indicators."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import transaction
from django.utils import timezone

from congvan.audit.actions import record
from congvan.lib.dates import VN
from congvan.orgs.models import Unit
from congvan.reports.indicators import Counts, own_counts, parse_period
from congvan.reports.models import FrozenIndicators


def figures_hash(figures: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(figures, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def do_freeze_month(period_text: str, *, now: dt.datetime | None = None) -> int:
    """Compute and keep every unit's figures for an ended month (once: a frozen month stays as it
    was); each unit's hash goes into the audit chain. Returns how many units were frozen."""
    period = parse_period(period_text)
    now = now or timezone.now()
    if len(period.months) != 1 or period.end > now.astimezone(VN):
        return 0  # months only, and only once they have ended
    done = set(FrozenIndicators.objects.filter(period=period.label).values_list("unit_id", flat=True))
    units = list(Unit.objects.filter(active=True).exclude(pk__in=done).only("id", "code", "path"))
    if not units:
        return 0
    everyone = list(Unit.objects.only("id", "path"))
    own = own_counts(everyone, period)
    rows = []
    for unit in units:
        total = Counts()
        for u in everyone:
            if u.path.startswith(unit.path):
                total.add(own.get(u.pk, Counts()))
        figures = total.as_dict()
        rows.append(
            FrozenIndicators(
                unit=unit, period=period.label, figures=figures, sha256=figures_hash(figures), frozen_at=now
            )
        )
    with transaction.atomic():
        FrozenIndicators.objects.bulk_create(rows, ignore_conflicts=True)
        for row in rows:
            record(
                "reports.month_frozen",
                actor=None,
                unit=row.unit.code,
                target_type="indicators",
                target_id=f"{row.unit.code}:{row.period}",
                details={"period": row.period, "sha256": row.sha256},
            )
    return len(rows)


def do_freeze_ended_months(now: dt.datetime | None = None) -> int:
    """The scheduler's call: freeze the month that ended last (a no-op once it is frozen)."""
    now = (now or timezone.now()).astimezone(VN)
    last = now.replace(day=1) - dt.timedelta(days=1)
    return do_freeze_month(f"{last.year}-{last.month:02d}", now=now)
