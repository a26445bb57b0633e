"""Three real nodes (a province and two districts) exchanging documents through their own processes."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from congvan.exchange.tests.cluster import (
    Node,
    descendants,
    peak_rss_mb,
    probe,
    reset_peak,
    start_cluster,
    wait_for,
)
from congvan.lib.pdfgen import simple_pdf

TU, HU1, HU2 = "000.00.00.T58", "000.00.01.H57", "000.00.02.H57"
UNITS = {
    "tu": {"code": TU, "name": "Tỉnh ủy Tiền Giang", "abbr": "TU", "kind": "province"},
    "hu1": {"code": HU1, "name": "Huyện ủy Gò Công Tây", "abbr": "HU", "kind": "district"},
    "hu2": {"code": HU2, "name": "Huyện ủy Chợ Gạo", "abbr": "HU", "kind": "district"},
}
NODES = {"tu": "TG", "hu1": "GCT", "hu2": "CG"}

pytestmark = [pytest.mark.cluster, pytest.mark.once("postgres")]  # nodes on PostgreSQL: the scaled shape


def _database_urls(tmp: Path) -> dict[str, str]:
    """SQLite files, or, when the suite runs on PostgreSQL, a fresh database per node."""
    base = os.environ.get("CONGVAN_TEST_CLUSTER_POSTGRES", "")
    if not base:
        return {k: "" for k in NODES}
    import psycopg

    urls = {}
    server = base.rsplit("/", 1)[0]
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        for key in NODES:
            name = f"congvan_node_{key}"
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
            urls[key] = f"{server}/{name}"
    return urls


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Node]]:
    root = tmp_path_factory.mktemp("cluster")
    urls = _database_urls(root)
    nodes = {k: Node(root, k, NODES[k], UNITS[k], urls[k]) for k in NODES}
    try:
        start_cluster(list(nodes.values()))
        tu, hu1, hu2 = nodes["tu"], nodes["hu1"], nodes["hu2"]
        # The province reaches both districts; each district reaches only the province.
        peer = "exchange", "add-peer"
        tu.commands(*[[*peer, d.code, "--url", d.url, "--cert", str(d.cert)] for d in (hu1, hu2)])
        for d in (hu1, hu2):
            d.commands([*peer, tu.code, "--url", tu.url, "--cert", str(tu.cert)])
        for n in nodes.values():
            n.start_web(wait=False)
            n.start_sender()
        for n in nodes.values():
            n.wait_web()
        fetch = "exchange", "fetch-directory"
        tu.commands([*fetch, hu1.code], [*fetch, hu2.code])
        for d in (hu1, hu2):  # each district learns the other too: reached through the province
            d.commands([*fetch, tu.code])
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
        "tampered": "Chữ ký của máy chủ gửi không hợp lệ",
        "unsigned": "không có chữ ký",
        "unknown_node": "không được biết",
        "wrong_recipient": "không ở máy chủ này",
        "classified": "mật",
        "malformed": "không đọc được",
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


def test_relay_through_the_province(cluster: dict[str, Node]) -> None:
    """District 1 reaches district 2 only through the province; the status comes back the same way."""
    tu, hu1, hu2 = cluster["tu"], cluster["hu1"], cluster["hu2"]
    subject = f"V/v phối hợp giữa hai huyện {uuid.uuid4().hex[:6]}"
    doc = hu1.release([HU2], subject=subject)
    receipt = wait_for(lambda: _arrived(hu2, subject), what="the document at district 2")
    wait_for(
        lambda: hu1.deliveries(doc)[HU2]["transport"] == "acknowledged", what="arrival back at district 1"
    )
    assert hu2.api().post(f"/receipts/{receipt['id']}/register")[0] == 200
    wait_for(lambda: hu1.deliveries(doc)[HU2]["state"] == "registered", what="status 03 through the province")
    assert not _arrived(tu, subject)  # the province passed it on, it did not keep it in an inbox
    assert sum(r["document"]["subject"] == subject for r in hu2.inbox()) == 1


def test_peer_down_then_up_delivers_once(cluster: dict[str, Node]) -> None:
    tu, hu1 = cluster["tu"], cluster["hu1"]
    tu.stop_web()
    try:
        subject = f"V/v gửi khi tỉnh mất kết nối {uuid.uuid4().hex[:6]}"
        doc = hu1.release([TU], subject=subject)
        wait_for(
            lambda: hu1.count("exchange.OutMessage", delivery__dispatch__document_id=doc, attempts__gte=2),
            what="failed attempts while the province is down",
        )
        assert hu1.deliveries(doc)[TU]["transport"] == "queued"
    finally:
        tu.start_web()
    wait_for(lambda: _arrived(tu, subject), timeout=60, what="delivery after the province is back")
    wait_for(lambda: hu1.deliveries(doc)[TU]["transport"] == "acknowledged")
    assert sum(r["document"]["subject"] == subject for r in tu.inbox()) == 1


def test_sender_killed_mid_send_delivers_once(cluster: dict[str, Node]) -> None:
    """SIGKILL the district's sender while a large document is on the wire; after a restart the
    document arrives exactly once."""
    tu, hu1 = cluster["tu"], cluster["hu1"]
    temp = tu.dir / "blobs" / "tmp"
    temp.mkdir(parents=True, exist_ok=True)
    before = set(temp.iterdir())
    hu1.kill_sender()
    subject = f"V/v văn bản lớn {uuid.uuid4().hex[:6]}"
    big = simple_pdf(["Van ban lon"], padding=60 * 1024 * 1024)
    doc = hu1.release([TU], pdf=big, subject=subject)
    hu1.start_sender()
    wait_for(lambda: set(temp.iterdir()) - before, timeout=60, what="the upload under way at the province")
    hu1.kill_sender()
    assert not _arrived(tu, subject)
    hu1.start_sender()
    receipt = wait_for(lambda: _arrived(tu, subject), timeout=90, what="delivery after the restart")
    wait_for(lambda: hu1.deliveries(doc)[TU]["transport"] == "acknowledged", timeout=30)
    assert sum(r["document"]["subject"] == subject for r in tu.inbox()) == 1
    files = tu.api().get(f"/documents/{receipt['document']['id']}")["files"]
    sent = hu1.api().get(f"/documents/{doc}")["files"]
    assert files[0]["size"] == sent[0]["size"] > len(big)  # the number written into it at release


def test_revoke_racing_its_document(cluster: dict[str, Node]) -> None:
    """Recalled while the province is unreachable: the recall never overtakes the document, and in
    the end the province's inbox does not have it and the district sees it recalled."""
    tu, hu1 = cluster["tu"], cluster["hu1"]
    tu.stop_web()
    try:
        subject = f"V/v văn bản thu hồi {uuid.uuid4().hex[:6]}"
        doc = hu1.release([TU], subject=subject)
        wait_for(
            lambda: hu1.count("exchange.OutMessage", delivery__dispatch__document_id=doc, attempts__gte=1)
        )
        status, data = hu1.api().post(f"/documents/{doc}/revoke", {"reason": "Ban hành nhầm"})
        assert status == 200, data
    finally:
        tu.start_web()
    wait_for(lambda: hu1.deliveries(doc)[TU]["state"] == "revoked", timeout=60, what="the recall confirmed")
    assert not _arrived(tu, subject)
    # A recall sent before its document was ever tried is simply not sent, nor the document.
    subject2 = f"V/v thu hồi trước khi gửi {uuid.uuid4().hex[:6]}"
    hu1.kill_sender()
    doc2 = hu1.release([TU], subject=subject2)
    assert hu1.api().post(f"/documents/{doc2}/revoke", {"reason": "Nhầm"})[0] == 200
    hu1.start_sender()
    wait_for(lambda: hu1.deliveries(doc2)[TU]["state"] == "revoked", timeout=30)
    assert not _arrived(tu, subject2)


def test_a_100_mb_document_streams(cluster: dict[str, Node]) -> None:
    """A 100 MB document goes from node to node without either side holding it in memory."""
    tu, hu1 = cluster["tu"], cluster["hu1"]
    big = simple_pdf(["Van ban rat lon"], padding=99 * 1024 * 1024)  # 103.8 MB (decimal)
    assert len(big) > 100_000_000
    subject = f"V/v hồ sơ 100 MB {uuid.uuid4().hex[:6]}"
    assert hu1.sender is not None and tu.web is not None
    hu1.release([TU], subject=f"V/v khởi động {uuid.uuid4().hex[:6]}")  # the sender is warm and idle
    wait_for(lambda: not hu1.count("exchange.OutMessage", state__in=["queued", "sending"]))
    sender, receivers = hu1.sender.pid, descendants(tu.web.pid)
    for pid in [sender, *receivers]:
        reset_peak(pid)
    before = {pid: peak_rss_mb(pid) for pid in [sender, *receivers]}
    doc = hu1.release([TU], pdf=big, subject=subject)
    del big
    receipt = wait_for(lambda: _arrived(tu, subject), timeout=120, what="the 100 MB document")
    wait_for(lambda: hu1.deliveries(doc)[TU]["transport"] == "acknowledged", timeout=30)
    growth = {pid: peak_rss_mb(pid) - before[pid] for pid in before}
    assert max(growth.values()) < 40, growth  # a whole copy would be > 100 MB
    files = tu.api().get(f"/documents/{receipt['document']['id']}")["files"]
    assert files[0]["size"] > 100_000_000


def test_a_replacement_across_servers(cluster: dict[str, Node]) -> None:
    tu, hu1 = cluster["tu"], cluster["hu1"]
    subject = f"V/v kế hoạch ban đầu {uuid.uuid4().hex[:6]}"
    first = hu1.release([TU], subject=subject)
    wait_for(lambda: _arrived(tu, subject), what="the first version")
    subject2 = f"V/v kế hoạch thay thế {uuid.uuid4().hex[:6]}"
    hu1.release([TU], subject=subject2, replaces=first)
    wait_for(lambda: _arrived(tu, subject2), what="the replacement")
    assert not _arrived(tu, subject)  # the earlier one left the province's inbox
