"""On a phone (390x844): the header folds into a menu, the inbox shows its documents first as labelled
cards, the tap targets are at least 44 px tall."""

from __future__ import annotations

import pytest

from congvan.orgs.tests.support import CS1, send_to_hu

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


def _fits(page) -> None:
    """Nothing wider than the phone, and the page's own buttons big enough for a finger."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, (page.url, width)
    sizes = page.eval_on_selector_all(
        "main button:visible, main input[type=submit]:visible",
        "bs => bs.map(b => [b.textContent.trim() || b.value, b.getBoundingClientRect().height])",
    )
    assert sizes, page.url  # every step here has a button to press
    small = [(name, h) for name, h in sizes if 0 < h < 44]
    assert not small, (page.url, small)


def test_a_document_goes_round_the_office_on_phones(open_as, live_server, api, tmp_path):
    """Drafted, approved, released and registered, each person on a 390x844 screen, through the menu."""
    from congvan.lib.pdfgen import simple_pdf

    pdf = tmp_path / "bao-cao.pdf"
    pdf.write_bytes(simple_pdf(["Bao cao so ket", "Huyen uy"]))
    phones = {}
    for who in ("carol", "bob", "alice", "dan"):
        phones[who] = open_as(who)
        phones[who].set_viewport_size({"width": 390, "height": 844})
    carol = phones["carol"]
    carol.click("#menu-toggle")
    carol.click(".main-nav >> text=Soạn văn bản")
    carol.wait_for_url("**/compose/")
    _fits(carol)
    carol.fill("textarea[name=subject]", "Báo cáo sơ kết sáu tháng trên điện thoại")
    carol.fill("input[name=signer_name]", "Trần Văn Lãnh")
    carol.set_input_files("input[name=file]", str(pdf))
    carol.fill(".unit-filter", "bao cao")  # nothing of that name: every unit hidden
    assert carol.locator(".unit-list label:visible").count() == 0
    carol.fill(".unit-filter", "01.01")  # found by its code
    carol.check(f".unit-list input[value='{CS1}']")
    carol.click("text=Lưu dự thảo")
    carol.wait_for_url("**/documents/*/")
    _fits(carol)
    carol.click("#submit")
    assert carol.inner_text("#doc-state") == "Chờ duyệt"

    bob = phones["bob"]
    bob.goto(live_server.url + "/")
    bob.locator("li", has_text="Báo cáo sơ kết sáu tháng").locator("a").first.click()  # the start page
    bob.wait_for_url("**/documents/*/")
    _fits(bob)
    bob.click("#approve")
    assert bob.inner_text("#doc-state") == "Đã duyệt"

    alice = phones["alice"]
    alice.goto(bob.url)
    _fits(alice)
    alice.click("#release")
    assert alice.inner_text("#doc-state") == "Đã ban hành" and alice.confirmed  # it asked first

    dan = phones["dan"]
    dan.click("#menu-toggle")
    dan.click(".main-nav >> text=Văn bản đến")
    card = dan.locator("#rows tr", has_text="Báo cáo sơ kết sáu tháng")
    assert card.bounding_box()["width"] <= 390
    card.locator("a").first.click()
    dan.wait_for_url("**/documents/*/")
    _fits(dan)
    dan.click("#register")
    assert dan.inner_text("#receipt-state") == "Đã vào sổ"
