"""The rules of sign-in and monitoring, asked by the actions, the scheduler and the pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from congvan.orgs.models import Membership, User


def two_factor_required(user: User) -> bool:
    """Whether the person must sign in with a second factor: one of their roles is in
    ``TWO_FACTOR_ROLES`` (default admins and leaders); a system administrator counts as an admin."""
    roles = set(settings.TWO_FACTOR_ROLES)
    if not roles:
        return False
    if user.is_superuser and "admin" in roles:
        return True
    return Membership.objects.filter(user=user, active=True, role__in=roles).exists()


def idle_since(now: dt.datetime) -> dt.datetime:
    """Accounts not signed in since this moment are idle (``IDLE_ACCOUNT_DAYS``)."""
    return now - dt.timedelta(days=settings.IDLE_ACCOUNT_DAYS)


def outside_working_hours(at: dt.datetime) -> bool:
    """Whether a moment falls outside the office's working time (local days and hours in settings)."""
    local = timezone.localtime(at)
    start, end = settings.WORKING_HOURS
    return local.weekday() not in settings.WORKING_DAYS or not (start <= local.hour < end)


# -- alert rules over the audit events --------------------------------------------------------------
# Each rule: the audit actions it reads, and how many of them in what window raise an alert.


@dataclass(frozen=True)
class Burst:
    count: int
    window: dt.timedelta


def failed_signin_bursts() -> dict[str, Burst]:
    window = dt.timedelta(minutes=settings.ALERT_FAILED_SIGNIN_MINUTES)
    return {
        "account": Burst(settings.ALERT_FAILED_SIGNINS_PER_ACCOUNT, window),
        "address": Burst(settings.ALERT_FAILED_SIGNINS_PER_ADDRESS, window),
    }


def download_bursts() -> list[Burst]:
    return [
        Burst(settings.ALERT_DOWNLOADS_PER_MINUTE, dt.timedelta(minutes=1)),
        Burst(settings.ALERT_DOWNLOADS_PER_HOUR, dt.timedelta(hours=1)),
    ]


def grant_alerted(role: str, *, superuser: bool = False) -> bool:
    """Whether granting this role (or system administration) raises an alert."""
    return superuser or role in settings.ALERT_GRANTED_ROLES


DOWNLOAD_ACTIONS = ("document.downloaded",)
FAILED_SIGNIN_ACTIONS = ("auth.failed", "auth.otp_failed")
