"""congvan tick: queue the periodic background work (reminders, e-mail, signature checks of new files).

`congvan serve` runs this on its own schedule; in the scaled shape, run it from cron on one machine.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from congvan.audit.tasks import write_audit_checkpoint
from congvan.capture.tasks import check_pending_contents, read_scanned_texts, resume_intakes
from congvan.documents.tasks import sweep_temp_files
from congvan.mail.tasks import fetch_mailboxes, send_emails
from congvan.ops.tasks import backup_daily, check_files_daily
from congvan.reports.tasks import freeze_ended_months
from congvan.search.tasks import index_changed_documents
from congvan.security.tasks import deactivate_idle_accounts, scan_security_events
from congvan.signatures.tasks import verify_new_files
from congvan.workflow.tasks import scan_deadlines_today


class Command(BaseCommand):
    help = "Queue the periodic work for the background worker (reminders, e-mail)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--only", choices=["reminders", "email"], default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["only"] in (None, "reminders"):
            scan_deadlines_today.enqueue()
        if options["only"] in (None, "email"):
            send_emails.enqueue()
            fetch_mailboxes.enqueue()
            verify_new_files.enqueue()
            index_changed_documents.enqueue()
            resume_intakes.enqueue()
            check_pending_contents.enqueue()
            read_scanned_texts.enqueue()
            write_audit_checkpoint.enqueue()
            sweep_temp_files.enqueue()
            scan_security_events.enqueue()
        if options["only"] is None:
            deactivate_idle_accounts.enqueue()
            check_files_daily.enqueue()
            backup_daily.enqueue()
            freeze_ended_months.enqueue()
