"""The inspection report as a PDF (A4, Vietnamese font embedded): the unit's figures with their
numerators and denominators, the server-wide figures, then the units below side by side."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from congvan.lib.pdfdoc import a4
from congvan.reports.indicators import RATIOS

COLUMNS_PER_TABLE = 6  # units side by side on a landscape page


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _num(value: Any) -> str:
    return "—" if value is None else str(value)


def indicators_pdf(report: dict[str, Any]) -> bytes:
    from fpdf.fonts import FontFace

    heading = FontFace(emphasis="BOLD", fill_color=(235, 238, 243))
    title = _("Chỉ tiêu ứng dụng công nghệ thông tin")
    pdf = a4(title=f"{title} - {report['name']} - {report['period']}")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Noto", "B", 11)
    pdf.cell(0, 6, report["name"].upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Noto", "B", 14)
    pdf.cell(0, 10, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Noto", "", 10)
    source = _("số liệu đã chốt") if report["source"] == "frozen" else _("tính tại thời điểm xuất")
    pdf.cell(
        0,
        6,
        f"{_('Kỳ')} {report['period']} · {report['unit']} · {source}",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if report.get("frozen_sha256"):
        pdf.set_font("Noto", "", 7)
        pdf.cell(0, 5, f"SHA-256: {report['frozen_sha256']}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    f = report["indicators"]
    pdf.set_font("Noto", "", 9)
    with pdf.table(
        col_widths=(100, 25, 25, 25), text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"), headings_style=heading
    ) as table:
        row = table.row()
        for name in (_("Chỉ tiêu"), _("Tỷ lệ"), _("Tử số"), _("Mẫu số")):
            row.cell(name)
        for key in RATIOS:
            row = table.row()
            item = f.get(key, {})
            row.cell(report["labels"][key])
            row.cell(_pct(item.get("value")))
            row.cell(_num(item.get("numerator")))
            row.cell(_num(item.get("denominator")))
    pdf.ln(2)
    for line in _notes(report):
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    _children(pdf, report, heading)
    return bytes(pdf.output())


def _notes(report: dict[str, Any]) -> list[str]:
    """The figures that are not ratios: processing days, overdue work, paper copies, the server's own."""
    f = report["indicators"]
    days = f.get("processing_days", {})
    lines = [
        _("Số ngày từ vào sổ đến hoàn thành: trung vị %(median)s, phân vị 90 %(p90)s (%(n)s việc)")
        % {
            "median": _num(days.get("median")),
            "p90": _num(days.get("p90")),
            "n": _num(days.get("completed")),
        },
        _("Việc quá hạn: %(n)s") % {"n": _num(f.get("overdue", {}).get("count"))},
        _("Văn bản điện tử gửi kèm bản giấy: %(n)s") % {"n": _num(f.get("paper_copies", {}).get("total"))},
    ]
    server = report.get("server") or {}
    if server:
        lines += [
            _("Sao lưu gần nhất: %(at)s; kiểm tra tệp gần nhất: %(fsck)s; cảnh báo chưa xử lý: %(alerts)s")
            % {
                "at": server.get("last_backup") or _("không có"),
                "fsck": server.get("last_file_check") or _("không có"),
                "alerts": _num(server.get("open_alerts")),
            }
        ]
        exchanged = _("Liên thông với %(peer)s: gửi %(sent)s, nhận %(ack)s, lỗi %(failed)s")
        latency = _("độ trễ %(p50)s / %(p95)s giây")
        for peer, row in sorted((server.get("exchange") or {}).items()):
            lines.append(
                (exchanged + ", " + latency)
                % {
                    "peer": peer,
                    "sent": row.get("sent"),
                    "ack": row.get("acknowledged"),
                    "failed": row.get("failed"),
                    "p50": _num(row.get("latency_p50_s")),
                    "p95": _num(row.get("latency_p95_s")),
                }
            )
    return lines


def _children(pdf: Any, report: dict[str, Any], heading: Any) -> None:
    """The units below, side by side, a landscape page per six."""
    children = report.get("children") or []
    for start in range(0, len(children), COLUMNS_PER_TABLE):
        part = children[start : start + COLUMNS_PER_TABLE]
        pdf.add_page(orientation="L")
        pdf.set_font("Noto", "B", 11)
        pdf.cell(
            0,
            8,
            _("Các đơn vị trực thuộc (%(a)s–%(b)s / %(n)s)")
            % {"a": start + 1, "b": start + len(part), "n": len(children)},
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font("Noto", "", 8)
        width = (277 - 90) / len(part)
        with pdf.table(
            col_widths=(90, *([width] * len(part))), headings_style=heading, text_align="LEFT"
        ) as table:
            row = table.row()
            row.cell(_("Chỉ tiêu"))
            for c in part:
                row.cell(c["name"])
            for key in RATIOS:
                row = table.row()
                row.cell(report["labels"][key])
                for c in part:
                    item = c["indicators"].get(key, {})
                    share = f"{_num(item.get('numerator'))}/{_num(item.get('denominator'))}"
                    row.cell(f"{_pct(item.get('value'))} ({share})")
