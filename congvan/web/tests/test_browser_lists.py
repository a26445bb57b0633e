"""The inbox list: sorted by arrival either way, filters saved under a name and opened again, a person's
saved filters their own."""

from __future__ import annotations

import pytest

from congvan.orgs.models import SavedView
from congvan.orgs.tests.support import send_to_hu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_clerk_sorts_the_inbox_and_saves_a_filter(open_as, live_server, api, people):
    send_to_hu(api, subject="V/v thứ nhất")
    send_to_hu(api, subject="V/v thứ hai", urgency="urgent")
    alice = open_as("alice")
    alice.goto(live_server.url + "/inbox/")
    rows = alice.locator("#rows tr").all_inner_texts()
    assert "V/v thứ hai" in rows[0]  # newest first
    alice.click("#sort-arrived")
    rows = alice.locator("#rows tr").all_inner_texts()
    assert "V/v thứ nhất" in rows[0]  # oldest first
    send_to_hu(api, subject="Báo cáo sơ kết")
    alice.click("#sort-subject")  # a column clicked: A to Z, then Z to A
    rows = alice.locator("#rows tr").all_inner_texts()
    assert (
        "Báo cáo sơ kết" in rows[0]
        and "V/v thứ nhất" in rows[-1]
        and "↑" in alice.inner_text("#sort-subject")
    )
    alice.click("#sort-subject")
    assert "V/v thứ nhất" in alice.locator("#rows tr").first.inner_text()
    alice.select_option("select[name=urgency]", "")  # filtering keeps the order chosen
    alice.click("form.filters button:has-text('Lọc')")
    assert "sort=-subject" in alice.url and "V/v thứ nhất" in alice.locator("#rows tr").first.inner_text()
    alice.click("#sort-arrived")
    alice.select_option("select[name=urgency]", "urgent")
    alice.click("form.filters button:has-text('Lọc')")
    alice.fill("#save-view input[name=name]", "Khẩn")
    alice.click("#save-view button")
    alice.goto(live_server.url + "/inbox/")
    alice.click("#saved-views a:has-text('Khẩn')")
    rows = alice.locator("#rows tr").all_inner_texts()
    assert len(rows) == 1 and "V/v thứ hai" in rows[0]
    view = SavedView.objects.get(user=people["alice"])
    assert "urgency=urgent" in view.query and "cursor" not in view.query
    bob = open_as("bob")  # another person's saved filters are theirs alone
    bob.goto(live_server.url + "/inbox/")
    assert bob.locator("#saved-views a").count() == 0
    from django.test import Client

    as_bob = Client()
    as_bob.force_login(people["bob"])
    assert as_bob.post(f"/views/{view.pk}/delete/", {"page": "inbox"}).status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    alice.goto(live_server.url + "/inbox/")
    alice.click("#saved-views button")  # its owner removes it
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_saved_filters_on_the_outbox_and_the_work_list(open_as, live_server, api):
    draft = api["carol"].create_draft(subject="Báo cáo quý IV").json()["id"]
    api["carol"].post(f"/documents/{draft}/submit")
    api["carol"].create_draft(subject="Công văn nháp")
    carol = open_as("carol")
    carol.goto(live_server.url + "/outbox/?state=submitted")
    carol.fill("#save-view input[name=name]", "Chờ duyệt")
    carol.click("#save-view button")
    carol.goto(live_server.url + "/outbox/")
    assert "Công văn nháp" in carol.inner_text("table.list")
    carol.click("#saved-views a:has-text('Chờ duyệt')")
    listed = carol.inner_text("table.list")
    assert "Báo cáo quý IV" in listed and "Công văn nháp" not in listed
    carol.goto(live_server.url + "/work/?view=overdue")
    carol.fill("#save-view input[name=name]", "Quá hạn")
    carol.click("#save-view button")
    carol.wait_for_url("**view=overdue**")
    assert carol.locator("#saved-views a:has-text('Quá hạn')").count() == 1


def test_the_outbox_and_the_work_list_sort_and_page(open_as, live_server, api):
    api["carol"].create_draft(subject="Dự thảo thứ nhất")
    api["carol"].create_draft(subject="Dự thảo thứ hai")
    carol = open_as("carol")
    carol.goto(live_server.url + "/outbox/")
    assert "Dự thảo thứ hai" in carol.locator("table.list tbody tr").first.inner_text()
    carol.click("#sort-created")
    assert "Dự thảo thứ nhất" in carol.locator("table.list tbody tr").first.inner_text()
    carol.click("#sort-subject")  # "Dự thảo thứ hai" < "Dự thảo thứ nhất"
    assert "Dự thảo thứ hai" in carol.locator("table.list tbody tr").first.inner_text()
    near = send_to_hu(api, subject="V/v hạn gần")
    far = send_to_hu(api, subject="V/v hạn xa")
    for receipt, day in ((near["receipt"], "2099-01-10"), (far["receipt"], "2099-12-31")):
        r = api["bob"].post(
            f"/receipts/{receipt}/direct",
            {"direction": "Giao", "assignments": [{"assignee": "carol", "role": "lead", "deadline": day}]},
        )
        assert r.status_code == 200, r.content
    carol.goto(live_server.url + "/work/?view=todo")
    assert "V/v hạn gần" in carol.locator("table.list tbody tr").first.inner_text()  # nearest first
    carol.click("#sort-deadline")
    assert "V/v hạn xa" in carol.locator("table.list tbody tr").first.inner_text()
    carol.click("#sort-subject")  # by the document's subject: "V/v hạn gần" < "V/v hạn xa"
    assert "V/v hạn gần" in carol.locator("table.list tbody tr").first.inner_text()
    carol.click("#sort-subject")
    assert "V/v hạn xa" in carol.locator("table.list tbody tr").first.inner_text()
    assert carol.locator("#work-more").count() == 0  # two tasks: one page
