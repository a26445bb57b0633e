"""Who is told of each step of an outgoing document, once per step: a submission the unit's leaders,
an approval the drafter and the clerks who release, a rejection the drafter with the comment."""

from __future__ import annotations


def kinds(api, who):
    r = api[who].get("/notifications")
    assert r.status_code == 200
    return [(n["kind"], n["text"], n["link"]) for n in r.json()["results"]]


def test_submission_approval_and_rejection_reach_the_right_people(api):
    draft = api["carol"].create_draft(subject="V/v kế hoạch chuyển đổi số")
    doc = draft.json()["id"]
    assert api["carol"].post(f"/documents/{doc}/submit").status_code == 200
    [(kind, text, link)] = kinds(api, "bob")  # the district's leader
    assert (
        kind == "submitted" and "V/v kế hoạch chuyển đổi số" in text and link.endswith(f"/documents/{doc}/")
    )
    assert kinds(api, "carol") == [] and kinds(api, "alice") == []  # not the drafter, not the clerk yet
    assert kinds(api, "dan") == []  # nobody of another unit

    r = api["bob"].post(f"/documents/{doc}/reject", {"comment": "Bổ sung số liệu quý IV"})
    assert r.status_code == 200, r.content
    [(kind, text, _link)] = kinds(api, "carol")
    assert kind == "rejected" and "Bổ sung số liệu quý IV" in text

    assert api["carol"].post(f"/documents/{doc}/submit").status_code == 200  # a second submission
    assert [k for k, _t, _l in kinds(api, "bob")] == ["submitted", "submitted"]
    assert api["bob"].post(f"/documents/{doc}/approve").status_code == 200
    assert [k for k, _t, _l in kinds(api, "carol")] == ["approved", "rejected"]
    assert [k for k, _t, _l in kinds(api, "alice")] == ["to_release"]
    assert api["bob"].get("/notifications").json()["unread"] == 2


def test_an_arrival_is_told_to_the_recipients_clerks_once_and_urgent_ones_marked(api):
    from congvan.orgs.tests.support import CS1, released

    released(api, [CS1], subject="V/v họp chi bộ")
    [(kind, text, link)] = kinds(api, "dan")  # the cell's clerk
    assert kind == "arrived" and "Huyện ủy" in text and link.startswith("/documents/")
    released(api, [CS1], subject="V/v phòng chống bão", urgency="urgent")
    assert [k for k, _t, _l in kinds(api, "dan")] == ["arrived_urgent", "arrived"]
    assert "KHẨN" in kinds(api, "dan")[0][1]
    assert all(k != "arrived" for k, _t, _l in kinds(api, "erin"))  # another cell's clerk: nothing


def test_registration_return_and_recall_are_told(api, crew):
    from congvan.orgs.tests.support import CS1, released

    rel = released(api, [CS1], subject="V/v báo cáo tháng")
    receipt = next(r for r in api["dan"].get("/inbox").json()["results"] if r["document"]["id"] == rel["id"])
    assert api["dan"].post(f"/receipts/{receipt['id']}/register").status_code == 200
    [(_kind, text, _link)] = [n for n in kinds(api, "ly") if n[0] == "registered"]  # the cell's leader
    assert "số đến 1" in text
    assert (
        api["dan"].post(f"/receipts/{receipt['id']}/return", {"reason": "Gửi nhầm đơn vị"}).status_code == 200
    )
    for who in ("alice", "carol"):  # the district's clerk and the drafter
        returned = [t for k, t, _l in kinds(api, who) if k == "returned"]
        assert len(returned) == 1 and "Gửi nhầm đơn vị" in returned[0], who
    other = released(api, [CS1], subject="V/v lịch công tác")
    assert (
        api["alice"].post(f"/documents/{other['id']}/revoke", {"reason": "Ban hành nhầm"}).status_code == 200
    )
    recalled = [t for k, t, _l in kinds(api, "dan") if k == "recalled"]
    assert len(recalled) == 1 and "Ban hành nhầm" in recalled[0]


def test_a_replacement_is_told_to_the_clerks_of_the_replaced_copies(api):
    from congvan.orgs.tests.support import CS1, released

    first = released(api, [CS1], subject="Kế hoạch hội nghị")
    second = released(api, [CS1], replaces=first["id"], subject="Kế hoạch hội nghị (thay thế)")
    replaced = [t for k, t, _l in kinds(api, "dan") if k == "replaced"]
    assert replaced == [f"Văn bản {first['symbol']} đã được thay thế bởi văn bản {second['symbol']}"]
    assert not [k for k, _t, _l in kinds(api, "erin") if k == "replaced"]  # CS2 had no copy
