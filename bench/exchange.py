"""Exchange between two real nodes: 1,000 document messages of 1 MB from one node to the other.

Two congvan nodes run as their own processes (web server + outbox sender, each with its own database
and files) on 127.0.0.1. Node A releases one 1 MB document to 1,000 units hosted by node B: 1,000
signed messages, each verified, stored and acknowledged by B. Printed: throughput and p50/p95 time
from the release's commit to each acknowledgement, then the latency of single messages on an idle
link, beside the baseline: a plain HTTP POST of the same bytes (the same multipart body) from a
process of node A to node B's web server, 1,000 times, in the same run.
Aim (issue "Exchange between servers"): throughput at least 0.5x of the plain POST.

    .venv/bin/python -m bench.exchange [--db postgres] [--quick]
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import p95, parse_args, size

SEED_UNITS = """
from django.utils import timezone
from congvan.orgs.models import Unit
now = timezone.now()
Unit.objects.bulk_create([Unit(code=f"000.{{i:02d}}.{{j:02d}}.B99", name=f"Chi bộ {{i}}-{{j}}",
    abbreviation="CB", kind="grassroots", path=f"/B/{{i}}/{{j}}/", created_at=now)
    for i in range(100) for j in range(100)][:{n}])
"""

TIMES = """
import json
from congvan.exchange.models import OutMessage
from congvan.dispatch.models import Dispatch
rows = list(OutMessage.objects.filter(kind="document", delivery__dispatch__document_id={doc})
            .values_list("acked_at", "state", "result"))
released = Dispatch.objects.get(document_id={doc}).released_at
print("TIMES" + json.dumps({{"released": released.timestamp(), "acks": [a.timestamp() for a, s, r in rows if a],
    "states": [s for a, s, r in rows], "results": [r for a, s, r in rows]}}))
"""

BASELINE = """
import json, time
from congvan.exchange import edxml
from congvan.exchange.models import OutMessage, Peer
from congvan.exchange.routing import multipart, post
out = OutMessage.objects.filter(kind="document").order_by("id").first()
header = out.header.encode()
peer = Peer.objects.get(code={peer!r})
times = []
for _ in range({n}):
    body = multipart(header, edxml.parse(header).manifest)
    start = time.perf_counter()
    status, answer = post(peer.url, "/exchange/v1/echo", body, {{}}, 60)
    times.append(time.perf_counter() - start)
    assert status == 200 and json.loads(answer)["bytes"] == body.length, (status, answer)
print("BASE" + json.dumps({{"times": times, "bytes": body.length}}))
"""


def _pct(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), p95(values)


def main() -> None:
    args = parse_args(__doc__ or "")
    from congvan.exchange.tests.cluster import Node, start_cluster, wait_for
    from congvan.lib.pdfgen import simple_pdf

    n = size(args, 1000, 200, 5)
    singles = size(args, 20, 10, 2)
    root = Path(tempfile.mkdtemp(prefix="congvan-bench-exchange-"))
    urls = {"a": "", "b": ""}
    if args.db == "postgres":
        import psycopg

        server = args.postgres_url.rsplit("/", 1)[0]
        with psycopg.connect(server + "/postgres", autocommit=True) as conn:
            for k in urls:
                conn.execute(f"DROP DATABASE IF EXISTS congvan_bench_node_{k}")
                conn.execute(f"CREATE DATABASE congvan_bench_node_{k}")
                urls[k] = f"{server}/congvan_bench_node_{k}"
    a = Node(
        root,
        "a",
        "GCT",
        {"code": "000.00.01.H57", "name": "Huyện ủy", "abbr": "HU", "kind": "district"},
        urls["a"],
    )
    b = Node(
        root,
        "b",
        "TG",
        {"code": "000.00.00.T58", "name": "Tỉnh ủy", "abbr": "TU", "kind": "province"},
        urls["b"],
    )
    try:
        start_cluster([a, b])
        b.shell(SEED_UNITS.format(n=n))
        a.run("exchange", "add-peer", b.code, "--url", b.url, "--cert", str(b.cert))
        b.run("exchange", "add-peer", a.code, "--url", a.url, "--cert", str(a.cert))
        a.start()
        b.start_web()
        a.run("exchange", "fetch-directory", b.code)
        codes = [f"000.{i:02d}.{j:02d}.B99" for i in range(100) for j in range(100)][:n]
        pdf = simple_pdf(["Van ban lien thong"], padding=1024 * 1024)
        print(f"{n} messages of {len(pdf) / 1e6:.2f} MB, node A -> node B ({args.db}), one release")
        start = time.time()
        doc = a.release(codes, pdf=pdf, subject="V/v thông báo gửi 1.000 chi bộ")
        info: dict[str, Any] = {}

        def done() -> bool:
            info.update(json.loads(a.shell(TIMES.format(doc=doc)).split("TIMES", 1)[1]))
            return len(info["acks"]) == n

        wait_for(done, timeout=3600, what="all acknowledgements")
        latencies = [t - info["released"] for t in info["acks"]]
        total = max(info["acks"]) - info["released"]
        refused = sum(r != "accepted" for r in info["results"])
        p50, p95_ = _pct(latencies)
        ours = n / total
        print(f"  congvan: {ours:.1f} messages/s ({total:.1f} s from commit to the last acknowledgement)")
        print(
            f"  commit -> acknowledgement in the burst: p50 {p50:.2f} s, p95 {p95_:.2f} s; refused: {refused}"
        )
        print(f"  (release through the API, wall: {info['released'] - start:.2f} s before the commit)")
        base = json.loads(a.shell(BASELINE.format(peer=b.code, n=n)).split("BASE", 1)[1])
        b50, b95 = _pct(base["times"])
        theirs = n / sum(base["times"])
        print(
            f"  plain POST of the same {base['bytes'] / 1e6:.2f} MB bodies: {theirs:.1f} /s "
            f"(p50 {b50 * 1000:.1f} ms, p95 {b95 * 1000:.1f} ms)"
        )
        ratio = ours / theirs
        print(
            f"  throughput ratio congvan / plain POST: {ratio:.2f}x (aim >= 0.5x): {'met' if ratio >= 0.5 else 'NOT met'}"
        )
        # Single messages on an idle link: commit -> acknowledgement.
        single = []
        for i in range(singles):
            d = a.release([codes[i]], pdf=pdf, subject=f"V/v văn bản lẻ {i}")

            def acked(d: int = d) -> bool:
                info.update(json.loads(a.shell(TIMES.format(doc=d)).split("TIMES", 1)[1]))
                return len(info["acks"]) == 1

            wait_for(acked, timeout=120)
            single.append(info["acks"][0] - info["released"])
        s50, s95 = _pct(single)
        print(
            f"  one message at a time ({singles}): commit -> acknowledgement p50 {s50 * 1000:.0f} ms, p95 {s95 * 1000:.0f} ms"
        )
    finally:
        a.stop()
        b.stop()


if __name__ == "__main__":
    main()
