"""Working days skip weekends and configured holidays."""

from __future__ import annotations

import datetime as dt

from congvan.lib.workdays import add_working_days, working_days_between

FRI = dt.date(2026, 4, 24)  # a Friday; 30/4 and 1/5 are public holidays in Vietnam
HOLIDAYS = {dt.date(2026, 4, 30), dt.date(2026, 5, 1)}


def test_weekend_is_skipped():
    assert add_working_days(FRI, 1, set()) == dt.date(2026, 4, 27)  # Monday
    assert add_working_days(FRI, 5, set()) == dt.date(2026, 5, 1)


def test_holidays_are_skipped():
    # Mon 27, Tue 28, Wed 29, (Thu 30 and Fri 1 are holidays, then the weekend), Mon 4 May.
    assert add_working_days(FRI, 4, HOLIDAYS) == dt.date(2026, 5, 4)
    assert add_working_days(FRI, 0, HOLIDAYS) == FRI


def test_days_between_counts_the_same_way():
    end = add_working_days(FRI, 7, HOLIDAYS)
    assert working_days_between(FRI, end, HOLIDAYS) == 7
    assert working_days_between(end, FRI, HOLIDAYS) == -7
