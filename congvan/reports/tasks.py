"""Background entry points of the reports app (queued by each tick)."""

from __future__ import annotations

from django_tasks import task

from congvan.reports.actions import do_freeze_ended_months


@task()
def freeze_ended_months() -> int:
    """Freeze the indicators of the month that ended last (once; later ticks find it frozen)."""
    return do_freeze_ended_months()
