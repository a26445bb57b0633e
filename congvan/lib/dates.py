"""Dates in Vietnam time and the place-and-date line of Decree 30."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today(now: dt.datetime) -> dt.date:
    """Return the calendar date in Vietnam at a UTC instant."""
    return now.astimezone(VN).date()


def place_date_line(place: str, day: dt.date) -> str:
    """Return ``Gò Công Tây, ngày 05 tháng 02 năm 2026`` (leading zeros: days < 10, months 1-2)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place}, {text}" if place else text.capitalize()
