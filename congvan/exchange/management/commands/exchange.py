"""congvan exchange: this server's node identity, its peers, the directory, and the sender.

congvan exchange init-node --code CODE          make this node's key and certificate
congvan exchange add-peer CODE --url URL --cert FILE  |  add-peer CODE --via PEER
congvan exchange peers                          list the peers and the messages waiting for each
congvan exchange fetch-directory PEER           learn which units a peer hosts (signed list)
congvan exchange send [--once]                  send the outbox (a loop; serve starts it)
"""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from congvan.exchange import nodesig, outbox
from congvan.exchange.actions import do_add_peer, do_resend_message
from congvan.exchange.models import OutMessage, OutState, Peer
from congvan.exchange.peers import fetch_directory
from congvan.lib.errors import CongvanError


class Command(BaseCommand):
    help = "Exchange between servers: node identity, peers, directory, and the sending loop."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", choices=["init-node", "add-peer", "peers", "fetch-directory", "send", "resend"]
        )
        parser.add_argument("target", nargs="?", default="", help="a peer's code")
        parser.add_argument("--code", default="", help="this node's code (init-node)")
        parser.add_argument("--url", default="", help="the peer's address (add-peer)")
        parser.add_argument("--cert", type=Path, help="the peer's certificate, PEM (add-peer)")
        parser.add_argument("--via", default="", help="the peer that relays for it (add-peer)")
        parser.add_argument(
            "--trust-unsigned-status",
            action="store_true",
            help="take this peer's status messages unsigned: a hub behind a trusted transport (add-peer)",
        )
        parser.add_argument("--name", default="")
        parser.add_argument("--once", action="store_true", help="send what is due, then stop (send)")
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls (send)")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, "_" + opts["action"].replace("-", "_"))(opts)
        except CongvanError as exc:
            raise CommandError(exc.message) from exc

    def _init_node(self, opts: dict[str, Any]) -> None:
        code = opts["code"] or settings.NODE_CODE
        if not code:
            raise CommandError(_("--code: cần mã của máy chủ"))
        key, cert = nodesig.make_identity(code, Path(settings.NODE_KEY).parent)
        self.stdout.write(
            _("Khoá: %(key)s\nChứng thư (gửi cho các máy chủ ngang hàng): %(cert)s")
            % {"key": key, "cert": cert}
        )
        self.stdout.write(_("Đặt CONGVAN_NODE_CODE=%(code)s để bật trao đổi") % {"code": code})

    def _add_peer(self, opts: dict[str, Any]) -> None:
        cert = ""
        if opts["cert"]:
            try:
                cert = opts["cert"].read_text()
            except OSError as exc:
                raise CommandError(_("Không đọc được chứng thư: %(exc)s") % {"exc": exc}) from exc
        peer = do_add_peer(
            opts["target"],
            url=opts["url"],
            certificate=cert,
            via=opts["via"],
            name=opts["name"],
            trust_unsigned_status=opts["trust_unsigned_status"],
        )
        self.stdout.write(
            _("Máy chủ ngang hàng %(code)s: %(where)s")
            % {"code": peer.code, "where": peer.url or _("qua %(hop)s") % {"hop": opts["via"]}}
        )

    def _peers(self, opts: dict[str, Any]) -> None:
        waiting = dict(
            OutMessage.objects.filter(state__in=[OutState.QUEUED, OutState.SENDING])
            .values_list("hop")
            .annotate(n=Count("id"))
            .values_list("hop", "n")
        )
        failed = OutMessage.objects.filter(Q(state=OutState.FAILED)).count()
        for p in Peer.objects.select_related("via"):
            where = p.url or f"qua {p.via.code if p.via else '?'}"
            self.stdout.write(f"{p.code}\t{where}\t" + _("chờ gửi: %(n)s") % {"n": waiting.get(p.code, 0)})
        self.stdout.write(_("thất bại: %(failed)s") % {"failed": failed})

    def _fetch_directory(self, opts: dict[str, Any]) -> None:
        try:
            n = fetch_directory(opts["target"])
        except OSError as exc:
            raise CommandError(
                _("Không kết nối được: %(target)s: %(exc)s") % {"target": opts["target"], "exc": exc}
            ) from exc
        self.stdout.write(_("%(n)s đơn vị của %(peer)s") % {"n": n, "peer": opts["target"]})

    def _resend(self, opts: dict[str, Any]) -> None:
        do_resend_message(opts["target"], actor="congvan exchange resend")
        self.stdout.write(_("Sẽ gửi lại %(target)s") % {"target": opts["target"]})

    def _send(self, opts: dict[str, Any]) -> None:
        nodesig.identity()  # a clear error now rather than at the first message
        if opts["once"]:
            self.stdout.write(_("%(n)s thông điệp đã gửi") % {"n": outbox.run_once()})
            return
        stop = False

        def halt(*_: object) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGTERM, halt)
        signal.signal(signal.SIGINT, halt)
        pool = outbox.sender_pool()
        while not stop:
            try:
                sent = outbox.run_once(pool)
            except (
                DatabaseError,
                OSError,
            ) as exc:  # logged; the loop goes on (a database restart, a full disk)
                self.stderr.write(f"congvan exchange: {type(exc).__name__}: {exc}")
                sent = 0
                close_old_connections()
            if not sent:
                time.sleep(opts["interval"])
