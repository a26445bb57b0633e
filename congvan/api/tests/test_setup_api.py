"""An office's set-up through the API: committee terms, numbering, registers; one's own profile."""

from __future__ import annotations

import pytest
from django.test import Client

from congvan.audit.models import AuditEvent
from congvan.orgs.models import Unit
from congvan.orgs.tests.support import CS1, HU, Api, make_user, released
from congvan.search.indexer import index_pending

TERM = {"name": "2030-2035", "starts_on": "2030-07-01"}


def test_an_admin_declares_a_term_and_party_numbering_restarts(api):
    root = api["root"]
    assert root.get(f"/units/{HU}/terms").json()["results"][0]["name"] == "2025-2030"
    r = root.post(f"/units/{HU}/terms", TERM)
    assert r.status_code == 201, r.content
    terms = root.get(f"/units/{HU}/terms").json()["results"]
    assert [t["name"] for t in terms] == ["2030-2035", "2025-2030"]
    assert terms[1]["ends_on"] == "2030-06-30"
    assert root.post(f"/units/{HU}/terms", {**TERM, "name": "x"}).json()["error"]["code"] == "term_overlaps"
    assert AuditEvent.objects.filter(action="term.created", unit=HU).exists()


def test_numbering_rule_set_and_registers(api):
    root = api["root"]
    assert root.get(f"/units/{HU}/numbering").json() == {"unit": HU, "rule_set": "party"}
    released(api, ["000.01.01.H57"])
    regs = api["alice"].get(f"/units/{HU}/registers").json()["results"]
    assert [(r["direction"], r["last_number"]) for r in regs] == [("out", 1)]
    r = root.put(f"/units/{HU}/numbering", {"rule_set": "state"})
    assert r.status_code == 200 and r.json()["rule_set"] == "state"
    bad = root.client.put(
        f"/api/v1/units/{HU}/numbering",
        '{"rule_set": "other"}',
        content_type="application/json",
        headers=root.headers(),
    )
    assert bad.status_code == 400


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "frank", "gina", "other_admin"])
def test_who_may_not_change_a_units_numbering(api, org, who):
    if who == "other_admin":  # an admin of another subtree (the State agency)
        api[who] = Api(make_user("ubnd.admin", "Quản trị UBND", "000.00.02.H57", "admin"))
    r = api[who].post(f"/units/{HU}/terms", TERM)
    assert r.status_code in (403, 404), (who, r.content)
    put = api[who].client.put(
        f"/api/v1/units/{HU}/numbering",
        '{"rule_set": "state"}',
        content_type="application/json",
        headers=api[who].headers(),
    )
    assert put.status_code in (403, 404)
    if who in ("gina", "other_admin"):  # another unit's set-up is not theirs to read either
        assert api[who].get(f"/units/{HU}/terms").status_code == 404


def test_anonymous_gets_nothing():
    c = Client()
    assert c.get(f"/api/v1/units/{HU}/terms").status_code == 401
    assert c.post("/api/v1/me/password", "{}", content_type="application/json").status_code == 401


def test_a_person_changes_their_password_and_profile(api):
    carol = api["carol"]
    r = carol.post("/me/password", {"old": "wrong", "new": "một mật khẩu mới dài"})
    assert r.status_code == 401
    r = carol.post("/me/password", {"old": "correct horse 1", "new": "carol"})  # like the username
    assert r.status_code == 400
    r = carol.post("/me/password", {"old": "correct horse 1", "new": "một mật khẩu mới dài"})
    assert r.status_code == 200
    carol.user.refresh_from_db()
    assert carol.user.check_password("một mật khẩu mới dài")
    r = carol.patch("/me", {"full_name": "Phạm Thị Cúc Mới", "email": "cuc@huyenuy.gov.vn"})
    assert r.status_code == 200 and r.json()["full_name"] == "Phạm Thị Cúc Mới"
    bad = carol.patch("/me", {"email": "not an address"})
    assert bad.status_code == 400


def test_an_admin_edits_moves_and_closes_units(api):
    root = api["root"]
    r = root.patch(f"/units/{HU}", {"name": "Huyện ủy Gò Công Tây (mới)", "place": "Vĩnh Bình"})
    assert r.status_code == 200 and r.json()["name"] == "Huyện ủy Gò Công Tây (mới)"
    assert set(r.json()["children"]) >= {"000.01.01.H57", "000.01.02.H57"}
    # A commune moves under the State agency's parent level: the province (district level removed).
    moved = root.post("/units/000.01.01.H57/move", {"parent": "000.00.00.T58"})
    assert moved.status_code == 200 and moved.json()["parent"] == "000.00.00.T58"
    assert Unit.objects.get(code="000.01.01.H57").path == "/000.00.00.T58/000.01.01.H57/"
    assert root.post(f"/units/{HU}/move", {"parent": "000.01.02.H57"}).status_code == 400  # under itself
    assert root.post(f"/units/{HU}/deactivate").json()["error"]["code"] == "unit_has_children"
    for code in ("000.01.02.H57", "000.01.03.H57", "000.01.04.H57"):
        assert root.post(f"/units/{code}/move", {"parent": "000.00.00.T58"}).status_code == 200
    closed = root.post(f"/units/{HU}/deactivate")
    assert closed.status_code == 200 and closed.json()["active"] is False
    assert api["alice"].get("/inbox").status_code == 403  # a closed unit's people no longer act for it
    # Documents released to a moved commune still reach it, and its clerk still works.
    assert api["dan"].get("/inbox").status_code == 200


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "frank", "gina", "other_admin"])
def test_who_may_not_change_units(api, org, who):
    if who == "other_admin":
        api[who] = Api(make_user("ubnd.admin2", "Quản trị UBND", "000.00.02.H57", "admin"))
    caller = api[who]
    assert caller.patch(f"/units/{HU}", {"name": "x"}).status_code in (403, 404)
    assert caller.post("/units/000.01.01.H57/move", {"parent": "000.00.00.T58"}).status_code in (403, 404)
    assert caller.post("/units/000.01.04.H57/deactivate").status_code in (403, 404)
    assert caller.post("/units/000.01.04.H57/merge", {"into": "000.01.03.H57"}).status_code in (403, 404)
    assert caller.post(f"/units/{HU}/dissolve").status_code in (403, 404)
    assert Unit.objects.get(code=HU).name == "Huyện ủy Gò Công Tây"
    assert Unit.objects.get(code="000.01.04.H57").active and Unit.objects.get(code=HU).active


def test_recipient_groups_are_kept_by_the_unit_and_used_in_a_release(api):
    alice = api["alice"]
    r = alice.post("/groups", {"name": "Các đảng ủy xã", "units": ["000.01.01.H57", "000.01.02.H57"]})
    assert r.status_code == 201, r.content
    group = r.json()
    assert group["slug"] == "cac-dang-uy-xa"
    assert api["dan"].get("/groups").json()["results"] == []  # another unit's groups are its own
    assert api["dan"].patch(f"/groups/{group['id']}", {"name": "x"}).status_code == 404
    assert api["carol"].post("/groups", {"name": "x", "units": []}).status_code == 403  # a specialist
    r = alice.patch(f"/groups/{group['id']}", {"units": ["000.01.01.H57", "000.01.02.H57", "000.01.03.H57"]})
    assert r.status_code == 200 and len(r.json()["units"]) == 3
    assert alice.post("/groups", {"name": "Sai", "units": ["NOPE"]}).status_code == 400
    draft = api["carol"].create_draft()
    doc = draft.json()["id"]
    assert api["carol"].post(f"/documents/{doc}/submit").status_code == 200
    assert api["bob"].post(f"/documents/{doc}/approve").status_code == 200
    rel = alice.post(f"/documents/{doc}/release", {"groups": [group["slug"]]})
    assert rel.status_code == 200, rel.content
    assert {d["unit"] for d in rel.json()["deliveries"]} == {
        "000.01.01.H57",
        "000.01.02.H57",
        "000.01.03.H57",
    }
    # A draft may plan a group by its slug: kept as the group, expanded when released as planned.
    assert api["carol"].create_draft(groups=["khong-co"]).json()["error"]["code"] == "unknown_group"
    planned = api["carol"].create_draft(groups=[group["slug"]], recipients=["000.01.04.H57"]).json()
    assert (planned["groups"], planned["recipients"]) == ([group["slug"]], ["000.01.04.H57"])
    api["carol"].post(f"/documents/{planned['id']}/submit")
    api["bob"].post(f"/documents/{planned['id']}/approve")
    rel = alice.post(f"/documents/{planned['id']}/release", {})
    assert len(rel.json()["deliveries"]) == 4, rel.content
    gone = alice.client.delete(f"/api/v1/groups/{group['id']}", headers=alice.headers())
    assert gone.status_code == 204 and alice.get("/groups").json()["results"] == []


def test_removing_the_district_level_keeps_documents_and_open_work(api):
    """1 July 2025: the district level goes; its communes sit under the province in one step."""
    rel = released(api, ["000.01.01.H57"])  # the district's document to a commune, still to register
    r = api["root"].post(f"/units/{HU}/dissolve")
    assert r.status_code == 200, r.content
    assert r.json()["active"] is False and r.json()["children"] == []
    for code in ("000.01.01.H57", "000.01.02.H57", "000.01.03.H57", "000.01.04.H57"):
        assert Unit.objects.get(code=code).path == f"/000.00.00.T58/{code}/"
    # The commune's clerk still has the district's document and registers it; its register and
    # the district's name in it stay as they were.
    receipt = next(x for x in api["dan"].get("/inbox").json()["results"] if x["document"]["id"] == rel["id"])
    assert api["dan"].post(f"/receipts/{receipt['id']}/register").status_code == 200
    assert api["dan"].get(f"/documents/{rel['id']}").json()["issuer"]["name"] == "Huyện ủy Gò Công Tây"
    assert AuditEvent.objects.filter(action="unit.dissolved", target_id=HU).exists()
    assert api["root"].post("/units/000.00.00.T58/dissolve").status_code == 400  # a root unit


CS2 = "000.01.02.H57"


def test_merging_a_commune_hands_over_its_open_work_and_keeps_its_history(crew):
    """Two grassroots committees merge (2025): the open work, the people and later documents go to the
    successor; the merged commune's own documents stay under its name and the successor reads them."""
    api = crew
    # The commune's own document, released before the merge.
    own = api["dan"].create_draft(subject="Báo cáo của xã cũ")
    assert own.status_code == 201, own.content
    own_id = own.json()["id"]
    assert api["dan"].post(f"/documents/{own_id}/submit").status_code == 200
    assert api["ly"].post(f"/documents/{own_id}/approve").status_code == 200
    assert api["dan"].post(f"/documents/{own_id}/release", {"recipients": [HU]}).status_code == 200
    # Two district documents to the commune: one registered (open work), one still to register.
    first = released(api, [CS1])
    second = released(api, [CS1])
    inbox = {x["document"]["id"]: x for x in api["dan"].get("/inbox").json()["results"]}
    assert api["dan"].post(f"/receipts/{inbox[first['id']]['id']}/register").status_code == 200

    # Who may not merge: the commune's own people, an admin elsewhere, anonymous.
    for who in ("dan", "ly", "erin", "frank"):
        assert api[who].post(f"/units/{CS1}/merge", {"into": CS2}).status_code in (403, 404), who
    assert Client().post(f"/api/v1/units/{CS1}/merge").status_code == 401
    assert api["root"].post(f"/units/{CS1}/merge", {"into": CS1}).status_code == 400
    assert api["root"].post(f"/units/{CS1}/merge", {"into": "nowhere"}).status_code == 404

    r = api["root"].post(f"/units/{CS1}/merge", {"into": CS2, "people": "move"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["unit"]["active"] is False and body["unit"]["successor"] == CS2
    assert body["receipts_moved"] == 2 and sorted(body["people_moved"]) == ["dan", "ly", "son"]
    assert api["root"].post(f"/units/{CS1}/merge", {"into": CS2}).status_code == 400  # already closed

    # The successor's clerk has both open receipts, marked with the old addressee; the registered one
    # is in the successor's register with its own number.
    erin = {x["document"]["id"]: x for x in api["erin"].get("/inbox").json()["results"]}
    assert erin[first["id"]]["addressed_to"] == CS1 and erin[first["id"]]["incoming_number"] == 1
    assert erin[second["id"]]["state"] == "arrived"
    assert AuditEvent.objects.filter(action="receipt.moved").count() == 2
    # A document addressed to the old commune now reaches the successor, with the note.
    later = released(api, [CS1])
    erin = {x["document"]["id"]: x for x in api["erin"].get("/inbox").json()["results"]}
    assert erin[later["id"]]["addressed_to"] == CS1
    # The old commune's own document: still under its name, readable and searchable by the successor.
    doc = api["erin"].get(f"/documents/{own_id}")
    assert doc.status_code == 200 and doc.json()["issuer"]["code"] == CS1
    index_pending()
    found = api["erin"].get("/search", q="bao cao xa cu").json()["results"]
    assert [x["id"] for x in found] == [own_id]
    assert api["gina"].get(f"/documents/{own_id}").status_code == 404  # nobody else's history
    # The moved people act for the successor now; their old role is ended.
    dan = Api(api["dan"].user, CS2)
    assert dan.get("/inbox").status_code == 200
    assert Api(api["dan"].user, CS1).get("/inbox").status_code == 403


def test_a_group_shared_down_the_tree_is_used_by_the_units_below(api):
    body = {"name": "Các xã của huyện", "units": [CS1, CS2], "shared": True}
    made = api["root"].post("/groups", body)
    assert made.status_code == 201, made.content
    g = made.json()
    assert g["owner"] == "000.00.00.T58" and g["shared"] is True
    api["root"].post("/groups", {"name": "Riêng tỉnh", "units": [CS1]})
    seen = {x["name"]: x for x in api["alice"].get("/groups").json()["results"]}
    assert list(seen) == ["Các xã của huyện"]  # the province's own list stays its own
    # Only the owner changes it; the district uses it in a release.
    assert api["alice"].patch(f"/groups/{g['id']}", {"name": "x"}).status_code == 404
    assert api["alice"].delete(f"/groups/{g['id']}").status_code == 404
    draft = api["carol"].create_draft().json()["id"]
    api["carol"].post(f"/documents/{draft}/submit")
    api["bob"].post(f"/documents/{draft}/approve")
    rel = api["alice"].post(f"/documents/{draft}/release", {"groups": [g["slug"]]})
    assert rel.status_code == 200, rel.content
    for who in ("dan", "erin"):
        assert draft in [x["document"]["id"] for x in api[who].get("/inbox").json()["results"]]
