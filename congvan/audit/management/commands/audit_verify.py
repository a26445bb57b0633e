"""congvan audit-verify: check the audit chain; exit 1 on any break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from congvan.audit.queries import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log (detects edited, deleted or reordered events)."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, problems = verify_chain()
        for p in problems:
            self.stderr.write(f"#{p.seq}: {p.problem}")
        if problems:
            raise CommandError(
                _("Chuỗi nhật ký bị phá vỡ: %(problems)s lỗi trong %(checked)s sự kiện")
                % {"problems": len(problems), "checked": checked}
            )
        self.stdout.write(_("Chuỗi nhật ký toàn vẹn: %(checked)s sự kiện") % {"checked": checked})
