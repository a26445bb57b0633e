"""Oversight page of a province whose 200 units hold 1,000,000 receipts and 3,000,000 assignments.

Builds the data with SQL on PostgreSQL (a few minutes), then times GET /api/v1/oversight through the
API in process (p50/p95, query count, which must not depend on the data) beside the raw SQL
aggregates for the same figures. Target (issue "Processing"): p95 at most 200 ms on PostgreSQL.

Then the inspection indicators of the same province for the year (GET /api/v1/reports/indicators):
computed live, and read from its twelve frozen months, beside the raw SQL of their main aggregates.
Target (issue "The inspection report"): p95 at most 10 s live and 2 s from the frozen months.

    .venv/bin/python -m bench.oversight --db postgres [--quick]
"""

from __future__ import annotations

import time

from bench.common import count_queries, median, p95, parse_args, setup_django, size, timed, verdict

STATES = ["arrived", "registered", "directed", "in_progress", "completed", "returned"]


def main() -> None:
    args = parse_args(__doc__ or "")
    if args.db != "postgres":
        raise SystemExit("this benchmark is for PostgreSQL: --db postgres")
    setup_django(args)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from congvan.lib.dates import local_today
    from congvan.orgs.actions import do_issue_token
    from congvan.orgs.models import Membership, Unit, User

    units, docs_per_unit, per_receipt = size(args, 200, 200, 10), size(args, 5000, 500, 10), 3
    start = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM documents_documenttype WHERE abbreviation = 'CV'")
        type_id = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO orgs_unit (code, name, abbreviation, kind, sector, parent_id, path, place, active, created_at,"
            " home_node, email)"
            " VALUES ('P0', 'Tỉnh ủy', 'TU', 'province', 'party', NULL, '/P0/', '', true, now(), '', '') RETURNING id"
        )
        province = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO orgs_unit (code, name, abbreviation, kind, sector, parent_id, path, place, active, created_at,"
            " home_node, email)"
            " SELECT 'U' || g, 'Đơn vị ' || g, 'DV', 'district', 'party', %s, '/P0/U' || g || '/', '', true, now(), '', ''"
            " FROM generate_series(1, %s) g",
            [province, units - 1],
        )
        cur.execute(
            "INSERT INTO orgs_user (password, is_superuser, username, first_name, last_name, email, is_staff,"
            " is_active, date_joined, full_name, password_must_change, phone, email_notices) SELECT '!', false,"
            " 'u' || g, '', '', '', false, true, now(), 'Người ' || g, false, '', true FROM generate_series(1, %s) g",
            [units * 3],
        )
        cur.execute("SELECT min(id) FROM orgs_user")
        first_user = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO documents_document (issuing_unit_id, created_by_id, doc_type_id, subject, signer_name,"
            " signer_position, signer_competence, urgency, confidentiality, place, description,"
            " drafting_department, planned_recipients, planned_groups, state, review_comment, number, symbol,"
            " created_at, updated_at, received)"
            " SELECT %s, %s, %s, 'Công văn ' || g, '', '', '', 'normal', 'none', '', '', '', '[]', '[]', 'released',"
            " '', g,"
            " g || '/TU', now(), now(), '{}' FROM generate_series(1, %s) g",
            [province, first_user, type_id, docs_per_unit],
        )
        print(f"  units, people, documents: {time.perf_counter() - start:.0f} s", flush=True)
        cur.execute(
            "INSERT INTO dispatch_receipt (unit_id, document_id, issuer_id, urgency, state, arrived_at,"
            " returned_reason) SELECT u.id, d.id, %s, 'normal', (ARRAY['arrived','registered','directed',"
            "'in_progress','completed','returned'])[1 + ((u.id + d.id) %% 6)], now() - (d.id || ' hours')::interval,"
            " '' FROM orgs_unit u CROSS JOIN documents_document d",
            [province],
        )
        # The per-unit counts the system keeps in each state change, filled once for the generated rows.
        cur.execute(
            "INSERT INTO dispatch_receiptcount (unit_id, state, n) SELECT unit_id, state, count(*)"
            " FROM dispatch_receipt GROUP BY 1, 2"
        )
        print(f"  receipts: {time.perf_counter() - start:.0f} s", flush=True)
        today = local_today(timezone.now())
        cur.execute(
            "INSERT INTO workflow_assignment (receipt_id, owner_unit_id, assigned_by_id, assignee_user_id, role,"
            " deadline, state, created_at, result) SELECT r.id, r.unit_id, %s, %s + ((r.unit_id * 3 + k) %% %s),"
            " (ARRAY['lead','support','fyi'])[k + 1], %s::date + ((r.id * 7 + k) %% 120 - 60)::int,"
            " CASE WHEN (r.id + k) %% 10 < 8 THEN 'completed' WHEN (r.id + k) %% 10 = 8 THEN 'open'"
            " ELSE 'in_progress' END, now(), '' FROM dispatch_receipt r CROSS JOIN generate_series(0, %s) k",
            [first_user, first_user, units * 3, today, per_receipt - 1],
        )
        print(f"  assignments: {time.perf_counter() - start:.0f} s", flush=True)
    connection.close()
    import psycopg

    with psycopg.connect(args.postgres_url, autocommit=True) as admin:
        admin.execute("VACUUM ANALYZE")
    print(f"  vacuum analyze: {time.perf_counter() - start:.0f} s", flush=True)

    leader = User.objects.create_user(username="leader", password="x")
    Membership.objects.create(user=leader, unit=Unit.objects.get(code="P0"), role="leader")
    client, headers = Client(), {"Authorization": f"Bearer {do_issue_token(leader)}"}

    def page() -> None:
        r = client.get("/api/v1/oversight", headers=headers)
        assert r.status_code == 200, r.content

    queries = count_queries(page)
    rounds = size(args, 30, 10, 3)
    api_t = timed(page, rounds)

    raw_sql = [
        ("SELECT state, count(*) FROM dispatch_receipt WHERE unit_id = %s GROUP BY state", [province]),
        (
            "SELECT assignee_user_id, count(*) FROM workflow_assignment WHERE owner_unit_id = %s AND state IN"
            " ('open','in_progress','delegated') AND deadline < %s GROUP BY 1",
            [province, today],
        ),
        (
            "SELECT r.unit_id, r.state, count(*) FROM dispatch_receipt r JOIN orgs_unit u ON u.id = r.unit_id"
            " WHERE u.path LIKE '/P0/%%' AND r.unit_id <> %s GROUP BY 1, 2",
            [province],
        ),
        (
            "SELECT a.owner_unit_id, count(*) FROM workflow_assignment a JOIN orgs_unit u ON u.id = a.owner_unit_id"
            " WHERE u.path LIKE '/P0/%%' AND a.owner_unit_id <> %s AND a.state IN ('open','in_progress','delegated')"
            " AND a.deadline < %s GROUP BY 1",
            [province, today],
        ),
    ]

    def raw() -> None:
        with connection.cursor() as cur:
            for sql, params in raw_sql:
                cur.execute(sql, params)
                cur.fetchall()

    raw_t = timed(raw, rounds)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT (SELECT count(*) FROM dispatch_receipt), (SELECT count(*) FROM workflow_assignment)"
        )
        n_r, n_a = cur.fetchone()
    print(
        f"oversight of a province: {units} units, {n_r} receipts, {n_a} assignments (postgresql), {rounds} requests"
    )
    print(
        f"  API GET /oversight     p50 {median(api_t) * 1000:7.1f} ms  p95 {p95(api_t) * 1000:7.1f} ms  "
        f"queries {queries}   target p95 <= 200 ms: {verdict(p95(api_t) <= 0.2)}"
    )
    print(f"  raw SQL aggregates     p50 {median(raw_t) * 1000:7.1f} ms  p95 {p95(raw_t) * 1000:7.1f} ms")
    print(f"  API / raw              {median(api_t) / max(median(raw_t), 1e-6):7.2f}x")
    _indicators(args, client, headers, province)


def _indicators(args: object, client: object, headers: dict[str, str], province: int) -> None:
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from congvan.lib.dates import VN
    from congvan.reports.actions import do_freeze_month

    year = timezone.now().astimezone(VN).year

    def report(live: bool) -> None:
        params = {"period": str(year), **({"live": "true"} if live else {})}
        r = client.get("/api/v1/reports/indicators", params, headers=headers)  # type: ignore[attr-defined]
        assert r.status_code == 200, r.content
        assert r.json()["source"] == ("live" if live else "frozen"), r.json()["source"]

    rounds = size(args, 5, 3, 1)  # type: ignore[arg-type]
    live_t = timed(lambda: report(True), rounds)
    start = time.perf_counter()
    after = dt.datetime(year + 1, 1, 2, tzinfo=VN)  # as if the year had ended: every month frozen
    frozen_units = sum(do_freeze_month(f"{year}-{m:02d}", now=after) for m in range(1, 13))
    freezing = time.perf_counter() - start
    frozen_t = timed(lambda: report(False), size(args, 30, 10, 3))  # type: ignore[arg-type]
    begin, end = dt.datetime(year, 1, 1, tzinfo=VN), dt.datetime(year + 1, 1, 1, tzinfo=VN)
    raw_sql = [
        "SELECT unit_id, count(*) FROM dispatch_receipt WHERE arrived_at >= %s AND arrived_at < %s GROUP BY 1",
        "SELECT unit_id, count(*) FROM dispatch_receipt WHERE registered_at >= %s AND registered_at < %s"
        " GROUP BY 1",
        "SELECT owner_unit_id, count(*) FROM workflow_assignment WHERE created_at >= %s AND created_at < %s"
        " GROUP BY 1",
        "SELECT owner_unit_id, count(*) FROM workflow_assignment WHERE completed_at >= %s AND completed_at < %s"
        " GROUP BY 1",
    ]

    def raw() -> None:
        with connection.cursor() as cur:
            for sql in raw_sql:
                cur.execute(sql, [begin, end])
                cur.fetchall()

    raw_t = timed(raw, rounds)
    print(
        f"inspection indicators of the province for {year} ({frozen_units} unit-months frozen in {freezing:.1f} s)"
    )
    print(
        f"  computed live          p50 {median(live_t):7.2f} s   p95 {p95(live_t):7.2f} s   "
        f"target p95 <= 10 s: {verdict(p95(live_t) <= 10)}"
    )
    print(
        f"  from frozen months     p50 {median(frozen_t) * 1000:7.1f} ms  p95 {p95(frozen_t) * 1000:7.1f} ms  "
        f"target p95 <= 2 s: {verdict(p95(frozen_t) <= 2)}"
    )
    print(f"  raw SQL aggregates     p50 {median(raw_t) * 1000:7.1f} ms  p95 {p95(raw_t) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
