"""Who reads alerts and the audit log: admins and auditors, for their unit's subtree (a system
administrator for everything)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from congvan.audit.models import AuditEvent
from congvan.orgs.access import Acting
from congvan.orgs.errors import NotAllowed
from congvan.orgs.models import Membership, Role, Unit
from congvan.security.errors import UnknownAlert
from congvan.security.models import SecurityAlert

WATCHERS = (Role.ADMIN, Role.AUDITOR)


def is_watcher(acting: Acting) -> bool:
    return acting.user.is_superuser or acting.role in WATCHERS


def require_watcher(acting: Acting) -> None:
    """Refuse anyone but an admin or auditor (alerts, the audit log, the chain check)."""
    if not is_watcher(acting):
        raise NotAllowed(_("Chỉ quản trị và kiểm tra xem được nhật ký và cảnh báo"))


def _scope_codes(acting: Acting) -> QuerySet[Unit]:
    return Unit.objects.filter(path__startswith=acting.unit.path)


def visible_alerts(acting: Acting) -> QuerySet[SecurityAlert]:
    """Alerts of the watcher's subtree; alerts tied to no unit only for system administrators."""
    require_watcher(acting)
    if acting.user.is_superuser:
        return SecurityAlert.objects.all()
    return SecurityAlert.objects.filter(unit__in=_scope_codes(acting).values("code"))


def access_alert(acting: Acting, alert_id: int, *, for_write: bool = False) -> SecurityAlert:
    qs = visible_alerts(acting)
    if for_write:
        qs = qs.select_for_update()
    alert = qs.filter(pk=alert_id).first()
    if alert is None:
        raise UnknownAlert(_("Không có cảnh báo này"))
    return alert


@dataclass(frozen=True)
class AuditFilter:
    unit: str = ""  # a unit code: that unit and those below it
    person: str = ""  # the actor's username
    action: str = ""  # an action or its prefix ("document." for every document event)
    target_type: str = ""
    target_id: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    before: int | None = None  # the cursor: events before this sequence number


def visible_events(acting: Acting) -> QuerySet[AuditEvent]:
    """The audit events of the watcher's subtree: those recorded in its units, and those about or by its
    people (sign-ins and account changes carry no unit)."""
    require_watcher(acting)
    if acting.user.is_superuser:
        return AuditEvent.objects.all()
    units = _scope_codes(acting)
    people = Membership.objects.filter(unit__in=units)
    return AuditEvent.objects.filter(
        Q(unit__in=units.values("code"))
        | Q(unit="", actor_id__in=people.values("user_id"))
        | Q(unit="", target_type="user", target_id__in=people.values("user__username"))
    )


def audit_events(acting: Acting, f: AuditFilter) -> QuerySet[AuditEvent]:
    """The visible events that match a filter, newest first."""
    qs = visible_events(acting)
    if f.unit:
        unit = (
            _scope_codes(acting).filter(code=f.unit).first()
            if not acting.user.is_superuser
            else (Unit.objects.filter(code=f.unit).first())
        )
        if unit is None:
            return qs.none()
        qs = qs.filter(unit__in=Unit.objects.filter(path__startswith=unit.path).values("code"))
    if f.person:
        qs = qs.filter(actor=f.person)
    if f.action:
        qs = qs.filter(action__startswith=f.action)
    if f.target_type:
        qs = qs.filter(target_type=f.target_type)
    if f.target_id:
        qs = qs.filter(target_id=f.target_id)
    if f.since:
        qs = qs.filter(at__gte=f.since)
    if f.until:
        qs = qs.filter(at__lt=f.until)
    if f.before:
        qs = qs.filter(seq__lt=f.before)
    return qs.order_by("-seq")
