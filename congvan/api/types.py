"""Typed values the API's bodies and queries share."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator

from congvan.lib.dates import office_day

# A day an office may name (1900-2199): a wider date is refused at the edge with a 400.
Day = Annotated[dt.date, AfterValidator(office_day)]
