"""congvan backup and restore: one archive holding a consistent snapshot of the database (SQLite's online
backup; ``pg_dump`` of an exported snapshot on PostgreSQL), the files it refers to, the keys and the audit
checkpoints, with a manifest of SHA-256 sums; optionally encrypted (``ops.crypt``).

Layout of the archive (a tar): ``database/congvan.sqlite3`` or ``database/dump.sql``, ``blobs/aa/<sha>``,
``keys/secret_key``, ``keys/audit_key``, ``keys/mail_key`` (when the default one is used),
``node/key.pem``, ``node/cert.pem``, ``trust/...``,
``audit/checkpoints.log``, and ``manifest.json`` last.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from congvan.documents import blobstore
from congvan.documents.models import Blob
from congvan.ops import crypt

FORMAT = "congvan-backup/1"


class BackupError(Exception):
    """A backup or restore that cannot be done, with the reason for the operator."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    files: int
    bytes: int
    blobs: int


def _vendor() -> str:
    return str(connection.vendor)


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = {**os.environ, "PGHOST": str(db.get("HOST") or ""), "PGPORT": str(db.get("PORT") or "")}
    env.update({"PGUSER": str(db.get("USER") or ""), "PGDATABASE": str(db["NAME"])})
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return {k: v for k, v in env.items() if v != ""}


def _snapshot(work: Path) -> tuple[Path, list[str]]:
    """Copy the database as it is at one moment, and list the blobs that copy refers to."""
    if _vendor() == "sqlite":
        dest = work / "congvan.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(dest)
        try:
            connection.connection.backup(target)  # the online backup API: a consistent copy while writing
            shas = [row[0] for row in target.execute("SELECT sha256 FROM documents_blob")]
        finally:
            target.close()
        return dest, shas
    if _vendor() == "postgresql":
        dest = work / "dump.sql"
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            done = subprocess.run(
                ["pg_dump", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", "-f", str(dest)],
                env=_pg_env(),
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()[:500]}")
            shas = list(Blob.objects.values_list("sha256", flat=True))  # the same snapshot's view
        return dest, shas
    raise BackupError(f"no backup for the {_vendor()} database")


def _extra_files() -> Iterator[tuple[str, Path]]:
    """The files beside the database a restored system needs: keys, the node's identity, trust anchors."""
    data = Path(settings.DATA_DIR)
    for name in ("secret_key", "mail_key"):  # mail_key: the default key of the mailbox passwords
        if (data / name).is_file():
            yield f"keys/{name}", data / name
    for arc, setting in (("node/key.pem", settings.NODE_KEY), ("node/cert.pem", settings.NODE_CERT)):
        if Path(setting).is_file():
            yield arc, Path(setting)
    trust = Path(settings.TRUST_DIR)
    if trust.is_dir():
        for path in sorted(trust.rglob("*")):
            if path.is_file():
                yield f"trust/{path.relative_to(trust)}", path


class _Hashing:
    """A reader that hashes what passes through it."""

    def __init__(self, f: BinaryIO) -> None:
        self.f, self.h = f, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.f.read(size)
        self.h.update(data)
        return data


def _add(tar: tarfile.TarFile, arcname: str, path: Path, sums: dict[str, str]) -> int:
    info = tar.gettarinfo(str(path), arcname=arcname)
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    with path.open("rb") as f:
        reader = _Hashing(f)
        tar.addfile(info, reader)
    sums[arcname] = reader.h.hexdigest()
    return info.size


def _add_bytes(tar: tarfile.TarFile, arcname: str, data: bytes, sums: dict[str, str]) -> None:
    import io

    info = tarfile.TarInfo(arcname)
    info.size, info.mode, info.mtime = len(data), 0o600, int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))
    sums[arcname] = hashlib.sha256(data).hexdigest()


def make_backup(out: Path, *, key_file: Path | None = None) -> BackupResult:
    """Write a backup archive to ``out`` (written beside it, then renamed: never a half archive)."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    started = timezone.now()
    checkpoint_file = Path(settings.AUDIT_CHECKPOINT_FILE)
    # Checkpoints first: each one is then at most the snapshot's head, so the restored chain reaches it.
    checkpoints = checkpoint_file.read_bytes() if checkpoint_file.is_file() else b""
    sums: dict[str, str] = {}
    total = 0
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".backup-") as tmp:
        work = Path(tmp)
        db_file, shas = _snapshot(work)
        partial = work / "archive"
        with partial.open("wb") as raw:
            sink: Any = crypt.EncryptingWriter(raw, key_file) if key_file else raw
            with tarfile.open(fileobj=sink, mode="w|") as tar:
                total += _add(tar, f"database/{db_file.name}", db_file, sums)
                for sha in sorted(set(shas)):
                    path = blobstore.blob_path(sha)
                    if not path.is_file():
                        raise BackupError(f"blob {sha} is missing from the store (run congvan fsck)")
                    total += _add(tar, f"blobs/{path.relative_to(blobstore.root()).as_posix()}", path, sums)
                for arcname, path in _extra_files():
                    total += _add(tar, arcname, path, sums)
                _add_bytes(tar, "keys/audit_key", settings.AUDIT_KEY, sums)
                _add_bytes(tar, "audit/checkpoints.log", checkpoints, sums)
                manifest = {
                    "format": FORMAT,
                    "created_at": started.isoformat(),
                    "database": _vendor(),
                    "blobs": len(set(shas)),
                    "sha256": sums,
                }
                _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode(), {})
            if key_file:
                sink.close()
        os.replace(partial, out)
    os.chmod(out, 0o600)
    return BackupResult(out, len(sums), total, len(set(shas)))


# -- restore -----------------------------------------------------------------------------------------


def _database_empty() -> bool:
    tables = connection.introspection.table_names()
    if "django_migrations" not in tables:
        return True
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM django_migrations")
        return bool(cur.fetchone()[0] == 0)


def _store_empty() -> bool:
    root = blobstore.root()
    return not root.exists() or not any(p.is_file() for p in root.glob("??/*"))


def restore_backup(archive: Path, *, key_file: Path | None = None) -> dict[str, Any]:
    """Restore an archive into this installation, whose database and file store must be empty."""
    if not archive.is_file():
        raise BackupError(f"no such file: {archive}")
    if not (_database_empty() and _store_empty()):
        raise BackupError("the database or the file store is not empty: restore only into a new installation")
    with tempfile.TemporaryDirectory(prefix="congvan-restore-") as tmp:
        work = Path(tmp)
        source = archive
        if crypt.is_encrypted(archive):
            if key_file is None:
                raise BackupError("the archive is encrypted: give --key-file")
            source = work / "plain.tar"
            with source.open("wb") as plain:
                try:
                    crypt.decrypt_to(archive, plain, key_file)
                except crypt.BadKey as exc:
                    raise BackupError(str(exc)) from exc
        unpacked = work / "x"
        try:
            with tarfile.open(source, mode="r:") as tar:
                tar.extractall(unpacked, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise BackupError(f"not a readable backup archive: {exc}") from exc
        manifest = _check_manifest(unpacked)
        _restore_database(unpacked, manifest)
        _place_files(unpacked, manifest)
    return manifest


def _check_manifest(root: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError("the archive has no readable manifest") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown archive format {manifest.get('format')!r}")
    for name, digest in manifest["sha256"].items():
        path = root / name
        if not path.is_file():
            raise BackupError(f"{name} is listed in the manifest but missing from the archive")
        h = hashlib.sha256()
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(blobstore.CHUNK), b""):
                h.update(chunk)
        if h.hexdigest() != digest:
            raise BackupError(f"{name} does not match its SHA-256 in the manifest")
        if name.startswith("blobs/") and PurePosixPath(name).name != digest:
            raise BackupError(f"{name} is not named by its content's SHA-256")
    if manifest["database"] != _vendor():
        raise BackupError(
            f"the archive holds a {manifest['database']} database; this installation uses {_vendor()}"
        )
    return manifest


def _restore_database(root: Path, manifest: dict[str, Any]) -> None:
    if _vendor() == "sqlite":
        target = Path(str(connection.settings_dict["NAME"]))
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(root / "database" / "congvan.sqlite3", target)
        return
    done = subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(root / "database" / "dump.sql")],
        env=_pg_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"psql failed: {done.stderr.strip()[:500]}")


def _place_files(root: Path, manifest: dict[str, Any]) -> None:
    data = Path(settings.DATA_DIR)
    places = {
        "keys/secret_key": data / "secret_key",
        "keys/audit_key": data / "audit_key",
        "keys/mail_key": data / "mail_key",
        "audit/checkpoints.log": Path(settings.AUDIT_CHECKPOINT_FILE),
        "node/key.pem": Path(settings.NODE_KEY),
        "node/cert.pem": Path(settings.NODE_CERT),
    }
    for name in manifest["sha256"]:
        src = root / name
        if name.startswith("blobs/"):
            # by the content's name, wherever the archive kept it (``blobs/aa/bb/<sha>`` before 2026-12)
            dest = blobstore.blob_path(PurePosixPath(name).name)
        elif name.startswith("trust/"):
            dest = Path(settings.TRUST_DIR) / name.removeprefix("trust/")
        elif name in places:
            dest = places[name]
        else:
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        os.chmod(dest, 0o440 if name.startswith("blobs/") else 0o600)
