"""Configuration of processing: public holidays (all units) and each unit's rules and default deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.lib.dates import lenient_date
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


@dataclass(frozen=True)
class HolidayLine:
    line: int
    message: str


class HolidaysRefused(InvalidInput):
    """A holiday list with wrong lines: nothing was added; ``errors`` says which lines and why."""

    def __init__(self, errors: list[HolidayLine]) -> None:
        self.errors = errors
        super().__init__(_("%(count)s dòng lỗi, không nhập gì") % {"count": len(errors)})


MAX_HOLIDAY_LINES = 400


def _day(text: str) -> dt.date | None:
    """2027-01-01 or 01/01/2027 (day first, as Vietnamese write it)."""
    if "/" in text:
        parts = text.split("/")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            try:
                return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                return None
        return None
    return lenient_date(text)


def parse_holidays(text: str) -> tuple[list[tuple[dt.date, str]], list[HolidayLine]]:
    """Read a list of holidays, one a line: a date (2027-01-01 or 01/01/2027), then the name, separated
    by a comma, semicolon, tab or spaces. Blank lines and lines starting with # are skipped."""
    days: list[tuple[dt.date, str]] = []
    errors: list[HolidayLine] = []
    seen: set[dt.date] = set()
    for n, raw in enumerate(text.lstrip("\ufeff").splitlines()[:MAX_HOLIDAY_LINES], start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        head, _sep, rest = line.replace(";", ",").replace("\t", ",").partition(",")
        if not rest:
            head, _sep, rest = line.partition(" ")
        day = _day(head.strip())
        name = rest.strip().strip(",").strip()
        if day is None:
            errors.append(HolidayLine(n, _("ngày không hợp lệ: %(value)s") % {"value": head.strip()[:20]}))
        elif not name or len(name) > 100:
            errors.append(HolidayLine(n, _("cần tên ngày nghỉ (tối đa 100 ký tự)")))
        elif day in seen:
            errors.append(HolidayLine(n, _("ngày %(value)s lặp lại") % {"value": day.isoformat()}))
        else:
            seen.add(day)
            days.append((day, name))
    if len(text.splitlines()) > MAX_HOLIDAY_LINES:
        limit = _("tối đa %(MAX_ROWS)s dòng") % {"MAX_ROWS": MAX_HOLIDAY_LINES}
        errors.append(HolidayLine(MAX_HOLIDAY_LINES + 1, limit))
    return days, errors


def do_import_holidays(text: str, *, actor: Acting) -> tuple[int, int]:
    """Add a year's list of holidays (the system administrator): every line checked, nothing added
    unless all are right; days already declared are kept as they are. Returns (added, already there)."""
    if not actor.user.is_superuser:
        raise NotAllowed(_("Chỉ quản trị hệ thống khai báo ngày nghỉ"))
    days, errors = parse_holidays(text)
    if errors:
        raise HolidaysRefused(errors)
    added = 0
    with transaction.atomic():
        known = set(Holiday.objects.filter(day__in=[d for d, _n in days]).values_list("day", flat=True))
        for day, name in days:
            if day not in known:
                do_add_holiday(day=day, name=name, actor=actor)
                added += 1
    return added, len(days) - added


def do_remove_holiday(day: dt.date, *, actor: Acting) -> None:
    """Take back a holiday declared by mistake (deadlines already set keep their dates)."""
    if not actor.user.is_superuser:
        raise NotAllowed(_("Chỉ quản trị hệ thống khai báo ngày nghỉ"))
    with transaction.atomic():
        if Holiday.objects.filter(day=day).delete()[0]:
            record("holiday.removed", actor=actor.user, target_type="holiday", target_id=day.isoformat())
