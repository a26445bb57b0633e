"""The operations jobs, each recorded for the health page: file checks and backups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from congvan.audit.actions import record
from congvan.ops.backup import BackupError, BackupResult, make_backup, restore_backup
from congvan.ops.fsck import FsckReport, check_blobs
from congvan.ops.models import OpsRun

BACKUPS_KEPT = 7


def do_check_files() -> FsckReport:
    """Check every blob against its SHA-256 and the store against the database; the result is recorded."""
    started = timezone.now()
    report = check_blobs()
    with transaction.atomic():
        OpsRun.objects.create(
            kind="fsck",
            started_at=started,
            finished_at=timezone.now(),
            ok=report.ok,
            summary=report.as_dict(),
        )
        record("ops.fsck", actor=None, details={"ok": report.ok, "problems": report.as_dict()["problems"]})
    return report


def do_backup(out: Path, *, key_file: Path | None = None) -> BackupResult:
    """Write a backup archive and record it (or its failure) for the health page."""
    started = timezone.now()
    try:
        result = make_backup(out, key_file=key_file)
    except (BackupError, OSError) as exc:
        OpsRun.objects.create(
            kind="backup",
            started_at=started,
            finished_at=timezone.now(),
            ok=False,
            summary={"error": str(exc)[:500]},
        )
        raise
    with transaction.atomic():
        OpsRun.objects.create(
            kind="backup",
            started_at=started,
            finished_at=timezone.now(),
            ok=True,
            summary={
                "path": str(result.path),
                "files": result.files,
                "bytes": result.bytes,
                "blobs": result.blobs,
                "encrypted": key_file is not None,
            },
        )
        record("ops.backup", actor=None, details={"path": result.path.name, "bytes": result.bytes})
    return result


def last_run(kind: str) -> OpsRun | None:
    return OpsRun.objects.filter(kind=kind).order_by("-finished_at").first()


def due(kind: str, every: dt.timedelta, now: dt.datetime | None = None) -> bool:
    run = last_run(kind)
    return run is None or (now or timezone.now()) - run.finished_at >= every


def do_scheduled_backup() -> BackupResult | None:
    """The daily backup into ``BACKUP_DIR`` (when set), keeping the last seven."""
    if not settings.BACKUP_DIR or not due("backup", dt.timedelta(hours=23)):
        return None
    folder = Path(settings.BACKUP_DIR)
    key = Path(settings.BACKUP_KEY_FILE) if settings.BACKUP_KEY_FILE else None
    result = do_backup(folder / f"congvan-{timezone.localtime():%Y%m%d-%H%M}.tar", key_file=key)
    for old in sorted(folder.glob("congvan-*.tar"))[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)
    return result


def do_restore_backup(archive: Path, *, key_file: Path | None = None) -> dict[str, Any]:
    """Restore an archive into this new installation (the database and file store must be empty).

    No audit event is written here: this process still holds the key it started with, and the chain it
    restored is keyed with the archive's (written into the data directory for the next start)."""
    return restore_backup(archive, key_file=key_file)
