"""REST endpoints for signing keys and for signatures made on the signer's own token."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema, Status

from congvan.api.base import acting, api
from congvan.api.incoming_schemas import Strict
from congvan.api.schemas import ErrorOut
from congvan.lib.errors import InvalidInput
from congvan.signatures import actions as sig
from congvan.signatures.models import SigningKey
from congvan.workflow import actions as wf

ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class KeyOut(Schema):
    id: int
    owner: str
    kind: str
    subject: str
    issuer: str
    serial: str
    not_before: dt.datetime
    not_after: dt.datetime
    pin: str  # env | file | ask | none: where the passphrase comes from (never the value)
    active: bool


def key_out(key: SigningKey) -> dict[str, Any]:
    pin = "env" if key.pin_env else "file" if key.pin_file else "ask" if key.pin_ask else "none"
    return {
        "id": key.pk,
        "owner": key.owner,
        "kind": key.kind,
        "subject": key.subject,
        "issuer": key.issuer,
        "serial": key.serial,
        "not_before": key.not_before,
        "not_after": key.not_after,
        "pin": pin,
        "active": key.active,
    }


def b64(value: str | None, field: str) -> bytes:
    try:
        return base64.b64decode(str(value or ""), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(
            _("%(field)s: cần chuỗi base64") % {"field": field}, code="invalid_base64"
        ) from None


KEY_FORM = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["owner", "kind"],
                    "properties": {
                        "owner": {"type": "string", "description": "user:<username> or unit:<code>"},
                        "kind": {"type": "string", "enum": ["pkcs12", "pkcs11", "agent"]},
                        "pkcs12": {"type": "string", "format": "binary"},
                        "certificate": {"type": "string", "format": "binary"},
                        "image": {"type": "string", "format": "binary"},
                        "passphrase": {"type": "string", "description": "opens the PKCS#12 now; not stored"},
                        "pin_env": {"type": "string"},
                        "pin_file": {"type": "string"},
                        "pin_ask": {"type": "boolean"},
                        "module": {"type": "string"},
                        "token": {"type": "string"},
                        "key_label": {"type": "string"},
                        "position": {"type": "string"},
                    },
                }
            }
        },
        "required": True,
    }
}


@api.post("/signing-keys", response={201: KeyOut, **ERRORS}, tags=["signatures"], openapi_extra=KEY_FORM)
def register_key(request: HttpRequest) -> Any:
    """Register a person's key (PKCS#12 on the server, a server token, or their own token through the
    agent: its certificate) or a unit's seal key; the earlier key of the same owner is retired."""
    who = acting(request)
    key = sig.do_register_signing_key(sig.key_request(request.POST, request.FILES), actor=who)
    return Status(201, key_out(key))


@api.get("/signing-keys", response={200: list[KeyOut], **ERRORS}, tags=["signatures"])
def list_keys(request: HttpRequest, active: bool = True) -> Any:
    """The keys of the people and units the acting admin manages."""
    keys = sig.visible_keys(acting(request))
    if active:
        keys = keys.filter(active=True)
    return [key_out(k) for k in keys.order_by("owner", "-created_at")[:500]]


@api.post("/signing-keys/{key_id}/retire", response={200: KeyOut, **ERRORS}, tags=["signatures"])
def retire_key(request: HttpRequest, key_id: int) -> Any:
    return key_out(sig.do_retire_signing_key(key_id, actor=acting(request)))


class PrepareIn(Strict):
    certificate: str  # base64 DER of the certificate the agent read from the token


class PrepareOut(Schema):
    session: str
    to_sign: str  # base64 DER of the CMS signed attributes: what the token signs (SHA-256 with RSA/ECDSA)
    digest: str  # hex SHA-256 of the document's signed byte ranges (shown by the agent)
    symbol: str
    subject: str
    expires_at: dt.datetime


@api.post("/documents/{document_id}/signing", response={200: PrepareOut, **ERRORS}, tags=["signatures"])
def prepare_signature(request: HttpRequest, document_id: int, body: PrepareIn) -> Any:
    """Prepare a submitted document for the leader's signature on their own token; approve it then
    with ``{"sign": true, "session": ..., "signature": <base64 value from the agent>}``."""
    who = acting(request)
    prepared = wf.do_prepare_approval_signature(
        document_id, certificate=b64(body.certificate, "certificate"), actor=who
    )
    return prepared.payload()
