"""Real congvan nodes for the exchange tests: each its own processes, database and files on 127.0.0.1.

A node is a web server (``congvan serve --no-worker``) and an outbox sender (``congvan exchange
send``), started from the repository's own command with its own ``CONGVAN_*`` settings. Tests drive
the nodes through their REST API, as the users would, and kill or restart their processes.
"""

from __future__ import annotations

import json
import os
import secrets
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from congvan.lib.pdfgen import simple_pdf
from congvan.lib.tests.migrated import SQLITE_FILE, copy_sqlite, postgres_copy

# The node's console: Django set up once, then code read from stdin ("<bytes>\n<code>") is run and its
# output written back ("<ok> <bytes>\n<output>"); the database connections are closed after each piece.
CONSOLE = r"""
import contextlib, io, os, sys, traceback
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congvan.settings")
import django
django.setup()
from django.core.management import call_command
from django.db import connections
source, sink = sys.stdin.buffer, sys.stdout.buffer
while True:
    head = source.readline()
    if not head:
        break
    code = source.read(int(head)).decode()
    out, ok = io.StringIO(), 1
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            exec(compile(code, "<node>", "exec"), {"__name__": "__console__", "call_command": call_command})
    except BaseException:  # a command's SystemExit too: the console goes on
        ok = 0
        out.write(traceback.format_exc())
    finally:
        connections.close_all()
    data = out.getvalue().encode()
    sink.write(b"%d %d\n" % (ok, len(data)) + data)
    sink.flush()
"""

SEED = """
import datetime as dt, json
from congvan.orgs.actions import do_create_unit, do_create_membership, do_issue_token
from congvan.orgs.models import User
from congvan.registers.actions import do_create_term
units = json.loads({units!r})
for u in units:
    unit = do_create_unit(code=u["code"], name=u["name"], abbreviation=u["abbr"], kind=u["kind"],
                          parent_code=None, place="Tiền Giang", actor=None)
    do_create_term(unit_code=unit.code, name="2025-2030", starts_on=dt.date(2025, 1, 1), actor=None)
tokens = {{}}
for u in units:
    for role in ("clerk", "leader", "specialist"):
        name = u["key"] + "_" + role
        user = User.objects.create_user(username=name, password="correct horse 1", full_name=name)
        do_create_membership(username=name, unit_code=u["code"], role=role, actor=None)
        tokens[name] = do_issue_token(user)
print("TOKENS" + json.dumps(tokens))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class NodeApi:
    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token

    def _call(self, method: str, path: str, body: bytes | None, ctype: str | None) -> tuple[int, Any]:
        url = self.base + "/api/v1" + path
        req = urllib.request.Request(url, data=body, method=method)  # noqa: S310 - 127.0.0.1 only
        req.add_header("Authorization", f"Bearer {self.token}")
        if ctype:
            req.add_header("Content-Type", ctype)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:  # noqa: S310 - 127.0.0.1 only
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def get(self, path: str) -> Any:
        status, data = self._call("GET", path, None, None)
        assert status == 200, (path, status, data)
        return data

    def post(self, path: str, body: Any = None) -> tuple[int, Any]:
        return self._call("POST", path, json.dumps(body or {}).encode(), "application/json")

    def create_draft(self, file: bytes, **metadata: Any) -> int:
        meta = {
            "type": "CV",
            "subject": "V/v trao đổi văn bản giữa các máy chủ",
            "signer_name": "Nguyễn Văn Bình",
            "signer_position": "Bí thư",
            **metadata,
        }
        boundary = "b" + secrets.token_hex(8)
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n'
                + json.dumps(meta, ensure_ascii=False)
                + f"\r\n--{boundary}\r\n"
                'Content-Disposition: form-data; name="file"; filename="van-ban.pdf"\r\n'
                "Content-Type: application/pdf\r\n\r\n"
            ).encode()
            + file
            + f"\r\n--{boundary}--\r\n".encode()
        )
        status, data = self._call("POST", "/documents", body, f"multipart/form-data; boundary={boundary}")
        assert status == 201, data
        return int(data["id"])


class Node:
    """One congvan server: ``key`` names its committee's users (``<key>_clerk`` ...)."""

    def __init__(self, root: Path, key: str, code: str, unit: dict[str, str], database_url: str = "") -> None:
        self.key, self.code, self.unit = key, code, unit
        self.dir = root / key
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "CONGVAN_DATA_DIR": str(self.dir),
            "CONGVAN_DATABASE_URL": database_url,
            "CONGVAN_SECRET_KEY": secrets.token_hex(32),
            "CONGVAN_NODE_CODE": code,
            "CONGVAN_NODE_URL": self.url,
            "CONGVAN_PUBLIC_URL": self.url,
            "CONGVAN_EXCHANGE_RETRY_SECONDS": "1",
            "CONGVAN_EXCHANGE_TIMEOUT": "10",
            "CONGVAN_LOG_LEVEL": "WARNING",
            "CONGVAN_SIGNATURE_ONLINE": "false",
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.web: subprocess.Popen[bytes] | None = None
        self.sender: subprocess.Popen[bytes] | None = None
        self.tokens: dict[str, str] = {}
        self.console: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def run(self, *args: str) -> str:
        """A ``congvan`` command, run in the node's console (its output returned)."""
        return self.shell(f"call_command(*{[args[0].replace('-', '_'), *args[1:]]!r})")

    def shell(self, code: str) -> str:
        """Python run in the node's console: one process per node that has set up Django once and
        runs what it is sent (a ``congvan shell -c`` each time cost two seconds of start-up)."""
        with self._lock:
            if self.console is None or self.console.poll() is not None:
                self.console = subprocess.Popen(
                    [sys.executable, "-c", CONSOLE],
                    env=self.env,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=open(self.dir / "console.log", "ab"),  # noqa: SIM115 - lives with the process
                    start_new_session=True,
                )
            proc = self.console
            assert proc.stdin is not None and proc.stdout is not None
            data = code.encode()
            proc.stdin.write(b"%d\n" % len(data) + data)
            proc.stdin.flush()
            ready, _w, _x = select.select([proc.stdout], [], [], 300)
            head = proc.stdout.readline() if ready else b""
            if not head:
                _stop(proc)
                self.console = None
                log = (self.dir / "console.log").read_text(errors="replace")[-4000:]
                raise AssertionError(f"the console of {self.key} stopped or hung: {log}")
            ok, size = map(int, head.split())
            out = proc.stdout.read(size).decode()
        assert ok, (code[-500:], out[-4000:])
        return out

    def setup(self) -> None:
        """The node's key and certificate, its committee and people (the schema is already there)."""
        init = (
            "from django.core.management import call_command\n"
            f"call_command('exchange', 'init-node', '--code', {self.code!r})\n"
        )
        out = self.shell(init + SEED.format(units=json.dumps([{"key": self.key, **self.unit}])))
        self.tokens = json.loads(out.split("TOKENS", 1)[1])

    def commands(self, *commands: list[str]) -> str:
        """Run several ``congvan`` commands in one process (one start-up instead of one each)."""
        lines = ["from django.core.management import call_command"]
        lines += [f"call_command(*{list(c)!r})" for c in commands]
        return self.shell("\n".join(lines))

    @property
    def cert(self) -> Path:
        return self.dir / "node" / "cert.pem"

    def start(self) -> None:
        self.start_web()
        self.start_sender()

    def start_web(self, *, wait: bool = True) -> None:
        self.web = subprocess.Popen(
            [sys.executable, "-m", "congvan", "serve", "--no-worker", "--bind", f"127.0.0.1:{self.port}"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.dir / "web.log", "ab"),  # noqa: SIM115 - lives with the process
            start_new_session=True,
        )
        if wait:
            self.wait_web()

    def wait_web(self) -> None:
        wait_for(lambda: _answers(self.url), timeout=30, what=f"{self.key} web")

    def start_sender(self) -> None:
        self.sender = subprocess.Popen(
            [sys.executable, "-m", "congvan", "exchange", "send", "--interval", "0.1"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.dir / "sender.log", "ab"),  # noqa: SIM115 - lives with the process
            start_new_session=True,
        )

    def stop_web(self) -> None:
        _stop(self.web)
        self.web = None

    def kill_sender(self) -> None:
        if self.sender is not None and self.sender.poll() is None:
            os.kill(self.sender.pid, signal.SIGKILL)
            self.sender.wait()
        self.sender = None

    def stop(self) -> None:
        _stop(self.sender)
        _stop(self.web)
        _stop(self.console)
        self.console = None

    def api(self, role: str = "clerk") -> NodeApi:
        return NodeApi(self.url, self.tokens[f"{self.key}_{role}"])

    def release(self, to: list[str], *, pdf: bytes | None = None, **metadata: Any) -> int:
        """Draft, submit, approve and release a document from this node's committee; return its id."""
        doc = self.api("specialist").create_draft(pdf or simple_pdf(["Van ban lien thong"]), **metadata)
        assert self.api("specialist").post(f"/documents/{doc}/submit")[0] == 200
        assert self.api("leader").post(f"/documents/{doc}/approve")[0] == 200
        status, data = self.api("clerk").post(f"/documents/{doc}/release", {"recipients": to})
        assert status == 200, data
        return doc

    def deliveries(self, doc: int) -> dict[str, dict[str, Any]]:
        return {d["unit"]: d for d in self.api().get(f"/documents/{doc}")["deliveries"]}

    def inbox(self) -> list[dict[str, Any]]:
        return list(self.api().get("/inbox?view=all")["results"])

    def count(self, model: str, **filters: Any) -> int:
        """How many rows a query finds in this node's own database."""
        app, name = model.split(".")
        code = (
            f"from django.apps import apps; "
            f"print('N=%d' % apps.get_model({app!r}, {name!r}).objects.filter(**{filters!r}).count())"
        )
        return int(self.shell(code).split("N=")[1].split()[0])


def start_cluster(nodes: list[Node], template_url: str = "") -> None:
    """Set up and start nodes: each gets a copy of a migrated schema (``lib/tests/migrated.py``: a
    SQLite file, or a PostgreSQL database made from a migrated one as a template); the rest runs in
    parallel."""
    first = nodes[0]
    postgres = bool(first.env["CONGVAN_DATABASE_URL"])
    if postgres and not all(postgres_copy(n.env["CONGVAN_DATABASE_URL"]) for n in nodes):
        first.run("migrate", "-v", "0")  # no template named: the first node migrates, the others copy it
        for n in nodes[1:]:
            postgres_copy(n.env["CONGVAN_DATABASE_URL"], first.env["CONGVAN_DATABASE_URL"])
    elif not postgres:
        for n in nodes:
            copy_sqlite(n.dir / SQLITE_FILE)
    with ThreadPoolExecutor(len(nodes)) as pool:
        list(pool.map(Node.setup, nodes))


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/exchange/v1/directory", timeout=2):  # noqa: S310
            return True
    except (OSError, urllib.error.URLError):
        return False


def _stop(p: subprocess.Popen[bytes] | None) -> None:
    if p is None or p.poll() is not None:
        return
    os.killpg(p.pid, signal.SIGTERM)
    try:
        p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()


def wait_for(check: Callable[[], Any], *, timeout: float = 30, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.1)


PROBE = """
import json, uuid
from congvan.exchange import edxml, nodesig
from congvan.exchange.models import Peer
from congvan.exchange.routing import multipart, post
from congvan.lib.pdfgen import simple_pdf

peer = Peer.objects.get(code={hop!r})
pdf = simple_pdf(["Van ban thu"])

def message(to, **kw):
    m = edxml.EdxmlMessage(kind="document", sender=edxml.Organ({sender!r}, "Don vi gui"),
        recipients=[edxml.Organ(to, "Don vi nhan")], document_id={sender!r} + ",2026/11/26,9/CV-THU",
        code_number="9", code_notation="CV-THU", subject="V/v thử liên thông", message_id=str(uuid.uuid4()),
        node={node!r}, attachments=[edxml.Attachment("a.pdf", "application/pdf", pdf)])
    for k, v in kw.items():
        setattr(m, k, v)
    return m

def send(xml, node={node!r}):
    status, body = post(peer.url, "/exchange/v1/messages", multipart(xml, []), {{"X-Congvan-Node": node}}, 30)
    if status != 200:
        return {{"http": status}}
    reply = edxml.parse(nodesig.verify(body, peer.certificate).xml)
    return {{"result": reply.result, "code": reply.status_code, "reason": reply.status_description,
             "ack_for": reply.ack_for}}

out = {{}}
good = message({to!r})
signed = nodesig.sign(edxml.write(good))
out["tampered"] = send(signed.replace("thử liên thông".encode(), "thu lien thong".encode()))
out["unsigned"] = send(edxml.write(message({to!r})))
out["unknown_node"] = send(nodesig.sign(edxml.write(message({to!r}))), node="XX")
out["wrong_recipient"] = send(nodesig.sign(edxml.write(message("999.99.99.Z99"))))
out["classified"] = send(nodesig.sign(edxml.write(message({to!r}, confidentiality="secret"))))
out["malformed"] = send(b"<edXML><broken")
out["first"] = send(signed)
out["repeat"] = send(signed)
out["message_id"] = good.message_id
print("PROBE" + json.dumps(out, ensure_ascii=False))
"""


def probe(sender: Node, receiver: Node, to: str) -> dict[str, Any]:
    """Post hand-made messages from ``sender``'s node to ``receiver``: hostile ones, then one twice."""
    code = PROBE.format(hop=receiver.code, sender=sender.unit["code"], node=sender.code, to=to)
    return dict(json.loads(sender.shell(code).split("PROBE", 1)[1]))


def descendants(pid: int) -> list[int]:
    """A process and all its children, grandchildren... (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(parents.get(p, []))
    return out


def peak_rss_mb(pid: int) -> float:
    """The largest resident size a process has had (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak(pid: int) -> None:
    """Start VmHWM again from the current size (Linux: write 5 to clear_refs)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
