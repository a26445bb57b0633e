"""Each person's start page lists the work waiting for them, with counts, by role: the specialist's
drafts and tasks, the leader's drafts to approve and documents to direct, the clerks' documents to
release and to register."""

from __future__ import annotations

import pytest

from congvan.orgs.tests.support import CS1, send_to_hu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_start_page_lists_each_persons_waiting_work(open_as, live_server, api):
    draft = api["carol"].create_draft(subject="Kế hoạch chuyển đổi số năm 2027").json()["id"]
    assert api["carol"].post(f"/documents/{draft}/submit").status_code == 200
    incoming = send_to_hu(api, subject="V/v báo cáo phòng chống bão")

    bob = open_as("bob")
    assert bob.get_attribute("#list-to_approve", "data-count") == "1"
    assert "Kế hoạch chuyển đổi số năm 2027" in bob.inner_text("#list-to_approve")
    assert "Phạm Thị Cúc" in bob.inner_text("#list-to_approve")  # who drafted it
    assert "V/v báo cáo phòng chống bão" in bob.inner_text("#list-to_direct")
    bob.click("#list-to_approve a")
    bob.wait_for_url(f"**/documents/{draft}/")

    r = api["bob"].post(
        f"/receipts/{incoming['receipt']}/direct",
        {
            "direction": "Giao chủ trì",
            "assignments": [{"assignee": "carol", "role": "lead", "deadline": "2099-12-31"}],
        },
    )
    assert r.status_code == 200, r.content
    assert api["bob"].post(f"/documents/{draft}/approve").status_code == 200

    alice = open_as("alice")
    assert alice.get_attribute("#list-to_release", "data-count") == "1"
    assert "Kế hoạch chuyển đổi số năm 2027" in alice.inner_text("#list-to_release")
    assert alice.get_attribute("#list-to_register", "data-count") == "0"

    carol = open_as("carol")
    assert "V/v báo cáo phòng chống bão" in carol.inner_text("#list-my_tasks")
    assert "31/12/2099" in carol.inner_text("#list-my_tasks")
    drafts = carol.inner_text("#list-my_drafts")
    assert "Kế hoạch chuyển đổi số năm 2027" in drafts and "Đã duyệt" in drafts

    assert api["alice"].post(f"/documents/{draft}/release", {"recipients": [CS1]}).status_code == 200
    dan = open_as("dan")
    assert dan.get_attribute("#list-to_register", "data-count") == "1"
    assert "Huyện ủy" in dan.inner_text("#list-to_register")
    dan.set_viewport_size({"width": 390, "height": 844})  # a phone: the lists stay readable
    assert dan.locator("#list-to_register a").first.is_visible()
