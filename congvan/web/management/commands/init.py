"""congvan init: set up an office's own organisation on a fresh install (no demo).

Interactive by default; with ``--no-input`` every value comes from options or the environment
(``CONGVAN_INIT_*``, the administrator's password from ``CONGVAN_ADMIN_PASSWORD`` or
``CONGVAN_ADMIN_PASSWORD_FILE``). Run twice, it changes nothing and says so.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from congvan.lib.errors import CongvanError
from congvan.lib.text import decode_text_file
from congvan.orgs.actions import do_create_unit, do_create_user
from congvan.orgs.imports import ImportFailed, import_units_csv
from congvan.orgs.models import Sector, Unit, User
from congvan.registers.actions import do_create_term, do_set_rule_set, rule_set_of
from congvan.registers.models import CommitteeTerm, NumberingRule, RuleSet

FIELDS = [  # option, environment, prompt, default
    ("code", "CONGVAN_INIT_CODE", "Mã định danh của đơn vị gốc (ví dụ 000.00.00.T58)", ""),
    ("name", "CONGVAN_INIT_NAME", "Tên đơn vị gốc (ví dụ Tỉnh ủy Tiền Giang)", ""),
    ("abbreviation", "CONGVAN_INIT_ABBREVIATION", "Chữ viết tắt trong ký hiệu văn bản (ví dụ TU)", ""),
    ("sector", "CONGVAN_INIT_SECTOR", "Khối: party (Đảng) hoặc state (Nhà nước)", "party"),
    ("place", "CONGVAN_INIT_PLACE", "Địa danh ghi trên văn bản (ví dụ Tiền Giang)", ""),
    ("term_name", "CONGVAN_INIT_TERM_NAME", "Nhiệm kỳ hiện tại (khối Đảng, ví dụ 2025-2030)", "2025-2030"),
    ("term_start", "CONGVAN_INIT_TERM_START", "Ngày bắt đầu nhiệm kỳ (YYYY-MM-DD)", "2025-01-01"),
    ("admin", "CONGVAN_INIT_ADMIN", "Tên đăng nhập của quản trị hệ thống", "admin"),
    ("admin_name", "CONGVAN_INIT_ADMIN_NAME", "Họ tên quản trị hệ thống", "Quản trị hệ thống"),
]


class Command(BaseCommand):
    help = (
        "Set up the office: the root unit (or a units CSV), its numbering and term, the first administrator."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        for option, env, _prompt, _default in FIELDS:
            parser.add_argument("--" + option.replace("_", "-"), dest=option, default=None, help=f"or {env}")
        parser.add_argument(
            "--units-csv", type=Path, help="create the units of a CSV instead of one root unit"
        )
        parser.add_argument("--admin-password-file", type=Path, help="or CONGVAN_ADMIN_PASSWORD(_FILE)")
        parser.add_argument("--no-input", action="store_true", help="never ask: options and environment only")

    def handle(self, *args: Any, **opts: Any) -> None:
        call_command("migrate", verbosity=0)
        ask = not opts["no_input"] and sys.stdin.isatty()
        values = {f[0]: self._value(opts, *f, ask=ask) for f in FIELDS}
        changed: list[str] = []
        try:
            with transaction.atomic():
                root = self._organisation(values, opts, changed)
                self._numbering(root, values, changed)
                self._administrator(values, opts, ask, changed)
        except (CongvanError, ImportFailed) as exc:
            for e in getattr(exc, "errors", [])[:50]:
                self.stderr.write(f"{e.line}: {e.message}")
            raise CommandError(exc.message) from exc
        if changed:
            self.stdout.write(_("Đã thiết lập: %(what)s") % {"what": "; ".join(changed)})
        else:
            self.stdout.write(_("Đã thiết lập từ trước: không thay đổi gì."))
        self.stdout.write(
            _(
                "Địa chỉ: %(url)s\nTiếp theo: đăng nhập bằng tài khoản %(admin)s, tạo các đơn vị trực "
                "thuộc, người dùng và vai trò, nhóm nơi nhận (trang Quản trị hoặc API /api/v1/); "
                "chạy `congvan serve`."
            )
            % {"url": settings.PUBLIC_URL, "admin": values["admin"]}
        )

    def _value(
        self, opts: dict[str, Any], option: str, env: str, prompt: str, default: str, *, ask: bool
    ) -> str:
        given = opts.get(option) or os.environ.get(env, "")
        if given:
            return str(given).strip()
        if ask:
            answer = input(f"{prompt} [{default}]: ").strip()
            return answer or default
        return default

    def _organisation(self, values: dict[str, str], opts: dict[str, Any], changed: list[str]) -> Unit:
        if opts.get("units_csv"):
            try:
                text = decode_text_file(Path(opts["units_csv"]).read_bytes())
            except OSError as exc:
                raise CommandError(str(exc)) from exc
            if not Unit.objects.filter(parent=None, home_node="", active=True).exists():
                changed.append(_("%(count)s đơn vị") % {"count": import_units_csv(text)})
            root = Unit.objects.filter(parent=None, home_node="", active=True).order_by("path").first()
            if root is None:
                raise CommandError(_("Tệp không có đơn vị gốc"))
            return root
        if not values["code"] or not values["name"] or not values["abbreviation"]:
            raise CommandError(
                _("Cần mã, tên và chữ viết tắt của đơn vị gốc (--code, --name, --abbreviation)")
            )
        existing = Unit.objects.filter(code=values["code"]).first()
        if existing is not None:
            return existing
        kind = "agency" if values["sector"] == Sector.STATE else "province"
        unit = do_create_unit(
            code=values["code"],
            name=values["name"],
            abbreviation=values["abbreviation"],
            kind=kind,
            sector=values["sector"],
            parent_code=None,
            place=values["place"],
            actor=None,
        )
        changed.append(_("đơn vị %(name)s") % {"name": unit.name})
        return unit

    def _numbering(self, root: Unit, values: dict[str, str], changed: list[str]) -> None:
        wanted = RuleSet.STATE if root.sector == Sector.STATE else RuleSet.PARTY
        if not NumberingRule.objects.filter(unit=root).exists() or rule_set_of(root) != wanted:
            do_set_rule_set(unit_code=root.code, rule_set=wanted, actor=None)
            changed.append(_("quy tắc cấp số %(rule)s") % {"rule": wanted})
        if wanted == RuleSet.PARTY and not CommitteeTerm.objects.filter(unit=root).exists():
            try:
                start = dt.date.fromisoformat(values["term_start"])
            except ValueError:
                raise CommandError(_("Ngày bắt đầu nhiệm kỳ dạng YYYY-MM-DD")) from None
            do_create_term(unit_code=root.code, name=values["term_name"], starts_on=start, actor=None)
            changed.append(_("nhiệm kỳ %(name)s") % {"name": values["term_name"]})

    def _administrator(
        self, values: dict[str, str], opts: dict[str, Any], ask: bool, changed: list[str]
    ) -> None:
        username = values["admin"].lower()
        if User.objects.filter(username=username).exists():
            return
        password = self._password(opts, ask)
        do_create_user(
            username=username, password=password, full_name=values["admin_name"], superuser=True, actor=None
        )
        changed.append(_("quản trị hệ thống %(username)s") % {"username": username})

    def _password(self, opts: dict[str, Any], ask: bool) -> str:
        path = opts.get("admin_password_file") or os.environ.get("CONGVAN_ADMIN_PASSWORD_FILE")
        if path:
            try:
                return Path(path).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise CommandError(
                    _("Không đọc được %(path)s: %(exc)s") % {"path": path, "exc": exc}
                ) from exc
        if os.environ.get("CONGVAN_ADMIN_PASSWORD"):
            return os.environ["CONGVAN_ADMIN_PASSWORD"]
        if not ask:
            raise CommandError(_("Cần mật khẩu quản trị: --admin-password-file hoặc CONGVAN_ADMIN_PASSWORD"))
        first = getpass.getpass(_("Mật khẩu quản trị: "))
        if first != getpass.getpass(_("Nhập lại mật khẩu: ")):
            raise CommandError(_("Hai lần nhập mật khẩu không khớp"))
        return first
