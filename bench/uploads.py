"""Memory and disk of the web worker under large posts nobody signed in to send.

Six parallel 95 MB posts to the exchange endpoint from a node that is not a peer, and six to the login
page as multipart uploads with a made-up CSRF cookie. The worker (gunicorn, one process, eight threads,
as `congvan serve` runs it) is sampled every 20 ms: the figure is its peak RSS growth and the bytes left
in the upload folder, beside the baseline measured in the same run, the same bytes posted to the
exchange's echo endpoint (which reads and drops them). Target (issue 13): at most 50 MB of growth.

    .venv/bin/python -m bench.uploads [--smoke]
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from bench.common import parse_args, size

CHUNK = 256 * 1024
PARALLEL = 6


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int(Path(entry, "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                found.append(int(entry.name))
    return found


def body(total: int, boundary: str, field: str) -> Iterator[bytes]:
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    block = b"%PDF-1.7\n" + b"x" * (CHUNK - 9)
    sent = 0
    while sent < total:
        part = block[: min(CHUNK, total - sent)]
        sent += len(part)
        yield part
    yield f"\r\n--{boundary}--\r\n".encode()


def post(port: int, path: str, total: int, headers: dict[str, str], field: str) -> int:
    boundary = "congvanbench"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    )
    length = len(head.encode()) + total + len(f"\r\n--{boundary}--\r\n")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        conn.putrequest("POST", path)
        for k, v in {
            **headers,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(length),
        }.items():
            conn.putheader(k, v)
        conn.endheaders()
        try:
            for piece in body(total, boundary, field):
                conn.send(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the body was read: the server closed its side
        return conn.getresponse().status
    except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
        return 0
    finally:
        conn.close()


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def round_of(
    port: int, worker: int, path: str, total: int, headers: dict[str, str], field: str, tmp: Path
) -> dict:
    before = rss(worker)
    peak, peak_disk, statuses = before, 0, []
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_disk
        while not done.is_set():
            peak = max(peak, rss(worker))
            peak_disk = max(peak_disk, folder_bytes(tmp))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = time.perf_counter()
    threads = [
        threading.Thread(target=lambda: statuses.append(post(port, path, total, headers, field)))
        for _ in range(PARALLEL)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    return {
        "growth": peak - before,
        "disk_peak": peak_disk,
        "disk_left": folder_bytes(tmp),
        "statuses": sorted(statuses),
        "seconds": elapsed,
    }


def main() -> None:
    args = parse_args(__doc__ or "")
    total = size(args, 95, 20, 2) * 1024 * 1024
    data = Path(tempfile.mkdtemp(prefix="congvan-bench-uploads-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONGVAN_")}
    env.update(CONGVAN_DATA_DIR=str(data), CONGVAN_DATABASE_URL="", CONGVAN_NODE_CODE="BENCH.NODE")
    py = [sys.executable, "-m", "congvan"]
    template = os.environ.get("CONGVAN_BENCH_TEMPLATE")  # a data folder already migrated (the smokes')
    if template:
        shutil.copytree(template, data, dirs_exist_ok=True)
    else:
        subprocess.run([*py, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run(
        [*py, "exchange", "init-node", "--code", "BENCH.NODE"], env=env, check=True, capture_output=True
    )
    port = free_port()
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = subprocess.Popen(
        [
            gunicorn,
            "congvan.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "8",
            "--worker-class",
            "gthread",
            "--timeout",
            "600",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/login/")
                break
            except OSError:
                time.sleep(0.1)
        # Warm the worker (imports, the first request of each endpoint) before measuring.
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        warm.request("GET", "/login/")
        warm.getresponse().read()
        post(port, "/exchange/v1/echo", 1024, {}, "message")
        [worker] = children(server.pid)
        tmp = data / "blobs" / "tmp"
        mb = total / 1024 / 1024
        print(
            f"{PARALLEL} parallel posts of {mb:.0f} MB to a gunicorn worker (8 threads); RSS {rss(worker) / 2**20:.0f} MB at rest"
        )
        rounds = {
            "exchange, unknown node": (
                "/exchange/v1/messages",
                {"X-Congvan-Node": "000.99.99.X99"},
                "message",
            ),
            "login page, made-up CSRF cookie": (
                "/login/",
                {"Cookie": "csrftoken=" + "a" * 32, "X-CSRFToken": "a" * 32},
                "file",
            ),
            "baseline: exchange echo (reads and drops the bytes)": ("/exchange/v1/echo", {}, "message"),
        }
        results = {}
        for label, (path, headers, field) in rounds.items():
            r = results[label] = round_of(port, worker, path, total, headers, field, tmp)
            print(
                f"  {label:52s} worker growth {r['growth'] / 2**20:6.1f} MB, upload folder peak "
                f"{r['disk_peak'] / 2**20:6.1f} MB, left {r['disk_left'] / 2**20:.1f} MB, "
                f"{r['seconds']:.1f} s, answers {r['statuses']}"
            )
        worst = max(results[k]["growth"] for k in list(rounds)[:2]) / 2**20
        print(f"worst growth without sign-in: {worst:.1f} MB (target: at most 50 MB)")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
