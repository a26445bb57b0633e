"""Sign-in throttling: failures are counted per account from one address, per address, and per account
from every address; past a limit the key waits, and each new block doubles the wait.

A stranger cannot lock an account out: their failures block their own address (and the account from
their address), not the owner's sign-in from elsewhere; only a spread attack from many addresses reaches
the account-wide limit. Keys use the name typed, so unknown and existing accounts answer alike. A try is
counted before its password is checked, under the rows' locks, so parallel requests get exactly the
allowed number of checks.
"""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from congvan.orgs.errors import AccountLocked
from congvan.orgs.models import LoginThrottle

# Failures older than this start again from nothing; a key quiet for a day forgets its past blocks.
WINDOW = dt.timedelta(hours=1)
MEMORY = dt.timedelta(days=1)


def _keys(username: str, address: str) -> dict[str, str]:
    name, addr = str(username).strip().lower()[:150], (address or "?")[:64]
    return {"pair": f"pair:{name}|{addr}", "address": f"address:{addr}", "account": f"account:{name}"}


def _limit(kind: str) -> int:
    return {
        "pair": settings.LOGIN_MAX_FAILURES,
        "address": settings.LOGIN_MAX_FAILURES_PER_ADDRESS,
        "account": settings.LOGIN_MAX_FAILURES_PER_ACCOUNT,
    }[kind]


def _wait(level: int) -> dt.timedelta:
    return dt.timedelta(
        seconds=min(settings.LOGIN_WAIT_SECONDS * 2 ** min(level, 20), settings.LOGIN_MAX_WAIT_SECONDS)
    )


def refused(seconds: int) -> AccountLocked:
    exc = AccountLocked(_("Đăng nhập sai nhiều lần: hãy thử lại sau %(seconds)s giây") % {"seconds": seconds})
    exc.retry_after = seconds  # type: ignore[attr-defined]
    return exc


def reserve(username: str, address: str, now: dt.datetime) -> list[str]:
    """Count a try before its password is checked, or refuse it (how long to wait in the message).
    Returns the keys that reached their limit with this try (they are blocked from now)."""
    blocked: list[str] = []
    with transaction.atomic():
        rows = {}
        for kind, key in _keys(username, address).items():
            row, _created = LoginThrottle.objects.select_for_update().get_or_create(
                key=key, defaults={"updated_at": now}
            )
            if row.blocked_until and row.blocked_until > now:
                raise refused(math.ceil((row.blocked_until - now).total_seconds()))
            if now - row.updated_at > MEMORY:
                row.level = 0
            if now - row.updated_at > WINDOW:
                row.failures = 0
            rows[kind] = row
        for kind, row in rows.items():
            row.failures += 1
            row.updated_at = now
            if row.failures >= _limit(kind):
                row.blocked_until, row.level, row.failures = now + _wait(row.level), row.level + 1, 0
                blocked.append(kind)
            row.save()
    return blocked


def succeeded(username: str, address: str) -> None:
    """The password was right: the account's counts from this address and from everywhere start again;
    the address keeps its count (less this try)."""
    keys = _keys(username, address)
    with transaction.atomic():
        LoginThrottle.objects.filter(key__in=[keys["pair"], keys["account"]]).delete()
        row = LoginThrottle.objects.select_for_update().filter(key=keys["address"]).first()
        if row is not None and row.failures > 0:
            row.failures -= 1
            row.save(update_fields=["failures"])


def clear_account(username: str) -> None:
    """An admin lifts every block on an account (from every address)."""
    name = str(username).lower()[:150]
    LoginThrottle.objects.filter(key__startswith=f"pair:{name}|").delete()
    LoginThrottle.objects.filter(key=f"account:{name}").delete()


def account_blocked(username: str, now: dt.datetime) -> bool:
    """Whether sign-ins to the account wait now, from some address or from all."""
    name = str(username).lower()[:150]
    keys = LoginThrottle.objects.filter(blocked_until__gt=now)
    return (
        keys.filter(key__startswith=f"pair:{name}|").exists() or keys.filter(key=f"account:{name}").exists()
    )
