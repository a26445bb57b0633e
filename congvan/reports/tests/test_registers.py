"""Registers print as Decree 30 Appendix IV: PDF (A4 landscape, fonts embedded) and XLSX."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from congvan.lib.dates import local_today
from congvan.orgs.tests.support import released, send_to_hu

TODAY = local_today(timezone.now())


def fetch(api, who, direction, fmt):
    lo, hi = (TODAY - dt.timedelta(days=2)).isoformat(), (TODAY + dt.timedelta(days=2)).isoformat()
    return api[who].client.get(
        f"/api/v1/registers/{direction}",
        {"date_from": lo, "date_to": hi, "format": fmt},
        headers=api[who].headers(),
    )


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_outgoing_register_pdf_and_xlsx(api, tmp_path):
    released(api, ["000.01.01.H57", "000.01.02.H57"], subject="Kế hoạch tổ chức Đại hội Đảng bộ")
    released(api, ["000.01.03.H57"], subject="Kế hoạch tuyên truyền chuyển đổi số")
    r = fetch(api, "alice", "out", "pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith('attachment; filename="so-van-ban-di-')
    text = pdf_text(r.content, tmp_path)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in text and "01-KH/HU" in text and "02-KH/HU" in text
    assert "Đại hội Đảng bộ" in text and "Đảng ủy xã 1" in text
    assert "(10)" in text
    path = tmp_path / "r.pdf"
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "NotoSans" in fonts and " yes " in fonts  # embedded
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "842 x 595" in info.replace(".00", "").replace("841.89", "842").replace(
        "595.28", "595"
    )  # landscape

    x = fetch(api, "alice", "out", "xlsx")
    ws = load_workbook(io.BytesIO(x.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][0] == "SỔ ĐĂNG KÝ VĂN BẢN ĐI" and len(rows[3]) == 10
    assert [row[0] for row in rows[5:]] == ["01-KH/HU", "02-KH/HU"]


def test_incoming_register_lists_numbers_and_handlers(crew, tmp_path):
    api = crew
    r = send_to_hu(api, subject='=HYPERLINK("http://x") V/v báo cáo')["receipt"]
    api["bob"].post(
        f"/receipts/{r}/direct",
        {
            "direction": "",
            "assignments": [
                {"assignee": "carol", "role": "lead", "deadline": (TODAY + dt.timedelta(days=9)).isoformat()}
            ],
        },
    )
    text = pdf_text(fetch(api, "alice", "in", "pdf").content, tmp_path)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text and "Ủy ban nhân dân" in text  # the name wraps in its column
    assert "Phạm Thị Cúc" in text
    ws = load_workbook(io.BytesIO(fetch(api, "alice", "in", "xlsx").content)).active
    row = list(ws.iter_rows(values_only=True))[5]
    assert row[1] == "1" and row[6] == "Phạm Thị Cúc"
    assert not str(row[5]).startswith("=")  # no formula injection


@pytest.mark.parametrize("who", ["carol", "dan"])
def test_registers_are_for_the_units_clerks_and_leaders(api, who):
    released(api, ["000.01.01.H57"])
    r = fetch(api, who, "out", "xlsx")
    if who == "carol":
        assert r.status_code == 403
    else:  # another unit prints its own (empty) register, never HU's
        ws = load_workbook(io.BytesIO(r.content)).active
        assert len(list(ws.iter_rows(values_only=True))) == 5


def test_bad_register_requests(api):
    a = api["alice"]
    assert (
        a.client.get(
            "/api/v1/registers/sideways",
            {"date_from": "2026-01-01", "date_to": "2026-02-01"},
            headers=a.headers(),
        ).status_code
        == 400
    )
    assert (
        a.client.get(
            "/api/v1/registers/out", {"date_from": "2026-03-01", "date_to": "2026-02-01"}, headers=a.headers()
        ).status_code
        == 400
    )
    assert (
        a.client.get(
            "/api/v1/registers/out", {"date_from": "yesterday", "date_to": "2026-02-01"}, headers=a.headers()
        ).status_code
        == 400
    )
