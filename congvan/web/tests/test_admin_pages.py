"""The administration and self-service pages: who may open and change what, and what each change does."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from congvan.audit.models import AuditEvent
from congvan.lib.tests.vietnamese import windows_1258
from congvan.orgs.models import Membership, Unit, UnitGroup, User
from congvan.orgs.tests.support import CS1, HU, make_user
from congvan.registers.models import CommitteeTerm
from congvan.workflow.models import Holiday, UnitWorkflowSettings

STATE = "000.00.02.H57"  # a unit outside the district's subtree


def signed_in(username: str) -> Client:
    client = Client()
    r = client.post("/login/", {"username": username, "password": "correct horse 1"})
    assert r.status_code == 302, r.content
    return client


@pytest.fixture
def admins(people):
    make_user("hadm", "Quản trị Huyện", HU, "admin")
    make_user("sadm", "Quản trị Sở", STATE, "admin")
    return people


PAGES = [
    "/admin/",
    "/admin/units/",
    f"/admin/units/{HU}/",
    "/admin/people/",
    "/admin/people/dan/",
    "/admin/holidays/",
    "/admin/transfer/",
    "/admin/export/units.csv",
    "/admin/export/people.csv",
]


def test_anonymous_visitors_are_sent_to_the_login(db):
    for url in [*PAGES, "/account/", "/groups/"]:
        r = Client().get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/"), url


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "frank"])
def test_people_who_are_not_admins_get_no_administration(admins, who):
    client = signed_in(who)
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    r = client.post("/admin/units/", {"code": "X.1", "name": "X", "abbreviation": "X", "parent": HU})
    assert r.status_code in (302, 403) and not Unit.objects.filter(code="X.1").exists()
    client.post(f"/admin/units/{HU}/update/", {"name": "Bị đổi"})
    client.post(
        "/admin/people/dan/password/", {"password": "Mat-khau-tam-2026", "password2": "Mat-khau-tam-2026"}
    )
    assert Unit.objects.get(code=HU).name == "Huyện ủy Gò Công Tây"
    assert not User.objects.get(username="dan").password_must_change
    assert "admin-menu" not in client.get("/").content.decode() or who == "frank"


def test_an_admin_of_another_subtree_sees_nothing_of_the_district(admins):
    client = signed_in("sadm")
    assert client.get(f"/admin/units/{HU}/").status_code == 404
    assert client.get("/admin/people/dan/").status_code == 404
    assert client.post(f"/admin/units/{HU}/update/", {"name": "Bị đổi"}).status_code == 404
    assert client.post(f"/admin/units/{CS1}/merge/", {"into": STATE, "people": "end"}).status_code == 404
    assert client.post("/admin/people/dan/deactivate/").status_code == 404
    units = client.get("/admin/units/").content.decode()
    assert STATE in units
    assert "Huyện ủy Gò Công Tây" not in units
    people = client.get("/admin/people/").content.decode()
    assert "Huỳnh Thị Giang" in people and "Võ Văn Dân" not in people
    exported = client.get("/admin/export/people.csv").content.decode()
    assert "gina" in exported and "dan" not in exported
    assert Unit.objects.get(code=HU).name == "Huyện ủy Gò Công Tây"
    assert User.objects.get(username="dan").is_active


def test_the_district_admin_builds_and_runs_its_part_of_the_tree(admins):
    client = signed_in("hadm")
    page = client.get("/admin/units/", {"q": "go cong"})  # without diacritics
    assert "Huyện ủy Gò Công Tây" in page.content.decode()
    # A new commune committee under the district, then its numbering, a term and its deadlines.
    r = client.post(
        "/admin/units/",
        {
            "code": "000.01.09.H57",
            "name": "Đảng ủy xã Bình Tân",
            "abbreviation": "ĐU",
            "kind": "grassroots",
            "sector": "party",
            "parent": HU,
        },
    )
    assert r.status_code == 302, r.content.decode()[:500]
    new = Unit.objects.get(code="000.01.09.H57")
    assert new.path == f"/000.00.00.T58/{HU}/000.01.09.H57/"
    assert "Bình Tân" in client.get("/admin/units/", {"q": "binh tan"}).content.decode()
    base = "/admin/units/000.01.09.H57"
    client.post(f"{base}/term/", {"name": "2025-2030", "starts_on": "2025-10-01"})
    assert CommitteeTerm.objects.filter(unit=new, name="2025-2030").exists()
    client.post(
        f"{base}/settings/",
        {"days_normal": 7, "days_urgent": 3, "days_very_urgent": 2, "days_flash": 1, "clerk_may_route": "on"},
    )
    s = UnitWorkflowSettings.objects.get(unit=new)
    assert (s.days_normal, s.clerk_may_route) == (7, True)
    # A wrong value is refused with the field's name and nothing changes.
    bad = client.post(f"{base}/settings/", {"days_normal": "ten", "days_urgent": 3})
    assert bad.status_code == 302 and UnitWorkflowSettings.objects.get(unit=new).days_normal == 7
    # The root unit is out of the district admin's reach.
    root = client.post("/admin/units/", {"code": "ROOT2", "name": "Gốc", "abbreviation": "G"})
    assert root.status_code == 400 and not Unit.objects.filter(code="ROOT2").exists()

    # A person with a temporary password and a role, then a second role and a reset.
    r = client.post(
        "/admin/people/",
        {
            "username": "lan",
            "full_name": "Trần Thị Lan",
            "email": "lan@example.org",
            "phone": "0912 345 678",
            "password": "Tam-thoi-2026!",
            "unit": "000.01.09.H57",
            "role": "clerk",
            "title": "Văn thư",
        },
    )
    assert r.status_code == 302, r.content.decode()[:500]
    lan = User.objects.get(username="lan")
    assert lan.password_must_change and lan.phone == "0912 345 678"
    assert "Trần Thị Lan" in client.get("/admin/people/", {"q": "tran thi lan"}).content.decode()
    client.post("/admin/people/lan/membership/", {"unit": HU, "role": "specialist"})
    m = Membership.objects.get(user=lan, unit__code=HU)
    client.post(
        "/admin/people/lan/change-role/", {"membership": m.pk, "role": "leader", "title": "Phó Bí thư"}
    )
    m.refresh_from_db()
    assert (m.role, m.title) == ("leader", "Phó Bí thư")
    client.post("/admin/people/lan/end-role/", {"membership": m.pk})
    m.refresh_from_db()
    assert not m.active
    client.post("/admin/people/lan/deactivate/")
    assert not User.objects.get(username="lan").is_active
    client.post("/admin/people/lan/reactivate/")
    assert User.objects.get(username="lan").is_active
    # The duplicate username is refused, and what was typed stays in the form.
    again = client.post("/admin/people/", {"username": "lan", "full_name": "Lan Khác", "password": "x"})
    assert again.status_code == 400 and "Lan Khác" in again.content.decode()

    # The new clerk signs in with the temporary password and must choose a new one.
    first = Client().post("/login/", {"username": "lan", "password": "Tam-thoi-2026!"})
    assert first.status_code == 400
    ok = Client().post(
        "/login/",
        {
            "username": "lan",
            "password": "Tam-thoi-2026!",
            "new_password": "Mat-khau-cua-Lan-1",
            "new_password2": "Mat-khau-cua-Lan-1",
        },
    )
    assert ok.status_code == 302


def test_merging_and_removing_a_level_from_the_pages(admins):
    client = signed_in("root")
    r = client.post(f"/admin/units/{CS1}/merge/", {"into": "000.01.02.H57", "people": "move"})
    assert r.status_code == 302
    cs1 = Unit.objects.get(code=CS1)
    assert not cs1.active and cs1.successor is not None and cs1.successor.code == "000.01.02.H57"
    assert Membership.objects.get(user__username="dan", unit__code="000.01.02.H57").active
    page = client.get("/admin/units/", {"all": "1"}).content.decode()
    assert "Đã sáp nhập vào" in page
    client.post(f"/admin/units/{HU}/dissolve/")
    assert Unit.objects.get(code="000.01.02.H57").path == "/000.00.00.T58/000.01.02.H57/"
    assert AuditEvent.objects.filter(action="unit.merged").exists()


def test_holidays_are_kept_by_the_system_administrator(admins):
    root = signed_in("root")
    bad = root.post(
        "/admin/holidays/", {"action": "import", "lines": "01/01/2027, Tết Dương lịch\n31/02/2027, Sai"}
    )
    assert bad.status_code == 400 and "Dòng 2" in bad.content.decode()
    assert not Holiday.objects.filter(day__year=2027).exists()  # nothing unless every line is right
    good = "# 2027\n01/01/2027, Tết Dương lịch\n2027-04-30\tGiải phóng miền Nam\n2027-05-01 Quốc tế Lao động"
    assert root.post("/admin/holidays/", {"action": "import", "lines": good}).status_code == 302
    assert Holiday.objects.filter(day__year=2027).count() == 3
    root.post("/admin/holidays/", {"action": "remove", "day": "2027-05-01"})
    assert Holiday.objects.filter(day__year=2027).count() == 2
    # A unit's admin reads them but does not change them.
    hadm = signed_in("hadm")
    assert "Tết Dương lịch" in hadm.get("/admin/holidays/", {"year": 2027}).content.decode()
    hadm.post("/admin/holidays/", {"day": "2027-09-02", "name": "Quốc khánh"})
    assert not Holiday.objects.filter(day="2027-09-02").exists()


def test_csv_import_lists_the_wrong_lines_and_writes_nothing(admins):
    client = signed_in("hadm")
    text = (
        "code,name,abbreviation,kind,sector,parent\n"
        f"000.01.20.H57,Chi bộ A,CB,grassroots,party,{HU}\n"
        "000.01.21.H57,Chi bộ B,CB,grassroots,party,000.00.00.T58\n"  # above the admin's reach
    )
    f = SimpleUploadedFile("units.csv", text.encode(), "text/csv")
    r = client.post("/admin/transfer/", {"what": "units", "file": f})
    body = r.content.decode()
    assert r.status_code == 400 and "Dòng 3" in body and "Dòng 2" not in body
    assert not Unit.objects.filter(code__in=["000.01.20.H57", "000.01.21.H57"]).exists()
    f = SimpleUploadedFile("units.csv", text.splitlines()[0].encode() + b"\n" + text.splitlines()[1].encode())
    assert client.post("/admin/transfer/", {"what": "units", "file": f}).status_code == 302
    assert Unit.objects.filter(code="000.01.20.H57").exists()
    people = "username,full_name,unit,role,password\nmai,Lê Thị Mai,000.01.20.H57,clerk,Tam-thoi-2026!\n"
    f = SimpleUploadedFile("people.csv", people.encode())
    assert client.post("/admin/transfer/", {"what": "people", "file": f}).status_code == 302
    assert User.objects.get(username="mai").password_must_change
    exported = client.get("/admin/export/people.csv").content.decode("utf-8-sig")
    assert "mai,Lê Thị Mai,,000.01.20.H57,clerk,," in exported and "Tam-thoi" not in exported
    broken = SimpleUploadedFile("x.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    r = client.post("/admin/transfer/", {"what": "units", "file": broken})
    assert r.status_code == 400 and "không phải văn bản" in r.content.decode()
    assert client.get("/admin/export/secrets.csv").status_code == 404


def test_csv_saved_by_excel_on_a_vietnamese_windows_is_imported(admins):
    """Semicolons (the list separator of Vietnamese Windows) and Windows-1258 with combining tone
    marks: the units come in with their names as typed (NFC), found by search like any other."""
    client = signed_in("hadm")
    text = (
        "code;name;abbreviation;kind;sector;parent\r\n"
        f"000.01.30.H57;Chi bộ Phường Tân Hòa;CB;grassroots;party;{HU}\r\n"
        f'000.01.31.H57;"Chi bộ Khu phố 3; ấp Mỹ Lợi";CB;grassroots;party;{HU}\r\n'
    )
    data = windows_1258(text)  # as Excel saves a CSV there
    assert b";" in data and b"\xcc" in data  # a combining grave: not UTF-8
    r = client.post("/admin/transfer/", {"what": "units", "file": SimpleUploadedFile("dv.csv", data)})
    assert r.status_code == 302, r.content.decode()[:500]
    assert Unit.objects.get(code="000.01.30.H57").name == "Chi bộ Phường Tân Hòa"
    assert Unit.objects.get(code="000.01.31.H57").name == "Chi bộ Khu phố 3; ấp Mỹ Lợi"
    huge = "code,name,abbreviation\n000.01.32.H57," + "x" * 200_000 + ",CB\n"
    r = client.post("/admin/transfer/", {"what": "units", "file": SimpleUploadedFile("x.csv", huge.encode())})
    assert r.status_code == 400 and "Dòng 2: dòng không đọc được" in r.content.decode()
    assert not Unit.objects.filter(code="000.01.32.H57").exists()


def test_a_clerk_keeps_the_units_groups_and_a_specialist_may_not(admins):
    alice = signed_in("alice")
    alice.post("/groups/", {"name": "Các chi bộ", "units": [CS1, "000.01.02.H57"], "shared": "on"})
    g = UnitGroup.objects.get(owner__code=HU, name="Các chi bộ")
    assert g.shared and g.members.count() == 2
    alice.post(f"/groups/{g.pk}/", {"name": "Các chi bộ xã", "units": [CS1]})
    g.refresh_from_db()
    assert g.name == "Các chi bộ xã" and g.members.count() == 1 and not g.shared
    carol = signed_in("carol")
    carol.post("/groups/", {"name": "Nhóm của chuyên viên", "units": [CS1]})
    assert not UnitGroup.objects.filter(name="Nhóm của chuyên viên").exists()
    assert signed_in("gina").get(f"/groups/{g.pk}/").status_code == 404
    alice.post(f"/groups/{g.pk}/", {"action": "delete"})
    assert not UnitGroup.objects.filter(pk=g.pk).exists()


def test_a_person_keeps_their_own_profile_and_password(admins):
    client = signed_in("carol")
    client.post("/account/", {"full_name": "Phạm Thị Cúc", "email": "cuc@example.org", "phone": "0281234567"})
    carol = User.objects.get(username="carol")
    assert (carol.email, carol.phone) == ("cuc@example.org", "0281234567")
    client.post(
        "/account/", {"action": "password", "old": "sai", "new": "Moi-moi-2026!", "new2": "Moi-moi-2026!"}
    )
    assert User.objects.get(username="carol").check_password("correct horse 1")
    client.post(
        "/account/",
        {"action": "password", "old": "correct horse 1", "new": "Moi-moi-2026!", "new2": "Moi-moi-2026!"},
    )
    assert User.objects.get(username="carol").check_password("Moi-moi-2026!")
    assert client.get("/account/").status_code == 200  # still signed in


def test_each_rule_set_offers_its_own_document_types(admins):
    party = signed_in("hadm").get(f"/admin/units/{HU}/").content.decode()
    assert "QĐi: Quy định (Đảng)" in party and "Hợp đồng" not in party
    state = signed_in("sadm").get(f"/admin/units/{STATE}/").content.decode()
    assert "QyĐ: Quy định (Nhà nước)" in state and "Thông tri" not in state
    compose = signed_in("carol").get("/compose/").content.decode()
    assert "Thông tri" in compose and "Công điện" not in compose
