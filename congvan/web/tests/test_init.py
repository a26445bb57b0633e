"""`congvan init` sets up an office from nothing; the system administrator works without a unit."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from congvan.audit.queries import verify_chain
from congvan.documents.doctypes import load_document_types
from congvan.documents.models import DocumentType
from congvan.orgs.models import Membership, Unit, User
from congvan.orgs.tests.support import Api
from congvan.registers.models import CommitteeTerm, NumberingRule

OPTIONS = [
    "--no-input",
    "--code=000.00.00.T99",
    "--name=Tỉnh ủy Mẫu",
    "--abbreviation=TU",
    "--place=Mẫu",
    "--term-name=2025-2030",
    "--term-start=2025-10-01",
    "--admin=quantri",
]


@pytest.fixture
def password_file(tmp_path):
    path = tmp_path / "pw"
    path.write_text("một mật khẩu dài 2026\n", encoding="utf-8")
    return path


def run_init(*args: str) -> str:
    out = io.StringIO()
    call_command("init", *args, stdout=out)
    return out.getvalue()


def test_init_from_nothing_then_again_changes_nothing(db, password_file):
    load_document_types(DocumentType)  # a transactional test before this one may have flushed them
    first = run_init(*OPTIONS, f"--admin-password-file={password_file}")
    assert "Đã thiết lập:" in first and "http" in first
    root = Unit.objects.get(code="000.00.00.T99")
    assert root.parent is None and root.abbreviation == "TU" and root.sector == "party"
    assert NumberingRule.objects.get(unit=root).rule_set == "party"
    assert CommitteeTerm.objects.get(unit=root).name == "2025-2030"
    admin = User.objects.get(username="quantri")
    assert admin.is_superuser and admin.check_password("một mật khẩu dài 2026")
    assert not Membership.objects.filter(user=admin).exists()
    again = run_init(*OPTIONS, f"--admin-password-file={password_file}")
    assert "không thay đổi gì" in again
    assert Unit.objects.count() == 1 and User.objects.count() == 1
    assert verify_chain()[1] == []

    # The administrator, with no membership, builds the office through the API and a Party unit
    # made this way can number and release.
    api = Api(admin)
    r = api.post(
        "/units",
        {"code": "000.00.01.H99", "name": "Huyện ủy Mẫu", "abbreviation": "HU", "parent": "000.00.00.T99"},
    )
    assert r.status_code == 201, r.content
    for username, role in (("vt", "clerk"), ("ld", "leader"), ("cv", "specialist")):
        assert (
            api.post(
                "/users", {"username": username, "password": "mật khẩu dài 123", "full_name": username}
            ).status_code
            == 201
        )
        assert (
            api.post("/memberships", {"user": username, "unit": "000.00.00.T99", "role": role}).status_code
            == 201
        )
    people = {u.username: Api(u) for u in User.objects.filter(username__in=["vt", "ld", "cv"])}
    draft = people["cv"].create_draft()
    assert draft.status_code == 201, draft.content
    doc = draft.json()["id"]
    assert people["cv"].post(f"/documents/{doc}/submit").status_code == 200
    assert people["ld"].post(f"/documents/{doc}/approve").status_code == 200
    rel = people["vt"].post(f"/documents/{doc}/release", {"recipients": ["000.00.01.H99"]})
    assert rel.status_code == 200, rel.content
    assert rel.json()["symbol"] == "01-KH/TU"


def test_init_refuses_without_what_it_needs(db, password_file, monkeypatch):
    monkeypatch.delenv("CONGVAN_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="mã, tên"):
        run_init("--no-input", f"--admin-password-file={password_file}")
    with pytest.raises(CommandError, match="mật khẩu"):
        run_init(*OPTIONS)
    weak = password_file.parent / "weak"
    weak.write_text("quantri", encoding="utf-8")
    with pytest.raises(CommandError):
        run_init(*OPTIONS, f"--admin-password-file={weak}")
    assert not Unit.objects.filter(code="000.00.00.T99").exists()  # nothing half-made


def test_init_of_a_state_agency_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("CONGVAN_INIT_CODE", "000.00.00.G01")
    monkeypatch.setenv("CONGVAN_INIT_NAME", "Ủy ban nhân dân tỉnh Mẫu")
    monkeypatch.setenv("CONGVAN_INIT_ABBREVIATION", "UBND")
    monkeypatch.setenv("CONGVAN_INIT_SECTOR", "state")
    monkeypatch.setenv("CONGVAN_ADMIN_PASSWORD", "một mật khẩu dài 2026")
    run_init("--no-input")
    unit = Unit.objects.get(code="000.00.00.G01")
    assert NumberingRule.objects.get(unit=unit).rule_set == "state"
    assert not CommitteeTerm.objects.filter(unit=unit).exists()


def test_a_superuser_without_membership_acts_as_administrator_not_as_a_clerk(api):
    boss = User.objects.create_superuser(username="boss", password="một mật khẩu dài 2026", full_name="Boss")
    a = Api(boss)
    me = a.get("/me")
    assert me.status_code == 200
    assert (
        a.post("/users", {"username": "moi", "password": "mật khẩu dài 123", "full_name": "Mới"}).status_code
        == 201
    )
    assert a.post("/documents/1/release", {"recipients": ["000.01.01.H57"]}).status_code == 403
