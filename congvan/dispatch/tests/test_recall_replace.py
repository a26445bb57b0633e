"""Recall (thu hồi) and replacement (thay thế) of released documents on one server."""

from __future__ import annotations

from typing import Any

from congvan.audit.models import AuditEvent
from congvan.dispatch.models import Receipt, ReceiptCount
from congvan.orgs.tests.support import Api, released

CS1, CS2 = "000.01.01.H57", "000.01.02.H57"


def _inbox(api: Api) -> list[str]:
    return [r["document"]["symbol"] for r in api.get("/inbox").json()["results"]]


def test_recall_takes_the_document_out_of_every_inbox(api: dict[str, Api]) -> None:
    rel = released(api, [CS1, CS2])
    assert rel["symbol"] in _inbox(api["dan"])
    r = api["alice"].post(f"/documents/{rel['id']}/revoke", {"reason": "Ban hành nhầm"})
    assert r.status_code == 200, r.content
    states = {d["unit"]: (d["state"], d["status_code"], d["note"]) for d in r.json()["deliveries"]}
    assert states == {CS1: ("revoked", "15", "Ban hành nhầm"), CS2: ("revoked", "15", "Ban hành nhầm")}
    assert rel["symbol"] not in _inbox(api["dan"]) and rel["symbol"] not in _inbox(api["erin"])
    assert ReceiptCount.objects.get(unit__code=CS1, state="arrived").n == 0
    assert ReceiptCount.objects.get(unit__code=CS1, state="revoked").n == 1
    assert AuditEvent.objects.filter(action="document.revoked").count() == 1
    again = api["alice"].post(f"/documents/{rel['id']}/revoke", {"reason": "Lần nữa"})
    assert again.status_code == 409


def test_who_may_recall_and_bad_input(api: dict[str, Api]) -> None:
    rel = released(api, [CS1])
    assert api["bob"].post(f"/documents/{rel['id']}/revoke", {"reason": "x"}).status_code == 403  # leader
    assert api["dan"].post(f"/documents/{rel['id']}/revoke", {"reason": "x"}).status_code in (403, 404)
    assert api["alice"].post(f"/documents/{rel['id']}/revoke", {"reason": ""}).status_code == 400
    assert api["alice"].post(f"/documents/{rel['id']}/revoke", {"reason": 5}).status_code in (400, 422)
    assert api["alice"].post("/documents/999999/revoke", {"reason": "x"}).status_code == 404
    assert Receipt.objects.get(unit__code=CS1).state == "arrived"


def test_a_replacement_takes_the_place_of_the_earlier_document(api: dict[str, Api]) -> None:
    first = released(api, [CS1, CS2])
    second = released(api, [CS1], replaces=first["id"], subject="Kế hoạch (thay thế)")
    assert api["alice"].get(f"/documents/{second['id']}").json()["replaces"] == first["id"]
    inbox = _inbox(api["dan"])
    assert second["symbol"] in inbox and first["symbol"] not in inbox
    old = Receipt.objects.get(unit__code=CS1, document_id=first["id"])
    assert old.state == "revoked" and second["symbol"] in old.returned_reason
    assert first["symbol"] in _inbox(api["erin"])  # CS2 is not a recipient of the replacement


def test_only_a_released_document_of_ones_own_unit_can_be_replaced(api: dict[str, Any]) -> None:
    for bad in (424242, "12", True, -1):
        r = api["carol"].create_draft(replaces=bad)
        assert r.status_code == 400 and "replaces" in r.json()["error"]["message"], bad
    other = api["gina"].create_draft(type="CV", subject="V/v của UBND").json()["id"]  # a draft elsewhere
    assert api["carol"].create_draft(replaces=other).status_code == 400
    draft = api["carol"].create_draft().json()["id"]
    assert api["carol"].create_draft(replaces=draft).status_code == 400  # not released
