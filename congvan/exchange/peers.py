"""Peers and the directory: which node hosts which unit, published and fetched between nodes."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.exchange import nodesig
from congvan.exchange.models import Peer
from congvan.exchange.routing import get
from congvan.lib.errors import InvalidInput, NotFound
from congvan.lib.text import clean_line
from congvan.orgs.actions import do_record_external_unit, hosted_here
from congvan.orgs.models import Unit


def directory() -> list[dict[str, Any]]:
    """The active units this node knows, each with the node that hosts it ("" = this node)."""
    return [
        {
            "code": u.code,
            "name": u.name,
            "abbreviation": u.abbreviation,
            "kind": u.kind,
            "home_node": u.home_node,
        }
        for u in Unit.objects.filter(active=True).order_by("path")
    ]


def fetch_directory(peer_code: str, *, timeout: float = 30) -> int:
    """Fetch a peer's units (checking its signature) and record where each is hosted; return how many."""
    me = nodesig.identity()
    peer = Peer.objects.filter(code=peer_code, active=True).first()
    if peer is None or not peer.url:
        raise NotFound(_("Không có máy chủ %(peer_code)s có địa chỉ") % {"peer_code": peer_code})
    status, body, headers = get(peer.url, "/exchange/v1/directory", timeout)
    if status != 200:
        raise InvalidInput(f"Máy chủ {peer_code} trả lời HTTP {status}")
    signature = {k.lower(): v for k, v in headers.items()}.get("x-congvan-signature", "")
    nodesig.verify_bytes(body, signature, peer.certificate)
    data = json.loads(body)
    count = 0
    with transaction.atomic():
        for entry in data.get("units", []):
            host = entry.get("home_node") or peer.code
            if host == me.code:
                continue  # our own units, as the peer sees them
            if host != peer.code and not Peer.objects.filter(code=host).exists():
                Peer.objects.create(code=host, via=peer)  # reached through this peer
            code = clean_line(str(entry.get("code", "")), field="code", max_length=32, required=True)
            unit = Unit.objects.filter(code=code).first()
            if unit is not None and hosted_here(unit):
                continue  # a unit hosted here is never taken over by a peer's directory
            do_record_external_unit(
                name=str(entry.get("name") or code),
                code=code,
                home_node=host,
                abbreviation=str(entry.get("abbreviation") or ""),
                kind=str(entry.get("kind") or ""),
                active=True,
                update=True,
                actor=None,
            )
            count += 1
        record(
            "exchange.directory_fetched",
            actor=None,
            target_type="peer",
            target_id=peer.code,
            details={"units": count},
        )
    return count
