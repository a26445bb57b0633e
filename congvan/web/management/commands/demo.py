"""congvan demo: load the demo organisation, accounts and documents, then print the accounts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from congvan.web import demo


class Command(BaseCommand):
    help = "Load the demo data (Tỉnh ủy Tiền Giang, Huyện ủy Gò Công Tây, ...) once and print the accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        if demo.demo_loaded():
            self.stdout.write(_("Dữ liệu mẫu đã có sẵn."))
        else:
            demo.load_demo()
            self.stdout.write(_("Đã nạp dữ liệu mẫu."))
        self.stdout.write(
            "\n" + _("Tài khoản mẫu (mật khẩu chung: %(password)s)") % {"password": demo.PASSWORD}
        )
        for username, full_name, unit, role in demo.accounts():
            self.stdout.write(f"  {username:<22} {role:<11} {full_name:<22} {unit}")
