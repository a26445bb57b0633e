"""In-app notices; each event notifies a person once. E-mail goes out from the worker (mail app)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from congvan.audit.actions import record
from congvan.orgs.access import Acting
from congvan.orgs.models import User
from congvan.workflow.models import EmailState, Notification


def notify(user_ids: Iterable[int | None], *, key: str, kind: str, text: str, link: str = "") -> int:
    """Create one notice per person for the event ``key``; return how many were new."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return 0
    key = key[:120]
    ids -= set(Notification.objects.filter(user_id__in=ids, key=key).values_list("user_id", flat=True))
    if not ids:
        return 0
    now = timezone.now()
    emails = set(User.objects.filter(pk__in=ids).exclude(email="").values_list("pk", flat=True))
    email_on = bool(settings.EMAIL_ENABLED)
    rows = [
        Notification(
            user_id=i,
            key=key,
            kind=kind,
            text=text[:500],
            link=link,
            created_at=now,
            email_state=EmailState.PENDING if email_on and i in emails else EmailState.NONE,
        )
        for i in sorted(ids)
    ]
    # ignore_conflicts: a concurrent writer of the same event loses quietly (the unique key holds).
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def do_mark_read(ids: list[int] | None, *, actor: Acting) -> int:
    """Mark the person's notices read (all of them when ``ids`` is None); return how many changed."""
    user = actor.user
    with transaction.atomic():
        qs = Notification.objects.filter(user=user, read_at=None)
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        n = qs.update(read_at=timezone.now())
        if n:
            record(
                "notifications.read",
                actor=user,
                target_type="user",
                target_id=user.username,
                details={"count": n},
            )
    return n
