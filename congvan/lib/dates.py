"""Dates in Vietnam time and the place-and-date line of Decree 30."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today(now: dt.datetime) -> dt.date:
    """Return the calendar date in Vietnam at a UTC instant."""
    return now.astimezone(VN).date()
