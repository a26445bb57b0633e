"""The demo: Tỉnh ủy Tiền Giang, Huyện ủy Gò Công Tây and its grassroots units, people, documents."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from congvan.dispatch.actions import do_register_receipt, do_release
from congvan.dispatch.models import Receipt
from congvan.documents.actions import do_create_draft
from congvan.documents.uploads import stage_bytes
from congvan.lib.pdfgen import simple_pdf
from congvan.orgs.access import Acting, acting_as
from congvan.orgs.actions import do_create_group, do_create_membership, do_create_unit
from congvan.orgs.models import Unit, User
from congvan.registers.actions import do_create_term
from congvan.workflow.actions import (
    AssignmentRequest,
    do_approve_document,
    do_direct_receipt,
    do_submit_document,
)
from congvan.workflow.models import Holiday

PASSWORD = "congvan-demo"
TU, HU = "000.00.00.T58", "000.00.10.H58"
TU_UNITS = [
    ("000.00.01.T58", "Văn phòng Tỉnh ủy", "VPTU", "board"),
    ("000.00.02.T58", "Ban Tổ chức Tỉnh ủy", "BTCTU", "board"),
    ("000.00.03.T58", "Ban Tuyên giáo Tỉnh ủy", "BTGTU", "board"),
    ("000.00.04.T58", "Ban Dân vận Tỉnh ủy", "BDVTU", "board"),
    ("000.00.05.T58", "Ủy ban Kiểm tra Tỉnh ủy", "UBKTTU", "board"),
]
HU_UNITS = [
    ("000.01.10.H58", "Văn phòng Huyện ủy", "VPHU", "board"),
    ("000.02.10.H58", "Ban Tổ chức Huyện ủy", "BTCHU", "board"),
    ("000.03.10.H58", "Ban Tuyên giáo Huyện ủy", "BTGHU", "board"),
    ("000.04.10.H58", "Ban Dân vận Huyện ủy", "BDVHU", "board"),
    ("000.05.10.H58", "Ủy ban Kiểm tra Huyện ủy", "UBKTHU", "board"),
]
COMMUNES = [
    "Bình Tân",
    "Long Bình",
    "Vĩnh Hựu",
    "Đồng Sơn",
    "Đồng Thạnh",
    "Thành Công",
    "Yên Luông",
    "Bình Phú",
    "Thạnh Trị",
    "Long Vĩnh",
    "Bình Nhì",
    "Thạnh Nhựt",
]
PEOPLE = [  # username, full name, unit, role, title
    ("tu.vanthu", "Nguyễn Thị Thu", TU, "clerk", "Văn thư"),
    ("tu.lanhdao", "Trần Văn Hùng", TU, "leader", "Phó Bí thư Thường trực"),
    ("tu.chuyenvien", "Lê Thị Mai", TU, "specialist", "Chuyên viên"),
    ("hu.vanthu", "Phạm Thị Lan", HU, "clerk", "Văn thư"),
    ("hu.lanhdao", "Võ Minh Tâm", HU, "leader", "Bí thư Huyện ủy"),
    ("hu.chuyenvien", "Đặng Văn Phúc", HU, "specialist", "Chuyên viên Văn phòng"),
    ("binhtan.vanthu", "Huỳnh Thị Ngọc", "001.01.10.H58", "clerk", "Văn thư"),
    ("binhtan.lanhdao", "Ngô Văn Lộc", "001.01.10.H58", "leader", "Bí thư Đảng ủy"),
    ("binhtan.chuyenvien", "Bùi Thị Hạnh", "001.01.10.H58", "specialist", "Cán bộ Văn phòng"),
    ("longbinh.vanthu", "Đỗ Thị Hoa", "001.02.10.H58", "clerk", "Văn thư"),
    ("longbinh.lanhdao", "Lý Văn Sơn", "001.02.10.H58", "leader", "Bí thư Đảng ủy"),
    ("longbinh.chuyenvien", "Mai Thị Xuân", "001.02.10.H58", "specialist", "Cán bộ Văn phòng"),
    ("kiemtra", "Trương Văn Kiên", HU, "auditor", "Ủy viên Ủy ban Kiểm tra"),
]


def demo_loaded() -> bool:
    return Unit.objects.filter(code=TU).exists()


def load_demo() -> None:
    """Create the demo hierarchy, accounts and a few documents (once)."""
    with transaction.atomic():
        _units()
        _people()
        group_members = [f"001.{i:02d}.10.H58" for i in range(1, len(COMMUNES) + 1)]
        do_create_group(
            owner=Unit.objects.get(code=HU),
            slug="co-so",
            name="Các đảng ủy cơ sở trực thuộc",
            member_codes=group_members,
            actor=None,
        )
        _documents()
        _holidays()
        _processing()


def _units() -> None:
    do_create_unit(
        code=TU,
        name="Tỉnh ủy Tiền Giang",
        abbreviation="TU",
        kind="province",
        parent_code=None,
        place="Tiền Giang",
        actor=None,
    )
    for code, name, abbr, kind in TU_UNITS:
        do_create_unit(
            code=code, name=name, abbreviation=abbr, kind=kind, parent_code=TU, place="Tiền Giang", actor=None
        )
    do_create_unit(
        code=HU,
        name="Huyện ủy Gò Công Tây",
        abbreviation="HU",
        kind="district",
        parent_code=TU,
        place="Gò Công Tây",
        actor=None,
    )
    for code, name, abbr, kind in HU_UNITS:
        do_create_unit(
            code=code,
            name=name,
            abbreviation=abbr,
            kind=kind,
            parent_code=HU,
            place="Gò Công Tây",
            actor=None,
        )
    for i, commune in enumerate(COMMUNES, start=1):
        do_create_unit(
            code=f"001.{i:02d}.10.H58",
            name=f"Đảng ủy xã {commune}",
            abbreviation="ĐU",
            kind="grassroots",
            parent_code=HU,
            place=commune,
            actor=None,
        )
    for code in Unit.objects.filter(sector="party").values_list("code", flat=True):
        do_create_term(unit_code=code, name="2025-2030", starts_on=dt.date(2025, 1, 1), actor=None)


def _people() -> None:
    admin = User.objects.create_user(
        username="admin", password=PASSWORD, full_name="Quản trị hệ thống", is_superuser=True, is_staff=True
    )
    do_create_membership(username=admin.username, unit_code=TU, role="admin", title="Quản trị", actor=None)
    for username, full_name, unit, role, title in PEOPLE:
        User.objects.create_user(username=username, password=PASSWORD, full_name=full_name)
        do_create_membership(username=username, unit_code=unit, role=role, title=title, actor=None)


def _as(username: str, unit: str) -> Acting:
    return acting_as(User.objects.get(username=username), unit)


def _release(
    drafter: str,
    leader: str,
    clerk: str,
    unit: str,
    meta: dict[str, object],
    recipients: list[str],
    groups: list[str] | None = None,
) -> None:
    pdf = simple_pdf([str(meta["subject"]), str(meta.get("signer_name", ""))])
    doc = do_create_draft(
        meta, main=stage_bytes("van-ban.pdf", pdf), attachments=[], actor=_as(drafter, unit)
    )
    do_submit_document(doc.pk, actor=_as(drafter, unit))
    do_approve_document(doc.pk, actor=_as(leader, unit))
    do_release(doc.pk, recipients=recipients, groups=groups, actor=_as(clerk, unit))


def _documents() -> None:
    _release(
        "tu.chuyenvien",
        "tu.lanhdao",
        "tu.vanthu",
        TU,
        {
            "type": "KH",
            "subject": "Kế hoạch tổ chức đại hội đảng bộ các cấp nhiệm kỳ 2025-2030",
            "signer_name": "Trần Văn Hùng",
            "signer_position": "Phó Bí thư Thường trực",
            "urgency": "urgent",
        },
        [HU],
    )
    _release(
        "hu.chuyenvien",
        "hu.lanhdao",
        "hu.vanthu",
        HU,
        {
            "type": "CV",
            "subject": "V/v báo cáo kết quả chuyển đổi số quý IV năm 2026",
            "signer_name": "Võ Minh Tâm",
            "signer_position": "Bí thư",
            "drafting_department": "VP",
        },
        [],
        groups=["co-so"],
    )
    meta = {
        "type": "TB",
        "subject": "Thông báo lịch làm việc của Thường trực Huyện ủy tháng 12",
        "signer_name": "Võ Minh Tâm",
        "signer_position": "Bí thư",
    }
    pdf = simple_pdf([str(meta["subject"])])
    do_create_draft(
        meta, main=stage_bytes("thong-bao.pdf", pdf), attachments=[], actor=_as("hu.chuyenvien", HU)
    )


HOLIDAYS_2026 = [
    ("2026-01-01", "Tết Dương lịch"),
    ("2026-02-16", "Tết Nguyên đán"),
    ("2026-02-17", "Tết Nguyên đán"),
    ("2026-02-18", "Tết Nguyên đán"),
    ("2026-02-19", "Tết Nguyên đán"),
    ("2026-02-20", "Tết Nguyên đán"),
    ("2026-04-27", "Giỗ Tổ Hùng Vương (nghỉ bù)"),
    ("2026-04-30", "Ngày Giải phóng miền Nam"),
    ("2026-05-01", "Ngày Quốc tế Lao động"),
    ("2026-09-01", "Quốc khánh"),
    ("2026-09-02", "Quốc khánh"),
    ("2027-01-01", "Tết Dương lịch"),
]


def _holidays() -> None:
    Holiday.objects.bulk_create(
        [Holiday(day=dt.date.fromisoformat(d), name=n) for d, n in HOLIDAYS_2026], ignore_conflicts=True
    )


def _processing() -> None:
    """The province's plan arrived at the district: registered and directed to the district's staff."""
    receipt = Receipt.objects.get(unit__code=HU, document__issuing_unit__code=TU)
    do_register_receipt(receipt.pk, actor=_as("hu.vanthu", HU))
    do_direct_receipt(
        receipt.pk,
        direction="Giao Văn phòng tham mưu kế hoạch triển khai; Ban Tổ chức phối hợp.",
        assignments=[
            AssignmentRequest(assignee="hu.chuyenvien", role="lead"),
            AssignmentRequest(unit="000.02.10.H58", role="support"),
        ],
        actor=_as("hu.lanhdao", HU),
    )


def accounts() -> list[tuple[str, str, str, str]]:
    """Return (username, full name, unit, role) of every demo account."""
    rows = [("admin", "Quản trị hệ thống", "Tỉnh ủy Tiền Giang", "admin")]
    names = dict(Unit.objects.values_list("code", "name"))
    rows += [(u, n, names.get(unit, unit), role) for u, n, unit, role, _ in PEOPLE]
    return rows
