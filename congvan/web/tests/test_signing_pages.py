"""The signing pages refuse what they should, plainly: a broken certificate or key file, someone who
is not an administrator, a prepare request from someone who may not sign, a forged signature value."""

from __future__ import annotations

import base64

from django.core.files.uploadedfile import SimpleUploadedFile

from congvan.documents.models import Document
from congvan.signatures.models import SigningKey
from congvan.web.tests.test_admin_pages import signed_in


def test_keys_page_is_for_admins_and_refuses_broken_files(people):
    assert signed_in("alice").get("/admin/keys/").status_code == 403
    root = signed_in("root")
    page = root.get("/admin/keys/")
    assert page.status_code == 200 and "Đăng ký khóa ký" in page.content.decode()
    for kind, field, content in (
        ("agent", "certificate", b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"),
        ("agent", "certificate", b"\x30\x82\xff\xff" + b"\0" * 64),
        ("pkcs12", "pkcs12", b"PK\x03\x04 not a key file"),
        ("pkcs12", "pkcs12", b""),
    ):
        r = root.post(
            "/admin/keys/",
            {"owner": "user:bob", "kind": kind, "pin_source": "ask", field: SimpleUploadedFile("f", content)},
            follow=True,
        )
        assert r.status_code == 200, (kind, content[:10])
        assert "error" in r.content.decode()  # the refusal shown on the page
    huge = root.post(
        "/admin/keys/",
        {"owner": "user:bob", "kind": "agent", "certificate": SimpleUploadedFile("c", b"0" * 100_000)},
        follow=True,
    )
    assert huge.status_code == 200 and "quá lớn" in huge.content.decode()
    odd = root.post("/admin/keys/", {"owner": "nobody", "kind": "agent"}, follow=True)
    assert odd.status_code == 200
    assert not SigningKey.objects.exists()


def test_prepare_refuses_those_who_may_not_sign_and_broken_certificates(crew):
    api = crew
    doc_id = api["carol"].create_draft().json()["id"]
    api["carol"].post(f"/documents/{doc_id}/submit")
    url = f"/documents/{doc_id}/signing/prepare/"
    carol = signed_in("carol").post(url, {"certificate": base64.b64encode(b"x").decode()})
    assert carol.status_code == 403 and "error" in carol.json()
    bob = signed_in("bob")
    assert bob.post(url, {"certificate": "không phải base64"}).status_code == 400
    no_key = bob.post(url, {"certificate": base64.b64encode(b"\x30\x03\x02\x01\x01").decode()})
    assert no_key.status_code in (400, 409) and no_key.json()["error"]
    assert signed_in("ly").post(url, {"certificate": ""}).status_code == 404  # another unit's leader
    forged = bob.post(
        f"/documents/{doc_id}/approve/", {"session": "made-up", "signature": "AAAA"}, follow=True
    )
    assert forged.status_code == 200 and Document.objects.get(pk=doc_id).state == "submitted"
