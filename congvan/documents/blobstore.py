"""The content-addressed blob store: each content is kept once, under its SHA-256.

Files are written to a temporary name beside the store and renamed into place, so a reader never
sees a half-written blob and a crash leaves at most a temporary file in the store's ``tmp`` folder,
which nothing reads.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

CHUNK = 1024 * 1024


def root() -> Path:
    return Path(settings.BLOB_DIR)


def temp_dir() -> Path:
    path = root() / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def blob_path(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return root() / sha256[:2] / sha256[2:4] / sha256


def new_temp() -> tuple[Path, BinaryIO]:
    path = temp_dir() / f"up-{secrets.token_hex(12)}"
    return path, open(path, "xb")


def commit_temp(temp: Path, sha256: str) -> Path:
    """Move a fully written temporary file into place (or drop it if the content is already kept)."""
    final = blob_path(sha256)
    if final.exists():
        temp.unlink(missing_ok=True)
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(temp, 0o440)
    os.replace(temp, final)
    return final


def put_bytes(data: bytes) -> tuple[str, int]:
    """Store bytes (small content made by the system itself) and return (sha256, size)."""
    return put_chunks([data])


def put_chunks(chunks: Iterable[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    temp, fh = new_temp()
    try:
        with fh:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                fh.write(chunk)
        sha = digest.hexdigest()
        commit_temp(temp, sha)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return sha, size


def open_blob(sha256: str) -> BinaryIO:
    return open(blob_path(sha256), "rb")


def iter_verified(sha256: str) -> Iterator[bytes]:
    """Yield a blob's bytes and fail at the end if they do not hash to its name (invariant 2)."""
    digest = hashlib.sha256()
    with open_blob(sha256) as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            yield chunk
    if digest.hexdigest() != sha256:
        raise OSError(f"blob {sha256} is corrupted")


# No request lives this long (the web server's timeout is 10 minutes): an older temporary file is what a
# crash or a killed worker left behind.
ORPHAN_AGE_SECONDS = 3600


def sweep_temp(older_than: float = ORPHAN_AGE_SECONDS, *, now: float | None = None) -> tuple[int, int]:
    """Remove temporary files older than ``older_than`` seconds; return (files, bytes) removed."""
    import time

    limit = (now if now is not None else time.time()) - older_than
    files = size = 0
    for entry in os.scandir(temp_dir()):
        try:
            st = entry.stat(follow_symlinks=False)
            if entry.is_file(follow_symlinks=False) and st.st_mtime < limit:
                os.unlink(entry.path)
                files, size = files + 1, size + st.st_size
        except FileNotFoundError:  # another process swept it first
            continue
    return files, size
