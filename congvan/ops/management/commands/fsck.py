"""congvan fsck: check every stored file against its SHA-256; exit 1 on any problem."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from congvan.ops.actions import do_check_files


class Command(BaseCommand):
    help = "Check the file store: every file's SHA-256; missing, orphaned and corrupt files (exit 1 on any)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = do_check_files()
        for label, items in (
            ("missing", report.missing),
            ("corrupt", report.corrupt),
            ("orphaned", report.orphaned),
        ):
            for item in items:
                self.stderr.write(f"{label}: {item}")
        summary = (
            f"{report.checked} files checked ({report.bytes} bytes): {len(report.missing)} missing, "
            f"{len(report.corrupt)} corrupt, {len(report.orphaned)} orphaned"
        )
        if not report.ok:
            raise CommandError(summary)
        self.stdout.write(summary)
