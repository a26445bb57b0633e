"""The content-addressed blob store: each content is kept once, under its SHA-256.

Files are written to a temporary name beside the store and renamed into place, so a reader never
sees a half-written blob and a crash leaves at most a temporary file in the store's ``tmp`` folder,
which nothing reads.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import itertools
import mmap
import os
import secrets
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

CHUNK = 1024 * 1024


def root() -> Path:
    return Path(settings.BLOB_DIR)


_made: set[Path] = set()  # folders known to exist (not asked of the disk for every file)


def _make(folder: Path) -> Path:
    """Make a folder once per process (if it is removed meanwhile, its users make it again)."""
    if folder not in _made:
        folder.mkdir(parents=True, exist_ok=True)
        _made.add(folder)
    return folder


def temp_dir() -> Path:
    return _make(root() / "tmp")


# Temporary names: this process's random prefix and a serial number (no call to the system's random
# source for each file); O_EXCL still refuses a name that exists.
_PREFIX = secrets.token_hex(8)
_serial = itertools.count(1)


def _new_prefix() -> None:
    global _PREFIX
    _PREFIX = secrets.token_hex(8)


os.register_at_fork(after_in_child=_new_prefix)  # a forked web worker names its files apart


def _create(flags: int) -> tuple[Path, int]:
    """A new temporary file, opened for writing with ``flags``; its folder made again if it went away
    meanwhile. It is read-only from the start (the open file stays writable): kept as it is."""
    for attempt in (1, 2):
        path = temp_dir() / f"up-{_PREFIX}-{next(_serial)}"
        try:
            return path, os.open(path, flags | os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o440)
        except FileNotFoundError:
            _made.discard(path.parent)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


_HEX = frozenset("0123456789abcdef")


def is_sha256(name: str) -> bool:
    return len(name) == 64 and _HEX.issuperset(name)


def blob_path(sha256: str) -> Path:
    """Where a content is kept: one level of 256 folders by its first two hex digits (``ab/ab12...``).

    Until 2026-12 it was two levels (``ab/12/ab12...``): 65,536 folders, so the first tens of thousands
    of contents each made a folder of their own, an inode and a block each. On a filesystem that checks a
    new inode against recently deleted ones (ext4 without a journal), making one was measured at up to
    0.7 ms of the kernel's time. A store of a million contents holds about 4,000 in a folder, which ext4's
    and XFS's indexed folders look up as fast. ``relayout`` moves a store kept the old way (migration
    ``documents.0013``); an archive of the old layout restores (``ops/backup.py``: by the file's name)."""
    if not is_sha256(sha256):
        raise ValueError("not a SHA-256 hex digest")
    return root() / sha256[:2] / sha256


def relayout(store: Path, *, levels: int) -> int:
    """Move every content of a store into ``levels`` (1, today's; 2, before 2026-12) of folders, the
    folders left empty removed; return how many were moved. Safe to run again after an interruption
    (a content found at both places is the same content: the one not in place is dropped)."""
    moved = 0
    if not store.is_dir():
        return 0
    for folder in sorted(store.glob("[0-9a-f][0-9a-f]")):
        for path in [*folder.glob("*"), *folder.glob("[0-9a-f][0-9a-f]/*")]:
            if not (is_sha256(path.name) and path.name.startswith(folder.name) and path.is_file()):
                continue
            sha = path.name
            target = store / sha[:2] / sha if levels == 1 else store / sha[:2] / sha[2:4] / sha
            if path == target:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                path.unlink()
            else:
                os.replace(path, target)
            moved += 1
        for sub in folder.glob("[0-9a-f][0-9a-f]"):
            with contextlib.suppress(OSError):  # a folder that still holds something stays
                sub.rmdir()
    return moved


def new_temp() -> tuple[Path, BinaryIO]:
    path, fd = _create(0)
    return path, os.fdopen(fd, "wb")


# Content held whole in memory (a mail's attachment, a generated PDF) from this size on is written to
# its temporary file around the page cache (O_DIRECT): copying a new 1 MB file into the page cache cost
# 1.0-2.3 ms of the kernel's time on the small virtual servers measured (fresh pages for every new
# file), written directly 0.24-0.44 ms. The file is read again later by the worker, from the disk.
DIRECT_MIN = 256 * 1024
_ALIGN = 4096  # the block size direct writes must keep to (a multiple of 512-byte sectors too)
DIRECT_BUFFER = 8 * CHUNK  # a thread's buffer grows to hold a content up to this size whole
_DIRECT = getattr(os, "O_DIRECT", 0)
_direct_refused: set[str] = set()  # stores whose filesystem refused direct writes (some network ones)
_buffers = threading.local()


def write_temp(data: bytes | memoryview) -> Path:
    """A new temporary file holding ``data`` (written whole; removed again if writing fails)."""
    if len(data) >= DIRECT_MIN and _DIRECT and str(root()) not in _direct_refused:
        path = None
        try:
            path, fd = _create(_DIRECT)
            _write_direct(fd, data)
            return path
        except BaseException as exc:
            if path is not None:
                path.unlink(missing_ok=True)
            if not isinstance(exc, OSError) or exc.errno != errno.EINVAL:
                raise
            _direct_refused.add(str(root()))  # this filesystem takes no direct writes: written as usual
    path, fd = _create(0)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _write_direct(fd: int, data: bytes | memoryview) -> None:
    """Write the whole blocks of ``data`` through a page-aligned buffer of this thread's (one write for
    a content up to ``DIRECT_BUFFER``), then the last partial block through the page cache (direct
    writes cleared on the descriptor): cutting a padded file back to its size made the kernel read the
    last block again from the disk. Closes ``fd``."""
    try:
        with memoryview(data).cast("B") as view:
            whole = len(view) - len(view) % _ALIGN
            if whole:
                buffer = _buffer(min(whole, DIRECT_BUFFER))
                with memoryview(buffer) as out:
                    for start in range(0, whole, len(buffer)):
                        piece = view[start : min(whole, start + len(buffer))]
                        out[: len(piece)] = piece
                        if os.write(fd, out[: len(piece)]) != len(piece):
                            raise OSError(errno.ENOSPC, "short direct write")
            if whole < len(view):
                fcntl.fcntl(fd, fcntl.F_SETFL, 0)  # of the flags F_SETFL sets, only O_DIRECT was on
                if os.write(fd, view[whole:]) != len(view) - whole:
                    raise OSError(errno.ENOSPC, "short write")
    except BaseException:
        os.close(fd)
        raise
    os.close(fd)


def _buffer(size: int) -> mmap.mmap:
    """This thread's page-aligned buffer (anonymous memory), at least ``size`` bytes, kept for its next
    file."""
    buffer: mmap.mmap | None = getattr(_buffers, "buffer", None)
    if buffer is None or len(buffer) < size:
        if buffer is not None:
            buffer.close()
        buffer = _buffers.buffer = mmap.mmap(-1, -(-size // CHUNK) * CHUNK)
    return buffer


def commit_temp(temp: Path, sha256: str) -> Path:
    """Move a fully written temporary file into place (or drop it if the content is already kept)."""
    final = blob_path(sha256)
    if final.exists():
        temp.unlink(missing_ok=True)
        return final
    try:
        os.replace(temp, final)
    except FileNotFoundError:  # its folder is not there yet (``make_room`` makes it ahead)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, final)
    return final


def make_room(sha256: str) -> None:
    """Make the folder a content will be kept in, ahead of ``commit_temp`` (by a thread that is not the
    one committing: an empty folder is harmless if the content is never kept)."""
    _make(blob_path(sha256).parent)


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
