"""E-mail each security alert to the admins and auditors above its unit (system administrators: all)."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.utils.translation import gettext as _

from congvan.orgs.access import ancestor_codes
from congvan.orgs.models import Role, Unit, User
from congvan.security.models import EmailState, SecurityAlert

log = logging.getLogger(__name__)


def alert_recipients(alert: SecurityAlert) -> list[str]:
    """The addresses of whoever watches the alert's unit: admins and auditors of it or a unit above it."""
    unit = Unit.objects.filter(code=alert.unit).first() if alert.unit else None
    watchers = Q(is_superuser=True)
    if unit is not None:
        watchers |= Q(
            memberships__active=True,
            memberships__role__in=[Role.ADMIN, Role.AUDITOR],
            memberships__unit__code__in=[*ancestor_codes(unit), unit.code],
        )
    people = User.objects.filter(watchers, is_active=True).exclude(email="").distinct()
    return sorted({u.email for u in people})


def alert_text(alert: SecurityAlert) -> str:
    details = ", ".join(f"{k}: {v}" for k, v in alert.details.items())
    return _("Cảnh báo an ninh: %(rule)s, %(key)s (%(unit)s) %(details)s") % {
        "rule": alert.get_rule_display(),
        "key": alert.key,
        "unit": alert.unit or "-",
        "details": details,
    }


def send_alerts(limit: int = 100) -> int:
    """Send the alerts not yet e-mailed; return how many were sent."""
    if not settings.EMAIL_ENABLED:
        return 0
    sent = 0
    ids = list(
        SecurityAlert.objects.filter(email_state=EmailState.PENDING)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    if not ids:
        return 0
    with get_connection(fail_silently=False) as connection:
        for pk in ids:
            if (
                SecurityAlert.objects.filter(pk=pk, email_state=EmailState.PENDING).update(
                    email_state=EmailState.SENDING
                )
                != 1
            ):
                continue
            alert = SecurityAlert.objects.get(pk=pk)
            to = alert_recipients(alert)
            if not to:
                SecurityAlert.objects.filter(pk=pk).update(email_state=EmailState.NONE)
                continue
            text = alert_text(alert)
            message = EmailMessage(
                subject=f"[congvan] {text[:120]}",
                body=f"{text}\n\n{settings.PUBLIC_URL.rstrip('/')}/security/\n",
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=to,
                connection=connection,
            )
            try:
                message.send()
            except (smtplib.SMTPException, OSError) as exc:
                SecurityAlert.objects.filter(pk=pk).update(email_state=EmailState.PENDING)
                log.warning("e-mail for alert %s failed: %s", pk, exc)
                break
            SecurityAlert.objects.filter(pk=pk).update(email_state=EmailState.SENT)
            sent += 1
    return sent
