"""congvan import-units FILE.csv: create units from a CSV, checked row by row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from congvan.orgs.imports import COLUMNS, import_units_csv
from congvan.orgs.management.commands._csv import import_file


class Command(BaseCommand):
    help = f"Import units from a UTF-8 CSV file with the columns {','.join(COLUMNS)} (parents first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        count = import_file(self, options["file"], import_units_csv)
        self.stdout.write(_("Đã nhập %(count)s đơn vị") % {"count": count})
