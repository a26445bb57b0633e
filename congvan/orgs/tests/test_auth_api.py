"""Tokens, the acting membership, and login lockout."""

from __future__ import annotations

import json

import pytest
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
        "email_notices": True,
        "memberships": [
            {"unit": "000.00.01.H57", "unit_name": "Huyện ủy Gò Công Tây", "role": "clerk", "title": ""}
        ],
    }


def test_wrong_password_and_unknown_user_get_the_same_answer(people):
    client = Client()
    a, b = token(client, "alice", "wrong"), token(client, "nobody", "wrong")
    assert a.status_code == b.status_code == 401
    assert a.json()["error"]["code"] == b.json()["error"]["code"] == "login_failed"


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def test_failures_from_one_address_wait_there_and_not_elsewhere(people, settings):
    """A stranger's wrong passwords make the stranger wait, not the owner signing in from elsewhere."""
    settings.LOGIN_MAX_FAILURES = 3
    stranger = from_address("203.0.113.9")
    for _ in range(3):
        assert token(stranger, "alice", "wrong").status_code == 401
    waiting = token(stranger, "alice", "correct horse 1")  # even the right password waits, unchecked
    assert waiting.status_code == 429 and waiting.json()["error"]["code"] == "account_locked"
    assert "60 giây" in waiting.json()["error"]["message"] and waiting["Retry-After"] == "60"
    assert token(from_address("10.0.0.5"), "alice", "correct horse 1").status_code == 200
    # Unknown accounts behave the same: same answers, same wait.
    for _ in range(3):
        assert token(stranger, "khongco", "wrong").status_code == 401
    assert token(stranger, "khongco", "wrong").status_code == 429


def test_the_wait_doubles_and_an_address_spraying_many_accounts_waits(people, settings):
    import datetime as dt

    from django.utils import timezone

    from congvan.orgs.models import LoginThrottle

    settings.LOGIN_MAX_FAILURES, settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 2, 5
    stranger = from_address("198.51.100.7")
    for _ in range(2):
        token(stranger, "bob", "wrong")
    LoginThrottle.objects.filter(key__startswith="pair:bob|").update(blocked_until=timezone.now())
    for _ in range(2):
        token(stranger, "bob", "wrong")
    row = LoginThrottle.objects.get(key="pair:bob|198.51.100.7")
    assert row.blocked_until is not None
    assert 110 <= (row.blocked_until - timezone.now()).total_seconds() <= 120  # twice the first wait
    # Spraying: one failure on each of many names from one address blocks the address.
    for name in ("a1", "a2"):
        token(stranger, name, "wrong")
    assert token(stranger, "carol", "correct horse 1").status_code == 429
    assert token(from_address("10.0.0.6"), "carol", "correct horse 1").status_code == 200
    assert timezone.now() - dt.timedelta(minutes=1) < row.updated_at


@pytest.mark.django_db(transaction=True)  # the tries' own connections must see committed rows
def test_parallel_tries_get_exactly_the_allowed_checks(people, settings):
    """Ten tries at once against a limit of three: three passwords are checked, the rest wait."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers: the PostgreSQL pass runs this with real parallel rows")
    settings.LOGIN_MAX_FAILURES = 3
    from congvan.orgs.actions import do_login

    outcomes = []

    def attempt(_: int) -> str:
        from django.db import connections

        try:
            do_login(username="alice", password="wrong", address="192.0.2.1")
        except Exception as exc:
            return type(exc).__name__
        finally:
            connections.close_all()
        return "ok"

    with ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(attempt, range(10)))
    assert outcomes.count("LoginFailed") == 3 and outcomes.count("AccountLocked") == 7


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


def test_behind_a_trusted_proxy_the_client_address_counts(people, settings):
    settings.LOGIN_MAX_FAILURES, settings.TRUSTED_PROXIES = 2, {"127.0.0.9"}

    def via_proxy(client_ip: str) -> Client:
        return Client(REMOTE_ADDR="127.0.0.9", HTTP_X_FORWARDED_FOR=f"1.2.3.4, {client_ip}")

    for _ in range(2):
        token(via_proxy("203.0.113.50"), "dan", "wrong")
    assert token(via_proxy("203.0.113.50"), "dan", "correct horse 1").status_code == 429
    assert token(via_proxy("203.0.113.51"), "dan", "correct horse 1").status_code == 200


def test_a_very_long_name_at_sign_in_is_an_ordinary_failure(people):
    r = token(Client(), "ú" * 150, "x" * 200)
    assert r.status_code == 401


def test_a_person_lists_and_ends_their_tokens_and_an_admin_ends_all(people):
    from congvan.orgs.tests.support import make_user

    first, second = Api(people["carol"]), Api(people["carol"])
    listed = first.get("/me/tokens")
    assert listed["Cache-Control"] == "no-store"
    rows = listed.json()["results"]
    assert len(rows) == 2 and sum(r["current"] for r in rows) == 1
    other = next(r for r in rows if not r["current"])
    assert Api(people["alice"]).delete(f"/me/tokens/{other['id']}").status_code == 404  # not hers
    assert first.delete(f"/me/tokens/{other['id']}").json() == {"revoked": 1}
    assert second.get("/me").status_code == 401 and first.get("/me").status_code == 200
    admin = Api(make_user("hadm2", "Quản trị", "000.00.01.H57", "admin"))
    assert Api(people["alice"]).post("/users/carol/tokens/revoke").status_code in (403, 404)
    assert admin.post("/users/carol/tokens/revoke").json() == {"revoked": 1}
    assert first.get("/me").status_code == 401
    assert admin.post("/users/gina/tokens/revoke").status_code == 404  # outside the admin's units


def test_a_password_equal_to_the_username_is_refused(people):
    from congvan.orgs.actions import do_create_user
    from congvan.orgs.errors import InvalidOrgData

    for name in ("nguyenvanlong2026", "tran.thi.binh.vt"):
        with pytest.raises(InvalidOrgData):
            do_create_user(username=name, password=name, full_name="Thử", actor=None)
        with pytest.raises(InvalidOrgData):
            do_create_user(username=name, password=name.upper(), full_name="Thử", actor=None)
