"""Background entry points of the signatures app."""

from __future__ import annotations

from django_tasks import task

from congvan.signatures.actions import verify_pending


@task()
def verify_new_files() -> int:
    return verify_pending()
