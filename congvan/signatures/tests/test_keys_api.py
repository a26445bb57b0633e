"""An administrator registers keys through the API; leaders sign with them (a passphrase typed for one
signature, or their own token through the two-step signing the agent uses); clerks seal."""

from __future__ import annotations

import base64
import io
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from congvan.documents.models import Blob
from congvan.orgs.tests.support import HU, Api, make_user
from congvan.signatures.models import SigningKey, SigningRecord
from congvan.signatures.tests import drafts
from congvan.signatures.tests.pki import PASS
from congvan.signatures.tests.test_numbered_release import pdftotext
from congvan.signatures.tests.test_signing_flow import blob_bytes
from congvan.signatures.verify import VALID, verify_pdf

CS1 = "000.01.01.H57"


@pytest.fixture
def admins(api, trusted, settings, monkeypatch):
    settings.TSA_URL = trusted.tsa_url
    api["hadmin"] = Api(make_user("hadmin", "Quản trị huyện", HU, "admin"))
    api["uadmin"] = Api(make_user("uadmin", "Quản trị UBND", "000.00.02.H57", "admin"))
    return api


def p12_file(trusted, label: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{label}.p12", trusted.pkcs12(label).read_bytes(), "application/x-pkcs12")


def register(api, who: str, **fields):
    return api[who].multipart("/signing-keys", fields)


def submitted(api, file: bytes | None = None) -> int:
    doc_id = int(api["carol"].create_draft(file=file or drafts.party_blank(), recipients=[CS1]).json()["id"])
    assert api["carol"].post(f"/documents/{doc_id}/submit").status_code == 200
    return doc_id


def test_keys_registered_by_the_admin_sign_and_seal(admins, trusted, monkeypatch, tmp_path):
    api = admins
    r = register(
        api,
        "hadmin",
        owner="user:bob",
        kind="pkcs12",
        pkcs12=p12_file(trusted, "leader"),
        passphrase=PASS.decode(),
        pin_ask="true",
        position="Bí thư",
    )
    assert r.status_code == 201, r.content
    assert r.json()["subject"] == "Võ Minh Tâm" and r.json()["pin"] == "ask"
    assert not Blob.objects.exists()  # the key file is not a document's blob
    monkeypatch.setenv("CONGVAN_PIN_HU_SEAL", PASS.decode())
    r = register(
        api,
        "hadmin",
        owner=f"unit:{HU}",
        kind="pkcs12",
        pkcs12=p12_file(trusted, "seal"),
        pin_env="CONGVAN_PIN_HU_SEAL",
    )
    assert r.status_code == 201, r.content
    doc_id = submitted(api)
    asked = api["bob"].post(f"/documents/{doc_id}/approve", {"sign": True})
    assert asked.status_code == 409 and asked.json()["error"]["code"] == "passphrase_required"
    wrong = api["bob"].post(f"/documents/{doc_id}/approve", {"sign": True, "passphrase": "sai"})
    assert wrong.status_code == 409 and api["bob"].get(f"/documents/{doc_id}").json()["state"] == "submitted"
    ok = api["bob"].post(f"/documents/{doc_id}/approve", {"sign": True, "passphrase": PASS.decode()})
    assert ok.status_code == 200, ok.content
    rel = api["alice"].post(f"/documents/{doc_id}/release", {"seal": True})
    assert rel.status_code == 200, rel.content
    data = blob_bytes(api["dan"].get(f"/documents/{doc_id}").json()["files"][0]["sha256"])
    report = verify_pdf(data)
    assert report.verdict == VALID and [s.signer for s in report.signatures] == [
        "Võ Minh Tâm",
        "Huyện ủy Gò Công Tây",
    ]
    assert f"Số {rel.json()['symbol']}" in pdftotext(data, tmp_path)
    assert "passphrase" not in json.dumps(list(SigningKey.objects.values()), default=str).lower()


def test_registration_refusals(admins, trusted):
    api = admins
    bad = register(
        api,
        "hadmin",
        owner="user:bob",
        kind="pkcs12",
        pkcs12=p12_file(trusted, "leader"),
        passphrase="sai",
        pin_ask="1",
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_key_file"
    old = register(
        api,
        "hadmin",
        owner="user:bob",
        kind="pkcs12",
        pkcs12=p12_file(trusted, "expired"),
        passphrase=PASS.decode(),
        pin_ask="1",
    )
    assert old.status_code == 400 and old.json()["error"]["code"] == "certificate_expired"
    png = io.BytesIO()
    Image.new("RGB", (120, 60), "red").save(png, "PNG")
    gif = io.BytesIO()
    Image.new("RGB", (120, 60), "red").save(gif, "GIF")
    for name, image in [("chu-ky.gif", gif.getvalue()), ("chu-ky.png", png.getvalue()[:-200])]:
        key: dict[str, object] = {"owner": "user:bob", "kind": "pkcs12", "pin_ask": "1"}
        key["passphrase"] = PASS.decode()
        key |= {"pkcs12": p12_file(trusted, "leader"), "image": SimpleUploadedFile(name, image)}
        pictured = register(api, "hadmin", **key)
        # another kind than PNG/JPEG, or a PNG cut short (it broke the signing at release, not here)
        assert pictured.status_code == 400 and pictured.json()["error"]["code"] == "invalid_image", name
    assert "01/01/2020" in old.json()["error"]["message"]
    other = register(
        api,
        "uadmin",
        owner="user:bob",
        kind="agent",
        certificate=SimpleUploadedFile("c.cer", trusted.cert("leader").dump()),
    )
    assert other.status_code == 404  # bob is not in the UBND admin's tree
    seal_agent = register(
        api,
        "hadmin",
        owner=f"unit:{HU}",
        kind="agent",
        certificate=SimpleUploadedFile("c.cer", trusted.cert("seal").dump()),
    )
    assert seal_agent.status_code == 400
    junk = register(
        api,
        "hadmin",
        owner="user:bob",
        kind="agent",
        certificate=SimpleUploadedFile("c.cer", b"not a certificate"),
    )
    assert junk.status_code == 400
    assert (
        register(
            api,
            "bob",
            owner="user:bob",
            kind="agent",
            certificate=SimpleUploadedFile("c.cer", trusted.cert("leader").dump()),
        ).status_code
        == 404
    )
    assert not SigningKey.objects.exists()


def agent_sign(trusted, to_sign: str) -> str:
    """What the agent does with the token's key: SHA-256 with RSA over the signed attributes."""
    key, _cert, _ = pkcs12.load_key_and_certificates(trusted.pkcs12("leader").read_bytes(), PASS)
    assert isinstance(key, rsa.RSAPrivateKey)
    value = key.sign(base64.b64decode(to_sign), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(value).decode()


def test_signature_made_on_the_leaders_own_token(admins, trusted, tmp_path):
    api = admins
    cert = trusted.cert("leader").dump()
    pem = serialization.Encoding.PEM  # the admin may upload the .cer as PEM or DER
    del pem
    r = register(
        api, "hadmin", owner="user:bob", kind="agent", certificate=SimpleUploadedFile("bob.cer", cert)
    )
    assert r.status_code == 201, r.content
    doc_id = submitted(api)
    no_key = api["bob"].post(f"/documents/{doc_id}/approve", {"sign": True})
    assert no_key.status_code == 409  # no key on the server: the page uses the agent
    foreign = api["bob"].post(
        f"/documents/{doc_id}/signing",
        {"certificate": base64.b64encode(trusted.cert("seal").dump()).decode()},
    )
    assert foreign.status_code == 400 and foreign.json()["error"]["code"] == "certificate_mismatch"
    assert (
        api["carol"]
        .post(f"/documents/{doc_id}/signing", {"certificate": base64.b64encode(cert).decode()})
        .status_code
        == 403
    )
    prep = api["bob"].post(f"/documents/{doc_id}/signing", {"certificate": base64.b64encode(cert).decode()})
    assert prep.status_code == 200, prep.content
    session = prep.json()
    assert len(bytes.fromhex(session["digest"])) == 32
    forged = api["bob"].post(
        f"/documents/{doc_id}/approve",
        {"sign": True, "session": session["session"], "signature": base64.b64encode(b"\1" * 256).decode()},
    )
    assert forged.status_code == 400 and forged.json()["error"]["code"] == "bad_signature", forged.content
    value = agent_sign(trusted, session["to_sign"])
    ok = api["bob"].post(
        f"/documents/{doc_id}/approve", {"sign": True, "session": session["session"], "signature": value}
    )
    assert ok.status_code == 200, ok.content
    again = api["bob"].post(
        f"/documents/{doc_id}/approve", {"sign": True, "session": session["session"], "signature": value}
    )
    assert again.status_code in (400, 409)
    rel = api["alice"].post(f"/documents/{doc_id}/release", {}).json()
    data = blob_bytes(api["dan"].get(f"/documents/{doc_id}").json()["files"][0]["sha256"])
    report = verify_pdf(data)
    assert report.verdict == VALID, report.reasons
    assert (
        report.signatures[0].signer == "Võ Minh Tâm" and report.signatures[0].modification == "FORM_FILLING"
    )
    assert f"Số {rel['symbol']}" in pdftotext(data, tmp_path)
    # the timestamp and the revocation data were added by the server: PAdES B-LT
    assert SigningRecord.objects.get(key_label="user:bob").level == "B-LT"


def test_a_leaders_key_on_a_token_attached_to_the_server(admins, trusted, tmp_path, monkeypatch):
    softhsm = pytest.importorskip("congvan_signer.softhsm")
    if not softhsm.available():
        pytest.skip("SoftHSM2 and OpenSC: scripts/setup --dev")
    from cryptography import x509

    issuer_key = serialization.load_pem_private_key((trusted.folder / "interm.key.pem").read_bytes(), None)
    issuer = x509.load_der_x509_certificate(trusted.cert("interm").dump())
    env = softhsm.make_token(
        tmp_path / "hsm",
        "HU-BOB",
        "112233",
        lambda pub: softhsm.issue(pub, issuer_key, issuer, "Lê Văn Bình"),
    )
    monkeypatch.setenv("SOFTHSM2_CONF", env["SOFTHSM2_CONF"])
    softhsm.activate()
    monkeypatch.setenv("CONGVAN_PIN_BOB", "112233")
    api = admins
    r = register(
        api,
        "hadmin",
        owner="user:bob",
        kind="pkcs11",
        module=softhsm.MODULE,
        token="HU-BOB",
        key_label="signer",
        pin_env="CONGVAN_PIN_BOB",
    )
    assert r.status_code == 201, r.content
    assert r.json()["subject"] == "Lê Văn Bình" and r.json()["kind"] == "pkcs11"
    doc_id = submitted(api)
    assert api["bob"].post(f"/documents/{doc_id}/approve", {"sign": True}).status_code == 200
    data = blob_bytes(api["bob"].get(f"/documents/{doc_id}").json()["files"][0]["sha256"])
    report = verify_pdf(data)
    [sig] = report.signatures  # the token's certificate names no OCSP responder: revocation is a warning
    assert sig.signer == "Lê Văn Bình" and sig.intact and sig.trusted and not sig.problems, report.reasons
    listed = api["hadmin"].get("/signing-keys").json()
    assert [k["owner"] for k in listed] == ["user:bob"]
    assert api["uadmin"].get("/signing-keys").json() == []
    assert api["uadmin"].post(f"/signing-keys/{listed[0]['id']}/retire").status_code == 404
    assert api["hadmin"].post(f"/signing-keys/{listed[0]['id']}/retire").json()["active"] is False
    other = submitted(api)
    assert api["bob"].post(f"/documents/{other}/approve", {"sign": True}).status_code == 409
