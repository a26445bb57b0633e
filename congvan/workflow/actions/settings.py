"""Configuration of processing: public holidays (all units) and each unit's rules and default deadlines."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.lib.errors import Conflict, InvalidInput
from congvan.lib.text import clean_line
from congvan.orgs.access import Acting, access_unit_rules
from congvan.orgs.errors import NotAllowed
from congvan.workflow.models import Holiday, UnitWorkflowSettings

SETTING_FIELDS = ("clerk_may_route", "days_normal", "days_urgent", "days_very_urgent", "days_flash")


def do_add_holiday(*, day: dt.date, name: str, actor: Acting) -> Holiday:
    """Add a public holiday (administrators of the root: holidays apply to every unit)."""
    if not actor.user.is_superuser:
        raise NotAllowed(_("Chỉ quản trị hệ thống khai báo ngày nghỉ"))
    when = day
    name = clean_line(name, field="name", max_length=100, required=True)
    with transaction.atomic():
        if Holiday.objects.filter(day=when).exists():
            raise Conflict(_("Ngày nghỉ đã có"), code="duplicate_holiday")
        h = Holiday.objects.create(day=when, name=name)
        record(
            "holiday.added",
            actor=actor.user,
            target_type="holiday",
            target_id=when.isoformat(),
            details={"name": name},
        )
    return h


def do_update_unit_settings(
    unit_code: str, changes: dict[str, Any], *, actor: Acting
) -> UnitWorkflowSettings:
    """Change a unit's processing rules: its leader, or an admin of its subtree."""
    with transaction.atomic():
        unit = access_unit_rules(actor, unit_code)
        unknown = set(changes) - set(SETTING_FIELDS)
        if unknown:
            raise InvalidInput(_("Trường không hỗ trợ: %(items)s") % {"items": ", ".join(sorted(unknown))})
        s, _created = UnitWorkflowSettings.objects.select_for_update().get_or_create(unit=unit)
        for name, value in changes.items():
            if name == "clerk_may_route":
                if not isinstance(value, bool):
                    raise InvalidInput("clerk_may_route: true | false")
            elif not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 365:
                raise InvalidInput(_("%(name)s: số ngày làm việc 0-365") % {"name": name})
            setattr(s, name, value)
        s.save()
        record(
            "unit.workflow_settings",
            actor=actor.user,
            unit=unit.code,
            target_type="unit",
            target_id=unit.code,
            details=changes,
        )
    return s
