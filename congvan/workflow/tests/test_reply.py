"""The reply to a task's document, started through the API: prefilled, linked to the task, refused to
anyone but the person the task was given to."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from congvan.lib.pdfgen import simple_pdf
from congvan.orgs.tests.support import send_to_hu
from congvan.workflow.models import Assignment


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("tra-loi.pdf", simple_pdf(["Bao cao"]), "application/pdf")


def test_a_reply_is_started_from_ones_own_task(api):
    incoming = send_to_hu(api, subject="V/v đề nghị cung cấp số liệu")
    r = api["bob"].post(
        f"/receipts/{incoming['receipt']}/direct",
        {
            "direction": "Giao",
            "assignments": [{"assignee": "carol", "role": "lead", "deadline": "2099-12-31"}],
        },
    )
    task = r.json()["assignments"][0]["id"]
    assert api["alice"].multipart(f"/assignments/{task}/reply", {"file": _pdf()}).status_code == 403
    made = api["carol"].multipart(f"/assignments/{task}/reply", {"file": _pdf()})
    assert made.status_code == 201, made.content
    draft = made.json()
    assert draft["subject"].startswith("Trả lời văn bản số") and "cung cấp số liệu" in draft["subject"]
    assert draft["recipients"] == ["000.00.02.H57"]  # the issuer of the answered document
    assert Assignment.objects.get(pk=task).reply_document_id == draft["id"]
    done = api["carol"].post(
        f"/assignments/{task}/complete", {"result": "Đã trả lời", "reply_document": draft["id"]}
    )
    assert done.status_code == 200 and done.json()["reply_document"] == draft["id"]
