"""Dates in Vietnam time, and dates typed by people."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today(now: dt.datetime) -> dt.date:
    """Return the calendar date in Vietnam at a UTC instant."""
    return now.astimezone(VN).date()


def parse_date(value: object, field: str) -> dt.date | None:
    """A date typed as YYYY-MM-DD (or already a date); empty is None; anything else is refused.

    The one parser of dates at the edge: pages, commands and the API's raw JSON bodies use it.
    """
    from django.utils.translation import gettext as _

    from congvan.lib.errors import InvalidInput

    if value in (None, ""):
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    text = str(value)
    try:
        if len(text) != 10:
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("%(field)s: ngày dạng YYYY-MM-DD") % {"field": field}) from None
    try:
        return office_day(day)
    except ValueError as exc:
        raise InvalidInput(f"{field}: {exc}") from None


def lenient_date(value: str) -> dt.date | None:
    """A filter's date: one that does not parse is no filter."""
    try:
        return dt.date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None


# The days an office's documents, deadlines and terms may name: far enough either side for archives and
# plans, near enough that a day after or before (or a deadline counted in working days) still exists.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def office_day(day: dt.date) -> dt.date:
    """``day`` when it lies in FIRST_DAY..LAST_DAY; otherwise a ValueError that says the range."""
    from django.utils.translation import gettext as _

    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(_("ngày phải trong khoảng 1900-01-01 đến 2199-12-31"))
    return day


def local_midnight(day: dt.date) -> dt.datetime:
    """The first moment of a day in Vietnam (filters by day)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=VN)
