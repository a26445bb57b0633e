"""An incoming document at the district (HU) from the State agency, registered and ready to direct."""

from __future__ import annotations

from typing import Any

import pytest

from congvan.conftest import Api, make_user

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
