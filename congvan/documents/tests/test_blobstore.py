"""The blob store's temporary folder: what a crash leaves there is swept."""

from __future__ import annotations

import hashlib

import pytest


def test_temporary_files_left_by_a_crash_are_swept(settings, tmp_path):
    import os
    import time

    from congvan.documents import blobstore

    settings.BLOB_DIR = tmp_path
    old, _fh = blobstore.new_temp()
    _fh.write(b"x" * 1000)
    _fh.close()
    hour_ago = time.time() - 2 * 3600
    os.utime(old, (hour_ago, hour_ago))
    fresh, fh = blobstore.new_temp()  # a request still writing this one
    fh.close()
    assert blobstore.sweep_temp() == (1, 1000)
    assert not old.exists() and fresh.exists()


@pytest.mark.parametrize(
    ("path", "field", "size", "held"),
    [
        ("/exchange/v1/batch", "message-3", 10_000, True),
        ("/exchange/v1/messages", "message", 10_000, True),
        ("/exchange/v1/batch", "message-3", 300_000, False),  # too large to hold: a temporary file
        ("/exchange/v1/batch", "blob-ab", 10_000, False),  # a file is always staged on disk
        ("/exchange/v1/messages", "message-3", 10_000, False),
        ("/api/v1/documents", "message", 10_000, False),
    ],
)
def test_small_exchange_message_parts_are_held_in_memory(settings, tmp_path, path, field, size, held):
    """The edXML part of an exchange post is read once and never kept: a small one stays in memory (no
    temporary file written and read back); anything else is staged as a blob upload, whole."""
    from django.test import RequestFactory

    from congvan.documents.uploads import BlobUpload, BlobUploadHandler, HeldPart

    settings.CONGVAN_DATA_DIR = tmp_path
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    handler = BlobUploadHandler(RequestFactory().post(path))
    handler.new_file(field, "m.xml", "application/xml", size)
    for start in range(0, size, 65536):
        handler.receive_data_chunk(data[start : start + 65536], start)
    part = handler.file_complete(size)
    if held:
        assert isinstance(part, HeldPart) and part.data == data and part.size == size
    else:
        assert isinstance(part, BlobUpload) and part.size == size
        assert part.temp.read_bytes() == data and part.sha256 == hashlib.sha256(data).hexdigest()
        part.close()
