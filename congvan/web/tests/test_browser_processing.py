"""Incoming work through the web pages in a real browser: register, direct, complete, sender sees it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HU = "000.00.01.H57"


def test_register_direct_complete_and_sender_sees_completed(open_as, crew):
    api = crew
    draft = api["gina"].create_draft(type="CV", subject="V/v báo cáo kết quả chuyển đổi số năm 2026")
    doc_id = draft.json()["id"]
    api["gina"].post(f"/documents/{doc_id}/submit")
    api["hai"].post(f"/documents/{doc_id}/approve")
    api["gina"].post(f"/documents/{doc_id}/release", {"recipients": [HU]})

    alice = open_as("alice")
    alice.click("text=Văn bản đến")
    alice.click("text=01/UBND")
    alice.click("#register")
    assert alice.inner_text("#receipt-state") == "Đã vào sổ"

    bob = open_as("bob")
    bob.goto(alice.url)
    bob.fill("textarea[name=direction]", "Giao Văn phòng chủ trì, Ban Tổ chức phối hợp; báo cáo trước hạn.")
    bob.select_option("select[name=lead]", "u:carol")
    bob.check("input[name=support][value='u:vy']")
    bob.click("#direct")
    expect(bob.locator("#chain tr")).to_have_count(2)  # once the answer has loaded
    assert "Đã phân công" in bob.inner_text("#receipt-state")

    carol = open_as("carol")
    assert carol.inner_text("#unread") == "1"
    carol.click("text=Việc của tôi")
    carol.click("text=01/UBND")
    carol.fill("textarea[name=result]", "Đã tổng hợp và gửi báo cáo")
    carol.click("#complete")
    assert carol.inner_text("#assignment-state") == "Hoàn thành"

    gina = open_as("gina")
    gina.goto(alice.url)
    assert "Hoàn thành" in gina.inner_text(f"#tracking tr[data-unit='{HU}']")
