"""Every page a clerk, a leader and a specialist use, at a phone's size (390x844): nothing wider than the
screen (no sideways scrolling), the header folded."""

from __future__ import annotations

import pytest

from congvan.orgs.tests.support import CS1, released, send_to_hu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "alice": ["/", "/inbox/", "/outbox/", "/compose/", "/notifications/", "/intake/", "/mail/", "/account/"],
    "bob": ["/", "/work/", "/oversight/", "/reports/indicators/"],
    "carol": ["/", "/work/", "/outbox/", "/compose/"],
}


def test_the_pages_fit_a_phone(open_as, live_server, api):
    rel = released(api, [CS1], subject="Kế hoạch tổ chức hội nghị tổng kết công tác năm 2026 của Huyện ủy")
    send_to_hu(api, subject="V/v báo cáo kết quả thực hiện chuyển đổi số trên địa bàn huyện")
    for person, paths in PAGES.items():
        page = open_as(person)
        page.set_viewport_size({"width": 390, "height": 844})
        for path in [*paths, f"/documents/{rel['id']}/"] if person == "alice" else paths:
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= 392, f"{person} {path}: {wide}px wide"
            header = page.eval_on_selector("header.top", "h => h.getBoundingClientRect().height")
            assert header < 844 * 0.15, f"{person} {path}: header {header}px"
