"""What the health page shows an administrator: the work waiting, the last index run, backup and file
check, certificates near their end, free disk, and how each peer answered lately (from the exchange's own
records: nothing is called to draw the page)."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from congvan.documents import blobstore
from congvan.exchange.models import OutMessage, OutState, Peer
from congvan.ops.actions import last_run
from congvan.search.models import SearchEntry
from congvan.signatures.models import SigningRecord
from congvan.signatures.verify import last_signer_expiry

CERT_WARN = dt.timedelta(days=30)
DISK_WARN_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class Certificate:
    what: str
    subject: str
    not_after: dt.datetime | None

    @property
    def days_left(self) -> int | None:
        return (self.not_after - timezone.now()).days if self.not_after else None

    @property
    def warn(self) -> bool:
        return self.not_after is None or self.not_after - timezone.now() < CERT_WARN


def _pem_cert(what: str, pem: bytes) -> Certificate:
    try:
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError:
        return Certificate(what, "?", None)
    return Certificate(what, cert.subject.rfc4514_string()[:200], cert.not_valid_after_utc)


def certificates() -> list[Certificate]:
    found = []
    node = Path(settings.NODE_CERT)
    if node.is_file():
        found.append(_pem_cert("node", node.read_bytes()))
    for peer in Peer.objects.filter(active=True).exclude(certificate=""):
        found.append(_pem_cert(f"peer {peer.code}", peer.certificate.encode()))
    labels = (
        SigningRecord.objects.filter(key_label__startswith="unit:")
        .values("key_label")
        .annotate(last=Max("id"))
    )
    for row in labels:
        rec = SigningRecord.objects.get(pk=row["last"])
        path = blobstore.blob_path(rec.blob_id)
        seen = last_signer_expiry(path.read_bytes()) if path.is_file() else None
        if seen:
            found.append(Certificate(rec.key_label, seen[0], seen[1]))
    return found


def peers() -> list[dict[str, Any]]:
    rows = []
    stats = {
        r["hop"]: r
        for r in OutMessage.objects.values("hop").annotate(
            last_ok=Max("acked_at"),
            waiting=Count("id", filter=Q(state__in=[OutState.QUEUED, OutState.SENDING])),
            failed=Count("id", filter=Q(state=OutState.FAILED)),
        )
    }
    for peer in Peer.objects.filter(active=True):
        s = stats.get(peer.code, {})
        latest_error = (
            OutMessage.objects.filter(hop=peer.code)
            .exclude(last_error="")
            .order_by("-id")
            .values_list("last_error", flat=True)
            .first()
        )
        waiting, failed = s.get("waiting", 0), s.get("failed", 0)
        rows.append(
            {
                "code": peer.code,
                "name": peer.name,
                "last_ok": s.get("last_ok"),
                "waiting": waiting,
                "failed": failed,
                "last_error": latest_error or "",
                "ok": not failed and not (waiting and latest_error),
            }
        )
    return rows


def health() -> dict[str, Any]:
    disk = shutil.disk_usage(settings.DATA_DIR)
    queue = (
        DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).values("status").annotate(n=Count("id"))
    )
    last_index = SearchEntry.objects.aggregate(last=Max("indexed_at"))["last"]
    backup, fsck = last_run("backup"), last_run("fsck")
    return {
        "queue": {r["status"]: r["n"] for r in queue},
        "last_index": last_index,
        "backup": backup,
        "fsck": fsck,
        "certificates": certificates(),
        "disk_free": disk.free,
        "disk_total": disk.total,
        "disk_warn": disk.free < DISK_WARN_BYTES,
        "peers": peers(),
    }
