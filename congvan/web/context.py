"""Template context: who acts, as which membership."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from congvan.orgs.models import Membership


def acting(request: HttpRequest) -> dict[str, Any]:
    who = getattr(request, "acting", None)
    if who is None:
        return {"acting": None}
    others = (
        Membership.objects.filter(user=who.user, active=True).select_related("unit").order_by("unit__path")
    )
    return {"acting": who, "memberships": others}
