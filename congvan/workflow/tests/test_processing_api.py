"""Directing and processing an incoming document through the API, and what the sender sees."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connections
from django.utils import timezone

from congvan.lib.dates import local_today
from congvan.orgs.tests.support import CS1, HU, send_to_hu
from congvan.workflow.models import Assignment

FAR = (local_today(timezone.now()) + dt.timedelta(days=30)).isoformat()


def sender_status(api, doc_id):
    return {
        d["unit"]: (d["state"], d["status_code"])
        for d in api["gina"].get(f"/documents/{doc_id}").json()["deliveries"]
    }[HU]


def direct(api, receipt, assignments, who="bob", direction="Giao Văn phòng chủ trì, báo cáo trước hạn"):
    return api[who].post(f"/receipts/{receipt}/direct", {"direction": direction, "assignments": assignments})


def test_direct_progress_complete_shows_on_sender_tracking(crew, incoming_doc):
    api, r, d = crew, incoming_doc["receipt"], incoming_doc["document"]
    res = direct(
        api,
        r,
        [
            {"assignee": "carol", "role": "lead", "deadline": FAR},
            {"assignee": "vy", "role": "support", "deadline": FAR},
            {"unit": CS1, "role": "fyi"},
        ],
    )
    assert res.status_code == 200, res.content
    by_role = {a["role"]: a for a in res.json()["assignments"]}
    assert by_role["lead"]["assignee"] == "carol" and by_role["fyi"]["unit"] == CS1
    assert sender_status(api, d) == ("directed", "04")

    lead = by_role["lead"]["id"]
    assert [a["id"] for a in api["carol"].get("/assignments", state="todo").json()["assignments"]] == [lead]
    assert api["carol"].get(f"/documents/{d}").status_code == 200  # the handler reads the document
    assert (
        api["carol"].post(f"/assignments/{lead}/progress", {"note": "Đang tổng hợp số liệu"}).status_code
        == 200
    )
    assert sender_status(api, d) == ("in_progress", "05")

    support = by_role["support"]["id"]
    assert api["vy"].post(f"/assignments/{support}/complete", {"result": "Đã gửi số liệu"}).status_code == 200
    assert sender_status(api, d) == ("in_progress", "05")  # support alone does not complete the receipt

    done = api["carol"].post(f"/assignments/{lead}/complete", {"result": "Đã báo cáo"})
    assert done.status_code == 200 and done.json()["state"] == "completed"
    assert sender_status(api, d) == ("completed", "06")
    chain = api["bob"].get(f"/receipts/{r}/processing").json()
    assert chain["directions"][0]["text"].startswith("Giao Văn phòng")
    assert {a["state"] for a in chain["assignments"] if a["role"] != "fyi"} == {"completed"}


def test_sub_unit_head_reassigns_and_the_chain_completes(crew, incoming_doc):
    api, r, d = crew, incoming_doc["receipt"], incoming_doc["document"]
    lead = direct(api, r, [{"unit": CS1, "role": "lead", "deadline": FAR}]).json()["assignments"][0]["id"]
    assert [a["id"] for a in api["ly"].get("/assignments", state="to_direct").json()["assignments"]] == [lead]
    child = api["ly"].post(f"/assignments/{lead}/reassign", {"assignee": "son"})
    assert child.status_code == 200, child.content
    child_id = child.json()["id"]
    assert child.json()["parent"] == lead
    # Only the sub-unit's head re-assigns, and only to their own people.
    assert api["son"].post(f"/assignments/{lead}/reassign", {"assignee": "son"}).status_code in (403, 404)
    assert api["ly"].post(f"/assignments/{lead}/reassign", {"assignee": "carol"}).status_code == 400
    assert api["son"].post(f"/assignments/{child_id}/complete", {"result": "Xong"}).status_code == 200
    states = {a["id"]: a["state"] for a in api["bob"].get(f"/receipts/{r}/processing").json()["assignments"]}
    assert states == {lead: "completed", child_id: "completed"}
    assert sender_status(api, d) == ("completed", "06")


def test_extension_is_decided_by_the_assigner(crew, incoming_doc):
    api, r = crew, incoming_doc["receipt"]
    deadline = (local_today(timezone.now()) + dt.timedelta(days=10)).isoformat()
    lead = direct(api, r, [{"assignee": "carol", "role": "lead", "deadline": deadline}]).json()[
        "assignments"
    ][0]["id"]
    later = (local_today(timezone.now()) + dt.timedelta(days=20)).isoformat()
    assert (
        api["carol"].post(f"/assignments/{lead}/extend", {"until": deadline, "reason": "x"}).status_code
        == 400
    )
    assert (
        api["carol"]
        .post(f"/assignments/{lead}/extend", {"until": later, "reason": "Chờ số liệu"})
        .status_code
        == 200
    )
    assert (
        api["carol"].post(f"/assignments/{lead}/extend", {"until": later, "reason": "lần 2"}).status_code
        == 409
    )
    assert api["carol"].post(f"/assignments/{lead}/extension", {"approve": True}).status_code == 403
    assert api["bob"].post(f"/assignments/{lead}/extension", {"approve": True}).status_code == 200
    assert Assignment.objects.get(pk=lead).deadline.isoformat() == later
    assert api["bob"].post(f"/assignments/{lead}/extension", {"approve": False}).status_code == 409


def test_hand_back_returns_the_work_to_the_assigner(crew, incoming_doc):
    api, r = crew, incoming_doc["receipt"]
    lead = direct(api, r, [{"assignee": "carol", "role": "lead", "deadline": FAR}]).json()["assignments"][0][
        "id"
    ]
    back = api["carol"].post(f"/assignments/{lead}/handback", {"reason": "Không thuộc lĩnh vực phụ trách"})
    assert back.status_code == 200 and back.json()["state"] == "handed_back"
    notices = api["bob"].get("/notifications").json()
    assert notices["unread"] >= 1 and any("Không thuộc lĩnh vực" in n["text"] for n in notices["results"])
    # The leader directs again: a new lead is allowed now that the first was handed back.
    assert direct(api, r, [{"assignee": "vy", "role": "lead", "deadline": FAR}]).status_code == 200
    assert api["carol"].post(f"/assignments/{lead}/complete", {"result": "x"}).status_code == 409


@pytest.mark.parametrize(
    ("assignments", "code"),
    [
        ([], "invalid_assignment"),
        ([{"assignee": "carol", "role": "support"}], "one_lead"),
        ([{"assignee": "carol", "role": "lead"}, {"assignee": "vy", "role": "lead"}], "one_lead"),
        ([{"assignee": "carol", "role": "boss"}], "invalid"),  # refused at the edge: not a role
        ([{"assignee": "dan", "role": "lead"}], "invalid_assignment"),  # not a member of HU
        ([{"unit": "000.00.00.T58", "role": "lead"}], "invalid_assignment"),  # above, not below
        ([{"assignee": "carol", "unit": CS1, "role": "lead"}], "invalid_assignment"),
        ([{"assignee": "carol", "role": "lead", "deadline": "2020-01-01"}], "invalid_assignment"),
        ([{"assignee": "carol", "role": "lead", "deadline": "next week"}], "invalid"),  # not a date
        ([{"assignee": "carol", "role": "lead"}, {"assignee": "carol", "role": "support"}], "duplicate"),
    ],
)
def test_bad_directions_are_refused_and_change_nothing(crew, incoming_doc, assignments, code):
    res = direct(crew, incoming_doc["receipt"], assignments)
    assert res.status_code == 400, res.content
    assert res.json()["error"]["code"] == code
    assert Assignment.objects.count() == 0
    assert sender_status(crew, incoming_doc["document"]) == ("registered", "03")


def test_who_may_direct_and_act(crew, incoming_doc):
    api, r = crew, incoming_doc["receipt"]
    spec = [{"assignee": "carol", "role": "lead", "deadline": FAR}]
    assert direct(api, r, spec, who="carol").status_code in (403, 404)
    assert direct(api, r, spec, who="alice").status_code == 403  # clerk routing is off by default
    assert direct(api, r, spec, who="dan").status_code == 404  # another unit
    assert direct(api, r, spec, who="frank").status_code == 403  # auditor
    lead = direct(api, r, spec).json()["assignments"][0]["id"]
    for who in ("vy", "dan", "gina"):
        assert api[who].post(f"/assignments/{lead}/complete", {"result": "x"}).status_code in (403, 404), who
        assert api[who].post(f"/assignments/{lead}/progress", {"note": "x"}).status_code in (403, 404), who
    assert api["dan"].get(f"/assignments/{lead}").status_code == 404
    assert api["vy"].get(f"/assignments/{lead}").status_code == 404  # a colleague with no part in it
    assert api["frank"].get(f"/assignments/{lead}").status_code == 200  # the unit's auditor reads
    assert api["dan"].get(f"/receipts/{r}/processing").status_code == 404


def test_clerk_routes_when_the_unit_allows_it(crew, incoming_doc, org):
    from congvan.workflow.models import UnitWorkflowSettings

    UnitWorkflowSettings.objects.create(unit=org["hu"], clerk_may_route=True)
    api, r = crew, incoming_doc["receipt"]
    two = [{"assignee": "carol", "role": "lead"}, {"assignee": "vy", "role": "support"}]
    assert direct(api, r, two, who="alice", direction="").status_code == 400
    res = direct(api, r, [{"assignee": "carol", "role": "lead"}], who="alice", direction="")
    assert res.status_code == 200, res.content


def test_directing_before_registration_is_refused(crew):
    api = crew
    draft = api["gina"].create_draft(type="CV", subject="Chưa vào sổ")
    doc_id = draft.json()["id"]
    api["gina"].post(f"/documents/{doc_id}/submit")
    api["hai"].post(f"/documents/{doc_id}/approve")
    api["gina"].post(f"/documents/{doc_id}/release", {"recipients": [HU]})
    rid = api["alice"].get("/inbox").json()["results"][0]["id"]
    res = direct(api, rid, [{"assignee": "carol", "role": "lead"}])
    assert res.status_code == 409 and "vào sổ" in res.json()["error"]["message"]


def test_completion_may_link_the_reply_document(crew, incoming_doc):
    api, r = crew, incoming_doc["receipt"]
    lead = direct(api, r, [{"assignee": "carol", "role": "lead", "deadline": FAR}]).json()["assignments"][0][
        "id"
    ]
    reply = api["carol"].create_draft(type="BC", subject="Báo cáo trả lời").json()["id"]
    other_units_doc = api["gina"].create_draft(type="CV", subject="Không phải của HU").json()["id"]
    bad = api["carol"].post(
        f"/assignments/{lead}/complete", {"result": "x", "reply_document": other_units_doc}
    )
    assert bad.status_code == 400
    ok = api["carol"].post(f"/assignments/{lead}/complete", {"result": "Đã trả lời", "reply_document": reply})
    assert ok.json()["reply_document"] == reply


@pytest.mark.django_db(transaction=True)
def test_concurrent_completion_of_one_assignment_wins_once(crew):
    api = crew
    r = send_to_hu(api)["receipt"]
    lead = direct(api, r, [{"assignee": "carol", "role": "lead", "deadline": FAR}]).json()["assignments"][0][
        "id"
    ]
    from congvan.orgs.access import acting_as
    from congvan.workflow.actions import do_complete_assignment

    results: list[str] = []
    barrier = threading.Barrier(4)

    def work() -> None:
        try:
            barrier.wait()
            do_complete_assignment(lead, result="Xong", actor=acting_as(api["carol"].user, None))
            results.append("ok")
        except Exception as exc:  # the losers get a clear refusal
            results.append(getattr(exc, "code", repr(exc)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "wrong_state", "wrong_state", "wrong_state"]
    from congvan.dispatch.models import StatusEvent

    assert StatusEvent.objects.filter(code="06").count() == 1


def test_progress_note_with_a_file(crew, incoming_doc):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from congvan.lib.pdfgen import simple_pdf

    api, r = crew, incoming_doc["receipt"]
    lead = direct(api, r, [{"assignee": "carol", "role": "lead", "deadline": FAR}]).json()["assignments"][0][
        "id"
    ]
    f = SimpleUploadedFile("Dự thảo trả lời.pdf", simple_pdf(["du thao"]), "application/pdf")
    res = api["carol"].multipart(f"/assignments/{lead}/progress", {"note": "Gửi dự thảo", "files": [f]})
    assert res.status_code == 200 and res.json()["files"] == 1
    notes = api["carol"].get(f"/assignments/{lead}").json()["notes"]
    assert notes[0]["files"][0]["name"] == "Dự thảo trả lời.pdf"
    bad = SimpleUploadedFile("x.pdf", b"not a pdf at all", "application/pdf")
    assert (
        api["carol"].multipart(f"/assignments/{lead}/progress", {"note": "x", "files": [bad]}).status_code
        == 400
    )
