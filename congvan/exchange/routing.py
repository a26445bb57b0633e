"""Which peer a message for a node goes to, and the multipart body that carries it."""

from __future__ import annotations

import http.client
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from congvan.documents import blobstore
from congvan.exchange.edxml import ManifestEntry
from congvan.exchange.models import Peer
from congvan.lib.errors import Conflict

CHUNK = 256 * 1024


class NoRoute(Conflict):
    code = "no_route"


def next_hop(node: str) -> Peer:
    """The peer to hand a message for ``node`` to: the node itself, or the peer that relays for it."""
    peer = Peer.objects.filter(code=node, active=True).select_related("via").first()
    if peer is None:
        raise NoRoute(_("Không có đường tới máy chủ %(node)s") % {"node": node})
    if peer.url:
        return peer
    if peer.via is not None and peer.via.active and peer.via.url:
        return peer.via
    raise NoRoute(_("Máy chủ %(node)s không có địa chỉ và không qua ai") % {"node": node})


@dataclass
class Body:
    """A multipart/form-data body whose length is known before a byte is read (files are streamed)."""

    boundary: str
    parts: list[tuple[bytes, str | bytes]]  # (part header, blob sha256 or literal bytes)
    length: int

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def chunks(self) -> Iterator[bytes]:
        for head, content in self.parts:
            yield head
            if isinstance(content, bytes):
                yield content
            else:
                yield from blobstore.iter_verified(content)
            yield b"\r\n"
        yield f"--{self.boundary}--\r\n".encode()


class _Builder:
    def __init__(self) -> None:
        self.boundary = "congvan-" + secrets.token_hex(16)
        self.parts: list[tuple[bytes, str | bytes]] = []
        self.length = 0

    def add(self, name: str, filename: str, ctype: str, content: str | bytes, size: int) -> None:
        head = (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n"
        ).encode()
        self.parts.append((head, content))
        self.length += len(head) + size + 2

    def body(self) -> Body:
        return Body(self.boundary, self.parts, self.length + len(f"--{self.boundary}--\r\n"))


def multipart(xml: bytes, manifest: list[ManifestEntry]) -> Body:
    b = _Builder()
    b.add("message", "message.edxml", "application/xml", xml, len(xml))
    for m in manifest:
        # the name a peer gives is not trusted here either: the part is named by its content id only
        b.add(m.content_id, m.content_id.replace(":", "-"), "application/octet-stream", m.sha256, m.size)
    return b.body()


def batch_multipart(signed: list[bytes]) -> Body:
    """Several signed messages (``message-0``, ``message-1``...) and each file they list once, named by
    its SHA-256 (``blob-<sha256>``): a release to many units of one server sends its file once."""
    from congvan.exchange.edxml import manifest_of

    b = _Builder()
    files: dict[str, int] = {}
    for i, xml in enumerate(signed):
        b.add(f"message-{i}", f"message-{i}.edxml", "application/xml", xml, len(xml))
        files.update((m.sha256, m.size) for m in manifest_of(xml))
    for sha256, size in files.items():
        b.add(f"blob-{sha256}", f"blob-{sha256[:16]}", "application/octet-stream", sha256, size)
    return b.body()


def post(url: str, path: str, body: Body, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    """POST a streamed body; return (status, response body). Network errors raise OSError."""
    parts = urlsplit(url.rstrip("/") + path)
    conn_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_class(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        conn.putrequest("POST", parts.path)
        conn.putheader("Content-Type", body.content_type)
        conn.putheader("Content-Length", str(body.length))
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.endheaders()
        for chunk in body.chunks():
            conn.send(chunk)
        response = conn.getresponse()
        return response.status, response.read(4 * 1024 * 1024)
    except http.client.HTTPException as exc:
        raise OSError(f"HTTP: {exc}") from exc
    finally:
        conn.close()


def get(url: str, path: str, timeout: float) -> tuple[int, bytes, dict[str, str]]:
    parts = urlsplit(url.rstrip("/") + path)
    conn_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_class(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        conn.request("GET", parts.path)
        response = conn.getresponse()
        return response.status, response.read(16 * 1024 * 1024), dict(response.getheaders())
    except http.client.HTTPException as exc:
        raise OSError(f"HTTP: {exc}") from exc
    finally:
        conn.close()
