"""congvan import-units FILE.csv: create units from a CSV, checked row by row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from congvan.orgs.imports import COLUMNS, ImportFailed, import_units_csv


class Command(BaseCommand):
    help = f"Import units from a UTF-8 CSV file with the columns {','.join(COLUMNS)} (parents first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(_("Không đọc được %(path)s: %(exc)s") % {"path": path, "exc": exc}) from exc
        try:
            count = import_units_csv(text)
        except ImportFailed as exc:
            for e in exc.errors[:200]:
                self.stderr.write(f"{path}:{e.line}: {e.message}")
            raise CommandError(exc.message) from exc
        self.stdout.write(_("Đã nhập %(count)s đơn vị") % {"count": count})
