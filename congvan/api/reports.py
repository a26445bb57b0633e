"""REST endpoints of the inspection report: the IT-application indicators of a unit and those below."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse

from congvan.api.base import acting, api
from congvan.api.schemas import ErrorOut
from congvan.lib.filetypes import PDF, XLSX
from congvan.lib.http import content_disposition
from congvan.reports.drilldown import access_indicator_items
from congvan.reports.queries import access_indicators, workbook

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
WORKBOOK = {
    "200": {
        "description": "The workbook or the PDF",
        "content": {XLSX: {"schema": {"type": "string"}}, PDF: {"schema": {"type": "string"}}},
    }
}


@api.get("/reports/indicators", response={200: dict[str, Any], **ERRORS}, tags=["reports"])
def get_indicators(request: HttpRequest, period: str, unit: str = "", live: bool = False) -> Any:
    """Every indicator's value, numerator and denominator for the unit (its subtree) and each unit
    directly below it. ``period``: ``2026-11``, ``2026-Q4`` or ``2026``; an ended month is read as frozen
    unless ``live``, which shows what changed since."""
    return access_indicators(acting(request), unit or None, period, live=live)


@api.get("/reports/indicators/items", response={200: dict[str, Any], **ERRORS}, tags=["reports"])
def get_indicator_items(request: HttpRequest, period: str, indicator: str) -> Any:
    """What stands behind one indicator of the acting unit's own figures: each document, file,
    assignment or person, and whether it counts in the numerator and the denominator (the units below
    are seen as figures only)."""
    return access_indicator_items(acting(request), indicator, period)


@api.get(
    "/reports/indicators/export",
    response=ERRORS,
    tags=["reports"],
    openapi_extra={"responses": WORKBOOK},
)
def export_indicators(
    request: HttpRequest, period: str, unit: str = "", format: Literal["xlsx", "pdf"] = "xlsx"
) -> Any:
    """The indicators as XLSX (a summary sheet and one sheet per unit) or PDF (A4, the unit's figures,
    then the units below side by side)."""
    report = access_indicators(acting(request), unit or None, period)
    data, name, mime = workbook(report, format)
    response = HttpResponse(data, content_type=mime)
    response["Content-Disposition"] = content_disposition(name)
    return response
