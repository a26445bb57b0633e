"""Inputs that once gave a 500 (the probe's list): each is now a 400 with a JSON error, or an answer."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from congvan.orgs.tests.support import Api


def post_raw(api: Api, url: str, body: bytes | str) -> Any:
    return api.client.post("/api/v1" + url, body, content_type="application/json", headers=api.headers())


def test_dates_and_years_at_the_edge_of_the_calendar(people):
    alice = Api(people["alice"])
    r = alice.get("/holidays", year=10000)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid"
    assert alice.get("/holidays", year=2026).status_code == 200
    # Days outside 1900-2199 are refused by the API with the range; the pages take them as no filter.
    for params in ({"date_to": "9999-12-31"}, {"date_from": "0001-01-01"}):
        r = alice.get("/inbox", **params)
        assert r.status_code == 400 and "1900-01-01" in r.json()["error"]["message"]
    assert alice.get("/registers/in", date_from="0001-01-01", date_to="9999-12-31").status_code == 400
    assert alice.get("/search", q="x", date_to="9999-12-31").status_code == 400
    root = Api(people["root"])
    for day in ("0001-01-01", "9999-12-31"):
        r = root.post("/units/000.00.01.H57/terms", {"name": "x", "starts_on": day})
        assert r.status_code == 400
        assert root.post("/holidays", {"day": day, "name": "x"}).status_code == 400
    page = Client()
    page.post("/login/", {"username": "alice", "password": "correct horse 1"})
    assert page.get("/inbox/", {"to": "9999-12-31", "from": "0001-01-01"}).status_code == 200


@pytest.mark.parametrize(
    "url", ["/documents/1/reject", "/groups", "/me/password", "/notifications/read", "/units"]
)
def test_deeply_nested_json_is_refused(people, url):
    r = post_raw(Api(people["alice"]), url, "[" * 5000 + "]" * 5000)
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed_json"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ('{"name": "\\ud800", "units": []}', "bad_encoding"),  # a lone surrogate cannot be stored
        (b'{"name": "\xff\xfe", "units": []}', "bad_encoding"),  # invalid UTF-8 is refused, not replaced
        ('{"name": "x", "units": [' + "9" * 5000 + "]}", "malformed_json"),
    ],
)
def test_strings_and_numbers_that_cannot_be_stored(people, body, code):
    r = post_raw(Api(people["alice"]), "/groups", body)
    assert r.status_code == 400 and r.json()["error"]["code"] == code


def test_a_huge_id_is_refused(people):
    alice = Api(people["alice"])
    r = post_raw(alice, "/notifications/read", '{"ids": [99999999999999999999999]}')
    assert r.status_code == 400
    assert alice.get("/documents/99999999999999999999999").status_code in (400, 404)
    # A genuine pair of surrogates (an emoji) is a valid character and is kept.
    ok = post_raw(alice, "/groups", '{"name": "Nh\\u00f3m \\ud83d\\udcc4", "units": []}')
    assert ok.status_code == 201 and ok.json()["name"] == "Nhóm 📄"


def test_a_name_with_control_characters_is_nobodys(people):
    """NUL cannot even be compared by PostgreSQL: a sign-in with it is a failed sign-in, not a 500."""
    import json

    for name in ("ali\u0000ce", "\u00d1\U000e0012\u0000", "bob\x1b"):
        r = Client().post(
            "/api/v1/auth/token",
            json.dumps({"username": name, "password": "correct horse 1"}),
            content_type="application/json",
        )
        assert r.status_code == 401, r.content
    page = Client().post("/login/", {"username": "ali\u0000ce", "password": "correct horse 1"})
    assert page.status_code == 400


def test_invalid_utf8_in_form_fields_is_refused_not_replaced(api, settings):
    from congvan.documents.models import Document
    from congvan.lib.pdfgen import simple_pdf

    boundary = "XyZ"
    meta = b'{"type": "KH", "subject": "K\xe1\xba\xbf ho\xff\xfech", "urgency": "normal", '
    meta += b'"confidentiality": "none"}'
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n'.encode()
        + meta
        + f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + simple_pdf(["x"])
        + f"\r\n--{boundary}--\r\n".encode()
    )
    carol = api["carol"]
    r = carol.client.post(
        "/api/v1/documents",
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=carol.headers(),
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_encoding"
    assert not Document.objects.exists()
    page = Client()
    page.post("/login/", {"username": "carol", "password": "correct horse 1"})
    r = page.post("/account/", b"full_name=Ph\xff\xfem", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400
    assert page.get("/inbox/?q=k%FF%FEa").status_code == 400  # a query string too
    assert carol.get("/inbox", q="ok").status_code == 200
    assert (
        carol.client.get("/api/v1/inbox?q=%C0%AF", headers=carol.headers()).json()["error"]["code"]
        == "bad_encoding"
    )
    carol.user.refresh_from_db()
    assert carol.user.full_name == "Phạm Thị Cúc"  # unchanged
