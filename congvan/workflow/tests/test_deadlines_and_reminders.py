"""Deadlines in working days, work lists and reminders, with controlled time."""

from __future__ import annotations

import datetime as dt

from congvan.lib.dates import VN
from congvan.orgs.access import acting_as
from congvan.workflow.actions import (
    AssignmentRequest,
    do_complete_assignment,
    do_decide_extension,
    do_direct_receipt,
    do_request_extension,
)
from congvan.workflow.models import Holiday, Notification, UnitWorkflowSettings
from congvan.workflow.queries import work_list
from congvan.workflow.reminders import scan_deadlines

THU = dt.datetime(2026, 4, 23, 9, 0, tzinfo=VN)  # Thursday 23 April 2026


def as_(api, who):
    return acting_as(api[who].user, None)


def test_default_deadline_by_urgency_skips_weekends_and_holidays(crew, org):
    Holiday.objects.create(day=dt.date(2026, 4, 30), name="Ngày Giải phóng miền Nam")
    Holiday.objects.create(day=dt.date(2026, 5, 1), name="Quốc tế Lao động")
    UnitWorkflowSettings.objects.create(unit=org["hu"], days_normal=5, days_urgent=2)
    from congvan.orgs.tests.support import send_to_hu

    normal = send_to_hu(crew)["receipt"]
    urgent = send_to_hu(crew, urgency="urgent")["receipt"]
    [a] = do_direct_receipt(
        normal,
        direction="",
        assignments=[AssignmentRequest(assignee="carol", role="lead")],
        now=THU,
        actor=as_(crew, "bob"),
    )
    # Fri 24, Mon 27, Tue 28, Wed 29, (30/4 and 1/5 holidays, weekend), Mon 4 May.
    assert a.deadline == dt.date(2026, 5, 4)
    [b] = do_direct_receipt(
        urgent,
        direction="",
        assignments=[AssignmentRequest(assignee="carol", role="lead")],
        now=THU,
        actor=as_(crew, "bob"),
    )
    assert b.deadline == dt.date(2026, 4, 27)  # Fri 24, Mon 27


def test_work_lists_and_reminders_once_per_deadline(crew, incoming_doc):
    bob, carol = as_(crew, "bob"), as_(crew, "carol")
    [a] = do_direct_receipt(
        incoming_doc["receipt"],
        direction="",
        assignments=[AssignmentRequest(assignee="carol", role="lead", deadline=dt.date(2026, 4, 28))],
        now=THU,
        actor=bob,
    )
    assert list(work_list(carol, "todo", dt.date(2026, 4, 23))) == [a]
    assert list(work_list(carol, "due_soon", dt.date(2026, 4, 23))) == [a]  # within three working days
    assert list(work_list(carol, "due_soon", dt.date(2026, 4, 17))) == []
    assert list(work_list(carol, "overdue", dt.date(2026, 4, 28))) == []  # due today is not overdue yet
    assert list(work_list(carol, "overdue", dt.date(2026, 4, 29))) == [a]

    def notices(kind):
        return list(
            Notification.objects.filter(user=crew["carol"].user, kind=kind).values_list("text", flat=True)
        )

    assert scan_deadlines(dt.date(2026, 4, 24)) == 0  # Fri: the deadline (Tue) is 2 working days away
    assert scan_deadlines(dt.date(2026, 4, 27)) == 1  # Mon: due tomorrow
    assert scan_deadlines(dt.date(2026, 4, 27)) == 0  # a second run sends nothing new
    assert len(notices("due_soon")) == 1 and "28/04/2026" in notices("due_soon")[0]
    scan_deadlines(dt.date(2026, 4, 29))  # the day after the deadline: missed
    scan_deadlines(dt.date(2026, 4, 30))
    assert len(notices("overdue")) == 1

    # An extension is a new deadline: it is reminded again.
    do_request_extension(a.pk, until=dt.date(2026, 5, 6), reason="Chờ số liệu", now=THU, actor=carol)
    do_decide_extension(a.pk, approve=True, now=THU, actor=bob)
    scan_deadlines(dt.date(2026, 5, 5))
    assert len(notices("due_soon")) == 2
    do_complete_assignment(a.pk, result="Xong", now=THU, actor=carol)
    assert scan_deadlines(dt.date(2026, 5, 20)) == 0  # completed work is never reminded


def test_unit_assignment_reminds_the_sub_units_leaders(crew, incoming_doc):
    bob = as_(crew, "bob")
    do_direct_receipt(
        incoming_doc["receipt"],
        direction="",
        assignments=[AssignmentRequest(unit="000.01.01.H57", role="lead", deadline=dt.date(2026, 4, 24))],
        now=THU,
        actor=bob,
    )
    scan_deadlines(dt.date(2026, 4, 27))
    assert Notification.objects.filter(user=crew["ly"].user, kind="overdue").count() == 1
    assert Notification.objects.filter(user=crew["son"].user).count() == 0


def test_notifications_api_counts_and_marks_read(crew, incoming_doc):
    api = crew
    api["bob"].post(
        f"/receipts/{incoming_doc['receipt']}/direct",
        {"direction": "", "assignments": [{"assignee": "carol", "role": "lead"}]},
    )
    listed = api["carol"].get("/notifications").json()
    assert listed["unread"] == 1 and listed["results"][0]["kind"] == "assigned"
    other = api["vy"].post("/notifications/read", {"ids": [listed["results"][0]["id"]]}).json()
    assert other["marked"] == 0  # someone else's notice is not touched
    assert api["carol"].post("/notifications/read", {"all": True}).json()["marked"] == 1
    assert api["carol"].get("/notifications").json()["unread"] == 0
