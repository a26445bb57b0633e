"""The classification guard over the document's own text, at compose (API): the marked cases of
lib/tests/test_classification.py refused and the prose accepted, on text PDFs; and on scans, read by OCR
in the background, the document held until it is read and refused when it is marked."""

from __future__ import annotations

import io
from typing import Any

import pytest

from congvan.capture.actions import do_check_pending_contents
from congvan.capture.tests.corpus import Sample, render_pdf, render_scan
from congvan.documents.models import CheckState, ContentCheck
from congvan.lib.tests.test_classification import BODY, ISSUER, MARKED, PROSE


def lines_of(text: str) -> Sample:
    return Sample([(line, "") for line in text.splitlines()], {})


def compose(api: Any, pdf: bytes, **meta: Any) -> Any:
    return api["carol"].create_draft(file=pdf, **meta)


@pytest.mark.once("sqlite")  # OCR, LibreOffice, PDF or file work: the database is not its subject
def test_marked_text_pdfs_are_refused_and_prose_is_not(api):
    refused: list[str] = []
    accepted: list[str] = []
    for text, _level in MARKED:
        r = compose(api, render_pdf(lines_of(text)))
        (refused if r.status_code == 400 and r.json()["error"]["code"] == "classified" else accepted).append(
            text
        )
    for text in PROSE:
        r = compose(api, render_pdf(lines_of(f"{ISSUER}\n{BODY}\n{text}")))
        (accepted if r.status_code == 201 else refused).append(text)
    missed = [t for t, _ in MARKED if t not in refused]
    wrongly = [t for t in PROSE if t not in accepted and f"{ISSUER}\n{BODY}\n{t}" not in accepted]
    assert not missed, missed
    assert len(accepted) == len(PROSE), wrongly


def test_a_mark_in_the_subject_is_refused(api):
    r = compose(api, render_pdf(lines_of(f"{ISSUER}\n{BODY}")), subject="(MẬT) Kế hoạch kiểm tra")
    assert r.status_code == 400 and r.json()["error"]["code"] == "classified"
    assert (
        compose(
            api, render_pdf(lines_of(f"{ISSUER}\n{BODY}")), subject="Kế hoạch bảo mật thông tin"
        ).status_code
        == 201
    )


def scan_pdf(text: str, seed: int) -> bytes:
    from PIL import Image

    png = render_scan(lines_of(text), seed, dpi=200)
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).save(out, "PDF", resolution=200)
    return out.getvalue()


@pytest.mark.once("sqlite")
def test_scans_wait_for_ocr_and_a_marked_scan_is_held(api):
    cases = [
        (f"{ISSUER}\nMẬT\n{BODY}", True),
        (f"{ISSUER}\nĐộ mật: Tối mật\n{BODY}", True),
        (f"{ISSUER}\nMẬT - KHẨN\n{BODY}", True),
        (f"{ISSUER}\n{BODY}\nCông tác bảo vệ bí mật nhà nước", False),
        (f"{ISSUER}\n{BODY}\nKẾ HOẠCH BẢO MẬT THÔNG TIN", False),
    ]
    ids = []
    for seed, (text, _marked) in enumerate(cases):
        r = compose(api, scan_pdf(text, seed))
        assert r.status_code == 201, r.content  # a scan's text is not read yet: the draft is taken
        doc_id = r.json()["id"]
        assert api["carol"].post(f"/documents/{doc_id}/submit").status_code == 200
        r = api["bob"].post(f"/documents/{doc_id}/approve")
        assert r.status_code == 409 and r.json()["error"]["code"] == "content_unchecked"
        ids.append(doc_id)
    assert ContentCheck.objects.filter(state=CheckState.PENDING).count() == len(cases)
    assert do_check_pending_contents() == len(cases)
    for doc_id, (text, marked) in zip(ids, cases, strict=True):
        r = api["bob"].post(f"/documents/{doc_id}/approve")
        if marked:
            assert r.status_code == 400 and r.json()["error"]["code"] == "classified", (text, r.content)
        else:
            assert r.status_code == 200, (text, r.content)


def _docx(lines: list[str]) -> bytes:
    import zipfile

    paragraphs = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in lines)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f'<w:document xmlns:w="w"><w:body>{paragraphs}</w:body></w:document>')
    return buf.getvalue()


def test_an_office_attachment_with_a_mark_is_refused(api):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    def post(lines: list[str]) -> Any:
        meta = {"type": "KH", "subject": "Kế hoạch", "urgency": "normal", "confidentiality": "none"}
        return api["carol"].multipart(
            "/documents",
            {
                "metadata": json.dumps(meta),
                "file": SimpleUploadedFile("kh.pdf", render_pdf(lines_of(f"{ISSUER}\n{BODY}"))),
                "attachments": [SimpleUploadedFile("phu-luc.docx", _docx(lines))],
            },
        )

    r = post([ISSUER, "TỐI MẬT", "PHỤ LỤC", "Danh sách"])
    assert r.status_code == 400 and r.json()["error"]["code"] == "classified"
    assert post([ISSUER, "PHỤ LỤC", "Bảo vệ bí mật nhà nước"]).status_code == 201


@pytest.mark.once("sqlite")
def test_a_picture_attachment_is_read_before_the_document_goes_out(api):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    meta = {"type": "KH", "subject": "Kế hoạch", "urgency": "normal", "confidentiality": "none"}
    png = render_scan(lines_of(f"{ISSUER}\nTỐI MẬT\n{BODY}"), 9, dpi=200)
    r = api["carol"].multipart(
        "/documents",
        {
            "metadata": json.dumps(meta),
            "file": SimpleUploadedFile("kh.pdf", render_pdf(lines_of(f"{ISSUER}\n{BODY}"))),
            "attachments": [SimpleUploadedFile("anh-chup.png", png)],
        },
    )
    assert r.status_code == 201, r.content
    doc_id = r.json()["id"]
    api["carol"].post(f"/documents/{doc_id}/submit")
    assert api["bob"].post(f"/documents/{doc_id}/approve").json()["error"]["code"] == "content_unchecked"
    assert do_check_pending_contents() == 1
    assert api["bob"].post(f"/documents/{doc_id}/approve").json()["error"]["code"] == "classified"
