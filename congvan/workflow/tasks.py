"""Background entry points of the workflow app."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from congvan.lib.dates import local_today
from congvan.workflow.reminders import scan_deadlines


@task()
def scan_deadlines_today() -> int:
    return scan_deadlines(local_today(timezone.now()))
