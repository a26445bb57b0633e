"""congvan edxml import FILE --unit CODE [--trust-unsigned]
congvan edxml export DOCUMENT_ID [--sign] [--out FILE]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from congvan.documents.models import Document
from congvan.exchange import nodesig
from congvan.exchange.actions import FileImport, do_import_file_message, do_import_file_status
from congvan.exchange.convert import export_document
from congvan.exchange.edxml import EdxmlMessage, parse, write
from congvan.lib.errors import CongvanError
from congvan.orgs.models import Unit, User


class Command(BaseCommand):
    help = "Import an .edxml file into a unit's inbox, or export a released document as .edxml."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import", "export"])
        parser.add_argument("target", help="the .edxml file (import) or the document id (export)")
        parser.add_argument("--unit", help="the receiving unit's code (import)")
        parser.add_argument("--user", default="", help="who imports (default: the first superuser)")
        parser.add_argument("--out", type=Path, help="where to write (export; default: standard output)")
        parser.add_argument(
            "--sign",
            action="store_true",
            help="sign the export with this server's node key (XML-DSig in edXMLHeader), as hubs require",
        )
        parser.add_argument(
            "--trust-unsigned",
            action="store_true",
            help="apply a status file without a signature (it came over a trusted transport)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            if opts["action"] == "import":
                self._import(opts)
            else:
                self._export(opts)
        except CongvanError as exc:
            raise CommandError(exc.message) from exc

    def _import(self, opts: dict[str, Any]) -> None:
        unit = Unit.objects.filter(code=opts.get("unit") or "").first()
        if unit is None:
            raise CommandError(_("--unit: cần mã đơn vị nhận"))
        by = (
            User.objects.filter(username=opts["user"]).first()
            if opts["user"]
            else User.objects.filter(is_superuser=True).order_by("pk").first()
        )
        if by is None:
            raise CommandError(_("--user: không có tài khoản này"))
        try:
            data = Path(opts["target"]).read_bytes()
        except OSError as exc:
            raise CommandError(_("Không đọc được tệp: %(exc)s") % {"exc": exc}) from exc
        msg = parse(data)
        if msg.kind == "status":
            self.stdout.write(self._status(msg, data, by, trust=opts["trust_unsigned"]))
            return
        done = do_import_file_message(unit, msg, by=by, xml=data)
        self.stdout.write(self._said(done, msg, unit))

    def _status(self, msg: EdxmlMessage, data: bytes, by: User, *, trust: bool) -> str:
        done = do_import_file_status(msg, data, by=by, trust_unsigned=trust)
        said = {
            "code": msg.status_code,
            "sender": msg.sender.organ_id,
            "document": msg.response_for,
            "text": msg.status_description,
        }
        if done.repeated:
            return _("Trạng thái %(code)s từ %(sender)s cho %(document)s đã được nhập trước đây") % said
        if not done.applied:
            return (
                _("Trạng thái %(code)s từ %(sender)s cho %(document)s: không có văn bản gửi tới nơi này")
                % said
                if done.meaning not in ("", "ignored")
                else _("Trạng thái %(code)s từ %(sender)s: mã không dùng ở đây (CONGVAN_EDXML_STATUS_CODES)")
                % said
            )
        return _("Đã cập nhật trạng thái %(code)s từ %(sender)s cho %(document)s: %(text)s") % said

    def _said(self, done: FileImport, msg: EdxmlMessage, unit: Unit) -> str:
        receipt_id = done.receipt.pk if done.receipt is not None else "-"
        if done.repeated:
            return _("Thông điệp này đã được nhập trước đây (văn bản đến #%(id)s): không nhập lại") % {
                "id": receipt_id
            }
        if done.kind == "revoke":
            if not done.changed:
                return _("Thu hồi văn bản %(document)s: không có văn bản này trong hộp thư %(unit)s") % {
                    "document": msg.business_document_id or msg.document_id,
                    "unit": unit.code,
                }
            return _("Đã thu hồi văn bản đến #%(id)s theo yêu cầu của %(sender)s: %(reason)s") % {
                "id": receipt_id,
                "sender": msg.sender.name or msg.sender.organ_id,
                "reason": msg.business_reason,
            }
        said = _(
            "Đã nhận văn bản %(symbol)s của %(sender)s vào hộp thư %(unit)s "
            "(văn bản đến #%(id)s, %(files)s tệp)"
        ) % {
            "symbol": msg.symbol,
            "sender": msg.sender.name,
            "unit": unit.code,
            "id": receipt_id,
            "files": done.receipt.document.files.count() if done.receipt is not None else 0,
        }
        if done.kind in ("update", "replace"):
            said += "; " + _("thay cho %(n)s văn bản đến trước") % {"n": done.changed}
        return said

    def _export(self, opts: dict[str, Any]) -> None:
        doc = (
            Document.objects.filter(pk=opts["target"], state="released")
            .select_related("issuing_unit", "doc_type")
            .first()
            if str(opts["target"]).isdigit()
            else None
        )
        if doc is None:
            raise CommandError(_("Không có văn bản đã ban hành với số hiệu này"))
        data = write(export_document(doc))
        if opts["sign"]:
            data = nodesig.sign(data)  # NodeNotConfigured when this server has no node key: said as such
        if opts["out"]:
            opts["out"].write_bytes(data)
            self.stdout.write(_("Đã ghi %(path)s (%(size)s byte)") % {"path": opts["out"], "size": len(data)})
        else:
            self.stdout.write(data.decode("utf-8"))
