"""Every endpoint as a person of another unit and as each role: only what the role allows."""

from __future__ import annotations

import pytest

from congvan.dispatch.models import Receipt
from congvan.documents.models import Document
from congvan.orgs.tests.support import released

CS1, CS2 = "000.01.01.H57", "000.01.02.H57"
OUTSIDERS = ["dan", "erin", "gina", "hai"]  # other units: grassroots cells and a State agency


@pytest.fixture
def draft_id(api):
    r = api["carol"].create_draft(recipients=[CS1])
    assert r.status_code == 201
    return r.json()["id"]


def test_outsiders_cannot_see_or_touch_a_draft(api, draft_id):
    for who in OUTSIDERS:
        a = api[who]
        for r in (
            a.get(f"/documents/{draft_id}"),
            a.get(f"/documents/{draft_id}/files/1"),
            a.post(f"/documents/{draft_id}/submit"),
            a.post(f"/documents/{draft_id}/approve"),
            a.post(f"/documents/{draft_id}/reject", {"comment": "không"}),
            a.post(f"/documents/{draft_id}/release", {"recipients": [CS2]}),
            a.client.patch(
                f"/api/v1/documents/{draft_id}",
                '{"subject": "x"}',
                content_type="application/json",
                headers=a.headers(),
            ),
        ):
            # 404 hides the document; 403 is a refusal of the role itself, the same for any id.
            assert r.status_code in (403, 404), (who, r.content)
            if r.status_code == 403:
                assert r.json()["error"]["code"] == "not_allowed"
        assert draft_id not in [d["id"] for d in a.get("/documents").json()["results"]]
    assert Document.objects.get(pk=draft_id).state == "draft"


def test_specialist_sees_own_drafts_but_not_a_colleagues(api, people, org):
    from congvan.orgs.tests.support import Api, make_user

    other = Api(make_user("vy", "Lý Thị Vy", "000.00.01.H57", "specialist"))
    mine = api["carol"].create_draft().json()["id"]
    assert other.get(f"/documents/{mine}").status_code == 404
    assert mine not in [d["id"] for d in other.get("/documents").json()["results"]]
    # The leader and the clerk of the same unit see it.
    assert api["bob"].get(f"/documents/{mine}").status_code == 200
    assert api["alice"].get(f"/documents/{mine}").status_code == 200


@pytest.mark.parametrize(("who", "status"), [("carol", 200), ("alice", 200), ("bob", 200), ("frank", 403)])
def test_who_may_submit(api, draft_id, who, status):
    assert api[who].post(f"/documents/{draft_id}/submit").status_code == status


@pytest.mark.parametrize(("who", "status"), [("bob", 200), ("alice", 403), ("carol", 403), ("frank", 403)])
def test_only_a_leader_approves(api, draft_id, who, status):
    api["carol"].post(f"/documents/{draft_id}/submit")
    assert api[who].post(f"/documents/{draft_id}/approve").status_code == status
    r = api[who].post(f"/documents/{draft_id}/reject", {"comment": "Sửa lại"})
    assert r.status_code == (409 if status == 200 else 403)


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("bob", 403), ("carol", 403), ("frank", 403)])
def test_only_the_clerk_releases(api, draft_id, who, status):
    api["carol"].post(f"/documents/{draft_id}/submit")
    api["bob"].post(f"/documents/{draft_id}/approve")
    assert api[who].post(f"/documents/{draft_id}/release", {}).status_code == status


def test_reject_returns_the_draft_with_the_comment(api, draft_id):
    api["carol"].post(f"/documents/{draft_id}/submit")
    r = api["bob"].post(f"/documents/{draft_id}/reject", {"comment": "Bổ sung số liệu quý III"})
    assert r.json()["state"] == "draft" and r.json()["review_comment"] == "Bổ sung số liệu quý III"
    assert api["bob"].post(f"/documents/{draft_id}/reject", {"comment": "lần hai"}).status_code == 409
    empty = api["carol"].post(f"/documents/{draft_id}/submit")
    assert empty.status_code == 200


def test_receipts_are_seen_and_handled_only_by_their_unit(api):
    released(api, [CS1])
    receipt = Receipt.objects.get(unit__code=CS1)
    for who in ["erin", "gina", "alice", "bob"]:
        a = api[who]
        assert a.get(f"/receipts/{receipt.pk}").status_code == 404
        for r in (
            a.post(f"/receipts/{receipt.pk}/register"),
            a.post(f"/receipts/{receipt.pk}/return", {"reason": "x"}),
        ):
            assert r.status_code == 404 or r.json()["error"]["code"] == "not_allowed"
        assert receipt.pk not in [r["id"] for r in a.get("/inbox").json()["results"]]
    assert api["dan"].get(f"/receipts/{receipt.pk}").status_code == 200
    receipt.refresh_from_db()
    assert receipt.state == "arrived" and receipt.incoming_number is None


def test_a_leader_of_the_recipient_reads_but_does_not_register(api, org):
    from congvan.orgs.tests.support import Api, make_user

    released(api, [CS1])
    leader = Api(make_user("ly", "Lý Văn Lực", CS1, "leader"))
    receipt = leader.get("/inbox").json()["results"][0]
    assert leader.post(f"/receipts/{receipt['id']}/register").status_code == 403
    assert leader.get(f"/documents/{receipt['document']['id']}").status_code == 200


def test_sender_tracking_is_not_visible_to_other_recipients_units(api):
    rel = released(api, [CS1, CS2])
    # A recipient reads the document (its own copy) ...
    seen = api["dan"].get(f"/documents/{rel['id']}").json()
    # ... but the list of deliveries belongs to the sender's view only when asked by the sender.
    assert seen["subject"]
    assert api["gina"].get(f"/documents/{rel['id']}").status_code == 404


def test_a_recipient_sees_its_own_delivery_only_and_not_the_issuers_review(api):
    """Each recipient's progress notes are its own business; the review comments stay in the issuing unit."""
    draft = api["carol"].create_draft().json()["id"]
    api["carol"].post(f"/documents/{draft}/submit")
    api["bob"].post(f"/documents/{draft}/reject", {"comment": "Sửa lại mục 2"})
    api["carol"].post(f"/documents/{draft}/submit", {"note": "Đã sửa, ý kiến nội bộ"})
    api["bob"].post(f"/documents/{draft}/approve")
    assert api["alice"].post(f"/documents/{draft}/release", {"recipients": [CS1, CS2]}).status_code == 200
    receipt = next(r for r in api["dan"].get("/inbox").json()["results"] if r["document"]["id"] == draft)
    api["dan"].post(f"/receipts/{receipt['id']}/return", {"reason": "Gửi nhầm, ghi chú riêng của xã 1"})
    other = api["erin"].get(f"/documents/{draft}").json()
    assert [d["unit"]["code"] if isinstance(d["unit"], dict) else d["unit"] for d in other["deliveries"]] == [
        CS2
    ]
    assert "ghi chú riêng" not in str(other) and other["review_comment"] == ""
    own = api["alice"].get(f"/documents/{draft}").json()
    assert len(own["deliveries"]) == 2 and own["review_comment"] == "Đã sửa, ý kiến nội bộ"
    page = signed_in_page("erin", f"/documents/{draft}/")
    assert "ý kiến nội bộ" not in page and "ghi chú riêng" not in page


def signed_in_page(username: str, url: str) -> str:
    from django.test import Client

    client = Client()
    client.post("/login/", {"username": username, "password": "correct horse 1"})
    return client.get(url).content.decode()


def test_who_opened_a_document_and_downloaded_its_file_is_audited(api):
    from congvan.audit.models import AuditEvent

    rel = released(api, [CS1])
    doc = api["dan"].get(f"/documents/{rel['id']}").json()
    assert api["dan"].get(f"/documents/{rel['id']}/files/{doc['files'][0]['id']}").status_code == 200
    page = signed_in_page("alice", f"/documents/{rel['id']}/")
    assert page
    events = AuditEvent.objects.filter(target_type="document", target_id=str(rel["id"]))
    reads = list(events.filter(action="document.read").values_list("actor", "unit"))
    assert ("dan", CS1) in reads and ("alice", "000.00.01.H57") in reads
    download = events.get(action="document.downloaded")
    assert download.actor == "dan" and download.details["file"] == doc["files"][0]["id"]
    # Someone who may not read it leaves no trace of a read (the refusal is a 404).
    assert api["gina"].get(f"/documents/{rel['id']}").status_code == 404
    assert not events.filter(actor="gina").exists()
