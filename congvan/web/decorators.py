"""Decorators of the web views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from congvan.lib.errors import CongvanError

View = Callable[..., HttpResponseBase]


def member_required(view: View) -> View:
    """Send anonymous visitors to the login page; refuse accounts without a unit."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('web:login')}?next={request.path}")
        if getattr(request, "acting", None) is None:
            return render(request, "web/no_unit.html", status=403)
        try:
            return view(request, request.acting, *args, **kwargs)  # type: ignore[attr-defined]
        except CongvanError as exc:
            if request.method == "POST" and exc.status not in (404,):
                messages.error(request, exc.message)
                return redirect(request.META.get("HTTP_REFERER") or reverse("web:dashboard"))
            return render(request, "web/error.html", {"error": exc}, status=exc.status)

    return wrapped
