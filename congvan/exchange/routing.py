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


def multipart(xml: bytes, manifest: list[ManifestEntry]) -> Body:
    boundary = "congvan-" + secrets.token_hex(16)
    parts: list[tuple[bytes, str | bytes]] = []
    length = 0

    def head(name: str, filename: str, ctype: str) -> bytes:
        return (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n"
        ).encode()

    h = head("message", "message.edxml", "application/xml")
    parts.append((h, xml))
    length += len(h) + len(xml) + 2
    for m in manifest:
        # the name a peer gives is not trusted here either: the part is named by its content id only
        h = head(m.content_id, m.content_id.replace(":", "-"), "application/octet-stream")
        parts.append((h, m.sha256))
        length += len(h) + m.size + 2
    length += len(f"--{boundary}--\r\n")
    return Body(boundary, parts, length)


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
