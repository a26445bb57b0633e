"""On a phone (390x844): the header folds into a menu, the inbox shows its documents first as labelled
cards, the tap targets are at least 44 px tall."""

from __future__ import annotations

import pytest

from congvan.orgs.tests.support import send_to_hu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_clerk_works_from_a_phone(open_as, live_server, api):
    send_to_hu(api, subject="V/v báo cáo phòng chống bão")
    alice = open_as("alice")
    alice.set_viewport_size({"width": 390, "height": 844})
    alice.goto(live_server.url + "/inbox/")
    header = alice.eval_on_selector("header.top", "h => h.getBoundingClientRect().height")
    assert header < 844 * 0.15, header  # the menu is folded: the header no longer fills the screen
    assert not alice.is_visible(".main-nav")
    alice.click("#menu-toggle")
    assert alice.is_visible(".main-nav")
    heights = alice.eval_on_selector_all(".main-nav a", "as => as.map(a => a.getBoundingClientRect().height)")
    assert heights and min(heights) >= 44, heights
    alice.click("#menu-toggle")
    assert not alice.is_visible("form.filters")  # folded: the documents come first
    row = alice.locator("#rows tr").first
    assert row.is_visible()
    label = alice.eval_on_selector("#rows td[data-label]", "td => getComputedStyle(td, '::before').content")
    assert "Số, ký hiệu" in label  # each value says what it is
    assert row.bounding_box()["width"] <= 390
    alice.click("details.fold summary")
    assert alice.is_visible("form.filters")

    alice.set_viewport_size({"width": 1280, "height": 900})  # a desk: everything in one row, filters shown
    alice.goto(live_server.url + "/inbox/")
    assert alice.is_visible(".main-nav") and alice.is_visible("form.filters")
    assert not alice.is_visible("#menu-toggle")
