"""The inspection report page: the indicators of a unit and those below it, a trend and a ranking."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from congvan.lib.dates import local_today
from congvan.lib.http import content_disposition
from congvan.orgs.access import Acting
from congvan.reports.drilldown import access_indicator_items
from congvan.reports.indicators import RATIOS, parse_period
from congvan.reports.queries import access_indicators, workbook
from congvan.web.decorators import member_required


def _bars(values: list[tuple[str, float | None]], *, width: int = 520, row: int = 22) -> dict[str, Any]:
    """A horizontal bar chart drawn on the server (SVG): one bar per label, 0-100%."""
    label_w = 200
    bars = []
    for i, (name, value) in enumerate(values):
        share = value if value is not None else 0.0
        bars.append(
            {
                "y": i * row,
                "text_y": i * row + row - 7,
                "label": name[:34],
                "w": round(share * (width - label_w - 50), 1),
                "pct": "—" if value is None else f"{value:.0%}",
                "pct_x": label_w + round(share * (width - label_w - 50), 1) + 4,
            }
        )
    return {"bars": bars, "width": width, "height": max(row, row * len(values)), "x0": label_w}


@member_required
def indicators_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    today = local_today(timezone.now())
    period = request.GET.get("period") or f"{today.year}-{today.month:02d}"
    key = request.GET.get("indicator") or "incoming_electronic"
    key = key if key in RATIOS else "incoming_electronic"
    unit = request.GET.get("unit") or None
    report = access_indicators(acting, unit, period, live=request.GET.get("live") == "1")
    if request.GET.get("format") in ("xlsx", "pdf"):
        data, name, mime = workbook(report, request.GET["format"])
        response = HttpResponse(data, content_type=mime)
        response["Content-Disposition"] = content_disposition(name)
        return response
    columns = [{"unit": report["unit"], "name": report["name"], "f": report["indicators"]}] + [
        {"unit": c["unit"], "name": c["name"], "f": c["indicators"]} for c in report["children"]
    ]
    rows = [{"key": k, "label": report["labels"][k], "cells": [c["f"][k] for c in columns]} for k in RATIOS]
    ranked = sorted(
        ((c["name"], c["indicators"][key]["value"]) for c in report["children"]),
        key=lambda x: -(x[1] if x[1] is not None else -1),
    )
    year = parse_period(report["period"]).start.year
    months = [f"{year}-{m:02d}" for m in range(1, 13) if (year, m) <= (today.year, today.month)]
    trend = [(m, access_indicators(acting, report["unit"], m)["indicators"][key]["value"]) for m in months]
    return render(
        request,
        "web/indicators.html",
        {
            "report": report,
            "columns": columns,
            "rows": rows,
            "indicator": key,
            "indicator_label": report["labels"][key],
            "ranking": _bars(ranked),
            "trend": _bars(trend),
            "choices": [(k, report["labels"][k]) for k in RATIOS],
            "own": report["unit"] == acting.unit.code,
        },
    )


@member_required
def indicator_items_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    """What one indicator of the acting unit's own figures counted: documents, files, work, people."""
    today = local_today(timezone.now())
    period = request.GET.get("period") or f"{today.year}-{today.month:02d}"
    found = access_indicator_items(acting, request.GET.get("indicator", ""), period)
    return render(request, "web/indicator_items.html", {"d": found})
