"""From a task, the specialist starts the reply: a draft prefilled with the answered document and its
issuer, linked to the task, and kept as the reply when the task is completed."""

from __future__ import annotations

import pytest

from congvan.lib.pdfgen import simple_pdf
from congvan.orgs.tests.support import send_to_hu
from congvan.workflow.models import Assignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_reply_is_started_from_the_task_and_kept_with_it(open_as, live_server, api, tmp_path):
    incoming = send_to_hu(api, subject="V/v báo cáo kết quả chuyển đổi số")
    r = api["bob"].post(
        f"/receipts/{incoming['receipt']}/direct",
        {
            "direction": "Giao chủ trì",
            "assignments": [{"assignee": "carol", "role": "lead", "deadline": "2099-12-31"}],
        },
    )
    task = r.json()["assignments"][0]["id"]
    pdf = tmp_path / "tra-loi.pdf"
    pdf.write_bytes(simple_pdf(["Bao cao"]))
    carol = open_as("carol")
    carol.goto(f"{live_server.url}/assignments/{task}/")
    carol.click("#start-reply")
    subject = carol.input_value("textarea[name=subject]")
    assert subject.startswith("Trả lời văn bản số") and "V/v báo cáo kết quả chuyển đổi số" in subject
    assert carol.is_checked(".unit-list label:has-text('Ủy ban nhân dân') input")  # the issuer
    carol.set_input_files("input[name=file]", str(pdf))
    carol.click("form.card button[type=submit]")
    carol.wait_for_url("**/documents/*/")
    draft = int(carol.url.rstrip("/").split("/")[-1])
    assert Assignment.objects.get(pk=task).reply_document_id == draft
    carol.goto(f"{live_server.url}/assignments/{task}/")
    assert carol.locator("#reply-link").count() == 1
    carol.fill("textarea[name=result]", "Đã dự thảo báo cáo trả lời")
    carol.click("#complete")
    a = Assignment.objects.get(pk=task)
    assert a.state == "completed" and a.reply_document_id == draft


def test_the_clerk_answers_a_received_document_from_its_page(open_as, live_server, api, tmp_path):
    incoming = send_to_hu(api, subject="V/v đề nghị cung cấp số liệu")
    pdf = tmp_path / "tra-loi.pdf"
    pdf.write_bytes(simple_pdf(["Cung cap so lieu"]))
    alice = open_as("alice")
    alice.goto(f"{live_server.url}/documents/{incoming['document']}/")
    alice.click("#start-receipt-reply")
    assert "V/v đề nghị cung cấp số liệu" in alice.input_value("textarea[name=subject]")
    alice.set_input_files("input[name=file]", str(pdf))
    alice.click("form.card button[type=submit]")
    alice.wait_for_url("**/documents/*/")
    assert "V/v đề nghị cung cấp số liệu" in alice.inner_text("#answers")  # the draft names what it answers
    draft = int(alice.url.rstrip("/").split("/")[-1])
    alice.goto(f"{live_server.url}/documents/{incoming['document']}/")
    assert alice.locator(f"#replies a[href='/documents/{draft}/']").count() == 1  # and the receipt its reply
    # The API: the same, and a unit that did not receive the document may not answer it as its own.
    r = api["alice"].multipart(f"/receipts/{incoming['receipt']}/reply", {"file": _pdf_upload()})
    assert r.status_code == 201 and r.json()["in_reply_to"] == incoming["document"], r.content
    assert (
        api["dan"].multipart(f"/receipts/{incoming['receipt']}/reply", {"file": _pdf_upload()}).status_code
        == 404
    )


def _pdf_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("tra-loi.pdf", simple_pdf(["Tra loi"]), "application/pdf")
