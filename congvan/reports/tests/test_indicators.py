"""The inspection indicators on controlled data made through the product's doors: each figure is what
the data implies, the roll-up adds the units below, months freeze, and only figures leave a unit."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from congvan.lib.dates import VN
from congvan.lib.dates import local_today as _local_today
from congvan.orgs.models import Membership, Role, Unit
from congvan.orgs.tests.support import CS1, HU, released, send_to_hu


def local_today() -> dt.date:
    return _local_today(timezone.now())


FAR = (local_today() + dt.timedelta(days=60)).isoformat()


def this_month() -> str:
    today = local_today()
    return f"{today.year}-{today.month:02d}"


def indicators(api, who="bob", **params):
    r = api[who].get("/reports/indicators", **{"period": this_month(), **params})
    assert r.status_code == 200, r.content
    return r.json()


@pytest.fixture
def month(api):
    """This month at the district: one document released to a cell; one arrived from the State agency,
    registered, directed and completed on time."""
    released(api, [CS1])
    incoming = send_to_hu(api)
    r = api["bob"].post(
        f"/receipts/{incoming['receipt']}/direct",
        {
            "direction": "Giao chủ trì",
            "assignments": [{"assignee": "carol", "role": "lead", "deadline": FAR}],
        },
    )
    assert r.status_code == 200, r.content
    lead = r.json()["assignments"][0]["id"]
    assert api["carol"].post(f"/assignments/{lead}/complete", {"result": "Xong"}).status_code == 200
    return incoming


def test_each_indicator_is_what_the_data_implies(api, month):
    report = indicators(api)
    assert (report["unit"], report["period"], report["source"]) == (HU, this_month(), "live")
    f = report["indicators"]
    # the district's subtree: its release, the cell's receipt of it, its own receipt from UBND
    assert (f["outgoing_electronic"]["numerator"], f["outgoing_electronic"]["denominator"]) == (1, 1)
    assert (f["incoming_electronic"]["numerator"], f["incoming_electronic"]["denominator"]) == (2, 2)
    # one registration; its file was verified at release (tasks run at once here), before it
    from congvan.dispatch.models import Receipt

    registered = Receipt.objects.get(pk=month["receipt"])
    checked = registered.document.files.get(role="main").blob.signature_report
    assert registered.registered_at is not None and checked.checked_at <= registered.registered_at
    assert (f["incoming_signature_checked"]["numerator"], f["incoming_signature_checked"]["denominator"]) == (
        1,
        1,
    )
    assert (f["assignments_completed"]["numerator"], f["assignments_completed"]["denominator"]) == (1, 1)
    assert (f["on_time"]["numerator"], f["on_time"]["denominator"], f["on_time"]["value"]) == (1, 1, 1.0)
    assert f["processing_days"]["completed"] == 1 and f["processing_days"]["median"] >= 0
    assert f["signed_personal"]["denominator"] == 1 and f["signed_personal"]["numerator"] == 0  # unsigned
    tree = Unit.objects.get(code=HU).path
    members = Membership.objects.filter(unit__path__startswith=tree, active=True, user__is_active=True)
    assert f["accounts_active"]["denominator"] == members.count()
    watched = members.filter(role__in=[Role.LEADER, Role.ADMIN]).count()
    assert (f["two_factor"]["numerator"], f["two_factor"]["denominator"]) == (0, watched)
    assert f["units_mailbox"]["numerator"] == 0  # no unit has set up its mailbox
    assert f["units_mailbox"]["denominator"] == f["units_inactive"]["denominator"]
    assert f["paper_copies"] == {"total": 0, "by_reason": {}}
    # the cell below: its one arrival, nothing else; the roll-up adds it into the district's
    cell = next(c for c in report["children"] if c["unit"] == CS1)["indicators"]
    assert (cell["incoming_electronic"]["numerator"], cell["outgoing_electronic"]["denominator"]) == (1, 0)
    assert report["labels"]["on_time"] == "Việc chủ trì hoàn thành đúng hạn"


def test_the_cell_sees_its_own_figures_only_and_a_specialist_none(api, month):
    mine = indicators(api, who="dan")  # the cell's clerk: its own unit
    assert mine["unit"] == CS1 and mine["indicators"]["incoming_electronic"]["denominator"] == 1
    assert api["dan"].get("/reports/indicators", period=this_month(), unit=HU).status_code in (403, 404)
    assert api["carol"].get("/reports/indicators", period=this_month()).status_code == 403
    for bad in ("2026-13", "26-11", "2026-Q5", "", "x" * 500):
        r = api["bob"].get("/reports/indicators", period=bad)
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_period", bad
    assert indicators(api, period=f"{local_today().year}")["period"] == str(local_today().year)
    quarter = f"{local_today().year}-Q{(local_today().month - 1) // 3 + 1}"
    assert indicators(api, period=quarter)["indicators"]["outgoing_electronic"]["denominator"] == 1


def test_a_frozen_month_stays_as_reported_and_live_shows_the_change(api, month):
    from congvan.audit.models import AuditEvent
    from congvan.reports.actions import do_freeze_month, figures_hash

    today = local_today()
    next_month = dt.datetime(today.year + today.month // 12, today.month % 12 + 1, 2, tzinfo=VN)
    assert do_freeze_month(this_month()) == 0  # not ended yet
    frozen = do_freeze_month(this_month(), now=next_month)
    assert frozen == Unit.objects.filter(active=True).count()
    assert do_freeze_month(this_month(), now=next_month) == 0  # once
    report = indicators(api)
    assert report["source"] == "frozen" and report["frozen_intact"]
    event = AuditEvent.objects.filter(action="reports.month_frozen", target_id=f"{HU}:{this_month()}").get()
    assert event.details["sha256"] == report["frozen_sha256"] == figures_hash(report["indicators"])
    released(api, [CS1], subject="V/v văn bản sau khi chốt")  # data changes after the month was frozen
    assert indicators(api)["indicators"]["outgoing_electronic"]["denominator"] == 1
    live = indicators(api, live="true")
    assert live["source"] == "live" and live["indicators"]["outgoing_electronic"]["denominator"] == 2
    assert live["changed_since_frozen"]["outgoing_electronic"]["frozen"]["denominator"] == 1


def test_the_workbook_has_a_summary_and_a_sheet_per_unit(api, month):
    from openpyxl import load_workbook

    r = api["bob"].get("/reports/indicators/export", period=this_month())
    assert r.status_code == 200 and "chi-tieu-" in r["Content-Disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    report = indicators(api)
    assert len(wb.sheetnames) == 2 + len(report["children"])
    summary = wb["Tong hop"]
    rows = {row[0]: row[1:] for row in summary.iter_rows(values_only=True)}
    assert rows["Văn bản đi gửi điện tử"][0] == 1.0
    sheet = wb[HU.replace(".", "-")]
    values = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True)}
    assert values["Văn bản đến nhận điện tử"][:3] == (1.0, 2, 2)


def test_the_pdf_shows_each_figure_with_its_numerator_and_the_units_below(api, month):
    import subprocess

    r = api["bob"].get("/reports/indicators/export", period=this_month(), format="pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert ".pdf" in r["Content-Disposition"]
    layout = subprocess.run(  # poppler's reading of the pages, rows kept on their lines
        ["pdftotext", "-layout", "-", "-"], input=r.content, capture_output=True, check=True
    ).stdout.decode()
    text = " ".join(layout.split())
    report = indicators(api)
    assert report["name"].upper() in text  # Vietnamese letters, embedded font
    f = report["indicators"]["incoming_electronic"]
    rows = [" ".join(line.split()) for line in layout.splitlines() if "Văn bản đến nhận điện tử" in line]
    assert rows[0] == f"Văn bản đến nhận điện tử {f['value']:.0%} {f['numerator']} {f['denominator']}"
    for child in report["children"]:
        assert child["name"] in text
    assert api["bob"].get("/reports/indicators/export", period=this_month(), format="doc").status_code == 400


def test_each_indicator_drills_down_to_what_it_counted(api, month):
    from congvan.orgs.models import Unit
    from congvan.reports.indicators import RATIOS, own_counts, parse_period

    hu = Unit.objects.get(code=HU)
    own = own_counts([hu], parse_period(this_month()))[hu.pk]
    for key in RATIOS:
        r = api["bob"].get("/reports/indicators/items", period=this_month(), indicator=key)
        assert r.status_code == 200, r.content
        got = r.json()
        assert (got["numerator"], got["denominator"]) == (own.num[key], own.den[key]), key
    incoming = api["bob"].get(
        "/reports/indicators/items", period=this_month(), indicator="incoming_electronic"
    )
    [item] = incoming.json()["items"]
    assert item["document"] == month["document"] and item["numerator"] and item["denominator"]
    on_time = api["bob"].get("/reports/indicators/items", period=this_month(), indicator="on_time").json()
    [lead] = on_time["items"]
    assert lead["numerator"] and "Phạm Thị Cúc" in lead["detail"]  # carol led it, on time
    people = api["alice"].get("/reports/indicators/items", period=this_month(), indicator="two_factor").json()
    assert [(i["label"], i["numerator"]) for i in people["items"]] == [("Lê Văn Bình", False)]
    assert (
        api["carol"].get("/reports/indicators/items", period=this_month(), indicator="on_time").status_code
        == 403
    )
    bad = api["bob"].get("/reports/indicators/items", period=this_month(), indicator="nonsense")
    assert bad.status_code == 400


def test_the_overdue_work_drills_down_to_who_has_it(api, month):
    later = send_to_hu(api, subject="V/v kiểm tra cuối năm")
    r = api["bob"].post(  # due today and left open: overdue when the month has ended
        f"/receipts/{later['receipt']}/direct",
        {
            "direction": "Giao",
            "assignments": [{"assignee": "carol", "role": "lead", "deadline": str(local_today())}],
        },
    )
    assert r.status_code == 200, r.content
    late = api["bob"].get("/reports/indicators/items", period=this_month(), indicator="overdue").json()
    assert late["count"] == indicators(api)["indicators"]["overdue"]["count"] == 1
    [item] = late["items"]
    assert "Phạm Thị Cúc" in item["detail"] and "V/v kiểm tra cuối năm" in item["detail"]


def test_paper_copies_are_counted_by_reason(api, month):
    draft = api["carol"].create_draft(subject="V/v điều động cán bộ")
    doc = draft.json()["id"]
    assert api["carol"].post(f"/documents/{doc}/submit").status_code == 200
    assert api["bob"].post(f"/documents/{doc}/approve").status_code == 200
    bad = api["alice"].post(f"/documents/{doc}/release", {"recipients": [CS1], "paper_copy": "fax"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_paper_copy"
    ok = api["alice"].post(f"/documents/{doc}/release", {"recipients": [CS1], "paper_copy": "personnel"})
    assert ok.status_code == 200, ok.content
    f = indicators(api)["indicators"]
    assert (f["outgoing_electronic"]["numerator"], f["outgoing_electronic"]["denominator"]) == (1, 2)
    assert f["paper_copies"] == {"total": 1, "by_reason": {"personnel": 1}}


def test_a_quarter_of_frozen_months_is_read_from_them(api, month):
    from congvan.reports.actions import do_freeze_month
    from congvan.reports.queries import combine

    today = local_today()
    quarter_months = [((today.month - 1) // 3) * 3 + i for i in (1, 2, 3)]
    after = dt.datetime(today.year + (quarter_months[-1] // 12), quarter_months[-1] % 12 + 1, 2, tzinfo=VN)
    for m in quarter_months:
        do_freeze_month(f"{today.year}-{m:02d}", now=after)
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    report = indicators(api, period=quarter)
    assert report["source"] == "frozen" and report["frozen_intact"]
    f = report["indicators"]
    assert (f["outgoing_electronic"]["numerator"], f["outgoing_electronic"]["denominator"]) == (1, 1)
    assert f["processing_days"]["approximate"] and f["processing_days"]["completed"] == 1
    live = indicators(api, period=quarter, live="true")
    assert live["source"] == "live"
    assert live["indicators"]["outgoing_electronic"] == f["outgoing_electronic"]
    # adding months: numerators and denominators add up, the value follows
    a = {**f, "on_time": {"numerator": 1, "denominator": 2, "value": 0.5}}
    b = {**f, "on_time": {"numerator": 3, "denominator": 4, "value": 0.75}}
    assert combine([a, b])["on_time"] == {"numerator": 4, "denominator": 6, "value": 0.6667}
