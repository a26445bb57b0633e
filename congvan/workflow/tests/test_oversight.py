"""Oversight figures: receipts by state, overdue by person and by sub-unit, and the units below."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from congvan.orgs.access import acting_as
from congvan.orgs.tests.support import CS1, released, send_to_hu
from congvan.workflow.actions import AssignmentRequest, do_direct_receipt
from congvan.workflow.queries import oversight

PAST = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def test_oversight_of_a_unit_and_the_units_below(crew, org):
    api = crew
    bob = acting_as(api["bob"].user, None)
    for i in range(3):
        r = send_to_hu(api, subject=f"Văn bản {i}")["receipt"]
        spec = [
            AssignmentRequest(assignee="carol" if i else "vy", role="lead", deadline=dt.date(2026, 1, 9)),
            AssignmentRequest(unit=CS1, role="support", deadline=dt.date(2026, 1, 9)),
        ]
        do_direct_receipt(r, direction="", assignments=spec, now=PAST, actor=bob)
    send_to_hu(api, subject="Chưa chỉ đạo")
    released(api, [CS1, "000.01.02.H57"])  # HU sends down: its cells' receipts are "below"

    res = api["bob"].get("/oversight").json()
    assert res["unit"] == "000.00.01.H57"
    assert res["receipts_by_state"] == {"directed": 3, "registered": 1}
    assert {p["username"]: p["overdue"] for p in res["overdue_by_person"]} == {"carol": 2, "vy": 1}
    assert res["overdue_by_unit"] == [{"unit": CS1, "name": "Đảng ủy xã 1", "overdue": 3}]
    below = {u["unit"]: u for u in res["below"]}
    assert below[CS1]["receipts_by_state"] == {"arrived": 1}
    # A leader of the parent sees the figures of a unit below, not its documents.
    cs1 = api["bob"].get("/oversight", unit=CS1).json()
    assert cs1["receipts_by_state"] == {"arrived": 1}
    assert api["dan"].get("/oversight", unit="000.00.01.H57").status_code == 404  # not upwards
    assert api["carol"].get("/oversight").status_code == 403  # a specialist has a work list, not this page


def test_oversight_query_count_does_not_grow(crew, org):
    api = crew
    bob = acting_as(api["bob"].user, None)
    today = dt.date(2026, 6, 1)

    def one_more(i: int) -> None:
        r = send_to_hu(api, subject=f"Văn bản {i}")["receipt"]
        do_direct_receipt(
            r,
            direction="",
            assignments=[
                AssignmentRequest(
                    assignee="carol" if i % 2 else "vy", role="lead", deadline=dt.date(2026, 1, 9)
                ),
                AssignmentRequest(unit=CS1, role="support", deadline=dt.date(2026, 1, 9)),
            ],
            now=PAST,
            actor=bob,
        )

    one_more(0)
    with CaptureQueriesContext(connection) as small:
        oversight(bob, None, today)
    for i in range(1, 5):
        one_more(i)
    released(api, [CS1, "000.01.02.H57"])
    with CaptureQueriesContext(connection) as large:
        oversight(bob, None, today)
    assert len(small.captured_queries) == len(large.captured_queries)


def test_kept_receipt_counts_match_the_receipts(crew, org):
    """Every state change keeps the per-unit counts that oversight reads."""
    from congvan.dispatch.queries import count_drift

    api = crew
    bob = acting_as(api["bob"].user, None)
    r = send_to_hu(api)["receipt"]
    [a] = do_direct_receipt(
        r, direction="", assignments=[AssignmentRequest(assignee="carol", role="lead")], actor=bob
    )
    api["carol"].post(f"/assignments/{a.pk}/progress", {"note": "Đang làm"})
    api["carol"].post(f"/assignments/{a.pk}/complete", {"result": "Xong"})
    released(api, [CS1, "000.01.02.H57", "000.01.03.H57"])
    rid = api["dan"].get("/inbox").json()["results"][0]["id"]
    api["dan"].post(f"/receipts/{rid}/register")
    rid2 = api["erin"].get("/inbox").json()["results"][0]["id"]
    api["erin"].post(f"/receipts/{rid2}/return", {"reason": "Nhầm"})
    assert count_drift() == []
    assert api["bob"].get("/oversight").json()["receipts_by_state"] == {"completed": 1}
