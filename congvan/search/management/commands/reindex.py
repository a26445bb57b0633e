"""congvan reindex: rebuild the search index, with a progress bar; an interrupted run resumes."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from congvan.search.indexer import reindex


class Command(BaseCommand):
    help = "Rebuild the full-text index of every document (resumes after an interruption)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--restart", action="store_true", help="start again from the first document")
        parser.add_argument("--batch", type=int, default=1000)

    def handle(self, *args: Any, **opts: Any) -> None:
        def progress(done: int, total: int) -> None:
            width = 40
            filled = width * done // max(total, 1)
            sys.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            sys.stdout.flush()

        done = reindex(max(1, opts["batch"]), restart=opts["restart"], progress=progress)
        self.stdout.write(_("Đã lập chỉ mục %(done)s văn bản") % {"done": done})
