"""Notices go out by e-mail through a real SMTP server on 127.0.0.1, once each."""

from __future__ import annotations

import pytest

from congvan.mail.outbox import send_pending
from congvan.mail.tests.servers import free_port
from congvan.workflow.actions.notices import notify
from congvan.workflow.models import EmailState, Notification


def test_notice_is_emailed_once(smtp, people):
    carol = people["carol"]
    carol.email = "carol@huyenuy.gov.vn"
    carol.save(update_fields=["email"])
    notify(
        [carol.pk, people["bob"].pk],
        key="overdue:1:2026-04-28",
        kind="overdue",
        deadline="2026-04-28",
        subject="Kế hoạch",
    )
    notify([carol.pk], key="overdue:1:2026-04-28", kind="overdue", subject="again")  # same event: nothing new
    assert send_pending() == 1  # bob has no address: in-app only
    assert send_pending() == 0
    [msg] = smtp.messages
    assert msg.rcpt_tos == ["carol@huyenuy.gov.vn"]
    assert "Quá hạn xử lý" in msg.content.decode("utf-8", "replace") or b"=?utf-8?" in msg.content
    assert Notification.objects.get(user=carol).email_state == EmailState.SENT


def test_unreachable_server_is_retried_not_lost(settings, people):
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_ENABLED = "127.0.0.1", free_port(), True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    carol = people["carol"]
    carol.email = "carol@huyenuy.gov.vn"
    carol.save(update_fields=["email"])
    notify([carol.pk], key="k", kind="assigned", role="lead", subject="Kế hoạch")
    with pytest.raises(OSError):
        send_pending()
    n = Notification.objects.get(user=carol)
    assert n.email_state == EmailState.PENDING  # still queued for the next run


def test_no_email_when_not_configured(settings, people):
    settings.EMAIL_ENABLED = False
    people["carol"].email = "carol@huyenuy.gov.vn"
    people["carol"].save(update_fields=["email"])
    notify([people["carol"].pk], key="k", kind="assigned", text="x")
    assert Notification.objects.get().email_state == EmailState.NONE
    assert send_pending() == 0


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_them(smtp, people):
    """The task runs in the background worker (django-tasks, database backend)."""
    from django.core.management import call_command

    from congvan.mail.tasks import send_emails

    people["carol"].email = "carol@huyenuy.gov.vn"
    people["carol"].save(update_fields=["email"])
    notify([people["carol"].pk], key="k2", kind="assigned", text="Được giao việc")
    send_emails.enqueue()
    call_command("db_worker", batch=True, interval=0.05, verbosity=0)
    assert len(smtp.messages) == 1
