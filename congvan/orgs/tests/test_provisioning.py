"""Creating units, users and memberships through the API and from CSV."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from congvan.orgs.models import Membership, Unit, User
from congvan.orgs.tests.support import Api, make_user

NEW_UNIT = {
    "code": "000.01.05.H57",
    "name": "Chi bộ Ấp 5",
    "abbreviation": "CB",
    "kind": "grassroots",
    "parent": "000.00.01.H57",
}


def test_admin_creates_unit_user_and_membership(api):
    root = api["root"]
    r = root.post("/units", NEW_UNIT)
    assert r.status_code == 201, r.content
    assert r.json()["parent"] == "000.00.01.H57"
    assert (
        root.post(
            "/users", {"username": "nam", "password": "mật khẩu dài 123", "full_name": "Trần Văn Nam"}
        ).status_code
        == 201
    )
    m = root.post("/memberships", {"user": "nam", "unit": "000.01.05.H57", "role": "clerk"})
    assert m.status_code == 201
    assert Membership.objects.filter(user__username="nam", unit__code="000.01.05.H57", role="clerk").exists()
    listed = root.get("/units", parent="000.00.01.H57").json()["results"]
    assert "000.01.05.H57" in [u["code"] for u in listed]


def test_unit_admin_manages_only_their_subtree(org):
    admin = make_user("hu.admin", "Quản trị Huyện", "000.00.01.H57", "admin")
    api = Api(admin)
    assert api.post("/units", NEW_UNIT).status_code == 201
    outside = {**NEW_UNIT, "code": "000.00.09.T58", "parent": "000.00.00.T58"}
    r = api.post("/units", outside)
    assert r.status_code == 404 and not Unit.objects.filter(code="000.00.09.T58").exists()
    root_unit = {**NEW_UNIT, "code": "ROOT2", "parent": None}
    assert api.post("/units", root_unit).status_code == 403


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "frank"])
def test_non_admins_cannot_provision(api, who):
    assert api[who].post("/units", NEW_UNIT).status_code in (403, 404)
    r = api[who].post("/users", {"username": "x1", "password": "mật khẩu dài 123", "full_name": "X"})
    assert r.status_code == 403
    r = api[who].post("/memberships", {"user": "carol", "unit": "000.00.01.H57", "role": "admin"})
    assert r.status_code in (403, 404)
    assert not User.objects.filter(username="x1").exists()
    assert Membership.objects.get(user__username="carol").role == "specialist"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({**NEW_UNIT, "code": "000.00.01.H57"}, "duplicate_unit"),
        ({**NEW_UNIT, "code": "bad code/../"}, "invalid"),
        ({**NEW_UNIT, "name": "x" * 201}, "too_long"),
        ({**NEW_UNIT, "kind": "galaxy"}, "invalid"),
        ({**NEW_UNIT, "parent": "NOPE"}, "unknown_unit"),
        ({**NEW_UNIT, "code": 12345}, "invalid"),
    ],
)
def test_bad_unit_is_refused_with_a_clear_error(api, body, code):
    before = Unit.objects.count()
    r = api["root"].post("/units", body)
    assert r.status_code in (400, 404, 409)
    assert r.json()["error"]["code"] == code
    assert r.json()["error"]["message"]
    assert Unit.objects.count() == before


def test_weak_password_and_taken_username_are_refused(api):
    r = api["root"].post("/users", {"username": "nam", "password": "123", "full_name": "Nam"})
    assert r.status_code == 400 and "password" in r.json()["error"]["message"]
    r = api["root"].post("/users", {"username": "alice", "password": "mật khẩu dài 123", "full_name": "A"})
    assert r.status_code == 409


def test_csv_import_creates_units_in_order(org, tmp_path, capsys):
    f = tmp_path / "units.csv"
    f.write_text(
        "code,name,abbreviation,kind,parent\n"
        "000.02.01.H57,Đảng bộ Khối cơ quan,ĐB,district,000.00.00.T58\n"
        "000.02.02.H57,Chi bộ Văn phòng,CB,grassroots,000.02.01.H57\n",
        encoding="utf-8",
    )
    call_command("import_units", str(f))
    parent = Unit.objects.get(code="000.02.02.H57").parent
    assert parent is not None and parent.code == "000.02.01.H57"
    assert "2" in capsys.readouterr().out


def test_csv_import_reports_every_bad_row_and_imports_nothing(org, tmp_path, capsys):
    f = tmp_path / "units.csv"
    f.write_text(
        "code,name,abbreviation,parent\n"
        "000.03.01.H57,Đơn vị tốt,DV,000.00.00.T58\n"
        "000.00.01.H57,Đã có,DV,\n"
        "000.03.02.H57,,DV,\n"
        "000.03.03.H57,Cha chưa có,DV,NOWHERE\n"
        "000.03.01.H57,Lặp,DV,\n",
        encoding="utf-8",
    )
    before = Unit.objects.count()
    with pytest.raises(CommandError):
        call_command("import_units", str(f))
    err = capsys.readouterr().err
    for line in (":3:", ":4:", ":5:", ":6:"):
        assert line in err
    assert ":2:" not in err
    assert Unit.objects.count() == before


def test_csv_import_reads_utf16_tab_separated_text(org, tmp_path):
    """Excel's "Unicode text": UTF-16 with its mark, tab-separated."""
    f = tmp_path / "units.txt"
    text = "code\tname\tabbreviation\tparent\r\n000.04.01.H57\tBan Tuyên giáo\tBTG\t000.00.00.T58\r\n"
    f.write_bytes(text.encode("utf-16"))
    call_command("import_units", str(f))
    assert Unit.objects.get(code="000.04.01.H57").name == "Ban Tuyên giáo"


def test_csv_import_refuses_a_file_that_is_not_csv(org, tmp_path):
    f = tmp_path / "units.csv"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    with pytest.raises(CommandError):
        call_command("import_units", str(f))


PEOPLE = (
    "username,full_name,email,unit,role,title,password\n"
    "nam,Trần Văn Nam,nam@huyenuy.gov.vn,000.00.01.H57,clerk,Văn thư,tạm thời 2026 abc\n"
    "nam,Trần Văn Nam,,000.01.01.H57,leader,Bí thư,tạm thời 2026 abc\n"
    "ha,Lê Thị Hà,,000.01.02.H57,specialist,,một mật khẩu tạm 2026\n"
)


def test_people_and_their_roles_are_imported_from_csv(org, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    call_command("import_people", str(path))
    nam = User.objects.get(username="nam")
    assert nam.email == "nam@huyenuy.gov.vn" and nam.password_must_change
    assert set(Membership.objects.filter(user=nam).values_list("unit__code", "role")) == {
        ("000.00.01.H57", "clerk"),
        ("000.01.01.H57", "leader"),
    }


def test_a_bad_people_row_imports_nothing_and_names_its_line(org, tmp_path):
    bad = PEOPLE + "x y,Không Hợp Lệ,,000.01.02.H57,boss,,ngắn\n"
    path = tmp_path / "people.csv"
    path.write_text(bad, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_people", str(path), stderr=err)
    assert "people.csv:5:" in err.getvalue()
    assert not User.objects.filter(username__in=["nam", "ha"]).exists()
