"""Protected reads of the reports app: the indicators of a unit (and of the units below it)."""

from __future__ import annotations

from typing import Any

from congvan.lib.filetypes import PDF, XLSX
from congvan.orgs.access import Acting
from congvan.reports.actions import figures_hash
from congvan.reports.indicators import RATIOS, Counts, label, parse_period, rolled_up, server_wide
from congvan.reports.models import FrozenIndicators
from congvan.workflow.queries import oversight_unit


def access_indicators(
    acting: Acting, code: str | None, period_text: str, *, live: bool = False
) -> dict[str, Any]:
    """The figures of the acting unit, or (for its leaders, clerks, admins and auditors) of a unit below
    it, beside those of each unit directly below; counts only, never documents (as oversight).

    An ended month is read as it was frozen (``live`` recomputes it and shows what changed since);
    anything else is computed now."""
    unit = oversight_unit(acting, code)
    period = parse_period(period_text)
    if len(period.months) > 1 and not live:
        combined = _from_frozen_months(unit, period.months)
        if combined is not None:
            return {**combined, "period": period.label, "server": server_wide(period)}
    frozen = FrozenIndicators.objects.filter(unit=unit, period=period.label).first()
    if frozen is not None and not live:
        kept_month = _frozen_month(unit, frozen)
        if kept_month is not None:  # the unit and every unit below it frozen: nothing to compute
            return {**kept_month, "period": period.label, "server": server_wide(period)}
    total, below = rolled_up(unit, period)
    figures = total.as_dict()
    source = "live"
    changed: dict[str, Any] = {}
    if frozen is not None:
        if live:
            changed = {
                k: {"frozen": frozen.figures.get(k), "now": v}
                for k, v in figures.items()
                if frozen.figures.get(k) != v
            }
        else:
            figures, source = frozen.figures, "frozen"
    children = []
    kept = {
        f.unit_id: f.figures
        for f in FrozenIndicators.objects.filter(period=period.label, unit__in=[u for u, _c in below])
    }
    for child, counts in below:
        children.append(
            {
                "unit": child.code,
                "name": child.name,
                "indicators": kept[child.pk]
                if (source == "frozen" and child.pk in kept)
                else counts.as_dict(),
            }
        )
    return {
        "unit": unit.code,
        "name": unit.name,
        "period": period.label,
        "source": source,
        "frozen_sha256": frozen.sha256 if frozen is not None else None,
        "frozen_intact": frozen is None or figures_hash(frozen.figures) == frozen.sha256,
        "labels": {k: label(k) for k in RATIOS},
        "indicators": figures,
        "changed_since_frozen": changed,
        "children": children,
        "server": server_wide(period),
    }


__all__ = ["Counts", "access_indicators"]


def _frozen_month(unit: Any, frozen: FrozenIndicators) -> dict[str, Any] | None:
    """An ended month read as frozen, when each unit directly below the unit was frozen too."""
    children = list(unit.children.order_by("path"))
    kept = {
        f.unit_id: f.figures for f in FrozenIndicators.objects.filter(period=frozen.period, unit__in=children)
    }
    if len(kept) != len(children):
        return None
    return {
        "unit": unit.code,
        "name": unit.name,
        "source": "frozen",
        "frozen_sha256": frozen.sha256,
        "frozen_intact": figures_hash(frozen.figures) == frozen.sha256,
        "labels": {k: label(k) for k in RATIOS},
        "indicators": frozen.figures,
        "changed_since_frozen": {},
        "children": [{"unit": c.code, "name": c.name, "indicators": kept[c.pk]} for c in children],
    }


def combine(months: list[dict[str, Any]]) -> dict[str, Any]:
    """A quarter's or a year's figures from its frozen months: numerators, denominators, paper copies
    and completions add up; the work overdue is the last month's; the processing days are the
    months' medians and 90th percentiles weighted by their completions (marked ``approximate``: the
    durations themselves are not kept)."""
    out: dict[str, Any] = {}
    for key in RATIOS:
        n = sum(m[key]["numerator"] for m in months)
        d = sum(m[key]["denominator"] for m in months)
        out[key] = {"numerator": n, "denominator": d, "value": round(n / d, 4) if d else None}
    done = [m["processing_days"] for m in months if m["processing_days"]["completed"]]
    total = sum(p["completed"] for p in done)
    out["processing_days"] = {
        "median": round(sum(p["median"] * p["completed"] for p in done) / total, 2) if total else None,
        "p90": round(sum(p["p90"] * p["completed"] for p in done) / total, 2) if total else None,
        "completed": total,
        "approximate": True,
    }
    out["overdue"] = months[-1]["overdue"]
    reasons: dict[str, int] = {}
    for m in months:
        for reason, k in m["paper_copies"]["by_reason"].items():
            reasons[reason] = reasons.get(reason, 0) + k
    out["paper_copies"] = {"total": sum(reasons.values()), "by_reason": dict(sorted(reasons.items()))}
    return out


def _from_frozen_months(unit: Any, months: list[str]) -> dict[str, Any] | None:
    """A multi-month report read from frozen months only, when every month is frozen for the unit and
    each unit directly below it; None otherwise (it is computed live)."""
    children = list(unit.children.filter(active=True).order_by("path"))
    wanted = [unit, *children]
    frozen = list(FrozenIndicators.objects.filter(unit__in=wanted, period__in=months))
    rows: dict[tuple[int, str], dict[str, Any]] = {(f.unit_id, f.period): f.figures for f in frozen}
    if len(rows) != len(wanted) * len(months):
        return None
    intact = all(figures_hash(f.figures) == f.sha256 for f in frozen)
    return {
        "unit": unit.code,
        "name": unit.name,
        "source": "frozen",
        "frozen_sha256": None,
        "frozen_intact": intact,
        "labels": {k: label(k) for k in RATIOS},
        "indicators": combine([rows[(unit.pk, m)] for m in months]),
        "changed_since_frozen": {},
        "children": [
            {"unit": c.code, "name": c.name, "indicators": combine([rows[(c.pk, m)] for m in months])}
            for c in children
        ],
    }


def indicators_xlsx(report: dict[str, Any]) -> bytes:
    """The report as a workbook: a summary sheet (the unit beside each unit below it), then one
    sheet per unit with every indicator's value, numerator and denominator."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from congvan.reports.registers import _safe_cell

    wb = Workbook()
    summary = wb.active
    summary.title = "Tong hop"
    units = [(report["unit"], report["name"], report["indicators"])] + [
        (c["unit"], c["name"], c["indicators"]) for c in report["children"]
    ]
    summary.append([_safe_cell(report["name"]), report["period"], report["source"]])
    summary.append(["Chỉ tiêu", *[_safe_cell(name) for _code, name, _f in units]])
    for cell in summary[2]:
        cell.font = Font(bold=True)
    for key in RATIOS:
        summary.append([report["labels"][key], *[f[key]["value"] for _c, _n, f in units]])
    summary.append(["Số ngày xử lý (trung vị)", *[f["processing_days"]["median"] for _c, _n, f in units]])
    summary.append(["Việc quá hạn", *[f["overdue"]["count"] for _c, _n, f in units]])
    for code, name, f in units:
        ws = wb.create_sheet(code.replace(".", "-")[:31])
        ws.append([_safe_cell(name), code, report["period"]])
        ws.append(["Chỉ tiêu", "Tỷ lệ", "Tử số", "Mẫu số"])
        for key in RATIOS:
            ws.append([report["labels"][key], f[key]["value"], f[key]["numerator"], f[key]["denominator"]])
        days = f["processing_days"]
        ws.append(["Số ngày xử lý: trung vị, phân vị 90", days["median"], days["p90"], days["completed"]])
        ws.append(["Việc quá hạn", f["overdue"]["count"]])
        ws.column_dimensions["A"].width = 60
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def workbook(report: dict[str, Any], fmt: str = "xlsx") -> tuple[bytes, str, str]:
    """The report as a file: its content, name and type (``xlsx``: the workbook; ``pdf``: A4 pages)."""
    name = f"chi-tieu-{report['unit']}-{report['period']}"
    if fmt == "pdf":
        from congvan.reports.indicators_pdf import indicators_pdf

        return indicators_pdf(report), f"{name}.pdf", PDF
    return indicators_xlsx(report), f"{name}.xlsx", XLSX
