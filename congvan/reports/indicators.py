"""The IT-application indicators of the yearly inspection, computed from the system's own records.

For a unit and a period (a month ``2026-11``, a quarter ``2026-Q4``, a year ``2026``) each indicator has
its numerator and denominator. A unit's figures cover it and every unit below it (the roll-up is the
sum of the units' own counts; medians and percentiles are taken over the pooled durations). Only
counts leave a unit: a leader above sees the figures of the units below, never their documents.

Indicators (issue "The inspection report"; what congvan does not hold yet is "not available"):

- ``incoming_electronic``: incoming documents that arrived electronically (on this server or by
  exchange, or from the unit's mailbox) / all that arrived, paper arrivals included (an intake that no
  mail brought made the document)
- ``outgoing_electronic``: documents released through the system and not also on paper / released;
  beside it, the paper copies by reason (the release's ``paper_copy``)
- ``signed_personal``, ``signed_unit``: released documents whose main file carries a valid personal
  signature (any valid signature but the unit's seal field ``DonViKy``) / a valid unit signature
- ``incoming_signature_checked``: registered incoming documents whose main file's signature was
  verified before the registration / registered
- ``paper_digitised``: paper arrivals read into searchable text / paper arrivals taken in
- ``accounts_active``: members who signed in during the last 30 days of the period / members
- ``units_inactive``: units where nobody signed in during the period / units
- ``official_email``: members with an e-mail address / members
- ``units_mailbox``: units with an official mailbox configured (and in use) by the period's end / units
- ``assignments_completed``: assignments completed in the period / opened in the period
- ``on_time``: lead assignments completed in the period by their deadline / completed; with the median
  and 90th percentile days from registration to completion, and the work overdue at the period's end
- ``two_factor``: leaders and administrators with two-factor sign-in / leaders and administrators
- server-wide, beside them: the last backup and file check, open security alerts, and documents
  exchanged with each other server (sent, failed, delivery latency p50/p95)
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from congvan.audit.models import AuditEvent
from congvan.capture.models import Intake, IntakeState
from congvan.dispatch.models import Dispatch, Receipt
from congvan.documents.models import DocumentFile, FileRole
from congvan.exchange.models import OutKind, OutMessage, OutState
from congvan.lib.dates import VN
from congvan.lib.errors import InvalidInput
from congvan.mail.models import Mailbox
from congvan.orgs.models import Membership, Role, Unit
from congvan.security.models import SecurityAlert, TotpDevice, UserSession
from congvan.signatures.models import SignatureReport
from congvan.workflow import rules
from congvan.workflow.models import Assignment, AssignmentRole, AssignmentState

UNIT_SEAL_FIELD = "DonViKy"
RATIOS = [
    "incoming_electronic",
    "outgoing_electronic",
    "signed_personal",
    "signed_unit",
    "incoming_signature_checked",
    "paper_digitised",
    "accounts_active",
    "units_inactive",
    "official_email",
    "units_mailbox",
    "assignments_completed",
    "on_time",
    "two_factor",
]


def label(key: str) -> str:
    return {
        "incoming_electronic": _("Văn bản đến nhận điện tử"),
        "outgoing_electronic": _("Văn bản đi gửi điện tử"),
        "signed_personal": _("Văn bản đi có chữ ký số cá nhân hợp lệ"),
        "signed_unit": _("Văn bản đi có chữ ký số cơ quan hợp lệ"),
        "incoming_signature_checked": _("Văn bản đến được kiểm tra chữ ký trước khi vào sổ"),
        "paper_digitised": _("Văn bản giấy được số hóa (tìm được nội dung)"),
        "accounts_active": _("Tài khoản hoạt động trong 30 ngày"),
        "units_inactive": _("Đơn vị không hoạt động"),
        "official_email": _("Người có hộp thư công vụ"),
        "units_mailbox": _("Đơn vị có hộp thư công vụ nhận văn bản"),
        "assignments_completed": _("Việc giao hoàn thành trên hệ thống"),
        "on_time": _("Việc chủ trì hoàn thành đúng hạn"),
        "two_factor": _("Lãnh đạo, quản trị dùng xác thực hai lớp"),
    }.get(key, key)


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.datetime  # inclusive, Vietnam time
    end: dt.datetime  # exclusive

    @property
    def months(self) -> list[str]:
        out, day = [], self.start.date()
        while day < self.end.date():
            out.append(f"{day.year}-{day.month:02d}")
            day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return out


def _month_start(year: int, month: int) -> dt.datetime:
    return dt.datetime(year + (month - 1) // 12, (month - 1) % 12 + 1, 1, tzinfo=VN)


def parse_period(text: str) -> Period:
    """``2026-11``, ``2026-Q4`` or ``2026``; anything else is a clear refusal."""
    text = (text or "").strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return Period(text, _month_start(year, month), _month_start(year, month + 1))
    if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
        year, q = int(m.group(1)), int(m.group(2))
        return Period(f"{year}-Q{q}", _month_start(year, 3 * q - 2), _month_start(year, 3 * q + 1))
    if re.fullmatch(r"\d{4}", text):
        year = int(text)
        return Period(text, _month_start(year, 1), _month_start(year + 1, 1))
    raise InvalidInput(
        _("Kỳ báo cáo không hợp lệ: %(text)s (tháng 2026-11, quý 2026-Q4 hoặc năm 2026)")
        % {"text": text[:20]},
        code="bad_period",
    )


@dataclass
class Counts:
    """One unit's own counts (numerators and denominators by indicator) and durations in days."""

    num: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    den: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    days: list[float] = field(default_factory=list)
    overdue: int = 0
    paper: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # paper copies by reason

    def add(self, other: Counts) -> None:
        for k, v in other.paper.items():
            self.paper[k] += v
        for k, v in other.num.items():
            self.num[k] += v
        for k, v in other.den.items():
            self.den[k] += v
        self.days.extend(other.days)
        self.overdue += other.overdue

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in RATIOS:
            n, d = self.num.get(key, 0), self.den.get(key, 0)
            out[key] = {"numerator": n, "denominator": d, "value": round(n / d, 4) if d else None}
        days = sorted(self.days)
        out["processing_days"] = {
            "median": round(statistics.median(days), 2) if days else None,
            "p90": round(days[min(len(days) - 1, int(0.9 * len(days)))], 2) if days else None,
            "completed": len(days),
        }
        out["overdue"] = {"count": self.overdue}
        out["paper_copies"] = {
            "total": sum(self.paper.values()),
            "by_reason": dict(sorted(self.paper.items())),
        }
        return out


def _tally(counts: dict[int, Counts], rows: Iterable[tuple[int, int, int]], key: str) -> None:
    """Rows of (unit id, numerator, denominator)."""
    for unit_id, n, d in rows:
        c = counts[unit_id]
        c.num[key] += n or 0
        c.den[key] += d or 0


def _valid(sig: dict[str, Any]) -> bool:
    return bool(sig.get("intact")) and bool(sig.get("trusted")) and not sig.get("revoked")


def own_counts(units: list[Unit], period: Period) -> dict[int, Counts]:
    """Each unit's own counts for the period, in a fixed number of queries whatever the units."""
    ids = [u.pk for u in units]
    start, end = period.start, period.end
    counts: dict[int, Counts] = defaultdict(Counts)

    paper = Exists(Intake.objects.filter(document=OuterRef("document"), mail_file__isnull=True))
    arrived = Receipt.objects.filter(unit_id__in=ids, arrived_at__gte=start, arrived_at__lt=end)
    _tally(
        counts,
        arrived.values("unit_id")
        .annotate(n=Count("id", filter=~Q(paper)), d=Count("id"))
        .values_list("unit_id", "n", "d"),
        "incoming_electronic",
    )
    released = Dispatch.objects.filter(
        document__issuing_unit_id__in=ids, released_at__gte=start, released_at__lt=end
    )
    _tally(
        counts,
        released.values("document__issuing_unit_id")
        .annotate(n=Count("id", filter=Q(paper_copy="")), d=Count("id"))
        .values_list("document__issuing_unit_id", "n", "d"),
        "outgoing_electronic",
    )
    for unit_id, reason, n in (
        released.exclude(paper_copy="")
        .values("document__issuing_unit_id", "paper_copy")
        .annotate(n=Count("id"))
        .values_list("document__issuing_unit_id", "paper_copy", "n")
    ):
        counts[unit_id].paper[reason] += n
    mains = DocumentFile.objects.filter(role=FileRole.MAIN, document__dispatch__in=released).values_list(
        "document__issuing_unit_id", "blob_id"
    )
    reports = dict(
        SignatureReport.objects.filter(blob_id__in=[b for _u, b in mains]).values_list(
            "blob_id", "signatures"
        )
    )
    for unit_id, blob in mains:
        sigs = reports.get(blob) or []
        c = counts[unit_id]
        c.den["signed_personal"] += 1
        c.den["signed_unit"] += 1
        c.num["signed_personal"] += any(_valid(s) and s.get("field_name") != UNIT_SEAL_FIELD for s in sigs)
        c.num["signed_unit"] += any(_valid(s) and s.get("field_name") == UNIT_SEAL_FIELD for s in sigs)
    checked_first = Exists(
        SignatureReport.objects.filter(
            blob__documentfile__document=OuterRef("document"),
            blob__documentfile__role=FileRole.MAIN,
            checked_at__lte=OuterRef("registered_at"),
        )
    )
    registered = Receipt.objects.filter(unit_id__in=ids, registered_at__gte=start, registered_at__lt=end)
    _tally(
        counts,
        registered.values("unit_id")
        .annotate(n=Count("id", filter=Q(checked_first)), d=Count("id"))
        .values_list("unit_id", "n", "d"),
        "incoming_signature_checked",
    )
    _tally(
        counts,
        Intake.objects.filter(
            unit_id__in=ids, created_at__gte=start, created_at__lt=end, mail_file__isnull=True
        )
        .values("unit_id")
        .annotate(n=Count("id", filter=Q(state=IntakeState.DONE) & ~Q(text="")), d=Count("id"))
        .values_list("unit_id", "n", "d"),
        "paper_digitised",
    )
    _people(counts, ids, period)
    _work(counts, ids, period)
    return counts


def _people(counts: dict[int, Counts], ids: list[int], period: Period) -> None:
    members = Membership.objects.filter(unit_id__in=ids, active=True, user__is_active=True)
    recent = Q(user__last_login__gte=period.end - dt.timedelta(days=30), user__last_login__lt=period.end)
    _tally(
        counts,
        members.values("unit_id")
        .annotate(n=Count("id", filter=recent), d=Count("id"))
        .values_list("unit_id", "n", "d"),
        "accounts_active",
    )
    _tally(
        counts,
        members.values("unit_id")
        .annotate(n=Count("id", filter=~Q(user__email="")), d=Count("id"))
        .values_list("unit_id", "n", "d"),
        "official_email",
    )
    watched = members.filter(role__in=[Role.LEADER, Role.ADMIN])
    two = Exists(TotpDevice.objects.filter(user=OuterRef("user"), confirmed=True))
    _tally(
        counts,
        watched.values("unit_id")
        .annotate(n=Count("id", filter=Q(two)), d=Count("id"))
        .values_list("unit_id", "n", "d"),
        "two_factor",
    )
    active_units = set(
        UserSession.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
        .filter(user__memberships__unit_id__in=ids, user__memberships__active=True)
        .values_list("user__memberships__unit_id", flat=True)
    )
    for unit_id in ids:
        counts[unit_id].den["units_inactive"] += 1
        counts[unit_id].num["units_inactive"] += unit_id not in active_units
    boxes = set(
        Mailbox.objects.filter(unit_id__in=ids, active=True, created_at__lt=period.end).values_list(
            "unit_id", flat=True
        )
    )
    for unit_id in ids:
        counts[unit_id].den["units_mailbox"] += 1
        counts[unit_id].num["units_mailbox"] += unit_id in boxes


def _work(counts: dict[int, Counts], ids: list[int], period: Period) -> None:
    start, end = period.start, period.end
    mine = Assignment.objects.filter(owner_unit_id__in=ids)
    opened = dict(
        mine.filter(created_at__gte=start, created_at__lt=end)
        .values("owner_unit_id")
        .annotate(n=Count("id"))
        .values_list("owner_unit_id", "n")
    )
    done = dict(
        mine.filter(completed_at__gte=start, completed_at__lt=end, state=AssignmentState.COMPLETED)
        .values("owner_unit_id")
        .annotate(n=Count("id"))
        .values_list("owner_unit_id", "n")
    )
    for unit_id in set(opened) | set(done):
        counts[unit_id].num["assignments_completed"] += done.get(unit_id, 0)
        counts[unit_id].den["assignments_completed"] += opened.get(unit_id, 0)
    leads = mine.filter(
        role=AssignmentRole.LEAD,
        state=AssignmentState.COMPLETED,
        completed_at__gte=start,
        completed_at__lt=end,
        parent__isnull=True,
    ).values_list("owner_unit_id", "deadline", "completed_at", "receipt__registered_at", "created_at")
    for unit_id, deadline, completed, registered, created in leads:
        assert completed is not None  # completed assignments have their time
        c = counts[unit_id]
        c.den["on_time"] += 1
        c.num["on_time"] += completed.astimezone(VN).date() <= deadline
        c.days.append((completed - (registered or created)).total_seconds() / 86400)
    last_day = (period.end - dt.timedelta(days=1)).date()
    for unit_id, n in (
        mine.filter(rules.overdue(last_day + dt.timedelta(days=1)), created_at__lt=end)
        .values("owner_unit_id")
        .annotate(n=Count("id"))
        .values_list("owner_unit_id", "n")
    ):
        counts[unit_id].overdue += n


def rolled_up(unit: Unit, period: Period) -> tuple[Counts, list[tuple[Unit, Counts]]]:
    """The unit's figures (its subtree) and those of each unit directly below it (theirs)."""
    tree = list(
        Unit.objects.filter(path__startswith=unit.path).only("id", "code", "name", "path", "parent_id")
    )
    own = own_counts(tree, period)
    children = sorted((u for u in tree if u.parent_id == unit.pk), key=lambda u: u.path)
    total = Counts()
    for u in tree:
        total.add(own.get(u.pk, Counts()))
    below = []
    for child in children:
        c = Counts()
        for u in tree:
            if u.path.startswith(child.path):
                c.add(own.get(u.pk, Counts()))
        below.append((child, c))
    return total, below


def server_wide(period: Period) -> dict[str, Any]:
    """What belongs to the server rather than a unit: backups, file checks, alerts, the exchange."""

    def last(action: str) -> str | None:
        at = AuditEvent.objects.filter(action=action).order_by("-seq").values_list("at", flat=True).first()
        return at.astimezone(VN).isoformat() if at else None

    sent = OutMessage.objects.filter(
        kind=OutKind.DOCUMENT, created_at__gte=period.start, created_at__lt=period.end
    )
    by_peer: dict[str, dict[str, Any]] = {}
    latencies: dict[str, list[float]] = defaultdict(list)
    for hop, state, created, acked in sent.values_list("hop", "state", "created_at", "acked_at"):
        row = by_peer.setdefault(hop, {"sent": 0, "acknowledged": 0, "failed": 0})
        row["sent"] += 1
        row["failed"] += state == OutState.FAILED
        if acked is not None:
            row["acknowledged"] += 1
            latencies[hop].append((acked - created).total_seconds())
    for hop, row in by_peer.items():
        values = sorted(latencies[hop])
        row["latency_p50_s"] = round(statistics.median(values), 2) if values else None
        row["latency_p95_s"] = (
            round(values[min(len(values) - 1, int(0.95 * len(values)))], 2) if values else None
        )
    return {
        "last_backup": last("ops.backup"),
        "last_file_check": last("ops.fsck"),
        "open_alerts": SecurityAlert.objects.filter(acknowledged_at__isnull=True).count(),
        "exchange": by_peer,
    }
