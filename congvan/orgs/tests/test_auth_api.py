"""Tokens, the acting membership, and login lockout."""

from __future__ import annotations

import json

from django.test import Client

from congvan.orgs.tests.support import Api, make_user


def token(client: Client, username: str, password: str):
    return client.post(
        "/api/v1/auth/token",
        json.dumps({"username": username, "password": password}),
        content_type="application/json",
    )


def test_token_then_me_lists_memberships(people):
    client = Client()
    r = token(client, "alice", "correct horse 1")
    assert r.status_code == 200
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert me.json() == {
        "username": "alice",
        "full_name": "Trần Thị An",
        "email": "",
        "phone": "",
        "memberships": [
            {"unit": "000.00.01.H57", "unit_name": "Huyện ủy Gò Công Tây", "role": "clerk", "title": ""}
        ],
    }


def test_wrong_password_and_unknown_user_get_the_same_answer(people):
    client = Client()
    a, b = token(client, "alice", "wrong"), token(client, "nobody", "wrong")
    assert a.status_code == b.status_code == 401
    assert a.json()["error"]["code"] == b.json()["error"]["code"] == "login_failed"


def test_account_locks_after_repeated_failures_even_for_the_right_password(people, settings):
    settings.LOGIN_MAX_FAILURES = 3
    client = Client()
    for _ in range(2):
        assert token(client, "alice", "wrong").status_code == 401
    assert token(client, "alice", "wrong").status_code == 429
    locked = token(client, "alice", "correct horse 1")
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "account_locked"


def test_no_or_bad_token_is_refused(people):
    client = Client()
    assert client.get("/api/v1/inbox").status_code == 401
    r = client.get("/api/v1/inbox", headers={"Authorization": "Bearer cv_not-a-token"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"


def test_expired_token_is_refused(people):
    from congvan.orgs.models import ApiToken

    api = Api(people["alice"])
    assert api.get("/me").status_code == 200
    ApiToken.objects.update(expires_at="2000-01-01T00:00:00Z")
    assert api.get("/me").status_code == 401


def test_header_picks_the_membership_of_a_person_with_several(people, org):
    from congvan.orgs.actions import do_create_membership

    do_create_membership(username="alice", unit_code="000.01.03.H57", role="clerk", actor=None)
    ambiguous = Api(people["alice"])
    r = ambiguous.get("/inbox")
    assert r.status_code == 403 and r.json()["error"]["code"] == "no_membership"
    assert Api(people["alice"], unit="000.01.03.H57").get("/inbox").status_code == 200
    r = Api(people["alice"], unit="000.01.04.H57").get("/inbox")
    assert r.status_code == 403 and r.json()["error"]["code"] == "no_membership"


def test_user_without_unit_is_told_so(org):
    user = make_user("lonely", "Không Đơn Vị", "000.01.04.H57", "clerk")
    user.memberships.all().delete()
    r = Api(user).get("/inbox")
    assert r.status_code == 403 and r.json()["error"]["code"] == "no_membership"
