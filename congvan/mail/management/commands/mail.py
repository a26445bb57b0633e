"""congvan mail: official e-mail from the command line.

congvan mail fetch [--unit CODE]     fetch the mailboxes now (the worker also does on its schedule)
congvan mail send                    send the documents queued to organisations reached by e-mail
congvan mail contact NAME EMAIL      record an organisation off the system reached by e-mail
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congvan.lib.errors import CongvanError
from congvan.mail.actions import do_fetch_mail, do_send_mail_deliveries
from congvan.orgs.access import acting_as
from congvan.orgs.actions import do_save_mail_contact
from congvan.orgs.models import User


class Command(BaseCommand):
    help = "Official e-mail: fetch the units' mailboxes, send queued documents, record contacts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["fetch", "send", "contact"])
        parser.add_argument("args", nargs="*", help="contact: NAME EMAIL")
        parser.add_argument("--unit", default=None, help="only this unit's mailbox (fetch)")
        parser.add_argument("--admin", default="", help="the administrator recording a contact (username)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "fetch":
                results = do_fetch_mail(unit_code=options["unit"], actor=None)
                for r in results:
                    self.stdout.write(json.dumps(r.as_dict(), ensure_ascii=False))
                if not results:
                    self.stdout.write(
                        "no mailbox configured" + (f" for {options['unit']}" if options["unit"] else "")
                    )
                if any(r.error for r in results):
                    raise CommandError("; ".join(f"{r.unit}: {r.error}" for r in results if r.error))
            elif options["action"] == "send":
                self.stdout.write(f"sent {do_send_mail_deliveries()}")
            else:
                if len(options["args"]) != 2 or not options["admin"]:
                    raise CommandError("usage: congvan mail contact NAME EMAIL --admin USERNAME")
                admin = User.objects.filter(username=options["admin"], is_active=True).first()
                if admin is None:
                    raise CommandError(f"no such user: {options['admin']}")
                name, email = options["args"]
                unit = do_save_mail_contact(name=name, email=email, actor=acting_as(admin, None))
                self.stdout.write(f"{unit.code} {unit.name} <{unit.email}>")
        except CongvanError as exc:
            raise CommandError(exc.message) from exc
