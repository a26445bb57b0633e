"""Background entry points of the mail app."""

from __future__ import annotations

from django_tasks import task

from congvan.mail.alerts import send_alerts
from congvan.mail.outbox import send_pending


@task()
def send_emails() -> int:
    return send_pending() + send_alerts()
