"""Security headers, and the membership a signed-in person acts as."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.lib.http import client_address
from congvan.orgs.access import Acting, superuser_acting
from congvan.orgs.models import Membership
from congvan.security.actions import do_touch_session


def csp() -> str:
    """The policy; the only address outside the server the page may call is the signing agent on the
    signer's own PC (127.0.0.1), for "Ký số và duyệt"."""
    from urllib.parse import urlsplit

    agent = urlsplit(settings.SIGNER_AGENT_URL)
    origin = f"{agent.scheme}://{agent.netloc}" if agent.scheme in ("http", "https") and agent.netloc else ""
    return CSP.replace("connect-src 'self'", f"connect-src 'self' {origin}".rstrip())


CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "frame-src 'self'",
        "frame-ancestors 'self'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
)


class SecurityHeadersMiddleware:
    """Add a strict Content-Security-Policy (no asset from outside the server) and related headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", csp())
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        signed_in = request.user.is_authenticated if hasattr(request, "user") else False
        if signed_in or request.path.startswith(("/api/", "/exchange/")):  # nothing of it in any cache
            response.headers.setdefault("Cache-Control", "no-store")
        return response


SESSION_KEY = "congvan_membership"


class ActingMembershipMiddleware:
    """Put ``request.acting`` for a signed-in person: the membership chosen, or their first one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.acting = None  # type: ignore[attr-defined]
        user = request.user
        if user.is_authenticated:
            ms = Membership.objects.select_related("unit", "user").filter(
                user=user, active=True, unit__active=True
            )
            chosen = request.session.get(SESSION_KEY)
            m = (ms.filter(pk=chosen).first() if chosen else None) or ms.order_by("id").first()
            if m is not None:
                request.acting = Acting(m.user, m)  # type: ignore[attr-defined]
            else:  # a system administrator without a unit of their own
                request.acting = superuser_acting(user, None)  # type: ignore[attr-defined]
        return self.get_response(request)


class VietnameseFirstMiddleware:
    """Show Vietnamese unless the person chose English: the browser's language list is not consulted.

    Offices' computers often run an English system; the interface must still open in Vietnamese. An API
    client asks for English explicitly with ``Accept-Language: en``, which is honoured.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


ENROLL_OPEN = ("/account/two-factor/", "/logout/", "/static/", "/login/", "/i18n/")


class SessionGuardMiddleware:
    """A browser session stays in force while it is listed to its owner and not idle
    (``security.do_touch_session``); someone whose role requires two-factor sign-in and who signed in
    without it reaches only the page that sets it up."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(("/api/", "/exchange/", "/static/")):
            key = request.session.session_key or ""
            alive = do_touch_session(
                key,
                user,
                timezone.now(),
                address=client_address(request.META),
                agent=request.META.get("HTTP_USER_AGENT", ""),
            )
            if not alive:
                logout(request)
                return redirect(f"/login/?next={request.path}")
            if request.session.get("congvan_must_enroll") and not request.path.startswith(ENROLL_OPEN):
                return redirect("web:two_factor")
        return self.get_response(request)


def _strict_utf8(encoded: bytes) -> bool:
    """Whether a query string or urlencoded body decodes, after its %-escapes, as UTF-8 without loss."""
    try:
        for pair in encoded.split(b"&"):
            unquote_to_bytes(pair.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class StrictEncodingMiddleware:
    """Refuse query strings and form bodies that are not UTF-8 (Django would read them as Latin-1 or put
    U+FFFD in place of the bad bytes, and the changed text would be stored): a 400, nothing changed.
    Multipart fields are checked where they are read (``lib.http.refuse_replaced_text``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ok = _strict_utf8(request.META.get("QUERY_STRING", "").encode("latin-1", "replace"))
        ctype = request.META.get("CONTENT_TYPE", "")
        declared = str(request.META.get("CONTENT_LENGTH") or "0")
        length = int(declared) if declared.isdigit() else 0
        if (
            ok
            and ctype.startswith("application/x-www-form-urlencoded")
            and 0 < length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        ):
            ok = _strict_utf8(request.body)
        if ok:
            return self.get_response(request)
        message = _("Dữ liệu không phải UTF-8")
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"error": {"code": "bad_encoding", "message": message}},
                status=400,
                json_dumps_params={"ensure_ascii": False},
            )
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
