"""Bad input to document endpoints: a clear error, and nothing changed (no rows, no stored files)."""

from __future__ import annotations

import json
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from congvan.audit.models import AuditEvent
from congvan.dispatch.models import Receipt
from congvan.documents.models import Blob, Document, DocumentFile
from congvan.lib.pdfgen import simple_pdf

GOOD = {"type": "KH", "subject": "Kế hoạch", "urgency": "normal", "confidentiality": "none"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def state(settings) -> tuple:
    blobs = sum(len(files) for _, _, files in os.walk(settings.BLOB_DIR))
    return (
        Document.objects.count(),
        DocumentFile.objects.count(),
        Blob.objects.count(),
        Receipt.objects.count(),
        AuditEvent.objects.count(),
        blobs,
    )


def post(api, metadata, file=None, attachments=()):
    data: dict = {"metadata": metadata if isinstance(metadata, str) else json.dumps(metadata)}
    if file is not None:
        data["file"] = file
    if attachments:
        data["attachments"] = list(attachments)
    return api["carol"].multipart("/documents", data)


def pdf_file(name="van-ban.pdf", content=None):
    return SimpleUploadedFile(name, content if content is not None else simple_pdf(["x"]), "application/pdf")


@pytest.mark.parametrize(
    ("metadata", "code"),
    [
        ("{not json", "malformed_json"),
        ("", "missing_field"),
        ("[1, 2]", "invalid"),
        ({**GOOD, "subject": ""}, "missing_field"),
        ({k: v for k, v in GOOD.items() if k != "type"}, "missing_field"),
        ({**GOOD, "type": "XYZ"}, "invalid"),
        ({**GOOD, "subject": "x" * 501}, "too_long"),
        ({**GOOD, "signer_name": "x" * 51}, "too_long"),
        ({**GOOD, "signer_position": "x" * 101}, "too_long"),
        ({**GOOD, "subject": 42}, "invalid"),  # typed at the edge
        ({**GOOD, "urgency": "yesterday"}, "invalid"),
        ({**GOOD, "reply_due": "31/12/2026"}, "invalid"),
        ({**GOOD, "page_count": -1}, "invalid"),
        ({**GOOD, "page_count": "3"}, "invalid"),
        ({**GOOD, "surprise": 1}, "invalid"),
        ({**GOOD, "recipients": ["000.01.01.H57", "000.01.01.H57"]}, "duplicate"),
        ({**GOOD, "recipients": "000.01.01.H57"}, "invalid"),
        ({**GOOD, "confidentiality": "confidential"}, "classified"),
        ({**GOOD, "confidentiality": "secret"}, "classified"),
        ({**GOOD, "confidentiality": "top_secret"}, "classified"),
    ],
)
def test_bad_metadata_is_refused(api, settings, metadata, code):
    before = state(settings)
    r = post(api, metadata, pdf_file())
    assert r.status_code == 400, r.content
    assert r.json()["error"]["code"] == code
    assert r.json()["error"]["message"]
    assert state(settings) == before


def test_classified_refusal_says_why(api):
    r = post(api, {**GOOD, "confidentiality": "secret"}, pdf_file())
    assert "TỐI MẬT" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    ("file", "code"),
    [
        (None, "missing_file"),
        (pdf_file(content=b""), "empty_file"),
        (pdf_file(content=PNG), "bad_file_type"),  # the main file must be a PDF, whatever its name
        (pdf_file(content=b"%PDF-1.7\nbroken and cut short"), "broken_file"),
        (pdf_file(name=".htaccess"), "bad_file_name"),
    ],
)
def test_bad_main_file_is_refused(api, settings, file, code):
    before = state(settings)
    r = post(api, GOOD, file)
    assert r.status_code == 400, r.content
    assert r.json()["error"]["code"] == code
    assert state(settings) == before


def raw_multipart(api, filename: str, content: bytes):
    boundary = "congvanboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{json.dumps(GOOD)}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return api["carol"].client.post(
        "/api/v1/documents",
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=api["carol"].headers(),
    )


@pytest.mark.parametrize("filename", ["../../etc/passwd.pdf", "..\\..\\windows\\boot.pdf", "/abs/x.pdf"])
def test_path_in_a_file_name_never_leaves_the_store(api, settings, filename):
    """Django's parser keeps only the last path component; nothing is written outside the blob store."""
    r = raw_multipart(api, filename, simple_pdf(["x"]))
    assert r.status_code == 201, r.content
    name = r.json()["files"][0]["name"]
    assert "/" not in name and "\\" not in name and ".." not in name
    assert not os.path.exists(os.path.join(settings.BLOB_DIR, "..", "etc"))


@pytest.mark.parametrize("filename", ["bad\x1bname.pdf", "bell\x07.pdf", "rtl\u202egnp.pdf", "tab\tname.pdf"])
def test_control_characters_never_reach_a_stored_file_name(api, settings, filename):
    """Refused by congvan, or already dropped by Django's header parser: never stored."""
    r = raw_multipart(api, filename, simple_pdf(["x"]))
    if r.status_code == 400:
        assert r.json()["error"]["code"] == "bad_file_name"
    else:
        name = r.json()["files"][0]["name"]
        assert name.isprintable() and "\u202e" not in name


@pytest.mark.parametrize(
    "name", ["a\x00b.pdf", "a\x1bb.pdf", "a\u202eb.pdf", "a/b.pdf", "a\\b.pdf", "..", ".env", " "]
)
def test_file_name_cleaner_refuses_hostile_names(name):
    from congvan.lib.errors import InvalidInput
    from congvan.lib.text import clean_file_name

    with pytest.raises(InvalidInput):
        clean_file_name(name)


def test_file_name_cleaner_keeps_vietnamese_and_shortens_long_names():
    from congvan.lib.text import clean_file_name

    assert clean_file_name("Quyết định số 1.pdf") == "Quyết định số 1.pdf"
    long = clean_file_name("đ" * 300 + ".pdf")
    assert len(long) == 200 and long.endswith(".pdf")


def test_malformed_multipart_is_refused(api, settings):
    before = state(settings)
    r = api["carol"].client.post(
        "/api/v1/documents",
        b"--x\r\ngarbage",
        content_type="multipart/form-data",
        headers=api["carol"].headers(),
    )
    assert r.status_code == 400 and r.json()["error"]["code"] in ("bad_multipart", "missing_field", "invalid")
    assert state(settings) == before


def test_attachment_that_lies_about_its_type_is_refused(api, settings):
    before = state(settings)
    fake = SimpleUploadedFile("bang-tinh.xlsx", PNG, "application/vnd.ms-excel")
    r = post(api, GOOD, pdf_file(), [fake])
    assert r.status_code == 400 and r.json()["error"]["code"] == "type_mismatch"
    assert state(settings) == before


def test_over_limit_file_is_refused(api, settings):
    settings.MAX_UPLOAD_BYTES = 200_000
    before = state(settings)
    big = pdf_file(content=simple_pdf(["x"], padding=300_000))
    r = post(api, GOOD, big)
    assert r.status_code == 413 and r.json()["error"]["code"] == "file_too_large"
    assert state(settings) == before


def test_html_in_text_is_stored_as_text_and_returned_as_is(api):
    subject = '<img src=x onerror="alert(1)"> Kế hoạch'
    r = post(api, {**GOOD, "subject": subject}, pdf_file())
    assert r.status_code == 201
    assert r.json()["subject"] == subject  # JSON is inert; the web page escapes it (see web tests)


def test_vietnamese_file_name_is_kept_and_downloads_correctly(api):
    r = post(api, GOOD, pdf_file(name="Kế hoạch số 1 đợt 2.pdf"))
    f = r.json()["files"][0]
    assert f["name"] == "Kế hoạch số 1 đợt 2.pdf"
    dl = api["carol"].client.get(f["url"], headers=api["carol"].headers())
    cd = dl["Content-Disposition"]
    assert cd.startswith('attachment; filename="Ke hoach so 1 dot 2.pdf"; ')
    assert "filename*=UTF-8''K%E1%BA%BF%20ho%E1%BA%A1ch%20s%E1%BB%91%201%20%C4%91%E1%BB%A3t%202.pdf" in cd


def test_same_content_is_stored_once(api, settings):
    content = simple_pdf(["same"])
    post(api, GOOD, pdf_file(content=content))
    post(api, GOOD, pdf_file(content=content))
    assert Blob.objects.count() == 1 and DocumentFile.objects.count() == 2


def test_released_document_cannot_be_edited(api):
    from congvan.orgs.tests.support import released

    rel = released(api, ["000.01.01.H57"])
    r = api["alice"].client.patch(
        f"/api/v1/documents/{rel['id']}",
        json.dumps({"subject": "sửa"}),
        content_type="application/json",
        headers=api["alice"].headers(),
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "wrong_state"
    assert Document.objects.get(pk=rel["id"]).subject != "sửa"


def test_draft_can_be_edited_by_its_drafter(api):
    doc = post(api, GOOD, pdf_file()).json()
    r = api["carol"].client.patch(
        f"/api/v1/documents/{doc['id']}",
        json.dumps({"subject": "Kế hoạch mới"}),
        content_type="application/json",
        headers=api["carol"].headers(),
    )
    assert r.status_code == 200 and r.json()["subject"] == "Kế hoạch mới"


def _zip_bytes() -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("payload.html", "<script>alert(1)</script>")
    return buf.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        simple_pdf(["x"]) + _zip_bytes(),  # a PDF that is also a ZIP (its directory read from the end)
        simple_pdf(["x"]) + b"<html><script>alert(1)</script></html>",  # something after the end
    ],
    ids=["pdf+zip", "pdf+html"],
)
def test_a_main_file_must_be_only_a_pdf(api, settings, content):
    before = state(settings)
    r = post(api, GOOD, pdf_file(content=content))
    assert r.status_code == 400 and r.json()["error"]["code"] == "not_only_pdf"
    assert state(settings) == before
    r = post(api, GOOD, pdf_file(), attachments=[pdf_file("phu-luc.pdf", content)])  # attachments too
    assert r.status_code == 400 and state(settings) == before


def test_stored_name_takes_the_extension_of_the_detected_type(api):
    for sent, kept in [("to-trinh.exe", "to-trinh.exe.pdf"), ("bao cao", "bao cao.pdf"), ("a.PDF", "a.PDF")]:
        r = post(api, GOOD, pdf_file(name=sent))
        assert r.status_code == 201 and r.json()["files"][0]["name"] == kept
    assert post(api, GOOD, pdf_file(content=simple_pdf(["x"]) + b"\r\n\x00\x00")).status_code == 201
