"""congvan verify FILE.pdf [--json] [--trust-root CERT.pem ...]: the signature verdict, no server needed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from congvan.lib.errors import CongvanError
from congvan.signatures.trust import load_certificates
from congvan.signatures.verify import INVALID, verify_pdf


class Command(BaseCommand):
    help = "Verify the digital signatures of a PDF against the configured trust roots (plus any given)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--trust-root",
            action="append",
            default=[],
            type=Path,
            metavar="CERT",
            help="a trusted root or intermediate certificate (PEM or DER); repeatable",
        )
        parser.add_argument("--offline", action="store_true", help="do not fetch OCSP/CRL")
        parser.add_argument("--hard-fail", action="store_true", help="unknown revocation status is invalid")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        try:
            data = path.read_bytes()
            extra = [c for p in opts["trust_root"] for c in load_certificates(p.read_bytes(), source=str(p))]
        except OSError as exc:
            raise CommandError(_("Không đọc được tệp: %(exc)s") % {"exc": exc}) from exc
        except CongvanError as exc:
            raise CommandError(exc.message) from exc
        report = verify_pdf(
            data,
            extra_roots=extra,
            online=False if opts["offline"] else None,
            hard_fail=True if opts["hard_fail"] else None,
        )
        if opts["json"]:
            out = report.as_dict()
            out.pop("verdict_text")
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"{report.verdict_text} ({report.verdict})")
            for reason in report.reasons:
                self.stdout.write(f"  - {reason}")
            for s in report.signatures:
                self.stdout.write(
                    f"  * {s.signer} ({s.organisation}), số sê-ri {s.serial}, ký lúc {s.signed_at}, "
                    f"mức {s.level}"
                )
        if report.verdict == INVALID:
            raise SystemExit(1)
