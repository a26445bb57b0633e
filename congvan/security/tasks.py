"""Background entry points of the security app (queued by each tick)."""

from __future__ import annotations

from django_tasks import task

from congvan.security.actions import do_deactivate_idle_accounts, do_scan_events


@task()
def scan_security_events() -> int:
    """Run the alert rules over the audit events written since the last scan."""
    return len(do_scan_events())


@task()
def deactivate_idle_accounts() -> int:
    """Deactivate accounts idle for ``IDLE_ACCOUNT_DAYS`` (an alert tells the admins)."""
    return len(do_deactivate_idle_accounts())
