"""Append events to the audit chain; called inside the transaction of every state change."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from congvan.audit.models import AuditEvent, AuditHead
from congvan.lib.gather import Gathering

GENESIS = "0" * 64


class Actor(Protocol):
    pk: Any
    username: str


@dataclass(frozen=True)
class Event:
    action: str
    target_type: str = ""
    target_id: str = ""
    unit: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def event_hash(prev_hash: str, seq: int, at: dt.datetime, actor_id: int | None, actor: str, e: Event) -> str:
    """Return the HMAC-SHA-256, with the audit key (kept outside the database), over the previous hash
    and the event's canonical JSON: whoever can write the database but not read the key cannot
    recompute a chain after an edit."""
    body = json.dumps(
        {
            "seq": seq,
            "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor_id": actor_id,
            "actor": actor,
            "unit": e.unit,
            "action": e.action,
            "target_type": e.target_type,
            "target_id": e.target_id,
            "details": e.details,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hmac.new(settings.AUDIT_KEY, (prev_hash + body).encode("utf-8"), hashlib.sha256).hexdigest()


def record(
    action: str,
    *,
    actor: Actor | None,
    unit: str = "",
    target_type: str = "",
    target_id: object = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Append one event to the chain; must run inside the state change's transaction."""
    # The columns' widths: a long name typed at a sign-in is kept cut, never a failed write.
    event = Event(action, target_type[:32], str(target_id)[:64], unit[:32], details or {})
    record_many([event], actor=actor)


def record_many(events: list[Event], *, actor: Actor | None) -> None:
    """Append events with a constant number of statements, whatever their number: the head moved from
    where this connection last left it (an UPDATE that says whether the head was still there), the
    events inserted; only when the head was elsewhere (another writer, a rolled-back savepoint, a new
    connection) is it read and locked first. Plain statements (the ORM's building of them was three
    quarters of an event's cost, and every state change records one). Inside ``gathered()``, the events
    are kept and appended when it ends."""
    if not events:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction of the state change")
    now = timezone.now()
    actor_id = int(actor.pk) if actor is not None and actor.pk is not None else None
    actor_name = actor.username if actor is not None else "system"
    # Details must round-trip through JSON unchanged so verification recomputes the same hash.
    rows = [
        _Pending(
            Event(e.action, e.target_type, e.target_id, e.unit, _jsonable(e.details)),
            now,
            actor_id,
            actor_name,
        )
        for e in events
    ]
    kept = _GATHERED.current()
    if kept is not None:
        kept.extend(rows)
        return
    _append(connection, rows)


@dataclass(frozen=True)
class _Pending:
    event: Event
    at: dt.datetime
    actor_id: int | None
    actor: str


def _flush(kept: list[_Pending]) -> None:
    if kept:
        _append(transaction.get_connection(), kept)


# A batch's events, appended together at its end (one step of the chain instead of one an event): see
# lib.gather for when it may be used.
_GATHERED: Gathering[list[_Pending]] = Gathering(list, _flush)
gathered, not_gathered = _GATHERED.gathered, _GATHERED.not_gathered


def _append(connection: Any, pending: list[_Pending]) -> None:
    def chained(seq: int, prev: str) -> tuple[list[Any], int, str]:
        rows: list[Any] = []
        for p in pending:
            e = p.event
            seq += 1
            digest = event_hash(prev, seq, p.at, p.actor_id, p.actor, e)
            at = connection.ops.adapt_datetimefield_value(p.at)
            details = _DETAILS.get_db_prep_save(e.details, connection)
            rows.append(
                (
                    seq,
                    at,
                    p.actor_id,
                    p.actor,
                    e.unit,
                    e.action,
                    e.target_type,
                    e.target_id,
                    details,
                    prev,
                    digest,
                )
            )
            prev = digest
        return rows, seq, prev

    move = f"UPDATE {_HEAD} SET seq = %s, hash = %s WHERE id = 1 AND seq = %s AND hash = %s"  # noqa: S608
    with connection.cursor() as cur:
        guess: tuple[int, str] | None = getattr(connection, "congvan_audit_head", None)
        moved = False
        if guess is not None:
            rows, seq, prev = chained(*guess)
            cur.execute(move, [seq, prev, *guess])
            moved = cur.rowcount == 1
        if not moved:
            head = _locked_head(connection, cur)
            rows, seq, prev = chained(*head)
            cur.execute(move, [seq, prev, *head])
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            values = ", ".join([_ROW] * len(chunk))
            insert = f"INSERT INTO {_EVENTS} ({_COLUMNS}) VALUES {values}"  # noqa: S608 (the model's)
            cur.execute(insert, [v for r in chunk for v in r])
    connection.congvan_audit_head = (seq, prev)


def _locked_head(connection: Any, cur: Any) -> tuple[int, str]:
    head_sql = f"SELECT seq, hash FROM {_HEAD} WHERE id = 1" + (  # noqa: S608 (the model's table)
        " FOR UPDATE" if connection.vendor == "postgresql" else ""  # SQLite: the transaction is IMMEDIATE
    )
    cur.execute(head_sql)
    head = cur.fetchone()
    if head is None:  # the chain's first event (made once, whoever comes first)
        AuditHead.objects.bulk_create([AuditHead(id=1)], ignore_conflicts=True)
        cur.execute(head_sql)
        head = cur.fetchone()
    return int(head[0]), str(head[1])


def _column(name: str) -> str:
    field = AuditEvent._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column


_HEAD, _EVENTS = AuditHead._meta.db_table, AuditEvent._meta.db_table
_NAMES = [f.name for f in AuditEvent._meta.concrete_fields if not f.primary_key]  # seq ... hash
_COLUMNS = ", ".join(_column(n) for n in _NAMES)
_ROW = "(" + ", ".join(["%s"] * len(_NAMES)) + ")"
_DETAILS = AuditEvent._meta.get_field("details")
assert isinstance(_DETAILS, models.JSONField)


def record_access(
    action: str, *, actor: Actor, unit: str, target_type: str, target_id: object, **details: Any
) -> None:
    """Record that a person read or downloaded something ("who opened this document"): its own small
    transaction, as a read changes nothing else."""
    with transaction.atomic():
        record(action, actor=actor, unit=unit, target_type=target_type, target_id=target_id, details=details)


def write_checkpoint() -> None:
    """Append the chain head as a checkpoint to the file outside the database."""
    from congvan.audit import checkpoints

    head = AuditHead.objects.filter(id=1).first()
    if head is not None:
        checkpoints.write(head.seq, head.hash)


def _jsonable(details: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(details, ensure_ascii=False, default=str))
    return result
