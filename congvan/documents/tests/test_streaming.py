"""Uploads and downloads stream: a file far larger than the memory used never sits whole in memory."""

from __future__ import annotations

import hashlib
import http.client
import json
import tracemalloc
from urllib.parse import urlparse

import pytest

from congvan.orgs.actions import do_issue_token

pytestmark = pytest.mark.django_db(transaction=True)
SIZE = 150 * 1024 * 1024
CHUNK = 1024 * 1024


def body_parts(boundary: str):
    meta = json.dumps({"type": "KH", "subject": "Tệp lớn"})
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{meta}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="lon.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    yield b"%PDF-1.7\n"
    line = b"%" + b"0" * (CHUNK - 2) + b"\n"
    for _ in range(SIZE // CHUNK - 1):
        yield line
    yield b"%%EOF\n"
    yield f"\r\n--{boundary}--\r\n".encode()


@pytest.mark.once("sqlite")  # OCR, LibreOffice, PDF or file work: the database is not its subject
def test_large_upload_and_download_stream(live_server, people, settings):
    settings.MAX_UPLOAD_BYTES = SIZE + CHUNK
    token = do_issue_token(people["carol"])
    url = urlparse(live_server.url)
    boundary = "streamboundary"
    length = sum(len(p) for p in body_parts(boundary))
    expected, size = hashlib.sha256(), 0
    for p in list(body_parts(boundary))[1:-1]:
        expected.update(p)
        size += len(p)

    tracemalloc.start()
    try:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=300)
        conn.putrequest("POST", "/api/v1/documents")
        conn.putheader("Authorization", f"Bearer {token}")
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Content-Length", str(length))
        conn.endheaders()
        for part in body_parts(boundary):
            conn.send(part)
        resp = conn.getresponse()
        body = json.loads(resp.read())
        assert resp.status == 201, body
        f = body["files"][0]
        assert f["size"] == size and f["sha256"] == expected.hexdigest()

        conn.request("GET", f["url"], headers={"Authorization": f"Bearer {token}"})
        resp = conn.getresponse()
        got = hashlib.sha256()
        while chunk := resp.read(CHUNK):
            got.update(chunk)
        assert resp.status == 200 and got.hexdigest() == f["sha256"]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 32 * 1024 * 1024, f"peak Python memory {peak / 1e6:.0f} MB for a {SIZE / 1e6:.0f} MB file"
