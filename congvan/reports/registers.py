"""The outgoing and incoming registers of Decree 30 (Appendix IV) for a period, as PDF and XLSX."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from congvan.dispatch.access import unit_receipts
from congvan.documents.access import issued_documents
from congvan.documents.models import DocState
from congvan.lib.dates import VN
from congvan.lib.errors import Conflict, InvalidInput
from congvan.lib.pdfdoc import a4
from congvan.orgs.access import UNIT_WIDE, Acting
from congvan.orgs.errors import NotAllowed
from congvan.orgs.models import Unit
from congvan.workflow.models import Assignment, AssignmentRole

OUTGOING_COLUMNS = [
    ("Số, ký hiệu văn bản", 22),
    ("Ngày tháng văn bản", 18),
    ("Tên loại và trích yếu nội dung", 62),
    ("Người ký", 26),
    ("Nơi nhận văn bản", 40),
    ("Đơn vị, người nhận bản lưu", 26),
    ("Số lượng bản", 12),
    ("Ngày chuyển", 18),
    ("Ký nhận", 16),
    ("Ghi chú", 20),
]
INCOMING_COLUMNS = [
    ("Ngày đến", 18),
    ("Số đến", 12),
    ("Tác giả", 36),
    ("Số, ký hiệu", 22),
    ("Ngày tháng", 18),
    ("Tên loại và trích yếu nội dung", 62),
    ("Đơn vị hoặc người nhận", 32),
    ("Ký nhận", 16),
    ("Ghi chú", 20),
    ("Hạn giải quyết", 18),
]
MAX_ROWS = 20000


@dataclass(frozen=True)
class Register:
    title: str
    unit: Unit
    date_from: dt.date
    date_to: dt.date
    columns: list[tuple[str, int]]
    rows: list[list[str]]


def _d(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def _check(acting: Acting, date_from: dt.date, date_to: dt.date) -> None:
    if acting.role not in UNIT_WIDE:
        raise NotAllowed(_("Vai trò của bạn không in được sổ"))
    if date_to < date_from or (date_to - date_from).days > 366 * 5:
        raise InvalidInput(_("Khoảng thời gian không hợp lệ (tối đa 5 năm)"))


def outgoing_register(acting: Acting, date_from: dt.date, date_to: dt.date) -> Register:
    _check(acting, date_from, date_to)
    docs = list(
        issued_documents(acting)
        .filter(state=DocState.RELEASED, issued_date__range=(date_from, date_to))
        .select_related("doc_type", "created_by")
        .order_by("issued_date", "number", "id")[: MAX_ROWS + 1]
    )
    if len(docs) > MAX_ROWS:
        raise Conflict(_("Quá %(MAX_ROWS)s dòng: hãy chọn khoảng ngắn hơn") % {"MAX_ROWS": MAX_ROWS})
    codes = {c for d in docs for c in d.planned_recipients}
    names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name"))
    rows = [
        [
            d.symbol,
            _d(d.issued_date),
            f"{d.doc_type.name}: {d.subject}",
            f"{d.signer_competence} {d.signer_position} {d.signer_name}".strip(),
            "; ".join(names.get(c, c) for c in d.planned_recipients),
            d.drafting_department or str(d.created_by),
            str(d.copies or ""),
            _d(d.released_at.astimezone(VN).date() if d.released_at else None),
            "",
            d.description,
        ]
        for d in docs
    ]
    return Register("SỔ ĐĂNG KÝ VĂN BẢN ĐI", acting.unit, date_from, date_to, OUTGOING_COLUMNS, rows)


def incoming_register(acting: Acting, date_from: dt.date, date_to: dt.date) -> Register:
    _check(acting, date_from, date_to)
    leads = Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(parent=None, role=AssignmentRole.LEAD)
        .select_related("assignee_user", "assignee_unit")
        .order_by("id"),
        to_attr="leads",
    )
    receipts = list(
        unit_receipts(acting)
        .filter(incoming_number__isnull=False, arrival_date__range=(date_from, date_to))
        .select_related("document", "document__doc_type", "issuer")
        .prefetch_related(leads)
        .order_by("arrival_date", "incoming_number")[: MAX_ROWS + 1]
    )
    if len(receipts) > MAX_ROWS:
        raise Conflict(_("Quá %(MAX_ROWS)s dòng: hãy chọn khoảng ngắn hơn") % {"MAX_ROWS": MAX_ROWS})
    rows = []
    for r in receipts:
        lead = r.leads[-1] if getattr(r, "leads", None) else None
        who = "" if lead is None else str(lead.assignee_user or lead.assignee_unit)
        d = r.document
        rows.append(
            [
                _d(r.arrival_date),
                str(r.incoming_number),
                r.issuer.name,
                d.symbol,
                _d(d.issued_date),
                f"{d.doc_type.name}: {d.subject}",
                who,
                "",
                r.returned_reason,
                _d(lead.deadline if lead else None),
            ]
        )
    return Register("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", acting.unit, date_from, date_to, INCOMING_COLUMNS, rows)


def to_pdf(reg: Register) -> bytes:
    """Render the register on A4 landscape with the Vietnamese font embedded."""
    from fpdf.fonts import FontFace

    pdf = a4(landscape=True, title=f"{reg.title} - {reg.unit.name}")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Noto", "B", 11)
    pdf.cell(0, 6, reg.unit.name.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Noto", "B", 15)
    pdf.cell(0, 10, reg.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Noto", "", 10)
    pdf.cell(
        0,
        6,
        f"Từ ngày {_d(reg.date_from)} đến ngày {_d(reg.date_to)}",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.set_font("Noto", "", 7.5)
    widths = tuple(w for _title, w in reg.columns)
    with pdf.table(
        col_widths=widths,
        text_align="LEFT",
        line_height=3.6,
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 238, 243)),
    ) as table:
        head = table.row()
        for name, _width in reg.columns:
            head.cell(name)
        num = table.row()
        for i in range(len(reg.columns)):
            num.cell(f"({i + 1})")
        for row in reg.rows:
            cells = table.row()
            for value in row:
                cells.cell(value)
    return bytes(pdf.output())


def to_xlsx(reg: Register) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "So dang ky"
    ws.append([reg.unit.name])
    ws.append([reg.title])
    ws.append([f"Từ ngày {_d(reg.date_from)} đến ngày {_d(reg.date_to)}"])
    ws.append([name for name, _ in reg.columns])
    ws.append([f"({i + 1})" for i in range(len(reg.columns))])
    for cell in ws[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in reg.rows:
        ws.append([_safe_cell(v) for v in row])
    for i, (_title, width) in enumerate(reg.columns):
        ws.column_dimensions[chr(ord("A") + i)].width = width * 0.9
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _safe_cell(value: str) -> str:
    """Keep spreadsheet formulas out of user text (CSV/XLSX injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
