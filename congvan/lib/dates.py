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
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("%(field)s: ngày dạng YYYY-MM-DD") % {"field": field}) from None


def lenient_date(value: str) -> dt.date | None:
    """A filter's date: one that does not parse is no filter."""
    try:
        return dt.date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None
