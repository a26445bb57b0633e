"""Inbox page of 50 for a unit holding 100,000 receipts, through the API layer in process.

Prints p50/p95 per request for the first page, a deep page (by cursor) and a filtered page, the query
count of each (it must not depend on the depth), and the raw SQL for the same page.
Targets (issue "Core"): p95 at most 50 ms on SQLite and PostgreSQL; aim within 10x of raw SQL.

    .venv/bin/python -m bench.inbox [--db postgres] [--quick]
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from bench.common import count_queries, median, p95, parse_args, setup_django, size, timed, verdict


def main() -> None:
    args = parse_args(__doc__ or "")
    setup_django(args)
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from congvan.dispatch.models import Receipt
    from congvan.documents.models import Document, DocumentType
    from congvan.orgs.actions import do_issue_token
    from congvan.orgs.models import Membership, Unit, User

    total = size(args, 100_000, 10_000, 300)
    rounds = size(args, 200, 50, 5)
    random.seed(7)
    kh = DocumentType.objects.get(abbreviation="KH")
    start = timezone.now() - dt.timedelta(days=365)
    with transaction.atomic():
        me = Unit.objects.create(code="000.01.01.H57", name="Đảng ủy xã", abbreviation="ĐU", path="/ME/")
        issuers = Unit.objects.bulk_create(
            [
                Unit(code=f"I{i:03d}", name=f"Cơ quan {i}", abbreviation=f"I{i}", path=f"/I{i}/")
                for i in range(50)
            ]
        )
        author = User.objects.create_user(username="author", password="x")
        clerk = User.objects.create_user(username="clerk", password="x")
        Membership.objects.create(user=clerk, unit=me, role="clerk")
    batch = 10_000
    for lo in range(0, total, batch):
        with transaction.atomic():
            docs = Document.objects.bulk_create(
                [
                    Document(
                        issuing_unit=issuers[i % 50],
                        created_by=author,
                        doc_type=kh,
                        subject=f"Kế hoạch số {i} về công tác chuyển đổi số",
                        state="released",
                        number=i,
                        symbol=f"{i:02d}-KH/I{i % 50}",
                        released_at=start + dt.timedelta(minutes=5 * i),
                    )
                    for i in range(lo, min(lo + batch, total))
                ],
                batch_size=2000,
            )
            Receipt.objects.bulk_create(
                [
                    Receipt(
                        unit=me,
                        document=d,
                        issuer_id=d.issuing_unit_id,
                        urgency="urgent" if i % 7 == 0 else "normal",
                        state="arrived" if i % 3 else "registered",
                        arrived_at=start + dt.timedelta(minutes=5 * i),
                    )
                    for i, d in enumerate(docs, start=lo)
                ],
                batch_size=2000,
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    token = do_issue_token(clerk)
    client = Client()
    headers = {"Authorization": f"Bearer {token}"}

    def get(params: dict[str, str]) -> dict[str, Any]:
        r = client.get("/api/v1/inbox", {"limit": "50", **params}, headers=headers)
        assert r.status_code == 200, r.content
        page: dict[str, Any] = r.json()
        return page

    # Cursors at several depths, collected by walking the pages.
    cursors = [""]
    page = get({})
    while page["next"] and len(cursors) < 40:
        cursors.append(page["next"])
        page = get({"cursor": page["next"]})
    deep = cursors[-1]

    q_first, q_deep = count_queries(lambda: get({})), count_queries(lambda: get({"cursor": deep}))
    q_filtered = count_queries(lambda: get({"urgency": "urgent", "view": "new"}))
    first = timed(lambda: get({}), rounds)
    deep_t = timed(lambda: get({"cursor": random.choice(cursors)}), rounds)
    filtered = timed(lambda: get({"urgency": "urgent", "view": "new"}), rounds)

    raw_sql = (
        "SELECT r.id, r.state, r.arrived_at, r.incoming_number, r.arrival_date, r.returned_reason, r.urgency, "
        "d.id, d.symbol, d.subject, d.issued_date, t.abbreviation, u.code, u.name "
        "FROM dispatch_receipt r JOIN documents_document d ON d.id = r.document_id "
        "JOIN documents_documenttype t ON t.id = d.doc_type_id JOIN orgs_unit u ON u.id = r.issuer_id "
        "WHERE r.unit_id = %s ORDER BY r.arrived_at DESC, r.id DESC LIMIT 51"
    )

    def raw() -> None:
        with connection.cursor() as cur:
            cur.execute(raw_sql, [me.pk])
            cur.fetchall()

    raw_t = timed(raw, rounds)
    floor = timed(lambda: client.get("/api/v1/me", headers=headers), rounds)
    n = Receipt.objects.filter(unit=me).count()
    print(f"inbox page of 50, unit with {n} receipts ({connection.vendor}), {rounds} requests each")
    for label, values, q in (
        ("first page", first, q_first),
        ("deep pages (cursor)", deep_t, q_deep),
        ("filtered (urgent, new)", filtered, q_filtered),
    ):
        print(
            f"  API {label:<24} p50 {median(values) * 1000:6.1f} ms  p95 {p95(values) * 1000:6.1f} ms  "
            f"queries {q}   target p95 <= 50 ms: {verdict(p95(values) <= 0.05)}"
        )
    print(f"  raw SQL, same page         p50 {median(raw_t) * 1000:6.1f} ms  p95 {p95(raw_t) * 1000:6.1f} ms")
    print(
        f"  API floor: GET /me         p50 {median(floor) * 1000:6.1f} ms  (auth, middleware, JSON; no inbox)"
    )
    ratio = median(first) / max(median(raw_t), 1e-6)
    print(f"  API / raw (first page)     {ratio:6.1f}x   aim <= 10x: {verdict(ratio <= 10)}")
    print(f"  queries constant across depth: {'yes' if q_first == q_deep == q_filtered else 'NO'}")


if __name__ == "__main__":
    main()
