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


def test_the_unread_count_updates_without_reloading_and_email_is_a_choice(
    open_as, live_server, api, people, settings
):
    from congvan.workflow.models import EmailState, Notification

    settings.EMAIL_ENABLED = True  # the worker would mail what is pending (nothing is sent here)

    bob = open_as("bob")
    assert bob.locator("#unread").count() == 0
    draft = api["carol"].create_draft(subject="Báo cáo tháng").json()["id"]
    assert api["carol"].post(f"/documents/{draft}/submit").status_code == 200  # the leader is told
    bob.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # as when the tab comes back
    bob.wait_for_selector("#unread")
    assert bob.inner_text("#unread") == "1"

    bob.goto(live_server.url + "/account/")
    bob.fill("input[name=email]", "binh@huyenuy.gov.vn")
    bob.uncheck("#email-notices")
    bob.click("#profile button.primary")
    people["bob"].refresh_from_db()
    assert people["bob"].email == "binh@huyenuy.gov.vn" and not people["bob"].email_notices
    second = api["carol"].create_draft(subject="Báo cáo quý").json()["id"]
    api["carol"].post(f"/documents/{second}/submit")
    latest = Notification.objects.filter(user=people["bob"]).latest("id")
    assert latest.email_state == EmailState.NONE  # in the page only, as he chose
    assert api["bob"].patch("/me", {"email_notices": True}).json()["email_notices"] is True
    third = api["carol"].create_draft(subject="Báo cáo năm").json()["id"]
    api["carol"].post(f"/documents/{third}/submit")
    assert Notification.objects.filter(user=people["bob"]).latest("id").email_state == EmailState.PENDING
