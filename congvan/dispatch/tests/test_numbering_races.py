"""Whole releases racing each other number without gaps or duplicates."""

from __future__ import annotations

import threading

import pytest
from django.db import connections


@pytest.mark.django_db(transaction=True)
def test_concurrent_release_actions_number_without_gaps(org, people):
    """Whole releases racing each other: every document gets its own number, none skipped."""
    from congvan.dispatch.actions import do_release
    from congvan.documents.actions import do_create_draft
    from congvan.documents.models import Document
    from congvan.documents.uploads import stage_bytes
    from congvan.lib.pdfgen import simple_pdf
    from congvan.orgs.access import acting_as

    clerk = acting_as(people["alice"], None)
    ids = []
    for i in range(12):
        doc = do_create_draft(
            {"type": "KH", "subject": f"Kế hoạch {i}"},
            main=stage_bytes("a.pdf", simple_pdf([str(i)])),
            attachments=[],
            actor=clerk,
        )
        ids.append(doc.pk)
    Document.objects.filter(pk__in=ids).update(state="approved")
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def work(chunk: list[int]) -> None:
        try:
            barrier.wait()
            for pk in chunk:
                do_release(
                    pk, recipients=["000.01.01.H57", "000.01.02.H57"], actor=acting_as(people["alice"], None)
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(ids[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(n or 0 for n in Document.objects.filter(pk__in=ids).values_list("number", flat=True))
    assert numbers == list(range(1, 13))
    symbols = set(Document.objects.filter(pk__in=ids).values_list("symbol", flat=True))
    assert len(symbols) == 12
