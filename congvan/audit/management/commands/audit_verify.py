"""congvan audit-verify: check the audit chain; exit 1 on any break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from congvan.audit.queries import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log (detects edited, deleted or reordered events)."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, problems = verify_chain()
        for p in problems:
            self.stderr.write(f"#{p.seq}: {p.problem}")
        if problems:
            raise CommandError(f"Audit chain BROKEN: {len(problems)} problem(s) in {checked} events")
        self.stdout.write(f"Audit chain OK: {checked} events")
