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
