"""``lib.sql.insert_rows``, the plain INSERT a fetch writes its chunk of mails with: the rows it writes are
the rows ``bulk_create`` writes, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from congvan.capture.models import Intake
from congvan.documents.models import Blob
from congvan.lib.sql import insert_rows
from congvan.mail.actions import do_configure_mailbox
from congvan.mail.models import ArrivalState, MailArrival, Mailbox, MailFile, SeenMail
from congvan.orgs.access import acting_as
from congvan.orgs.tests.support import HU

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(people) -> Mailbox:
    settings = {"address": "vt@huyenuy.gov.vn", "host": "127.0.0.1", "port": 143, "security": "plain"}
    return do_configure_mailbox(
        HU, {**settings, "username": "vt", "password": "x"}, actor=acting_as(people["root"], HU)
    )


def _arrival(mailbox: Mailbox, digest: str, **kwargs: object) -> MailArrival:
    values: dict[str, object] = {
        "sender": "vanthu@binhtan.gov.vn",
        "sender_name": "Văn thư UBND phường Bình Tân",
        "subject": "Gửi văn bản số 125/UBND-VP về chuyển đổi số",
        "sent_at": dt.datetime(2026, 12, 5, 8, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=7))),
        "received_at": timezone.now(),
        "body": "Kính gửi Huyện ủy,\nTrân trọng.",
        "headers": "From: x\r\nSubject: y",
        "state": ArrivalState.NEW,
    }
    return MailArrival(
        unit_id=mailbox.unit_id,
        mailbox=mailbox,
        digest=digest,
        message_id=f"<{digest[:8]}@binhtan>",
        **{**values, **kwargs},
    )


def _row(obj: object, *ignore: str) -> dict[str, object]:
    model = type(obj)
    row = model.objects.filter(pk=obj.pk).values().get()  # type: ignore[attr-defined]
    return {k: v for k, v in row.items() if k not in {"id", *ignore}}


def test_the_rows_written_are_those_bulk_create_writes(mailbox):
    theirs = [
        _arrival(mailbox, "a" * 64),
        _arrival(mailbox, "c" * 64, sent_at=None, state=ArrivalState.REFUSED),
    ]
    ours = [
        _arrival(mailbox, "b" * 64),
        _arrival(mailbox, "d" * 64, sent_at=None, state=ArrivalState.REFUSED),
    ]
    for o in ours[1:]:
        o.received_at = theirs[1].received_at
    ours[0].received_at = theirs[0].received_at
    MailArrival.objects.bulk_create(theirs)
    insert_rows(ours)
    for mine, other in zip(ours, theirs, strict=True):
        assert mine.pk is not None and not mine._state.adding and mine._state.db == "default"
        assert _row(mine, "digest", "message_id") == _row(other, "digest", "message_id")
        mine.refresh_from_db()
        assert mine.sent_at == other.sent_at and mine.state == other.state

    # a row that fills its dates itself, a foreign key given as its object, a JSON default
    blob = Blob(sha256=hashlib.sha256(b"x").hexdigest(), size=1, mime="application/pdf")
    insert_rows([blob])
    before = timezone.now()
    theirs_i = Intake.objects.bulk_create([Intake(unit_id=mailbox.unit_id, blob=blob, name="Văn bản.pdf")])
    ours_i = [Intake(unit_id=mailbox.unit_id, blob=blob, name="Văn bản.pdf")]
    insert_rows(ours_i)
    assert _row(ours_i[0], "created_at", "updated_at") == _row(theirs_i[0], "created_at", "updated_at")
    assert ours_i[0].created_at >= before and ours_i[0].updated_at >= before
    assert Intake.objects.get(pk=ours_i[0].pk).blob_id == blob.sha256

    insert_rows([MailFile(arrival=ours[0], intake=ours_i[0], position=0)])
    assert list(ours[0].files.values_list("intake_id", flat=True)) == [ours_i[0].pk]


def test_many_rows_each_get_their_own_key(mailbox):
    # more rows than SQLite takes in one statement (999 values): several statements, keys in order
    now = timezone.now()
    rows = [
        SeenMail(
            mailbox=mailbox, folder="INBOX", uidvalidity=7, uid=uid, outcome="skipped", done=True, at=now
        )
        for uid in range(1, 251)
    ]
    insert_rows(rows)
    assert len({r.pk for r in rows}) == 250
    found = dict(SeenMail.objects.filter(mailbox=mailbox).values_list("pk", "uid"))
    assert all(found[r.pk] == r.uid for r in rows)


def test_conflicts_ignored_when_asked_and_refused_otherwise(mailbox):
    first = Blob(sha256=hashlib.sha256(b"1").hexdigest(), size=1, mime="application/pdf")
    insert_rows([first], ignore_conflicts=True)
    again = Blob(sha256=first.sha256, size=999, mime="image/png")
    other = Blob(sha256=hashlib.sha256(b"2").hexdigest(), size=2, mime="image/png")
    insert_rows([again, other], ignore_conflicts=True)
    assert dict(Blob.objects.values_list("sha256", "size")) == {first.sha256: 1, other.sha256: 2}
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows([Blob(sha256=first.sha256, size=3, mime="x")])


def test_an_unsaved_related_row_is_refused(mailbox):
    unsaved = _arrival(mailbox, "e" * 64)
    with pytest.raises(ValueError, match="not saved"):
        insert_rows(
            [
                SeenMail(
                    mailbox=mailbox,
                    folder="I",
                    uidvalidity=1,
                    uid=1,
                    outcome="taken",
                    arrival=unsaved,
                    at=timezone.now(),
                )
            ]
        )
    assert not SeenMail.objects.exists()


def test_rows_with_keys_and_rows_without_are_left_to_django(mailbox):
    now = timezone.now()
    rows = [
        SeenMail(mailbox=mailbox, folder="I", uidvalidity=1, uid=u, outcome="skipped", at=now) for u in (1, 2)
    ]
    rows[1].pk = 10_000
    insert_rows(rows)
    assert SeenMail.objects.filter(pk=10_000, uid=2).exists() and SeenMail.objects.count() == 2
