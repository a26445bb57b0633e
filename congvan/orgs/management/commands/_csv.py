"""What the CSV import commands share: read the file, import it, list the errors by line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from congvan.lib.errors import InvalidInput
from congvan.lib.text import decode_text_file
from congvan.orgs.imports import ImportFailed


def import_file(command: BaseCommand, path: Path, importer: Callable[[str], int]) -> int:
    """Run ``importer`` on the file's text; on bad rows write each as ``file:line: message`` and fail."""
    try:
        text = decode_text_file(path.read_bytes())
    except OSError as exc:
        raise CommandError(_("Không đọc được %(path)s: %(exc)s") % {"path": path, "exc": exc}) from exc
    except InvalidInput as exc:
        raise CommandError(f"{path}: {exc.message}") from exc
    try:
        return importer(text)
    except ImportFailed as exc:
        for e in exc.errors[:200]:
            command.stderr.write(f"{path}:{e.line}: {e.message}")
        raise CommandError(exc.message) from exc
