"""Send the e-mail copies of notices, claimed one by one so two workers never send the same one."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from congvan.lib.links import page_of
from congvan.workflow.actions.notices import notice_text
from congvan.workflow.models import EmailState, Notification

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def send_pending(limit: int = 200) -> int:
    """Send pending notices by SMTP; return how many were sent. Failures are retried later."""
    if not settings.EMAIL_ENABLED:
        return 0
    sent = 0
    ids = list(
        Notification.objects.filter(email_state=EmailState.PENDING)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    if not ids:
        return 0
    with get_connection(fail_silently=False) as connection:
        for pk in ids:
            # Claim: only the worker whose update changes the row sends it.
            if (
                Notification.objects.filter(pk=pk, email_state=EmailState.PENDING).update(
                    email_state=EmailState.SENDING
                )
                != 1
            ):
                continue
            n = Notification.objects.select_related("user").get(pk=pk)
            text = notice_text(n)
            page = page_of(n.about_type, n.about_id)
            message = EmailMessage(
                subject=f"[congvan] {text[:120]}",
                body=f"{text}\n\n{settings.PUBLIC_URL.rstrip('/')}{page}\n" if page else f"{text}\n",
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[n.user.email],
                connection=connection,
            )
            try:
                message.send()
            except (smtplib.SMTPException, OSError) as exc:
                attempts = n.email_attempts + 1
                state = EmailState.FAILED if attempts >= MAX_ATTEMPTS else EmailState.PENDING
                Notification.objects.filter(pk=pk).update(email_state=state, email_attempts=attempts)
                log.warning("e-mail for notice %s failed (%s attempt(s)): %s", pk, attempts, exc)
                continue
            Notification.objects.filter(pk=pk).update(
                email_state=EmailState.SENT, email_attempts=n.email_attempts + 1
            )
            sent += 1
    return sent
