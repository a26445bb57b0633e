"""REST endpoints of the auditor's desk and the security alerts (admins and auditors of a subtree)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Schema

from congvan.api.base import acting, api
from congvan.api.incoming_schemas import Strict
from congvan.api.schemas import ErrorOut
from congvan.api.types import Day
from congvan.audit.models import AuditEvent
from congvan.audit.queries import verify_chain
from congvan.lib.dates import local_midnight
from congvan.security import actions as security
from congvan.security.access import AuditFilter, audit_events, require_watcher, visible_alerts
from congvan.security.models import SecurityAlert

ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class AuditEventOut(Schema):
    seq: int
    at: dt.datetime
    actor: str
    actor_id: int | None
    unit: str
    action: str
    target_type: str
    target_id: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


class AuditPage(Schema):
    results: list[AuditEventOut]
    next: int | None  # pass as ``before`` for the next (older) page


class ChainOut(Schema):
    checked: int
    ok: bool
    problems: list[str]


class AlertOut(Schema):
    id: int
    rule: str
    key: str
    unit: str
    subject: str
    details: dict[str, Any]
    at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledged_by: str
    note: str


class AlertsOut(Schema):
    results: list[AlertOut]


class AcknowledgeIn(Strict):
    note: str = ""


def _event(ev: AuditEvent) -> dict[str, Any]:
    return {f: getattr(ev, f) for f in AuditEventOut.model_fields}


def _alert(a: SecurityAlert) -> dict[str, Any]:
    return {f: getattr(a, f) for f in AlertOut.model_fields}


@api.get("/audit", response={200: AuditPage, **ERRORS}, tags=["audit"])
def list_audit(
    request: HttpRequest,
    unit: str = "",
    person: str = "",
    action: str = "",
    target_type: str = "",
    target_id: str = "",
    since: Day | None = None,
    until: Day | None = None,
    before: int | None = None,
    limit: int = 100,
) -> Any:
    """The audit log of the caller's subtree, newest first (admins and auditors). ``unit`` takes that unit
    and those below it; ``action`` matches a prefix ("document."); ``until`` includes its day; the page's
    ``next`` is the ``before`` of the following page."""
    limit = max(1, min(limit, 1000))
    f = AuditFilter(
        unit=unit[:32],
        person=person[:150],
        action=action[:64],
        target_type=target_type[:32],
        target_id=target_id[:64],
        since=local_midnight(since) if since else None,
        until=local_midnight(until + dt.timedelta(days=1)) if until else None,
        before=before if before and 0 < before < 2**62 else None,
    )
    rows = list(audit_events(acting(request), f)[: limit + 1])
    nxt = rows[limit - 1].seq if len(rows) > limit else None
    return {"results": [_event(e) for e in rows[:limit]], "next": nxt}


@api.post("/audit/verify", response={200: ChainOut, **ERRORS}, tags=["audit"])
def verify_audit(request: HttpRequest) -> Any:
    """Check the whole keyed chain against its checkpoints (admins and auditors); the check is recorded."""
    who = acting(request)
    require_watcher(who)
    checked, problems = verify_chain()
    security.do_note_chain_check(checked, len(problems), actor=who)
    return {
        "checked": checked,
        "ok": not problems,
        "problems": [f"#{p.seq}: {p.problem}" for p in problems[:100]],
    }


@api.get("/security/alerts", response={200: AlertsOut, **ERRORS}, tags=["audit"])
def list_alerts(request: HttpRequest, open_only: bool = False) -> Any:
    """Security alerts of the caller's subtree, newest first (admins and auditors)."""
    qs = visible_alerts(acting(request))
    if open_only:
        qs = qs.filter(acknowledged_at=None)
    return {"results": [_alert(a) for a in qs[:500]]}


@api.post("/security/alerts/{alert_id}/acknowledge", response={200: AlertOut, **ERRORS}, tags=["audit"])
def acknowledge_alert(request: HttpRequest, alert_id: int, body: AcknowledgeIn) -> Any:
    return _alert(security.do_acknowledge_alert(alert_id, body.note, actor=acting(request)))
