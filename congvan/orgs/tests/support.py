"""Test helpers shared by every app's tests: an API client per person, and the document loop driven
through the HTTP API only (so a test of any app may use them without importing the apps it drives)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from congvan.lib.pdfgen import simple_pdf
from congvan.orgs.actions import do_create_membership, do_issue_token
from congvan.orgs.models import User

HU, CS1 = "000.00.01.H57", "000.01.01.H57"


class Api:
    """A test client acting as one person (bearer token) for one unit."""

    def __init__(self, user: User, unit: str | None = None) -> None:
        self.user = user
        self.client = Client()
        self.token = do_issue_token(user)
        self.unit = unit

    def headers(self) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.token}"}
        if self.unit:
            h["X-Congvan-Unit"] = self.unit
        return h

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get("/api/v1" + url, params, headers=self.headers())

    def post(self, url: str, body: Any = None) -> Any:
        data = json.dumps(body) if body is not None else ""
        return self.client.post(
            "/api/v1" + url, data, content_type="application/json", headers=self.headers()
        )

    def put(self, url: str, body: Any) -> Any:
        return self.client.put(
            "/api/v1" + url, json.dumps(body), content_type="application/json", headers=self.headers()
        )

    def patch(self, url: str, body: Any) -> Any:
        return self.client.patch(
            "/api/v1" + url, json.dumps(body), content_type="application/json", headers=self.headers()
        )

    def delete(self, url: str) -> Any:
        return self.client.delete("/api/v1" + url, headers=self.headers())

    def multipart(self, url: str, data: dict[str, Any]) -> Any:
        return self.client.post("/api/v1" + url, data, headers=self.headers())

    def create_draft(self, *, file: bytes | None = None, name: str = "van-ban.pdf", **metadata: Any) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        meta = {
            "type": "KH",
            "subject": "Kế hoạch tổ chức hội nghị",
            "signer_name": "Nguyễn Văn Bình",
            "signer_position": "Bí thư",
            "urgency": "normal",
            "confidentiality": "none",
            **metadata,
        }
        pdf = SimpleUploadedFile(
            name, file if file is not None else simple_pdf(["Ke hoach"]), "application/pdf"
        )
        return self.multipart("/documents", {"metadata": json.dumps(meta, ensure_ascii=False), "file": pdf})


def make_user(username: str, full_name: str, unit: str, role: str) -> User:
    user = User.objects.create_user(username=username, password="correct horse 1", full_name=full_name)
    do_create_membership(username=username, unit_code=unit, role=role, actor=None)
    return user


def released(
    api: dict[str, Api], recipients: list[str], *, file: bytes | None = None, **metadata: Any
) -> dict[str, Any]:
    """Draft, submit, approve and release one document from the district; return the release answer."""
    draft = api["carol"].create_draft(file=file, **metadata)
    assert draft.status_code == 201, draft.content
    doc_id = draft.json()["id"]
    submitted = api["carol"].post(f"/documents/{doc_id}/submit")
    assert submitted.status_code == 200, submitted.content
    approved = api["bob"].post(f"/documents/{doc_id}/approve")
    assert approved.status_code == 200, approved.content
    rel = api["alice"].post(f"/documents/{doc_id}/release", {"recipients": recipients})
    assert rel.status_code == 200, rel.content
    return dict(rel.json())


# -- incoming work: an incoming document at the district, and the people who process it --

HU, CS1 = "000.00.01.H57", "000.01.01.H57"


def send_to_hu(api: dict[str, Api], **metadata: Any) -> dict[str, Any]:
    """The State agency releases a document to HU; HU's clerk registers it. Return ids."""
    draft = api["gina"].create_draft(
        type="CV", subject=metadata.pop("subject", "V/v báo cáo chuyển đổi số"), **metadata
    )
    assert draft.status_code == 201, draft.content
    doc_id = draft.json()["id"]
    assert api["gina"].post(f"/documents/{doc_id}/submit").status_code == 200
    assert api["hai"].post(f"/documents/{doc_id}/approve").status_code == 200
    assert api["gina"].post(f"/documents/{doc_id}/release", {"recipients": [HU]}).status_code == 200
    receipt = next(r for r in api["alice"].get("/inbox").json()["results"] if r["document"]["id"] == doc_id)
    assert api["alice"].post(f"/receipts/{receipt['id']}/register").status_code == 200
    return {"document": doc_id, "receipt": receipt["id"]}
