"""congvan audit-verify: check the audit chain; exit 1 on any break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from congvan.audit.actions import write_checkpoint
from congvan.audit.queries import verify_chain


class Command(BaseCommand):
    help = (
        "Verify the keyed hash chain of the audit log against its checkpoints (detects edited, deleted,"
        " reordered, rewritten or truncated events); a sound chain's head becomes a checkpoint."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        checked, problems = verify_chain()
        for p in problems:
            self.stderr.write(f"#{p.seq}: {p.problem}")
        if problems:
            raise CommandError(
                _("Chuỗi nhật ký bị phá vỡ: %(problems)s lỗi trong %(checked)s sự kiện")
                % {"problems": len(problems), "checked": checked}
            )
        write_checkpoint()  # what was just verified becomes a checkpoint outside the database
        self.stdout.write(_("Chuỗi nhật ký toàn vẹn: %(checked)s sự kiện") % {"checked": checked})
