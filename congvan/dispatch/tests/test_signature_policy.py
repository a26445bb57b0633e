"""Files that enter are verified in the background; a unit's policy accepts, flags or refuses them."""

from __future__ import annotations

import hashlib

import pytest

from congvan.dispatch.models import Receipt
from congvan.lib.pdfgen import simple_pdf
from congvan.orgs.tests.support import released
from congvan.signatures.actions import verify_pending
from congvan.signatures.models import SignaturePolicy
from congvan.signatures.tests.test_verify import signed

CS1 = "000.01.01.H57"


def test_presigned_upload_is_kept_byte_exact_and_verified_in_background(api, trusted):
    pdf = signed(trusted, "leader", simple_pdf(["Ke hoach da ky"]))
    rel = released(api, [CS1], file=pdf)
    doc = api["dan"].get(f"/documents/{rel['id']}").json()
    assert doc["files"][0]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert doc["files"][0]["signature"] is None  # not checked yet: the worker does it
    assert verify_pending() >= 1
    assert verify_pending() == 0
    sig = api["dan"].get(f"/documents/{rel['id']}").json()["files"][0]["signature"]
    assert sig["verdict"] == "valid" and sig["verdict_text"] == "Hợp lệ"
    assert sig["signatures"][0]["signer"] == "Võ Minh Tâm"


@pytest.mark.django_db(transaction=True)
def test_the_worker_verifies_new_files(api, trusted):
    from django.core.management import call_command

    from congvan.signatures.tasks import verify_new_files

    rel = released(api, [CS1], file=signed(trusted, "seal"))
    verify_new_files.enqueue()
    call_command("db_worker", batch=True, interval=0.05, verbosity=0)
    assert api["dan"].get(f"/documents/{rel['id']}").json()["files"][0]["signature"]["verdict"] == "valid"


@pytest.mark.parametrize(("policy", "status"), [("flag", 200), ("accept", 200), ("refuse", 409)])
def test_unsigned_documents_follow_the_units_policy(api, org, trusted, policy, status):
    SignaturePolicy.objects.create(unit=org["cs1"], on_unsigned=policy)
    released(api, [CS1])  # the default test PDF is unsigned
    rid = api["dan"].get("/inbox").json()["results"][0]["id"]
    r = api["dan"].post(f"/receipts/{rid}/register")
    assert r.status_code == status, r.content
    if status == 409:
        assert (
            r.json()["error"]["code"] == "signature_refused"
            and "Không có chữ ký" in r.json()["error"]["message"]
        )
        assert Receipt.objects.get(pk=rid).incoming_number is None
        assert api["dan"].post(f"/receipts/{rid}/return", {"reason": "Văn bản chưa ký số"}).status_code == 200


def test_invalid_signature_refused_with_the_reason(api, org, trusted):
    SignaturePolicy.objects.create(unit=org["cs1"], on_invalid="refuse", on_unsigned="accept")
    released(api, [CS1], file=signed(trusted, "revoked"))
    rid = api["dan"].get("/inbox").json()["results"][0]["id"]
    r = api["dan"].post(f"/receipts/{rid}/register")
    assert r.status_code == 409 and "thu hồi" in r.json()["error"]["message"]


def test_document_page_shows_the_verdict(api, trusted):
    from django.test import Client

    rel = released(api, [CS1], file=signed(trusted, "rogue"))
    verify_pending()
    client = Client()
    client.post("/login/", {"username": "dan", "password": "correct horse 1"})
    html = client.get(f"/documents/{rel['id']}/").content.decode()
    assert "Chữ ký số: Không hợp lệ" in html and "không do tổ chức" in html


def test_policy_is_set_by_the_units_leader_or_an_admin(api):
    import json

    def put(who, code, body):
        return api[who].client.put(
            f"/api/v1/units/{code}/signature-policy",
            json.dumps(body),
            content_type="application/json",
            headers=api[who].headers(),
        )

    body = {"on_invalid": "refuse", "on_unsigned": "flag"}
    assert put("bob", "000.00.01.H57", body).json() == {"unit": "000.00.01.H57", **body}
    assert put("root", CS1, body).status_code == 200
    assert put("carol", "000.00.01.H57", body).status_code in (403, 404)
    assert put("bob", CS1, body).status_code in (403, 404)
    assert put("bob", "000.00.01.H57", {"on_invalid": "ignore", "on_unsigned": "flag"}).status_code == 400
