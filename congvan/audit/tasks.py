"""Background entry points of the audit app."""

from __future__ import annotations

from django_tasks import task

from congvan.audit.actions import write_checkpoint


@task()
def write_audit_checkpoint() -> None:
    """Append the chain's head to the checkpoints outside the database (queued by each tick)."""
    write_checkpoint()
