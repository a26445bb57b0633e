"""Three real nodes (a province and two districts) exchanging documents through their own processes."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from congvan.exchange.tests.cluster import Node, probe, wait_for

TU, HU1, HU2 = "000.00.00.T58", "000.00.01.H57", "000.00.02.H57"
UNITS = {
    "tu": {"code": TU, "name": "Tỉnh ủy Tiền Giang", "abbr": "TU", "kind": "province"},
    "hu1": {"code": HU1, "name": "Huyện ủy Gò Công Tây", "abbr": "HU", "kind": "district"},
    "hu2": {"code": HU2, "name": "Huyện ủy Chợ Gạo", "abbr": "HU", "kind": "district"},
}
NODES = {"tu": "TG", "hu1": "GCT", "hu2": "CG"}

pytestmark = pytest.mark.cluster


def _database_urls(tmp: Path) -> dict[str, str]:
    """SQLite files, or, when the suite runs on PostgreSQL, a fresh database per node."""
    base = os.environ.get("CONGVAN_TEST_CLUSTER_POSTGRES", "")
    if not base:
        return {k: "" for k in NODES}
    import psycopg

    urls = {}
    with psycopg.connect(base, autocommit=True) as conn:
        for key in NODES:
            name = f"congvan_node_{key}"
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
            urls[key] = base.rsplit("/", 1)[0] + "/" + name
    return urls


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Node]]:
    root = tmp_path_factory.mktemp("cluster")
    urls = _database_urls(root)
    nodes = {k: Node(root, k, NODES[k], UNITS[k], urls[k]) for k in NODES}
    try:
        for n in nodes.values():
            n.setup()
        tu, hu1, hu2 = nodes["tu"], nodes["hu1"], nodes["hu2"]
        # The province reaches both districts; each district reaches only the province.
        for d in (hu1, hu2):
            tu.run("exchange", "add-peer", d.code, "--url", d.url, "--cert", str(d.cert))
            d.run("exchange", "add-peer", tu.code, "--url", tu.url, "--cert", str(tu.cert))
        for n in nodes.values():
            n.start()
        tu.run("exchange", "fetch-directory", hu1.code)
        tu.run("exchange", "fetch-directory", hu2.code)
        hu1.run("exchange", "fetch-directory", tu.code)  # learns HU2 too: reached through the province
        hu2.run("exchange", "fetch-directory", tu.code)
        yield nodes
    finally:
        for n in nodes.values():
            n.stop()


def _arrived(node: Node, doc_subject: str) -> dict[str, Any] | None:
    return next((r for r in node.inbox() if r["document"]["subject"] == doc_subject), None)


def test_delivery_and_status_both_ways(cluster: dict[str, Node]) -> None:
    tu, hu1 = cluster["tu"], cluster["hu1"]
    subject = f"V/v báo cáo lên tỉnh {uuid.uuid4().hex[:6]}"
    doc = hu1.release([TU], subject=subject)
    receipt = wait_for(lambda: _arrived(tu, subject), what="the document at the province")
    assert receipt["state"] == "arrived"
    assert receipt["document"]["symbol"].endswith("-CV/HU") or "/" in receipt["document"]["symbol"]
    d = wait_for(lambda: hu1.deliveries(doc)[TU]["transport"] == "acknowledged" and hu1.deliveries(doc)[TU])
    assert d["state"] == "arrived"
    # The province registers it: the district sees "registered" (status 03) come back.
    status, reg = tu.api().post(f"/receipts/{receipt['id']}/register")
    assert status == 200, reg
    wait_for(lambda: hu1.deliveries(doc)[TU]["state"] == "registered", what="status 03 at the sender")
    # The other way: the province sends to the district, which returns it with a reason.
    subject2 = f"V/v hướng dẫn xuống huyện {uuid.uuid4().hex[:6]}"
    doc2 = tu.release([HU1], subject=subject2)
    r2 = wait_for(lambda: _arrived(hu1, subject2), what="the document at the district")
    assert hu1.api().post(f"/receipts/{r2['id']}/return", {"reason": "Gửi nhầm đơn vị"})[0] == 200
    back = wait_for(lambda: tu.deliveries(doc2)[HU1]["state"] == "returned" and tu.deliveries(doc2)[HU1])
    assert back["note"] == "Gửi nhầm đơn vị"
    # Exactly one copy at each recipient.
    assert sum(r["document"]["subject"] == subject for r in tu.inbox()) == 1


def test_refusals_and_a_repeat(cluster: dict[str, Node]) -> None:
    """Hostile or wrong messages are refused with a signed status 02 and a reason; a repeat is
    answered the same and creates nothing new."""
    tu, hu1 = cluster["tu"], cluster["hu1"]
    before = tu.count("exchange.InMessage")
    got = probe(hu1, tu, TU)
    for case, words in {
        "tampered": "does not verify",
        "unsigned": "not signed",
        "unknown_node": "unknown node",
        "wrong_recipient": "wrong recipient",
        "classified": "classified",
        "malformed": "malformed",
    }.items():
        assert got[case]["result"] == "refused", (case, got[case])
        assert got[case]["code"] == "02", (case, got[case])
        assert words in got[case]["reason"], (case, got[case])
    assert got["first"]["result"] == "accepted" and got["first"]["code"] == "01"
    assert got["repeat"] == got["first"]
    # Only the good message and the classified one (refused but verified) are on record; the
    # unverifiable ones leave nothing; the good one made one receipt.
    assert tu.count("exchange.InMessage") == before + 3
    assert tu.count("exchange.InMessage", message_id=got["message_id"], result="accepted") == 1
    assert tu.count("dispatch.Receipt", document__symbol="9/CV-THU") == 1
