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


def test_a_reset_password_must_be_changed_at_the_next_sign_in(api, hu_admin):
    old_token = api["carol"]
    r = hu_admin.post("/users/carol/password", {"password": "tạm thời 2026 abc"})
    assert r.status_code == 200, r.content
    assert old_token.get("/me").status_code == 401  # the reset ends the person's tokens
    c = Client()
    token = {"username": "carol", "password": "tạm thời 2026 abc"}
    r = c.post("/api/v1/auth/token", token, content_type="application/json")
    assert r.status_code == 403 and r.json()["error"]["code"] == "password_change_required"
    r = c.post("/api/v1/auth/token", {**token, "new_password": "carol"}, content_type="application/json")
    assert r.status_code == 400  # the password rules apply to the new one
    r = c.post(
        "/api/v1/auth/token",
        {**token, "new_password": "mật khẩu riêng của Cúc"},
        content_type="application/json",
    )
    assert r.status_code == 200
    ok = {"username": "carol", "password": "mật khẩu riêng của Cúc"}
    assert c.post("/api/v1/auth/token", ok, content_type="application/json").status_code == 200
    assert hu_admin.post("/users/gina/password", {"password": "tạm thời 2026 abc"}).status_code == 404


def test_the_sign_in_page_asks_for_a_new_password_after_a_reset(api, hu_admin):
    hu_admin.post("/users/alice/password", {"password": "tạm thời 2026 abc"})
    c = Client()
    r = c.post("/login/", {"username": "alice", "password": "tạm thời 2026 abc"})
    assert r.status_code == 400 and b'name="new_password"' in r.content
    r = c.post(
        "/login/",
        {
            "username": "alice",
            "password": "tạm thời 2026 abc",
            "new_password": "mật khẩu mới của An",
            "new_password2": "mật khẩu mới của An",
        },
    )
    assert r.status_code == 302
    assert User.objects.get(username="alice").check_password("mật khẩu mới của An")
    assert not User.objects.get(username="alice").password_must_change
