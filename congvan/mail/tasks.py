"""Background entry points of the mail app."""

from __future__ import annotations

from django_tasks import task

from congvan.mail.actions import do_fetch_mail, do_send_mail_deliveries
from congvan.mail.alerts import send_alerts
from congvan.mail.outbox import send_pending


@task()
def send_emails() -> int:
    return send_pending() + send_alerts() + do_send_mail_deliveries()


@task()
def fetch_mailboxes() -> int:
    """Read every active mailbox; return how many mails were taken."""
    return sum(f.counts.get("taken", 0) for f in do_fetch_mail(actor=None))
