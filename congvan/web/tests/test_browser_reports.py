"""The district's leader reads the inspection indicators in the pages: the district beside its cells,
a cell's own figures, the chart of one indicator, what a figure counted, the workbook and the PDF; a
specialist has no such page."""

from __future__ import annotations

import io

import pytest

from congvan.orgs.tests.support import CS1, released

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_leader_reads_the_indicators_of_the_district_and_its_cells(open_as, live_server, api):
    from openpyxl import load_workbook

    released(api, [CS1])
    # the clerk releases a second document that also goes on paper, and says why
    draft = api["carol"].create_draft(subject="V/v điều động cán bộ")
    doc = draft.json()["id"]
    assert api["carol"].post(f"/documents/{doc}/submit").status_code == 200
    assert api["bob"].post(f"/documents/{doc}/approve").status_code == 200
    alice = open_as("alice")
    alice.goto(f"{live_server.url}/documents/{doc}/")
    alice.check(f"input[name=recipients][value='{CS1}']")
    alice.select_option("#paper-copy", "personnel")
    alice.click("#release")
    alice.wait_for_selector("text=Đã ban hành")
    assert alice.confirmed == [  # the clerk was asked first, and told what would happen
        "Cấp số và ban hành văn bản tới các nơi đã chọn? Sau khi ban hành chỉ có thể thu hồi."
    ]
    bob = open_as("bob")
    bob.click("#nav-indicators")
    bob.wait_for_selector("#indicators")
    row = bob.inner_text("#indicators tr[data-key=outgoing_electronic]")
    assert "50%" in row and "1/2" in row
    assert "Tổ chức, cán bộ: 1" in bob.inner_text("#indicators tr[data-key=paper_copies]")
    assert "Số liệu tính theo dữ liệu hiện tại" in bob.inner_text("#indicator-source")
    bob.select_option("select[name=indicator]", "outgoing_electronic")
    bob.click("#indicator-filters button")
    bob.wait_for_url("**indicator=outgoing_electronic**")
    assert bob.locator("#trend-chart rect").count() >= 1 and bob.locator("#ranking-chart rect").count() >= 1
    with bob.expect_download() as download:
        bob.click("text=Tải XLSX")
    with open(download.value.path(), "rb") as fh:  # the download is saved without its name's extension
        workbook = load_workbook(io.BytesIO(fh.read()))
    assert download.value.suggested_filename.endswith(".xlsx")
    assert workbook.sheetnames[0] == "Tong hop"
    with bob.expect_download() as download:
        bob.click("#indicators-pdf")
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    bob.click("#indicators tr[data-key=outgoing_electronic] a:has-text('chi tiết')")  # what was counted
    bob.wait_for_selector("#indicator-items")
    items = bob.inner_text("#indicator-items")
    assert "V/v điều động cán bộ" in items and "Kế hoạch" in items
    assert "Tử số: 1" in bob.inner_text("#items-total") and "Mẫu số: 2" in bob.inner_text("#items-total")
    bob.go_back()
    bob.click(f"#indicators thead a[href*='{CS1}']")
    bob.wait_for_url(f"**unit={CS1}**")
    cell = bob.inner_text("#indicators tr[data-key=incoming_electronic]")
    assert "2/2" in cell  # the cell's arrivals of the district's two documents
    carol = open_as("carol")
    assert carol.locator("#nav-indicators").count() == 0
    carol.goto(live_server.url + "/reports/indicators/")
    assert "không xem được" in carol.inner_text("main")
