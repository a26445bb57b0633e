"""Fixtures of the exchange tests run in process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from congvan.exchange import nodesig
from congvan.exchange.actions import do_add_peer


@pytest.fixture
def peer(settings: Any, tmp_path: Path, org: Any) -> nodesig.NodeIdentity:
    """This server is node GCT (hosting HU); node XA is a configured peer that sends to it."""
    key, cert = nodesig.make_identity("GCT", tmp_path / "me")
    settings.NODE_CODE, settings.NODE_KEY, settings.NODE_CERT = "GCT", str(key), str(cert)
    xkey, xcert = nodesig.make_identity("XA", tmp_path / "xa")
    do_add_peer("XA", url="http://127.0.0.1:9", certificate=xcert.read_text())
    return nodesig.NodeIdentity("XA", xkey.read_bytes(), xcert.read_bytes())
