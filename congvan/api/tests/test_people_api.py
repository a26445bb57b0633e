"""The people an admin manages: find, change, deactivate, unlock; their roles in units."""

from __future__ import annotations

import pytest
from django.test import Client

from congvan.audit.models import AuditEvent
from congvan.orgs.actions import do_create_membership, do_create_user
from congvan.orgs.models import Membership, User
from congvan.orgs.tests.support import HU, Api, make_user


@pytest.fixture
def hu_admin(org):
    return Api(make_user("hu.admin", "Quản trị Huyện", HU, "admin"))


def test_an_admin_finds_people_without_diacritics_and_changes_them(api, hu_admin):
    found = hu_admin.get("/users", q="tran thi an").json()["results"]
    assert [p["username"] for p in found] == ["alice"]
    assert {m["unit"] for m in found[0]["memberships"]} == {HU}
    assert "gina" not in [p["username"] for p in hu_admin.get("/users").json()["results"]]  # another subtree
    r = hu_admin.patch("/users/alice", {"full_name": "Trần Thị An (văn thư)", "email": "an@huyenuy.gov.vn"})
    assert r.status_code == 200 and r.json()["full_name"] == "Trần Thị An (văn thư)"
    assert hu_admin.patch("/users/alice", {"active": False}).json()["active"] is False
    assert api["alice"].get("/me").status_code == 401  # a deactivated account's token stops working
    assert hu_admin.patch("/users/alice", {"active": True}).json()["active"] is True
    assert AuditEvent.objects.filter(action="user.changed", target_id="alice").count() == 3


def test_unlock_and_roles(api, hu_admin, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):  # locked by failed sign-ins, as a stranger would
        body = {"username": "carol", "password": "sai"}
        Client().post("/api/v1/auth/token", body, content_type="application/json")
    assert hu_admin.get("/users/carol").json()["locked"] is True
    assert hu_admin.post("/users/carol/unlock").json()["locked"] is False
    [m] = hu_admin.get("/memberships", user="carol").json()["results"]
    r = hu_admin.patch(f"/memberships/{m['id']}", {"role": "clerk", "title": "Văn thư"})
    assert r.status_code == 200 and r.json()["role"] == "clerk"
    assert hu_admin.patch(f"/memberships/{m['id']}", {"role": "boss"}).status_code == 400
    assert hu_admin.post(f"/memberships/{m['id']}/end").json()["active"] is False
    assert not Membership.objects.get(pk=m["id"]).active
    assert api["carol"].get("/inbox").status_code == 403  # no unit to act for any more


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "frank", "gina", "other_admin"])
def test_who_may_not_manage_people(api, org, who):
    if who == "other_admin":
        api[who] = Api(make_user("ubnd.admin", "Quản trị UBND", "000.00.02.H57", "admin"))
    caller = api[who]
    assert caller.patch("/users/carol", {"active": False}).status_code in (403, 404)
    assert caller.post("/users/carol/unlock").status_code in (403, 404)
    carol = Membership.objects.get(user__username="carol")
    assert caller.patch(f"/memberships/{carol.pk}", {"role": "admin"}).status_code in (403, 404)
    assert caller.post(f"/memberships/{carol.pk}/end").status_code in (403, 404)
    assert "carol" not in [p["username"] for p in caller.get("/users").json().get("results", [])]
    carol.refresh_from_db()
    assert carol.active and carol.role == "specialist" and User.objects.get(username="carol").is_active


def test_anonymous_and_self_lockout():
    assert Client().get("/api/v1/users").status_code == 401


def test_an_admin_cannot_deactivate_themself_or_a_superuser(api, hu_admin):
    assert hu_admin.patch("/users/hu.admin", {"active": False}).status_code == 400
    do_create_user(
        username="sys2", password="một mật khẩu dài 2026", full_name="Hệ thống 2", superuser=True, actor=None
    )
    do_create_membership(username="sys2", unit_code=HU, role="clerk", actor=None)
    assert hu_admin.patch("/users/sys2", {"active": False}).status_code == 403
