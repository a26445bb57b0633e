"""The leader's approval signs with their key; the clerk's release adds the unit's seal; recipients see it."""

from __future__ import annotations

import json
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from congvan.audit.models import AuditEvent
from congvan.documents.blobstore import open_blob
from congvan.documents.models import Document
from congvan.lib.pdfgen import simple_pdf
from congvan.signatures.models import SigningRecord
from congvan.signatures.tests.pki import PASS
from congvan.signatures.tests.test_verify import signed
from congvan.signatures.verify import VALID, verify_pdf

CS1 = "000.01.01.H57"


@pytest.fixture
def keys(trusted, settings, tmp_path, monkeypatch):
    sig = Image.new("RGBA", (400, 160), (255, 255, 255, 0))
    ImageDraw.Draw(sig).line([(20, 120), (90, 40), (160, 130), (380, 60)], fill=(20, 40, 200, 255), width=6)
    sig.save(tmp_path / "bob.png")
    seal = Image.new("RGBA", (300, 300), (255, 255, 255, 0))
    ImageDraw.Draw(seal).ellipse([10, 10, 290, 290], outline=(210, 20, 20, 255), width=12)
    seal.save(tmp_path / "hu.png")
    config = {
        "user:bob": {
            "kind": "pkcs12",
            "path": str(trusted.pkcs12("leader")),
            "pin_env": "TEST_PIN_BOB",
            "image": str(tmp_path / "bob.png"),
            "position": "Bí thư",
        },
        "unit:000.00.01.H57": {
            "kind": "pkcs12",
            "path": str(trusted.pkcs12("seal")),
            "pin_file": str(tmp_path / "pin"),
            "image": str(tmp_path / "hu.png"),
        },
    }
    (tmp_path / "keys.json").write_text(json.dumps(config), encoding="utf-8")
    (tmp_path / "pin").write_text(PASS.decode(), encoding="utf-8")
    monkeypatch.setenv("TEST_PIN_BOB", PASS.decode())
    settings.SIGNING_KEYS = str(tmp_path / "keys.json")
    settings.TSA_URL = trusted.tsa_url
    return tmp_path


def blob_bytes(sha: str) -> bytes:
    with open_blob(sha) as fh:
        return fh.read()


@pytest.mark.once("sqlite")  # OCR, LibreOffice, PDF or file work: the database is not its subject
def test_approval_signs_and_release_seals_main_and_attachments(api, keys, tmp_path):
    attachment = SimpleUploadedFile("Phụ lục.pdf", simple_pdf(["Phu luc 1"]), "application/pdf")
    draft = (
        api["carol"]
        .multipart(
            "/documents",
            {
                "metadata": json.dumps(
                    {
                        "type": "KH",
                        "subject": "Kế hoạch có ký số",
                        "signer_position": "Bí thư",
                        "recipients": [CS1],
                    }
                ),
                "file": SimpleUploadedFile(
                    "ke-hoach.pdf", simple_pdf(["Ke hoach"], pages=2), "application/pdf"
                ),
                "attachments": [attachment],
            },
        )
        .json()
    )
    doc_id = draft["id"]
    api["carol"].post(f"/documents/{doc_id}/submit")
    assert api["bob"].post(f"/documents/{doc_id}/approve").status_code == 200
    after_approval = api["bob"].get(f"/documents/{doc_id}").json()["files"][0]["sha256"]
    report = verify_pdf(blob_bytes(after_approval))
    assert report.verdict == VALID and [s.signer for s in report.signatures] == ["Võ Minh Tâm"]

    rel = api["alice"].post(f"/documents/{doc_id}/release", {})
    assert rel.status_code == 200, rel.content
    rel = rel.json()
    files = api["dan"].get(f"/documents/{doc_id}").json()["files"]
    main = verify_pdf(blob_bytes(files[0]["sha256"]))
    assert main.verdict == VALID, main.reasons
    assert [s.signer for s in main.signatures] == ["Võ Minh Tâm", "Huyện ủy Gò Công Tây"]
    att = blob_bytes(files[1]["sha256"])
    assert verify_pdf(att).verdict == VALID
    path = tmp_path / "att.pdf"
    path.write_bytes(att)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert rel["symbol"] in text and "+07:00" in text
    levels = set(SigningRecord.objects.values_list("level", flat=True))
    assert levels and levels <= {"B-T", "B-LT"}
    assert AuditEvent.objects.filter(action="document.sealed").count() == 1


@pytest.mark.once("sqlite")  # OCR, LibreOffice, PDF or file work: the database is not its subject
def test_a_document_signed_outside_keeps_its_signature(api, keys, trusted):
    own = signed(trusted, "leader", simple_pdf(["Da ky bang token ca nhan"]))
    draft = api["carol"].create_draft(file=own)
    doc_id = draft.json()["id"]
    api["carol"].post(f"/documents/{doc_id}/submit")
    api["bob"].post(f"/documents/{doc_id}/approve")
    rel = api["alice"].post(f"/documents/{doc_id}/release", {"recipients": [CS1]})
    assert rel.status_code == 200, rel.content
    sha = api["dan"].get(f"/documents/{doc_id}").json()["files"][0]["sha256"]
    report = verify_pdf(blob_bytes(sha))
    assert report.verdict == VALID and len(report.signatures) == 3  # own token, leader, unit
    assert blob_bytes(sha).startswith(own)  # incremental updates: the original bytes come first, unchanged


def test_a_missing_pin_refuses_the_release_and_changes_nothing(api, keys, monkeypatch):
    (keys / "pin").unlink()
    doc_id = api["carol"].create_draft(recipients=[CS1]).json()["id"]
    api["carol"].post(f"/documents/{doc_id}/submit")
    api["bob"].post(f"/documents/{doc_id}/approve")
    r = api["alice"].post(f"/documents/{doc_id}/release", {})
    assert r.status_code == 409 and r.json()["error"]["code"] == "signing_key_unavailable"
    doc = Document.objects.get(pk=doc_id)
    assert doc.state == "approved" and doc.number is None
    monkeypatch.delenv("TEST_PIN_BOB")
    other = api["carol"].create_draft().json()["id"]
    api["carol"].post(f"/documents/{other}/submit")
    assert api["bob"].post(f"/documents/{other}/approve").status_code == 409
    assert Document.objects.get(pk=other).state == "submitted"
