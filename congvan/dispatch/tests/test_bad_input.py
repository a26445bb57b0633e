"""Bad input to release, register and return: a clear error and nothing changed."""

from __future__ import annotations

import pytest

from congvan.audit.models import AuditEvent
from congvan.dispatch.models import Delivery, Receipt
from congvan.documents.models import Document
from congvan.orgs.actions import do_create_group
from congvan.orgs.tests.support import released
from congvan.registers.models import RegisterEntry

CS1, CS2, CS3, CS4 = "000.01.01.H57", "000.01.02.H57", "000.01.03.H57", "000.01.04.H57"


@pytest.fixture
def approved_id(api):
    doc_id = api["carol"].create_draft().json()["id"]
    api["carol"].post(f"/documents/{doc_id}/submit")
    api["bob"].post(f"/documents/{doc_id}/approve")
    return doc_id


def snapshot():
    return (
        Delivery.objects.count(),
        Receipt.objects.count(),
        RegisterEntry.objects.count(),
        AuditEvent.objects.count(),
        list(Document.objects.values_list("state", "number")),
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"recipients": []}, "bad_recipients"),
        ({"recipients": ["NOPE.00.00"]}, "bad_recipients"),
        ({"recipients": [CS1, CS1]}, "duplicate"),
        ({"recipients": ["000.00.01.H57"]}, "bad_recipients"),  # the sender itself
        ({"recipients": [CS1], "groups": ["no-such-group"]}, "bad_recipients"),
        ({"recipients": "000.01.01.H57"}, "invalid"),
        ({"recipients": [1, 2]}, "invalid"),
    ],
)
def test_bad_recipients_are_refused(api, approved_id, body, code):
    before = snapshot()
    r = api["alice"].post(f"/documents/{approved_id}/release", body)
    assert r.status_code == 400, r.content
    assert r.json()["error"]["code"] == code and r.json()["error"]["message"]
    assert snapshot() == before


def test_malformed_json_body_is_refused(api, approved_id):
    before = snapshot()
    r = api["alice"].client.post(
        f"/api/v1/documents/{approved_id}/release",
        "{recipients: [",
        content_type="application/json",
        headers=api["alice"].headers(),
    )
    assert r.status_code == 400 and "error" in r.json()
    assert snapshot() == before


def test_release_to_a_named_group(api, org, approved_id):
    do_create_group(
        owner=org["hu"], slug="co-so", name="Các đảng ủy cơ sở", member_codes=[CS1, CS2, CS3, CS4], actor=None
    )
    r = api["alice"].post(f"/documents/{approved_id}/release", {"groups": ["co-so"], "recipients": [CS1]})
    assert r.status_code == 200, r.content
    assert sorted(d["unit"] for d in r.json()["deliveries"]) == [CS1, CS2, CS3, CS4]


def test_repeating_a_release_is_refused(api):
    rel = released(api, [CS1])
    before = snapshot()
    again = api["alice"].post(f"/documents/{rel['id']}/release", {"recipients": [CS2]})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_released"
    assert snapshot() == before


def test_release_before_approval_is_refused(api):
    doc_id = api["carol"].create_draft(recipients=[CS1]).json()["id"]
    r = api["alice"].post(f"/documents/{doc_id}/release", {})
    assert r.status_code == 409 and r.json()["error"]["code"] == "wrong_state"


def test_registering_twice_is_refused(api):
    released(api, [CS1])
    rid = api["dan"].get("/inbox").json()["results"][0]["id"]
    assert api["dan"].post(f"/receipts/{rid}/register").status_code == 200
    before = snapshot()
    again = api["dan"].post(f"/receipts/{rid}/register")
    assert again.status_code == 409 and again.json()["error"]["code"] == "wrong_state"
    assert snapshot() == before


def test_return_needs_a_reason_and_a_returned_receipt_cannot_be_registered(api):
    released(api, [CS1])
    rid = api["dan"].get("/inbox").json()["results"][0]["id"]
    r = api["dan"].post(f"/receipts/{rid}/return", {"reason": "   "})
    assert r.status_code == 400 and r.json()["error"]["code"] == "missing_field"
    r = api["dan"].post(f"/receipts/{rid}/return", {"reason": "x" * 501})
    assert r.status_code == 400 and r.json()["error"]["code"] == "too_long"
    assert api["dan"].post(f"/receipts/{rid}/return", {"reason": "Sai nơi nhận"}).status_code == 200
    assert api["dan"].post(f"/receipts/{rid}/register").status_code == 409


@pytest.mark.parametrize("bad", ["abc", "-1", "99999999999999999999"])
def test_bad_ids_are_not_found_or_invalid(api, bad):
    for r in (api["dan"].get(f"/documents/{bad}"), api["dan"].post(f"/receipts/{bad}/register")):
        assert r.status_code in (400, 404) and "error" in r.json()


def test_duplicate_incoming_copy_is_warned(api, org):
    """The same document arriving twice (e.g. by mail and electronically) is flagged on registration."""
    from django.db import transaction
    from django.utils import timezone

    released(api, [CS1])
    first = Receipt.objects.get(unit__code=CS1)
    api["dan"].post(f"/receipts/{first.pk}/register")
    # A second copy of the same issuer, number and symbol (another document row, as an import would make).
    doc = first.document
    with transaction.atomic():
        twin = Document.objects.create(
            issuing_unit=doc.issuing_unit,
            created_by=doc.created_by,
            doc_type=doc.doc_type,
            subject=doc.subject,
            state="released",
            number=doc.number,
            symbol=doc.symbol,
        )
        copy = Receipt.objects.create(
            unit=first.unit, document=twin, issuer=first.issuer, arrived_at=timezone.now()
        )
    r = api["dan"].post(f"/receipts/{copy.pk}/register").json()
    assert [d["incoming_number"] for d in r["duplicates"]] == [1]


def test_inbox_filters_and_cursor_pagination(api):
    for i in range(5):
        released(api, [CS1], urgency="urgent" if i % 2 else "normal")
    dan = api["dan"]
    assert len(dan.get("/inbox", urgency="urgent").json()["results"]) == 2
    assert dan.get("/inbox", issuer="000.00.01.H57").json()["results"]
    assert dan.get("/inbox", issuer="000.00.00.T58").json()["results"] == []
    page1 = dan.get("/inbox", limit=2).json()
    page2 = dan.get("/inbox", limit=2, cursor=page1["next"]).json()
    page3 = dan.get("/inbox", limit=2, cursor=page2["next"]).json()
    ids = [r["id"] for p in (page1, page2, page3) for r in p["results"]]
    assert len(ids) == 5 == len(set(ids)) and page3["next"] is None
    assert ids == sorted(ids, reverse=True)
    assert dan.get("/inbox", cursor="garbage!").status_code == 400
    assert dan.get("/inbox", view="new").json()["results"]
    assert dan.get("/inbox", view="registered").json()["results"] == []
    assert dan.get("/inbox", limit="many").status_code == 400


def test_the_inbox_and_outbox_sort_by_a_column_and_page_without_repeats(api):
    """Sorted by subject (ties broken by id), pages of one row walk every row once, both ways; a cursor
    of another sort or an unknown column is refused."""
    subjects = ["Về hội nghị", "Báo cáo tháng", "Về hội nghị", "Kế hoạch năm", "Chương trình công tác"]
    for s in subjects:
        released(api, [CS1], subject=s)
    dan = api["dan"]

    def walk(path: str, sort: str) -> list[str]:
        seen, cursor = [], ""
        for _ in range(10):
            page = dan.get(path, sort=sort, limit=1, **({"cursor": cursor} if cursor else {})).json()
            seen += [r["id"] for r in page["results"]]
            if not page["next"]:
                return seen
            cursor = page["next"]
        raise AssertionError("the pages never ended")

    ids = walk("/inbox", "subject")
    rows = {r["id"]: r["document"]["subject"] for r in dan.get("/inbox", limit=50).json()["results"]}
    assert len(ids) == 5 == len(set(ids)) and [rows[i] for i in ids] == sorted(subjects)
    down = walk("/inbox", "-subject")
    assert [rows[i] for i in down] == sorted(subjects, reverse=True) and set(down) == set(ids)
    by_date = dan.get("/inbox", limit=1).json()["next"]
    assert dan.get("/inbox", sort="subject", cursor=by_date).status_code == 400  # a cursor of another sort
    assert dan.get("/inbox", sort="colour").json()["error"]["code"] == "bad_sort"
    alice = api["alice"]
    mine = {d["id"]: d["subject"] for d in alice.get("/documents", limit=50).json()["results"]}
    seen, cursor = [], None
    while True:
        page = alice.get(
            "/documents", sort="-subject", limit=2, **({"cursor": cursor} if cursor else {})
        ).json()
        seen += [d["id"] for d in page["results"]]
        if not (cursor := page["next"]):
            break
    assert [mine[i] for i in seen] == sorted(mine.values(), reverse=True) and len(seen) == len(mine)
