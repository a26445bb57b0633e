"""The agent: an HTTP server on 127.0.0.1 that reads the certificate from the token and signs the
CMS signed attributes congvan prepared, after showing them and asking for the PIN in its terminal.

Endpoints (JSON; every request needs the configured ``Origin`` and the ``X-Congvan-Pairing`` code):

- ``GET /certificate`` -> ``{"certificate": base64 DER}``
- ``POST /sign`` ``{"to_sign": base64, "digest": hex, "symbol": str, "subject": str}``
  -> ``{"signature": base64}`` or ``403 {"error": "refused"}`` when the signer leaves the PIN empty.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import getpass
import hmac
import json
import os
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from congvan_signer.attrs import AttrsError, message_digest
from congvan_signer.token import Token, TokenError

MAX_BODY = 64 * 1024


def config_dir() -> Path:
    base = os.environ.get("APPDATA") if os.name == "nt" else os.environ.get("XDG_CONFIG_HOME")
    return Path(base or Path.home() / ".config") / "congvan-signer"


def pairing_code(path: Path | None = None) -> str:
    """The pairing code, made at first start and kept for the next ones (owner-only)."""
    path = path or config_dir() / "pairing"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    code = secrets.token_hex(8)
    path.write_text(code, encoding="utf-8")
    path.chmod(0o600)
    return code


def ask_pin(prompt: str) -> str:
    """The PIN from the agent's own terminal (hidden when it is one); empty means "refuse"."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    print(prompt, flush=True)
    return sys.stdin.readline().strip()


class Agent:
    def __init__(self, token: Token, origin: str, pairing: str, *, ask=ask_pin) -> None:
        self.token = token
        self.origin = origin.rstrip("/")
        self.pairing = pairing
        self.ask = ask
        self.lock = threading.Lock()  # one PIN prompt at a time

    def sign(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            to_sign = base64.b64decode(str(body.get("to_sign", "")), validate=True)
            digest = bytes.fromhex(str(body.get("digest", "")))
            shown = message_digest(to_sign)
        except (binascii.Error, ValueError, AttrsError) as exc:
            return 400, {"error": "bad_request", "message": f"Dữ liệu cần ký không hợp lệ: {exc}"}
        if shown != digest:
            return 400, {"error": "bad_request", "message": "Mã băm không khớp với dữ liệu cần ký"}
        symbol = str(body.get("symbol", ""))[:100] or "(chưa cấp số)"
        subject = str(body.get("subject", ""))[:300]
        with self.lock:
            print("\n== Yêu cầu ký số từ " + self.origin, flush=True)
            print(f"   Văn bản: {symbol} — {subject}", flush=True)
            print(f"   Mã băm SHA-256 của văn bản: {digest.hex()}", flush=True)
            pin = self.ask("   Nhập mã PIN của thiết bị ký (bỏ trống để từ chối): ")
            if not pin:
                print("   Đã từ chối.", flush=True)
                return 403, {"error": "refused", "message": "Người ký đã từ chối"}
            try:
                value = self.token.sign(to_sign, pin)
            except TokenError as exc:
                print(f"   Không ký được: {exc}", flush=True)
                return 409, {"error": "token", "message": str(exc)}
        print("   Đã ký.", flush=True)
        return 200, {"signature": base64.b64encode(value).decode()}


class Handler(BaseHTTPRequestHandler):
    """One request; ``agent`` and ``hosts`` are set by ``handler_for``."""

    server_version = "congvan-signer"
    agent: Agent
    hosts: frozenset[str] = frozenset()

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _cors(self) -> None:
        self.send_header("Access-Control-Allow-Origin", self.agent.origin)
        self.send_header("Vary", "Origin")
        self.send_header("Access-Control-Allow-Methods", "GET, POST")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, X-Congvan-Pairing")
        self.send_header("Access-Control-Allow-Private-Network", "true")

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        if self.headers.get("Origin", "").rstrip("/") == self.agent.origin:
            self._cors()
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _allowed(self, *, preflight: bool = False) -> bool:
        if self.headers.get("Host", "") not in self.hosts:  # a name that rebinds to 127.0.0.1
            self._reply(403, {"error": "host"})
            return False
        if self.headers.get("Origin", "").rstrip("/") != self.agent.origin:
            self._reply(403, {"error": "origin", "message": "Địa chỉ này không được dùng thiết bị ký"})
            return False
        if preflight:
            return True
        given = self.headers.get("X-Congvan-Pairing", "")
        if not hmac.compare_digest(given.encode(), self.agent.pairing.encode()):
            self._reply(401, {"error": "pairing", "message": "Cần mã ghép nối của thiết bị ký"})
            return False
        return True

    def do_OPTIONS(self) -> None:
        if not self._allowed(preflight=True):
            return
        self.send_response(204)
        self._cors()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        if not self._allowed():
            return
        if self.path != "/certificate":
            self._reply(404, {"error": "not_found"})
            return
        try:
            cert = self.agent.token.certificate()
        except TokenError as exc:
            self._reply(409, {"error": "token", "message": str(exc)})
            return
        self._reply(200, {"certificate": base64.b64encode(cert).decode()})

    def _body(self) -> dict[str, Any] | None:
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self._reply(413, {"error": "too_large"})
            return None
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self._reply(400, {"error": "bad_request", "message": "Cần một đối tượng JSON"})
            return None
        return body

    def do_POST(self) -> None:
        if not self._allowed():
            return
        if self.path != "/sign":
            self._reply(404, {"error": "not_found"})
            return
        body = self._body()
        if body is not None:
            self._reply(*self.agent.sign(body))


def handler_for(agent: Agent, port: int) -> type[Handler]:
    hosts = frozenset({f"127.0.0.1:{port}", f"localhost:{port}"})
    return type("BoundHandler", (Handler,), {"agent": agent, "hosts": hosts})


def serve(agent: Agent, port: int) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", port), handler_for(agent, port))
    return server


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="congvan-signer", description="Ký văn bản congvan bằng thiết bị ký của bạn"
    )
    p.add_argument("--module", required=True, help="thư viện PKCS#11 của thiết bị ký (.so / .dll)")
    p.add_argument("--token", default="", help="nhãn (label) của thiết bị ký; bỏ trống: thiết bị đầu tiên")
    p.add_argument("--key-label", default="", help="nhãn của khóa trên thiết bị (bỏ trống: khóa đầu tiên)")
    p.add_argument(
        "--origin", required=True, help="địa chỉ congvan được dùng thiết bị ký, vd https://congvan.tinh.vn"
    )
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--pairing-file", default="", help="nơi giữ mã ghép nối (mặc định trong thư mục cấu hình)")
    args = p.parse_args(argv)
    token = Token(args.module, args.token, args.key_label)
    try:
        token.certificate()
    except TokenError as exc:
        print(f"Không đọc được chứng thư số trên thiết bị ký: {exc}", file=sys.stderr)
        return 2
    pairing = pairing_code(Path(args.pairing_file) if args.pairing_file else None)
    server = serve(Agent(token, args.origin, pairing), args.port)
    print(f"congvan-signer đang chạy trên 127.0.0.1:{args.port} cho {args.origin}", flush=True)
    print(f"Mã ghép nối (nhập một lần trên trang congvan): {pairing}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
