"""Template context: who acts, as which membership."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from congvan.orgs.models import Membership
from congvan.workflow.models import Notification


def acting(request: HttpRequest) -> dict[str, Any]:
    who = getattr(request, "acting", None)
    if who is None:
        return {"acting": None}
    others = (
        Membership.objects.filter(user=who.user, active=True).select_related("unit").order_by("unit__path")
    )
    unread = Notification.objects.filter(user=who.user, read_at=None).count()
    return {"acting": who, "memberships": others, "unread": unread}
