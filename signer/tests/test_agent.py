"""The agent against a real SoftHSM2 token and real HTTP: it answers only the configured origin with
the pairing code, shows and checks what it signs, and takes the PIN in its own terminal."""

from __future__ import annotations

import base64
import hashlib
import json
import queue
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from typing import Any

import pytest
from asn1crypto import cms
from congvan_signer import softhsm
from congvan_signer.agent import MAX_BODY, Agent, serve
from congvan_signer.token import Token
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

pytestmark = pytest.mark.skipif(not softhsm.available(), reason="SoftHSM2 and OpenSC: scripts/setup --dev")

ORIGIN = "http://127.0.0.1:8000"
PIN = "246810"


@pytest.fixture
def token_env(tmp_path, monkeypatch):
    ca_key, ca = softhsm.self_signed_ca()
    env = softhsm.make_token(
        tmp_path, "LANH-DAO", PIN, lambda pub: softhsm.issue(pub, ca_key, ca, "Lê Văn Bình")
    )
    monkeypatch.setenv("SOFTHSM2_CONF", env["SOFTHSM2_CONF"])
    softhsm.activate()
    return env


@pytest.fixture
def agent(token_env):
    pins: queue.Queue[str] = queue.Queue()
    ag = Agent(
        Token(softhsm.MODULE, "LANH-DAO"), ORIGIN, "ma-ghep-noi", ask=lambda _prompt: pins.get(timeout=10)
    )
    server = serve(ag, 0)
    port = server.server_address[1]
    from congvan_signer.agent import handler_for

    server.RequestHandlerClass = handler_for(ag, port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", pins
    server.shutdown()
    server.server_close()


def call(
    url: str, path: str, body: Any = None, *, headers: dict[str, str] | None = None, raw: bytes | None = None
):
    h = {"Origin": ORIGIN, "X-Congvan-Pairing": "ma-ghep-noi", "Content-Type": "application/json"}
    h.update(headers or {})
    h = {k: v for k, v in h.items() if v is not None}
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(
        url + path, data=data, headers=h, method="POST" if data is not None else "GET"
    )
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, json.loads(r.read()), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}"), dict(e.headers)


def attrs_for(document: bytes) -> tuple[bytes, str]:
    digest = hashlib.sha256(document).digest()
    attrs = cms.CMSAttributes(
        [
            cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
            cms.CMSAttribute({"type": "message_digest", "values": [digest]}),
        ]
    )
    return attrs.dump(), digest.hex()


def test_only_the_configured_origin_with_the_pairing_code(agent):
    url, _pins = agent
    assert call(url, "/certificate", headers={"Origin": None})[0] == 403
    assert call(url, "/certificate", headers={"Origin": "https://evil.example"})[0] == 403
    assert call(url, "/certificate", headers={"X-Congvan-Pairing": "sai"})[0] == 401
    assert call(url, "/certificate", headers={"Host": "evil.example"})[0] == 403
    pre = urllib.request.Request(url + "/sign", method="OPTIONS", headers={"Origin": ORIGIN})
    with urllib.request.urlopen(pre, timeout=5) as r:
        assert r.status == 204 and r.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert "X-Congvan-Pairing" in r.headers["Access-Control-Allow-Headers"]
    status, body, headers = call(url, "/certificate")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == ORIGIN
    cert = x509.load_der_x509_certificate(base64.b64decode(body["certificate"]))
    assert "Lê Văn Bình" in cert.subject.rfc4514_string()


def test_signs_what_it_shows_with_the_pin_typed_in_its_terminal(agent):
    url, pins = agent
    cert = x509.load_der_x509_certificate(base64.b64decode(call(url, "/certificate")[1]["certificate"]))
    to_sign, digest = attrs_for(b"%PDF-1.7 ... byte ranges ...")
    body = {
        "to_sign": base64.b64encode(to_sign).decode(),
        "digest": digest,
        "symbol": "05-KH/HU",
        "subject": "Kế hoạch",
    }
    pins.put(PIN)
    status, out, _ = call(url, "/sign", body)
    assert status == 200, out
    cert.public_key().verify(base64.b64decode(out["signature"]), to_sign, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[call-arg, union-attr]
    pins.put("")
    assert call(url, "/sign", body)[:2] == (403, {"error": "refused", "message": "Người ký đã từ chối"})
    pins.put("000000")
    status, out, _ = call(url, "/sign", body)
    assert status == 409 and "sai mã PIN" in out["message"]
    assert (
        call(url, "/sign", {**body, "digest": "00" * 32})[0] == 400
    )  # not the hash inside: refused unsigned
    assert call(url, "/sign", {**body, "to_sign": base64.b64encode(b"\x31\x00").decode()})[0] == 400
    assert call(url, "/sign", {**body, "to_sign": "không phải base64"})[0] == 400
    assert call(url, "/sign", raw=b"x" * (MAX_BODY + 1))[0] == 413
    assert call(url, "/sign", raw=b"[1, 2]")[0] == 400
    assert pins.empty()


def test_the_command_prints_its_pairing_code_and_reads_the_pin_from_its_terminal(token_env, tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "congvan_signer.agent",
            "--module",
            softhsm.MODULE,
            "--token",
            "LANH-DAO",
            "--origin",
            ORIGIN,
            "--port",
            str(port),
            "--pairing-file",
            str(tmp_path / "pairing"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**token_env, "PYTHONPATH": ":".join(sys.path)},
    )
    try:
        lines = [proc.stdout.readline() for _ in range(2)]  # type: ignore[union-attr]
        code = lines[1].rsplit(":", 1)[1].strip()
        assert code == (tmp_path / "pairing").read_text().strip() and len(code) == 16
        to_sign, digest = attrs_for(b"van ban")
        result: list[Any] = []
        body = {
            "to_sign": base64.b64encode(to_sign).decode(),
            "digest": digest,
            "symbol": "",
            "subject": "Thử",
        }
        t = threading.Thread(
            target=lambda: result.append(
                call(f"http://127.0.0.1:{port}", "/sign", body, headers={"X-Congvan-Pairing": code})
            )
        )
        t.start()
        shown = ""
        while "PIN" not in shown:
            shown += proc.stdout.readline()  # type: ignore[union-attr]
        assert digest in shown and "Thử" in shown
        proc.stdin.write(PIN + "\n")  # type: ignore[union-attr]
        proc.stdin.flush()  # type: ignore[union-attr]
        t.join(20)
        assert result and result[0][0] == 200
    finally:
        proc.terminate()
        proc.wait(10)
