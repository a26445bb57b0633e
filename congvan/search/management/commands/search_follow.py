"""congvan search-follow: keep the search index fresh (a new or changed document is searchable within a
few seconds of its commit). `congvan serve` runs it beside the worker; in the scaled shape, run one."""

from __future__ import annotations

import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from congvan.search.indexer import follow


class Command(BaseCommand):
    help = "Index new and changed documents every second (the text inside their files included)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between steps")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping: list[bool] = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        follow(options["interval"], stop=lambda: bool(stopping))
