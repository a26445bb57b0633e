"""A document's page shows its history to whoever may read it: the sending unit every step and each
recipient's answers, the drafter and the planned recipients before approval; a recipient only the
release and its own copy's steps."""

from __future__ import annotations

import pytest

from congvan.orgs.tests.support import CS1

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_sender_and_a_recipient_each_see_their_part_of_the_history(open_as, live_server, api):
    draft = api["carol"].create_draft(subject="Kế hoạch kiểm tra năm 2027", recipients=[CS1])
    doc = draft.json()["id"]
    assert api["carol"].post(f"/documents/{doc}/submit").status_code == 200
    bob = open_as("bob")
    bob.goto(f"{live_server.url}/documents/{doc}/")
    assert bob.inner_text("#drafter") == "Phạm Thị Cúc"
    assert bob.inner_text("#planned-recipients") == "Đảng ủy xã 1"  # the leader sees where it goes
    assert "Trình duyệt" in bob.inner_text("#timeline")
    assert api["bob"].post(f"/documents/{doc}/reject", {"comment": "Bổ sung số liệu"}).status_code == 200
    assert api["carol"].post(f"/documents/{doc}/submit").status_code == 200
    assert api["bob"].post(f"/documents/{doc}/approve").status_code == 200
    symbol = api["alice"].post(f"/documents/{doc}/release", {"recipients": [CS1]}).json()["symbol"]
    receipt = next(r for r in api["dan"].get("/inbox").json()["results"] if r["document"]["id"] == doc)
    assert api["dan"].post(f"/receipts/{receipt['id']}/register").status_code == 200

    alice = open_as("alice")
    alice.goto(f"{live_server.url}/documents/{doc}/")
    steps = alice.inner_text("#timeline")
    for what in (
        "Soạn dự thảo",
        "Trình duyệt",
        "Trả lại dự thảo",
        "Bổ sung số liệu",
        "Lãnh đạo duyệt",
        "Cấp số và ban hành",
    ):
        assert what in steps, what
    assert symbol in steps and "Lê Văn Bình" in steps
    assert "Đảng ủy xã 1: Đã vào sổ" in steps  # the recipient's answer
    order = [
        steps.index(w) for w in ("Soạn dự thảo", "Trả lại dự thảo", "Lãnh đạo duyệt", "Cấp số và ban hành")
    ]
    assert order == sorted(order)

    dan = open_as("dan")
    dan.goto(f"{live_server.url}/documents/{doc}/")
    seen = dan.inner_text("#timeline")
    assert "Cấp số và ban hành" in seen and "Vào sổ văn bản đến" in seen and "Võ Văn Dân" in seen
    assert "Trình duyệt" not in seen and "Bổ sung số liệu" not in seen  # the sender's inside steps
    assert dan.locator("#drafter").count() == 0
