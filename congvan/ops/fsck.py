"""Check the blob store against the database: every blob's SHA-256, files missing, orphaned or corrupt."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from congvan.documents import blobstore
from congvan.documents.models import Blob

# A file written for a transaction that has not committed yet is not an orphan: only older ones count.
ORPHAN_GRACE = dt.timedelta(hours=1)


@dataclass
class FsckReport:
    checked: int = 0
    bytes: int = 0
    missing: list[str] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.corrupt or self.orphaned)

    def as_dict(self) -> dict[str, object]:
        return {
            "checked": self.checked,
            "bytes": self.bytes,
            "missing": self.missing[:1000],
            "corrupt": self.corrupt[:1000],
            "orphaned": self.orphaned[:1000],
            "problems": len(self.missing) + len(self.corrupt) + len(self.orphaned),
        }


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(blobstore.CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def check_blobs() -> FsckReport:
    """Read every blob the database knows and every file the store holds."""
    report = FsckReport()
    known: set[str] = set()
    for sha, size in Blob.objects.values_list("sha256", "size").iterator(chunk_size=2000):
        known.add(sha)
        path = blobstore.blob_path(sha)
        if not path.exists():
            report.missing.append(sha)
            continue
        report.checked += 1
        report.bytes += path.stat().st_size
        if path.stat().st_size != size or sha256_of(path) != sha:
            report.corrupt.append(sha)
    root = blobstore.root()
    cutoff = time.time() - ORPHAN_GRACE.total_seconds()
    if root.exists():
        for path in root.glob("??/*"):
            if path.is_file() and path.name not in known and path.stat().st_mtime < cutoff:
                report.orphaned.append(str(path.relative_to(root)))
    return report
