"""Progress notes: their files open for whoever sees the task (not for others), and a refused file keeps
the note that was typed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from congvan.lib.pdfgen import simple_pdf
from congvan.orgs.tests.support import send_to_hu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_note_files_open_and_a_refused_file_keeps_the_note(open_as, live_server, api, tmp_path):
    incoming = send_to_hu(api, subject="V/v chuẩn bị hội nghị")
    r = api["bob"].post(
        f"/receipts/{incoming['receipt']}/direct",
        {
            "direction": "Giao",
            "assignments": [{"assignee": "carol", "role": "lead", "deadline": "2099-12-31"}],
        },
    )
    task = r.json()["assignments"][0]["id"]
    bad = tmp_path / "bao-cao.pdf"
    bad.write_bytes(b"MZ\x90\x00 this is a program, not a PDF")
    good = tmp_path / "du-thao.pdf"
    good.write_bytes(simple_pdf(["Du thao bao cao"]))

    carol = open_as("carol")
    carol.goto(f"{live_server.url}/assignments/{task}/")
    carol.fill("textarea[name=note]", "Đã liên hệ các đơn vị, đang tổng hợp số liệu")
    carol.set_input_files("input[name=files]", str(bad))
    carol.click("#progress")
    expect(carol.locator("[role=alert]")).to_have_count(1)  # once the answer has loaded
    assert carol.input_value("textarea[name=note]") == "Đã liên hệ các đơn vị, đang tổng hợp số liệu"
    carol.set_input_files("input[name=files]", str(good))
    carol.click("#progress")
    carol.wait_for_selector("a.note-file")
    href = carol.get_attribute("a.note-file", "href")

    bob = open_as("bob")  # who assigned it sees the task and opens the file
    got = bob.request.get(live_server.url + href)
    assert got.status == 200 and got.body().startswith(b"%PDF-")
    dan = open_as("dan")  # another unit's clerk does not
    assert dan.request.get(live_server.url + href).status == 404
