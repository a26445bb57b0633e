"""Read the audit log and verify its chain."""

from __future__ import annotations

from dataclasses import dataclass

from congvan.audit.actions import GENESIS, Event, event_hash
from congvan.audit.models import AuditEvent, AuditHead


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


def verify_chain(batch: int = 5000) -> tuple[int, list[ChainProblem]]:
    """Return the number of events checked and every break found (edited, deleted, reordered)."""
    problems: list[ChainProblem] = []
    expected_seq, prev = 1, GENESIS
    checked = 0
    last_seq = 0
    qs = AuditEvent.objects.order_by("seq")
    for ev in qs.iterator(chunk_size=batch):
        checked += 1
        if ev.seq != expected_seq:
            problems.append(
                ChainProblem(ev.seq, f"missing events before #{ev.seq} (expected #{expected_seq})")
            )
        if ev.prev_hash != prev:
            problems.append(
                ChainProblem(ev.seq, "link to the previous event is broken (deleted or reordered)")
            )
        e = Event(ev.action, ev.target_type, ev.target_id, ev.unit, ev.details)
        if event_hash(ev.prev_hash, ev.seq, ev.at, ev.actor_id, ev.actor, e) != ev.hash:
            problems.append(ChainProblem(ev.seq, "content does not match its hash (edited)"))
        expected_seq, prev, last_seq = ev.seq + 1, ev.hash, ev.seq
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and (head.seq != last_seq or head.hash != prev):
        problems.append(
            ChainProblem(head.seq, f"the chain ends at #{last_seq} but its head says #{head.seq}")
        )
    problems += _against_checkpoints(last_seq)
    return checked, problems


def _against_checkpoints(last_seq: int) -> list[ChainProblem]:
    """Every checkpoint written outside the database must still be in the chain, and the chain must
    reach the last one (a truncation or a rewrite with recomputed hashes shows here)."""
    from congvan.audit import checkpoints

    problems = []
    marks = checkpoints.read()
    for mark in marks:
        if not mark.valid:
            problems.append(ChainProblem(mark.seq, "a checkpoint line was altered (its MAC is wrong)"))
            continue
        if mark.seq > last_seq:
            problems.append(
                ChainProblem(mark.seq, f"the chain ends at #{last_seq}, before checkpoint #{mark.seq}")
            )
            continue
        ev = AuditEvent.objects.filter(seq=mark.seq).only("hash").first()
        if ev is None or ev.hash != mark.hash:
            problems.append(
                ChainProblem(mark.seq, f"the chain differs from checkpoint #{mark.seq} (rewritten)")
            )
    return problems
