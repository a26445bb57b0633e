"""Release one 1 MB document to 1,000 recipient units.

Prints the time per release, the query count (for 10 and for 1,000 recipients: it must not grow),
and the raw baseline: the same rows inserted with plain SQL in one transaction.
Targets (issue "Core"): at most 1 s on SQLite, at most 5x the raw baseline, constant queries.

    .venv/bin/python -m bench.release [--db postgres] [--quick]
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bench.common import median, parse_args, setup_django, size, timed, verdict


def main() -> None:
    args = parse_args(__doc__ or "")
    setup_django(args)
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from congvan.dispatch.actions import do_release
    from congvan.documents.actions import do_create_draft
    from congvan.documents.models import Document
    from congvan.documents.uploads import stage_bytes
    from congvan.lib.pdfgen import simple_pdf
    from congvan.orgs.access import acting_as
    from congvan.orgs.models import Membership, Unit, User
    from congvan.registers.actions import do_create_term

    n_recipients = size(args, 1000, 200, 20)
    repeat = size(args, 5, 3, 1)
    now = timezone.now()
    with transaction.atomic():
        sender = Unit.objects.create(code="000.00.01.H57", name="Huyện ủy", abbreviation="HU", path="/S/")
        Unit.objects.bulk_create(
            [
                Unit(code=f"R{i:05d}", name=f"Chi bộ {i}", abbreviation="CB", path=f"/R{i}/", created_at=now)
                for i in range(n_recipients)
            ]
        )
        do_create_term(unit_code=sender.code, name="2025-2030", starts_on=dt.date(2025, 1, 1), actor=None)
        clerk = User.objects.create_user(username="clerk", password="x")
        Membership.objects.create(user=clerk, unit=sender, role="clerk")
    acting = acting_as(clerk, None)
    codes = list(Unit.objects.filter(code__startswith="R").order_by("code").values_list("code", flat=True))
    pdf = simple_pdf(["Bench"], padding=1024 * 1024)

    def approved_document() -> int:
        doc = do_create_draft(
            {"type": "KH", "subject": "Kế hoạch"},
            main=stage_bytes("a.pdf", pdf),
            attachments=[],
            actor=acting,
        )
        Document.objects.filter(pk=doc.pk).update(state="approved")
        return doc.pk

    def release_to(recipients: list[str]) -> int:
        doc_id = approved_document()
        with CaptureQueriesContext(connection) as ctx:
            do_release(doc_id, recipients=recipients, actor=acting)
        return len(ctx.captured_queries)

    q_small = release_to(codes[:10])
    q_large = release_to(codes)
    docs = [approved_document() for _ in range(repeat)]
    it = iter(docs)
    release_times = timed(lambda: do_release(next(it), recipients=codes, actor=acting), repeat)

    baseline_times = timed(
        lambda: raw_release(connection, sender.pk, clerk.pk, approved_document(), codes), repeat
    )
    # raw_release's timing includes approved_document(); measure it alone and subtract it.
    draft_times = timed(approved_document, repeat)
    raw = max(median(baseline_times) - median(draft_times), 1e-6)

    t = median(release_times)
    print(f"release of a 1 MB document to {len(codes)} recipients ({connection.vendor})")
    print(
        f"  congvan do_release      median {t * 1000:8.1f} ms   (runs: {', '.join(f'{x * 1000:.0f}' for x in release_times)})"
    )
    print(f"  raw SQL, same rows      median {raw * 1000:8.1f} ms")
    print(f"  ratio                   {t / raw:8.2f}x   target <= 5x: {verdict(t / raw <= 5)}")
    print(
        f"  queries                 {q_small} for 10 recipients, {q_large} for {len(codes)}: "
        f"{'constant' if q_small == q_large else 'GROWS'}"
    )
    if connection.vendor == "sqlite":
        print(f"  target <= 1 s on SQLite: {verdict(t <= 1.0)}")


def raw_release(connection: Any, sender_id: int, clerk_id: int, doc_id: int, codes: list[str]) -> None:
    """Insert what a release inserts (dispatch, deliveries, receipts, number, audit) with plain SQL."""
    from django.db import transaction
    from django.utils import timezone

    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT id FROM orgs_unit WHERE code IN (%s)" % ",".join(["%s"] * len(codes)), codes)
        unit_ids = [r[0] for r in cur.fetchall()]
        cur.execute(
            "UPDATE registers_register SET last_number = last_number + 1 WHERE unit_id = %s", [sender_id]
        )
        cur.execute(
            "UPDATE documents_document SET state='released', number=1, symbol='01-KH/HU', released_at=%s WHERE id=%s",
            [now, doc_id],
        )
        cur.execute(
            "INSERT INTO dispatch_dispatch (document_id, released_by_id, released_at, revoke_reason, paper_copy) VALUES (%s, %s, %s, '', '')",
            [doc_id, clerk_id, now],
        )
        cur.execute("SELECT id FROM dispatch_dispatch WHERE document_id = %s", [doc_id])
        dispatch_id = cur.fetchone()[0]
        cur.executemany(
            "INSERT INTO dispatch_delivery (dispatch_id, unit_id, state, state_changed_at, note, transport, "
            "transport_note) VALUES (%s, %s, 'arrived', %s, '', 'local', '')",
            [(dispatch_id, u, now) for u in unit_ids],
        )
        cur.execute("SELECT id, unit_id FROM dispatch_delivery WHERE dispatch_id = %s", [dispatch_id])
        deliveries = cur.fetchall()
        cur.executemany(
            "INSERT INTO dispatch_receipt (unit_id, document_id, delivery_id, issuer_id, urgency, state, arrived_at, "
            "returned_reason) VALUES (%s, %s, %s, %s, 'normal', 'arrived', %s, '')",
            [(u, doc_id, d, sender_id, now) for d, u in deliveries],
        )
        cur.executemany(
            "INSERT INTO dispatch_receiptcount (unit_id, state, n) VALUES (%s, 'arrived', 1) "
            "ON CONFLICT (unit_id, state) DO UPDATE SET n = dispatch_receiptcount.n + 1",
            [(u,) for u in unit_ids],
        )


if __name__ == "__main__":
    main()
