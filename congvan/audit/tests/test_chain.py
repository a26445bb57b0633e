"""The audit chain detects an edited, deleted or reordered event."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from congvan.audit.actions import record
from congvan.audit.models import AuditEvent
from congvan.audit.queries import verify_chain


@pytest.fixture
def chain(db):
    with transaction.atomic():
        for i in range(5):
            record(
                "test.event",
                actor=None,
                unit="U",
                target_type="thing",
                target_id=i,
                details={"i": i, "vi": "Đ"},
            )
    return list(AuditEvent.objects.order_by("seq"))


def test_intact_chain_verifies(chain, capsys):
    assert verify_chain() == (5, [])
    call_command("audit_verify")
    assert "toàn vẹn: 5 sự kiện" in capsys.readouterr().out


def test_edited_event_is_detected(chain):
    AuditEvent.objects.filter(seq=3).update(details={"i": 99, "vi": "Đ"})
    _, problems = verify_chain()
    assert [p.seq for p in problems] == [3] and "edited" in problems[0].problem
    with pytest.raises(CommandError, match="bị phá vỡ"):
        call_command("audit_verify")


def test_deleted_event_is_detected(chain):
    AuditEvent.objects.filter(seq=2).delete()
    _, problems = verify_chain()
    assert {p.seq for p in problems} == {3}


def test_deleted_last_event_is_detected(chain):
    AuditEvent.objects.filter(seq=5).delete()
    _, problems = verify_chain()
    assert problems and "head" in problems[-1].problem


def test_reordered_events_are_detected(chain):
    a, b = chain[1], chain[2]
    # Swap the contents of two events but keep the sequence numbers (as a forger would).
    AuditEvent.objects.filter(pk=a.pk).update(seq=-1)
    AuditEvent.objects.filter(pk=b.pk).update(seq=a.seq)
    AuditEvent.objects.filter(pk=a.pk).update(seq=b.seq)
    _, problems = verify_chain()
    assert problems


def test_record_outside_a_transaction_is_a_bug(transactional_db):
    with pytest.raises(RuntimeError):
        record("x", actor=None)


def test_a_failed_action_leaves_no_event(db):
    before = AuditEvent.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        record("x", actor=None)
        1 / 0  # noqa: B018
    assert AuditEvent.objects.count() == before


def test_the_chain_holds_across_rolled_back_savepoints_and_other_writers(db):
    """An event goes on from where this connection last left the head; where the head is not there any
    more (a savepoint rolled back, the head moved by another writer) it is read again: the chain stays
    one line whatever happened in between."""
    from congvan.audit.models import AuditHead

    with transaction.atomic():
        record("a", actor=None)
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            record("b", actor=None)  # undone with its savepoint, head and all
            1 / 0  # noqa: B018
        record("c", actor=None)
    with transaction.atomic():
        head = AuditHead.objects.get(id=1)
        # another writer moved the head (as a second process would): this connection's guess is stale
        AuditEvent.objects.create(
            seq=head.seq + 1, at=chain_time(), actor="system", action="d", prev_hash=head.hash, hash="f" * 64
        )
        AuditHead.objects.filter(id=1).update(seq=head.seq + 1, hash="f" * 64)
    with transaction.atomic():
        record("e", actor=None)
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", "prev_hash", "hash"))
    assert [a for a, _, _ in actions] == ["a", "c", "d", "e"]
    assert all(prev == before[2] for (_, prev, _), before in zip(actions[1:], actions, strict=False))
    _, problems = verify_chain()
    assert [p.seq for p in problems] == [3]  # only the forged "d", which has no key to hash with


def test_gathered_events_are_appended_together_at_the_end(db):
    """A batch's events, gathered: none written until it ends, then all in the order recorded (those of
    a savepoint of their own written at once, before them); an error inside appends none of them."""
    from congvan.audit.actions import gathered, not_gathered

    with transaction.atomic(), gathered():
        record("one", actor=None)
        with not_gathered(), transaction.atomic():
            record("now", actor=None)
        record("two", actor=None)
        assert list(AuditEvent.objects.values_list("action", flat=True)) == ["now"]
    with pytest.raises(ZeroDivisionError), transaction.atomic(), gathered():
        record("lost", actor=None)
        1 / 0  # noqa: B018
    with transaction.atomic():
        record("three", actor=None)
    assert list(AuditEvent.objects.order_by("seq").values_list("action", flat=True)) == [
        "now",
        "one",
        "two",
        "three",
    ]
    assert verify_chain() == (4, [])


def chain_time():
    from django.utils import timezone

    return timezone.now()


def test_a_rewrite_with_recomputed_hashes_needs_the_key(chain, settings):
    """Someone who can write the database edits an event and recomputes every hash after it: without
    the audit key (outside the database) the hashes do not match."""
    from congvan.audit.actions import GENESIS, Event

    AuditEvent.objects.filter(seq=3).update(details={"i": 99, "vi": "Đ"})
    prev = GENESIS
    for ev in AuditEvent.objects.order_by("seq"):
        body_event = Event(ev.action, ev.target_type, ev.target_id, ev.unit, ev.details)
        settings.AUDIT_KEY, real = b"a guess", settings.AUDIT_KEY
        from congvan.audit.actions import event_hash

        forged = event_hash(prev, ev.seq, ev.at, ev.actor_id, ev.actor, body_event)
        settings.AUDIT_KEY = real
        AuditEvent.objects.filter(pk=ev.pk).update(prev_hash=prev, hash=forged)
        prev = forged
    from congvan.audit.models import AuditHead

    AuditHead.objects.filter(id=1).update(hash=prev)
    _, problems = verify_chain()
    assert problems and all("edited" in p.problem for p in problems[:5])


def test_checkpoints_outside_the_database_catch_truncation_and_rewrites(chain, settings):
    from congvan.audit import checkpoints
    from congvan.audit.actions import write_checkpoint
    from congvan.audit.models import AuditHead

    call_command("audit_verify")  # a sound chain: its head becomes a checkpoint
    assert [c.seq for c in checkpoints.read()] == [5]
    # Drop the last two events and set the head back: the chain alone looks whole.
    last = AuditEvent.objects.get(seq=3)
    AuditEvent.objects.filter(seq__gt=3).delete()
    AuditHead.objects.filter(id=1).update(seq=3, hash=last.hash)
    _, problems = verify_chain()
    assert any("before checkpoint #5" in p.problem for p in problems)
    # An altered checkpoint line is itself reported.
    path = checkpoints.path()
    path.write_text(path.read_text().replace('"seq": 5', '"seq": 2'))
    _, problems = verify_chain()
    assert any("altered" in p.problem for p in problems)
    write_checkpoint()  # unchanged head: nothing new is written twice
