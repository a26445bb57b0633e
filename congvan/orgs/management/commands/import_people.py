"""congvan import-people FILE.csv: create people and their roles from a CSV, checked row by row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from congvan.orgs.imports import PEOPLE_COLUMNS, ImportFailed, import_people_csv


class Command(BaseCommand):
    help = f"Import people and their roles from a UTF-8 CSV with the columns {','.join(PEOPLE_COLUMNS)}."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(_("Không đọc được %(path)s: %(exc)s") % {"path": path, "exc": exc}) from exc
        try:
            count = import_people_csv(text)
        except ImportFailed as exc:
            for e in exc.errors[:200]:
                self.stderr.write(f"{path}:{e.line}: {e.message}")
            raise CommandError(exc.message) from exc
        self.stdout.write(_("Đã nhập %(count)s dòng người dùng và vai trò") % {"count": count})
