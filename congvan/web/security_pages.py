"""Pages of sign-in security and monitoring: one's two-factor sign-in, sessions and tokens; the security
alerts; the auditor's desk (the audit log, a document's history, the chain check, exports)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congvan.audit.models import AuditEvent
from congvan.audit.queries import verify_chain
from congvan.lib.dates import local_midnight
from congvan.ops.health import health
from congvan.orgs.access import Acting
from congvan.orgs.actions import do_revoke_own_token, own_tokens
from congvan.orgs.errors import NotAllowed
from congvan.security import actions as security
from congvan.security.access import AuditFilter, audit_events, require_watcher, visible_alerts
from congvan.security.rules import two_factor_required
from congvan.web.decorators import member_required
from congvan.web.forms import AuditFilterForm, CodeForm, ConfirmPasswordForm, NoteForm, typed
from congvan.web.qr import qr_svg

PAGE = 100
EXPORT_MAX = 100_000
EXPORT_COLUMNS = [
    "seq",
    "at",
    "actor",
    "actor_id",
    "unit",
    "action",
    "target_type",
    "target_id",
    "details",
    "prev_hash",
    "hash",
]


@member_required
def two_factor_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    """Set up, check and turn off one's authenticator; recovery codes are shown once."""
    user = acting.user
    codes: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "start":
            security.do_start_totp(actor=user)
        elif action == "confirm":
            codes = security.do_confirm_totp(typed(CodeForm, request.POST)["code"], actor=user)
            request.session.pop("congvan_must_enroll", None)
            messages.success(request, _("Đã bật xác thực hai bước."))
        elif action == "codes":
            codes = security.do_new_recovery_codes(
                typed(ConfirmPasswordForm, request.POST)["password"], actor=user
            )
        elif action == "disable":
            security.do_disable_totp(typed(ConfirmPasswordForm, request.POST)["password"], actor=user)
            messages.success(request, _("Đã tắt xác thực hai bước."))
            return redirect("web:two_factor")
        if not codes:
            return redirect("web:two_factor")
    secret = security.pending_secret(user)
    uri = security.provisioning_uri(user, secret) if secret else ""
    return render(
        request,
        "web/two_factor.html",
        {
            "enrolled": security.has_second_factor(user),
            "required": request.session.get("congvan_must_enroll", False) or two_factor_required(user),
            "secret": secret,
            "secret_groups": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "qr": qr_svg(uri) if uri else "",
            "codes": codes,
            "codes_left": security.recovery_codes_left(user),
        },
    )


@require_POST
@member_required
def end_session(request: HttpRequest, acting: Acting, session_id: int) -> HttpResponse:
    security.do_end_session(session_id, actor=acting.user)
    messages.success(request, _("Đã đăng xuất phiên đó."))
    return redirect("/account/#sessions")


@require_POST
@member_required
def revoke_token(request: HttpRequest, acting: Acting, token_id: int) -> HttpResponse:
    do_revoke_own_token(token_id, actor=acting.user)
    messages.success(request, _("Đã thu hồi mã truy cập."))
    return redirect("/account/#tokens")


def account_security(request: HttpRequest, acting: Acting) -> dict[str, Any]:
    """What the account page shows of one's sign-in security."""
    return {
        "enrolled": security.has_second_factor(acting.user),
        "sessions": security.own_sessions(acting.user),
        "this_session": request.session.session_key,
        "tokens": own_tokens(acting.user),
    }


# -- alerts ----------------------------------------------------------------------------------------


@member_required
def alerts_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    alerts = visible_alerts(acting)
    show = request.GET.get("show", "open")
    if show != "all":
        alerts = alerts.filter(acknowledged_at=None)
    return render(request, "web/alerts.html", {"alerts": alerts[:200], "show": show})


@require_POST
@member_required
def acknowledge_alert(request: HttpRequest, acting: Acting, alert_id: int) -> HttpResponse:
    security.do_acknowledge_alert(alert_id, typed(NoteForm, request.POST).get("note", ""), actor=acting)
    messages.success(request, _("Đã xác nhận cảnh báo."))
    return redirect("web:alerts")


# -- the auditor's desk ------------------------------------------------------------------------------


def audit_filter(data: QueryDict) -> AuditFilter:
    """The log's filter from a query string (dates are local days, the end day included)."""
    f = typed(AuditFilterForm, data)
    since, until = f.get("since"), f.get("until")
    return AuditFilter(
        unit=f.get("unit", ""),
        person=f.get("person", ""),
        action=f.get("action", ""),
        target_type=f.get("target_type", ""),
        target_id=f.get("target_id", ""),
        since=local_midnight(since) if since else None,
        until=local_midnight(until + dt.timedelta(days=1)) if until else None,
        before=f.get("before"),
    )


@member_required
def audit_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    require_watcher(acting)
    f = audit_filter(request.GET)
    events = list(audit_events(acting, f)[: PAGE + 1])
    more = len(events) > PAGE
    events = events[:PAGE]
    params = request.GET.copy()
    if more:
        params["before"] = str(events[-1].seq)
    return render(
        request,
        "web/audit.html",
        {
            "events": events,
            "f": f,
            "next_query": params.urlencode() if more else "",
            "query": request.GET.urlencode(),
        },
    )


@require_POST
@member_required
def audit_verify(request: HttpRequest, acting: Acting) -> HttpResponse:
    require_watcher(acting)
    checked, problems = verify_chain()
    security.do_note_chain_check(checked, len(problems), actor=acting)
    if problems:
        messages.error(
            request,
            _("Chuỗi nhật ký bị phá vỡ: %(problems)s lỗi trong %(checked)s sự kiện")
            % {"problems": len(problems), "checked": checked},
        )
        for p in problems[:20]:
            messages.error(request, f"#{p.seq}: {p.problem}")
    else:
        messages.success(request, _("Chuỗi nhật ký toàn vẹn: %(checked)s sự kiện") % {"checked": checked})
    return redirect("web:audit")


def event_row(ev: AuditEvent) -> dict[str, Any]:
    return {
        "seq": ev.seq,
        "at": ev.at.isoformat(),
        "actor": ev.actor,
        "actor_id": ev.actor_id,
        "unit": ev.unit,
        "action": ev.action,
        "target_type": ev.target_type,
        "target_id": ev.target_id,
        "details": ev.details,
        "prev_hash": ev.prev_hash,
        "hash": ev.hash,
    }


@member_required
def audit_export(request: HttpRequest, acting: Acting, fmt: str) -> HttpResponse:
    """The filtered log as CSV or JSON, oldest first, with each event's chain hashes."""
    require_watcher(acting)
    if fmt not in ("csv", "json"):
        raise Http404
    events = audit_events(acting, audit_filter(request.GET))[:EXPORT_MAX]
    rows = [event_row(ev) for ev in reversed(list(events))]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "json":
        body = json.dumps({"events": rows}, ensure_ascii=False, indent=1)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        out = io.StringIO()
        w = csv.writer(out)
        columns = EXPORT_COLUMNS
        w.writerow(columns)
        for r in rows:
            w.writerow([json.dumps(r[c], ensure_ascii=False) if c == "details" else r[c] for c in columns])
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{fmt}"'
    return response


# -- the health page ------------------------------------------------------------------------------------


@member_required
def health_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    """The installation's state for its administrators."""
    if not (acting.user.is_superuser or acting.role == "admin"):
        raise NotAllowed(_("Chỉ quản trị xem được tình trạng hệ thống"))
    return render(request, "web/health.html", {"h": health()})
