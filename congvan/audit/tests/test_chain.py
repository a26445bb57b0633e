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
