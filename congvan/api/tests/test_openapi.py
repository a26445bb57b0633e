"""The OpenAPI document describes the core contract."""

from __future__ import annotations

from django.test import Client


def test_openapi_lists_the_core_contract(db):
    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in (
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/units",
        "/api/v1/users",
        "/api/v1/memberships",
        "/api/v1/documents",
        "/api/v1/documents/{document_id}",
        "/api/v1/documents/{document_id}/submit",
        "/api/v1/documents/{document_id}/approve",
        "/api/v1/documents/{document_id}/reject",
        "/api/v1/documents/{document_id}/release",
        "/api/v1/inbox",
        "/api/v1/receipts/{receipt_id}/register",
        "/api/v1/receipts/{receipt_id}/return",
    ):
        assert path in paths, path
    body = paths["/api/v1/documents"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(body["required"]) == {"metadata", "file"}


def test_unknown_api_path_answers_json(db):
    r = Client().get("/api/v1/nowhere")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
