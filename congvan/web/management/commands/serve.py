"""congvan serve: the web server and the background worker, started and stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _


class Command(BaseCommand):
    def _tick(self, only: str | None) -> None:
        """Queue the periodic work; a failure here must not stop the server."""
        try:
            call_command("tick", *(["--only", only] if only else []))
        except (DatabaseError, OSError, CommandError) as exc:  # logged; retried at the next tick
            self.stderr.write(_("congvan: không xếp được việc định kỳ: %(error)s") % {"error": exc})

    help = "Serve the web interface and API, with the background worker beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("CONGVAN_BIND", "127.0.0.1:8000"))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("CONGVAN_WEB_THREADS", "8")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("CONGVAN_WEB_WORKERS", "1")))
        parser.add_argument("--no-worker", action="store_true", help="serve only (workers run elsewhere)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from congvan.documents.blobstore import sweep_temp

        sweep_temp()  # what a crash left in the store's temporary folder
        bin_dir = os.path.dirname(sys.executable)
        web = [
            os.path.join(bin_dir, "gunicorn"),
            "congvan.wsgi:application",
            "--bind",
            opts["bind"],
            "--workers",
            str(max(1, opts["workers"])),
            "--threads",
            str(opts["threads"]),
            "--worker-class",
            "gthread",
            "--timeout",
            "600",
            "--access-logfile",
            "-",
        ]
        procs = [subprocess.Popen(web)]  # noqa: S603 - fixed arguments
        if not opts["no_worker"]:
            worker = [sys.executable, "-m", "congvan", "db_worker", "--interval", "0.5"]
            procs.append(subprocess.Popen(worker))  # noqa: S603 - fixed arguments
            follower = [sys.executable, "-m", "congvan", "search_follow"]  # search within seconds
            procs.append(subprocess.Popen(follower))  # noqa: S603 - fixed arguments
            if settings.NODE_CODE:  # exchange with other servers: the outbox sender beside the worker
                sender = [sys.executable, "-m", "congvan", "exchange", "send"]
                procs.append(subprocess.Popen(sender))  # noqa: S603 - fixed arguments
        self.stdout.write(_("congvan: http://%(bind)s/  (Ctrl+C để dừng)") % {"bind": opts["bind"]})

        def stop(*_: object) -> None:
            for p in procs:
                if p.poll() is None:
                    p.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            self._schedule(procs, ticks=not opts["no_worker"])
        finally:
            stop()
            for p in procs:
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
        codes = [p.returncode for p in procs]
        if any(c not in (0, -signal.SIGTERM, -signal.SIGINT) for c in codes):
            sys.exit(1)

    def _schedule(self, procs: list[subprocess.Popen[bytes]], *, ticks: bool) -> None:
        """While every process runs: queue e-mail each minute and the periodic scans every few."""
        last_email = last_scan = 0.0
        scan_every = max(60, settings.SCHEDULER_MINUTES * 60)
        while all(p.poll() is None for p in procs):
            now = time.monotonic()
            if ticks and now - last_email >= 60:
                due_scan = now - last_scan >= scan_every
                self._tick(None if due_scan else "email")
                last_email, last_scan = now, (now if due_scan else last_scan)
            time.sleep(0.5)
