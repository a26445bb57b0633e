"""Dossiers group the documents of one matter; a closed dossier does not change."""

from __future__ import annotations

from congvan.orgs.tests.support import released


def test_dossier_lifecycle(crew, incoming_doc):
    api = crew
    d = api["carol"].post(
        "/dossiers", {"code": "01/HS-VP", "title": "Hồ sơ Đại hội Đảng bộ", "retention": "permanent"}
    )
    assert d.status_code == 201, d.content
    dossier = d.json()["id"]
    out = released(api, ["000.01.01.H57"])
    assert api["carol"].post(f"/dossiers/{dossier}/documents", {"document": out["id"]}).status_code == 200
    # An incoming document the unit received goes in too (the clerk can see it).
    r = api["alice"].post(f"/dossiers/{dossier}/documents", {"document": incoming_doc["document"]})
    assert sorted(x["id"] for x in r.json()["documents"]) == sorted([out["id"], incoming_doc["document"]])
    assert api["carol"].post("/dossiers", {"code": "01/HS-VP", "title": "Trùng"}).status_code == 409
    assert api["bob"].post(f"/dossiers/{dossier}/close").json()["closed"] is True
    closed = api["carol"].post(f"/dossiers/{dossier}/documents", {"document": out["id"]})
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "dossier_closed"


def test_dossiers_are_the_units_own(crew, incoming_doc):
    api = crew
    dossier = api["carol"].post("/dossiers", {"code": "HS-1", "title": "Hồ sơ"}).json()["id"]
    assert api["dan"].get(f"/dossiers/{dossier}").status_code == 404
    assert (
        api["dan"].post(f"/dossiers/{dossier}/documents", {"document": incoming_doc["document"]}).status_code
        == 404
    )
    # A document the person cannot see cannot be filed.
    foreign = api["gina"].create_draft(type="CV", subject="Của UBND").json()["id"]
    assert api["carol"].post(f"/dossiers/{dossier}/documents", {"document": foreign}).status_code == 404
    assert api["carol"].post("/dossiers", {"code": "bad code!", "title": "x"}).status_code == 400
    assert (
        api["carol"].post("/dossiers", {"code": "HS-2", "title": "x", "retention": "forever"}).status_code
        == 400
    )
