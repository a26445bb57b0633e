"""congvan backup [--out FILE] [--key-file K]: a consistent archive of the database and files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from congvan.ops.actions import do_backup
from congvan.ops.backup import BackupError


class Command(BaseCommand):
    help = "Back up the database and the files into one archive (safe while the server runs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out", default="", help="the archive to write (default: congvan-<time>.tar here)"
        )
        parser.add_argument(
            "--key-file", default="", help="encrypt with the secret in this file (AES-256-GCM)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"] or f"congvan-{timezone.localtime():%Y%m%d-%H%M%S}.tar")
        key = Path(options["key_file"]) if options["key_file"] else None
        if key is not None and not key.is_file():
            raise CommandError(f"no key file {key}")
        try:
            result = do_backup(out, key_file=key)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result.path}: {result.files} files, {result.blobs} documents' files, {result.bytes} bytes"
        )
