"""Shared test fixtures: a small hierarchy with named people, and an API client per person."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from congvan.documents.doctypes import load_document_types
from congvan.documents.models import DocumentType
from congvan.lib.pdfgen import simple_pdf
from congvan.orgs.actions import do_create_membership, do_create_unit, do_issue_token
from congvan.orgs.models import Unit, User
from congvan.registers.models import CommitteeTerm

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.BLOB_DIR = tmp_path_factory.mktemp("blobs")


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


@pytest.fixture
def org(db: None) -> dict[str, Unit]:
    """Province TU > district HU > boards and four grassroots cells; a State agency beside them."""
    # Data from migrations is gone after a transactional test flushed the tables: load it again.
    load_document_types(DocumentType)
    units = {
        "tu": do_create_unit(
            code="000.00.00.T58",
            name="Tỉnh ủy Tiền Giang",
            abbreviation="TU",
            kind="province",
            parent_code=None,
            place="Tiền Giang",
            actor=None,
        ),
    }
    units["hu"] = do_create_unit(
        code="000.00.01.H57",
        name="Huyện ủy Gò Công Tây",
        abbreviation="HU",
        kind="district",
        parent_code="000.00.00.T58",
        place="Gò Công Tây",
        actor=None,
    )
    for i in range(1, 5):
        units[f"cs{i}"] = do_create_unit(
            code=f"000.01.{i:02d}.H57",
            name=f"Đảng ủy xã {i}",
            abbreviation="ĐU",
            kind="grassroots",
            parent_code="000.00.01.H57",
            actor=None,
        )
    units["ubnd"] = do_create_unit(
        code="000.00.02.H57",
        name="Ủy ban nhân dân huyện Gò Công Tây",
        abbreviation="UBND",
        kind="agency",
        sector="state",
        parent_code="000.00.00.T58",
        actor=None,
    )
    for key in ("tu", "hu", "cs1", "cs2", "cs3", "cs4"):
        CommitteeTerm.objects.create(unit=units[key], name="2025-2030", starts_on=dt.date(2025, 1, 1))
    return units


@pytest.fixture
def people(org: dict[str, Unit]) -> dict[str, User]:
    return {
        "alice": make_user("alice", "Trần Thị An", "000.00.01.H57", "clerk"),
        "bob": make_user("bob", "Lê Văn Bình", "000.00.01.H57", "leader"),
        "carol": make_user("carol", "Phạm Thị Cúc", "000.00.01.H57", "specialist"),
        "dan": make_user("dan", "Võ Văn Dân", "000.01.01.H57", "clerk"),
        "erin": make_user("erin", "Ngô Thị Em", "000.01.02.H57", "clerk"),
        "frank": make_user("frank", "Đỗ Văn Phong", "000.00.01.H57", "auditor"),
        "gina": make_user("gina", "Huỳnh Thị Giang", "000.00.02.H57", "clerk"),
        "hai": make_user("hai", "Mai Văn Hải", "000.00.02.H57", "leader"),
        "root": _superuser(),
    }


def _superuser() -> User:
    user = User.objects.create_user(
        username="root", password="correct horse 1", full_name="Quản trị", is_superuser=True
    )
    do_create_membership(username="root", unit_code="000.00.00.T58", role="admin", actor=None)
    return user


@pytest.fixture
def api(people: dict[str, User]) -> Iterator[dict[str, Api]]:
    yield {name: Api(user) for name, user in people.items()}


def released(
    api: dict[str, Api], recipients: list[str], *, file: bytes | None = None, **metadata: Any
) -> dict[str, Any]:
    """Draft, submit, approve and release one document from the district; return the release answer."""
    draft = api["carol"].create_draft(file=file, **metadata)
    assert draft.status_code == 201, draft.content
    doc_id = draft.json()["id"]
    assert api["carol"].post(f"/documents/{doc_id}/submit").status_code == 200
    assert api["bob"].post(f"/documents/{doc_id}/approve").status_code == 200
    rel = api["alice"].post(f"/documents/{doc_id}/release", {"recipients": recipients})
    assert rel.status_code == 200, rel.content
    return dict(rel.json())


# -- incoming work: an incoming document at the district, and the people who process it --

HU, CS1 = "000.00.01.H57", "000.01.01.H57"


@pytest.fixture
def crew(api: dict[str, Api], org: Any) -> dict[str, Api]:
    """The API clients plus a second HU specialist and the head and a member of sub-unit CS1."""
    api["vy"] = Api(make_user("vy", "Lý Thị Vy", HU, "specialist"))
    api["ly"] = Api(make_user("ly", "Lý Văn Lực", CS1, "leader"))
    api["son"] = Api(make_user("son", "Trần Văn Sơn", CS1, "specialist"))
    return api


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


@pytest.fixture
def incoming_doc(crew: dict[str, Api]) -> dict[str, Any]:
    return send_to_hu(crew)


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Run the browser tests last: Playwright's sync API keeps an event loop running in the main thread
    for the rest of the session, and pyHanko (signatures) calls asyncio.run() itself."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
