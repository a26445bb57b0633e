"""Backup while documents are being written, restore into a new installation (SQLite or PostgreSQL, as
the pass runs), and the file check; each restore runs as the operator would, in its own process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from congvan.documents import blobstore
from congvan.documents.models import Blob, DocumentFile
from congvan.lib.pdfgen import simple_pdf
from congvan.ops.actions import do_restore_backup
from congvan.ops.backup import BackupError, make_backup
from congvan.ops.models import OpsRun

pytestmark = pytest.mark.django_db(transaction=True)


def congvan(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "congvan", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


class Installation:
    """A second installation: its own data directory and an empty database of the same kind."""

    def __init__(self, root: Path) -> None:
        self.data = root / "restored"
        self.db_name = ""
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONGVAN_")}
        env["CONGVAN_DATA_DIR"] = str(self.data)
        if connection.vendor == "postgresql":
            s = connection.settings_dict
            self.db_name = f"congvan_restore_{uuid.uuid4().hex[:10]}"
            with connection.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{self.db_name}"')
            auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
            env["CONGVAN_DATABASE_URL"] = (
                f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{self.db_name}"
            )
        self.env = env

    def drop(self) -> None:
        if self.db_name:
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    [self.db_name],
                )
                cur.execute(f'DROP DATABASE IF EXISTS "{self.db_name}"')


@pytest.fixture
def other(tmp_path):
    inst = Installation(tmp_path)
    yield inst
    inst.drop()


def test_a_backup_taken_during_writes_restores_to_a_sound_system(api, other, tmp_path):
    clerk = api["alice"]
    for i in range(3):
        assert clerk.create_draft(file=simple_pdf([f"Truoc sao luu {i}"])).status_code == 201
    stop, errors = threading.Event(), []

    def keep_writing() -> None:
        from django.db import connection as thread_connection

        try:
            n = 0
            while not stop.is_set() and n < 40:
                r = clerk.create_draft(file=simple_pdf([f"Trong khi sao luu {n}"]))
                assert r.status_code == 201, r.content
                n += 1
        except Exception as exc:
            errors.append(exc)
        finally:
            thread_connection.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        result = make_backup(tmp_path / "out" / "congvan.tar")
    finally:
        stop.set()
        writer.join()
    assert not errors, errors
    assert result.blobs >= 3 and result.path.stat().st_size > 0

    done = congvan(other.env, "restore", str(result.path))
    assert done.returncode == 0, done.stderr
    verified = congvan(other.env, "audit-verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    checked = congvan(other.env, "fsck")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # Every file of every document the restored database holds is byte-equal to the original.
    restored_blobs = other.data / "blobs"
    listed = congvan(
        other.env,
        "shell",
        "-c",
        "from congvan.documents.models import DocumentFile as F; "
        "print('\\n'.join(sorted(set(F.objects.values_list('blob_id', flat=True)))))",
    )
    assert listed.returncode == 0, listed.stderr
    shas = [w for w in listed.stdout.split() if len(w) == 64]
    assert len(shas) >= 3
    for sha in shas:
        assert (restored_blobs / sha[:2] / sha).read_bytes() == blobstore.blob_path(sha).read_bytes()
    # A restore refuses an installation already in use.
    again = congvan(other.env, "restore", str(result.path))
    assert again.returncode != 0 and "not empty" in again.stderr


@pytest.mark.once("sqlite")
def test_encrypted_backup_needs_its_key_and_detects_tampering(api, other, tmp_path):
    api["alice"].create_draft()
    key, wrong = tmp_path / "backup.key", tmp_path / "wrong.key"
    key.write_text("mot-khoa-bi-mat-du-dai-cho-sao-luu")
    wrong.write_text("mot-khoa-khac-hoan-toan-cung-du-dai")
    out = tmp_path / "enc.tar"
    call_command("backup", "--out", str(out), "--key-file", str(key))
    assert b"%PDF" not in out.read_bytes()  # nothing readable inside
    assert "--key-file" in congvan(other.env, "restore", str(out)).stderr
    assert "wrong key" in congvan(other.env, "restore", str(out), "--key-file", str(wrong)).stderr
    cut = tmp_path / "cut.tar"
    cut.write_bytes(out.read_bytes()[:-100])
    assert congvan(other.env, "restore", str(cut), "--key-file", str(key)).returncode != 0
    done = congvan(other.env, "restore", str(out), "--key-file", str(key))
    assert done.returncode == 0, done.stderr
    with pytest.raises(BackupError, match="not empty"):  # this installation is in use
        do_restore_backup(out, key_file=key)
    assert OpsRun.objects.filter(kind="backup", ok=True).count() == 1


@pytest.mark.once("sqlite")
def test_fsck_finds_missing_corrupt_and_orphaned_files(api):
    for i in range(3):
        api["alice"].create_draft(file=simple_pdf([f"Van ban {i}"]))
    call_command("fsck")  # sound
    a, b, c = [f.blob_id for f in DocumentFile.objects.order_by("id")[:3]]
    blobstore.blob_path(a).unlink()
    damaged = blobstore.blob_path(b)
    damaged.chmod(0o600)
    damaged.write_bytes(damaged.read_bytes().replace(b"Van ban", b"Van bam"))
    orphan = blobstore.root() / "ab" / ("abcd" + "0" * 60)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left behind")
    os.utime(orphan, (0, 0))  # old: not a file of a transaction in flight
    fresh = blobstore.root() / "ef" / ("ef01" + "0" * 60)
    fresh.parent.mkdir(parents=True, exist_ok=True)
    fresh.write_bytes(b"being written")
    with pytest.raises(CommandError) as exc:
        call_command("fsck")
    assert "1 missing, 1 corrupt, 1 orphaned" in str(exc.value)
    run = OpsRun.objects.filter(kind="fsck").latest("finished_at")
    assert not run.ok and run.summary["missing"] == [a] and run.summary["corrupt"] == [b]
    assert Blob.objects.filter(pk=c).exists()


def _renamed(archive: Path, out: Path, rename: Callable[[str], str]) -> Path:
    """The archive with its contents' names changed (the manifest too): as another version wrote it."""
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for m in src.getmembers():
            data = src.extractfile(m).read() if m.isfile() else b""  # type: ignore[union-attr]
            if m.name == "manifest.json":
                manifest = json.loads(data)
                manifest["sha256"] = {
                    (rename(k) if k.startswith("blobs/") else k): v for k, v in manifest["sha256"].items()
                }
                data = json.dumps(manifest).encode()
                m.size = len(data)
            elif m.name.startswith("blobs/"):
                m.name = rename(m.name)
            dst.addfile(m, io.BytesIO(data))
    return out


def _two_levels(name: str) -> str:
    """An archive's name for a content as versions before 2026-12 wrote it: ``blobs/aa/bb/<sha>``."""
    sha = name.rsplit("/", 1)[1]
    return f"blobs/{sha[:2]}/{sha[2:4]}/{sha}"


@pytest.mark.once("sqlite")
def test_an_archive_of_the_two_level_store_restores_into_todays(api, other, tmp_path):
    for i in range(2):
        assert api["alice"].create_draft(file=simple_pdf([f"Van ban cu {i}"])).status_code == 201
    shas = sorted(set(DocumentFile.objects.values_list("blob_id", flat=True)))
    old = _renamed(make_backup(tmp_path / "new.tar").path, tmp_path / "old.tar", _two_levels)
    with tarfile.open(old) as tar:
        assert f"blobs/{shas[0][:2]}/{shas[0][2:4]}/{shas[0]}" in tar.getnames()
    done = congvan(other.env, "restore", str(old))
    assert done.returncode == 0, done.stderr
    checked = congvan(other.env, "fsck")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for sha in shas:
        assert (other.data / "blobs" / sha[:2] / sha).read_bytes() == blobstore.blob_path(sha).read_bytes()


@pytest.mark.once("sqlite")
def test_a_content_under_a_name_not_its_own_is_refused_before_anything_is_restored(api, other, tmp_path):
    api["alice"].create_draft(file=simple_pdf(["Van ban"]))
    good = make_backup(tmp_path / "good.tar").path
    # the same bytes under another content's name
    bad = _renamed(good, tmp_path / "bad.tar", lambda name: name[:-4] + "0000")
    done = congvan(other.env, "restore", str(bad))
    assert done.returncode != 0 and "not named by its content" in done.stderr
    # nothing of it was kept: the sound archive still restores (only into an empty installation)
    again = congvan(other.env, "restore", str(good))
    assert again.returncode == 0, again.stderr
