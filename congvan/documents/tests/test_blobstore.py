"""The blob store's temporary folder: what a crash leaves there is swept."""

from __future__ import annotations


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
