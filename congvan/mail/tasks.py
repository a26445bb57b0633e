"""Background entry points of the mail app."""

from __future__ import annotations

from django_tasks import task

from congvan.mail.alerts import send_alerts
from congvan.mail.fetch import fetch_all
from congvan.mail.outbox import send_pending
from congvan.mail.sending import send_due


@task()
def send_emails() -> int:
    return send_pending() + send_alerts() + send_due()


@task()
def fetch_mailboxes() -> int:
    """Read every active mailbox; return how many mails were taken."""
    return sum(f.counts.get("taken", 0) for f in fetch_all())
