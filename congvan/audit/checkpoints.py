"""Checkpoints of the audit chain kept outside the database: each line holds a sequence number, the
chain's hash there and a MAC made with the audit key (also outside the database). A rewrite of the
chain (even with the hashes recomputed), an edit or a truncation below a checkpoint is then detected
by ``verify_chain``, which reads them."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    valid: bool  # its MAC is right (a line changed in the file is not)


def _mac(seq: int, chain_hash: str, at: str) -> str:
    message = f"checkpoint|{seq}|{chain_hash}|{at}".encode()
    return hmac.new(settings.AUDIT_KEY, message, hashlib.sha256).hexdigest()


def path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


def write(seq: int, chain_hash: str) -> Checkpoint | None:
    """Append a checkpoint for the chain's head (nothing when the chain is empty or unchanged)."""
    if seq == 0:
        return None
    known = read()
    if known and known[-1].seq == seq:
        return None
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    line = json.dumps({"seq": seq, "hash": chain_hash, "at": at, "mac": _mac(seq, chain_hash, at)})
    p = path()
    p.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(p, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return Checkpoint(seq, chain_hash, at, True)


def read() -> list[Checkpoint]:
    """The checkpoints in the file, each with whether its MAC holds."""
    p = path()
    if not p.exists():
        return []
    found = []
    for raw in p.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            item = json.loads(raw)
            seq, chain_hash, at, mac = int(item["seq"]), str(item["hash"]), str(item["at"]), str(item["mac"])
        except (ValueError, KeyError, TypeError):
            found.append(Checkpoint(-1, "", "", False))
            continue
        found.append(Checkpoint(seq, chain_hash, at, hmac.compare_digest(mac, _mac(seq, chain_hash, at))))
    return found
