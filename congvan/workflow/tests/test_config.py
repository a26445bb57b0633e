"""Holidays and each unit's processing rules."""

from __future__ import annotations


def test_holidays_by_the_superuser_only(crew):
    api = crew
    assert api["root"].post("/holidays", {"day": "2026-09-02", "name": "Quốc khánh"}).status_code == 201
    assert api["root"].post("/holidays", {"day": "2026-09-02", "name": "Lặp"}).status_code == 409
    assert api["root"].post("/holidays", {"day": "02/09/2026", "name": "x"}).status_code == 400
    assert api["bob"].post("/holidays", {"day": "2026-09-03", "name": "Nghỉ bù"}).status_code == 403
    assert api["carol"].get("/holidays", year=2026).json()["results"] == [
        {"day": "2026-09-02", "name": "Quốc khánh"}
    ]


def test_unit_rules_by_its_leader_or_an_admin_above(crew):
    api = crew

    def put(who, code, body):
        import json

        return api[who].client.put(
            f"/api/v1/units/{code}/workflow-settings",
            json.dumps(body),
            content_type="application/json",
            headers=api[who].headers(),
        )

    r = put("bob", "000.00.01.H57", {"clerk_may_route": True, "days_urgent": 2})
    assert r.status_code == 200 and r.json()["clerk_may_route"] is True and r.json()["days_urgent"] == 2
    assert put("root", "000.01.01.H57", {"days_normal": 7}).json()["days_normal"] == 7
    assert put("carol", "000.00.01.H57", {"days_normal": 1}).status_code in (403, 404)
    assert put("bob", "000.01.01.H57", {"days_normal": 1}).status_code in (403, 404)  # not his unit
    assert put("bob", "000.00.01.H57", {"days_normal": -1}).status_code == 400
    assert put("bob", "000.00.01.H57", {"days_normal": "5"}).status_code == 400
    assert put("bob", "000.00.01.H57", {"colour": "red"}).status_code == 400
