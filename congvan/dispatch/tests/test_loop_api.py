"""The core loop through the API: draft -> submit -> approve -> release -> register -> tracking."""

from __future__ import annotations

from congvan.audit.queries import verify_chain
from congvan.orgs.tests.support import released

CS1, CS2, CS3 = "000.01.01.H57", "000.01.02.H57", "000.01.03.H57"


def test_document_travels_from_district_to_three_cells_and_is_registered(api):
    draft = api["carol"].create_draft(subject="Kế hoạch tổ chức Đại hội chi bộ", recipients=[CS1, CS2, CS3])
    assert draft.status_code == 201, draft.content
    body = draft.json()
    assert body["state"] == "draft"
    assert body["files"][0]["role"] == "main" and body["files"][0]["mime"] == "application/pdf"
    doc_id = body["id"]

    assert api["carol"].post(f"/documents/{doc_id}/submit").json()["state"] == "submitted"
    assert api["bob"].post(f"/documents/{doc_id}/approve").json()["state"] == "approved"

    rel = api["alice"].post(f"/documents/{doc_id}/release", {})
    assert rel.status_code == 200, rel.content
    rel = rel.json()
    assert rel["number"] == 1 and rel["symbol"] == "01-KH/HU"
    assert sorted(d["unit"] for d in rel["deliveries"]) == [CS1, CS2, CS3]
    assert {d["state"] for d in rel["deliveries"]} == {"arrived"}

    inbox = api["dan"].get("/inbox").json()
    assert [r["document"]["symbol"] for r in inbox["results"]] == ["01-KH/HU"]
    receipt = inbox["results"][0]
    assert receipt["state"] == "arrived"
    assert receipt["document"]["issuer"] == "000.00.01.H57"

    reg = api["dan"].post(f"/receipts/{receipt['id']}/register")
    assert reg.status_code == 200, reg.content
    assert reg.json()["incoming_number"] == 1

    tracking = api["alice"].get(f"/documents/{doc_id}").json()
    states = {d["unit"]: (d["state"], d["status_code"]) for d in tracking["deliveries"]}
    assert states == {CS1: ("registered", "03"), CS2: ("arrived", "01"), CS3: ("arrived", "01")}

    # The recipient reads the document and downloads its file.
    doc_as_recipient = api["dan"].get(f"/documents/{doc_id}").json()
    assert doc_as_recipient["subject"] == "Kế hoạch tổ chức Đại hội chi bộ"
    dl = api["dan"].client.get(doc_as_recipient["files"][0]["url"], headers=api["dan"].headers())
    assert dl.status_code == 200
    assert b"".join(dl.streaming_content).startswith(b"%PDF-")

    checked, problems = verify_chain()
    assert problems == [] and checked >= 5


def test_returned_receipt_shows_on_sender_tracking(api):
    rel = released(api, [CS1, CS2])
    receipt = api["erin"].get("/inbox").json()["results"][0]
    back = api["erin"].post(f"/receipts/{receipt['id']}/return", {"reason": "Gửi nhầm đơn vị"})
    assert back.status_code == 200, back.content
    tracking = api["alice"].get(f"/documents/{rel['id']}").json()
    by_unit = {d["unit"]: d for d in tracking["deliveries"]}
    assert by_unit[CS2]["state"] == "returned" and by_unit[CS2]["status_code"] == "02"
    assert by_unit[CS2]["note"] == "Gửi nhầm đơn vị"
    assert by_unit[CS1]["state"] == "arrived"


def test_incoming_numbers_follow_arrival_order_per_unit(api):
    for _ in range(3):
        released(api, [CS1])
    results = api["dan"].get("/inbox").json()["results"]
    numbers = [
        api["dan"].post(f"/receipts/{r['id']}/register").json()["incoming_number"] for r in reversed(results)
    ]
    assert numbers == [1, 2, 3]
    outgoing = sorted(
        api["alice"].get("/documents", state="released").json()["results"], key=lambda d: d["id"]
    )
    assert [d["symbol"] for d in outgoing] == ["01-KH/HU", "02-KH/HU", "03-KH/HU"]
