"""congvan restore FILE [--key-file K]: restore a backup into a new, empty installation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congvan.ops.actions import do_restore_backup
from congvan.ops.backup import BackupError


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and data directory (refuses a used one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive")
        parser.add_argument("--key-file", default="", help="the key file the archive was encrypted with")

    def handle(self, *args: Any, **options: Any) -> None:
        key = Path(options["key_file"]) if options["key_file"] else None
        try:
            manifest = do_restore_backup(Path(options["archive"]), key_file=key)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored the backup of {manifest['created_at']}: {len(manifest['sha256'])} files,"
            f" {manifest['blobs']} documents' files; run `congvan migrate` if this version is newer"
        )
