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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
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


@dataclass(frozen=True)
class Ratio:
    """An indicator counted over database rows: the rows of its denominator (of some units, in a
    period), the field that holds a row's unit, and the condition that puts a row in the numerator.
    The counts and the drill-down (``congvan/reports/drilldown.py``) both read them."""

    rows: Callable[[list[int], Period], QuerySet[Any]]
    unit_field: str
    counted: Callable[[Period], Q]
    kind: str  # what a row is: receipt | dispatch | intake | membership


def _arrived(ids: list[int], p: Period) -> QuerySet[Any]:
    return Receipt.objects.filter(unit_id__in=ids, arrived_at__gte=p.start, arrived_at__lt=p.end)


def _electronic(p: Period) -> Q:
    """Not made from an intake that no mail brought (a paper arrival)."""
    return ~Q(Exists(Intake.objects.filter(document=OuterRef("document"), mail_file__isnull=True)))


def _released(ids: list[int], p: Period) -> QuerySet[Any]:
    return Dispatch.objects.filter(
        document__issuing_unit_id__in=ids, released_at__gte=p.start, released_at__lt=p.end
    )


def _registered(ids: list[int], p: Period) -> QuerySet[Any]:
    return Receipt.objects.filter(unit_id__in=ids, registered_at__gte=p.start, registered_at__lt=p.end)


def _checked_first(p: Period) -> Q:
    return Q(
        Exists(
            SignatureReport.objects.filter(
                blob__documentfile__document=OuterRef("document"),
                blob__documentfile__role=FileRole.MAIN,
                checked_at__lte=OuterRef("registered_at"),
            )
        )
    )


def _paper_intakes(ids: list[int], p: Period) -> QuerySet[Any]:
    return Intake.objects.filter(
        unit_id__in=ids, created_at__gte=p.start, created_at__lt=p.end, mail_file__isnull=True
    )


def _members(ids: list[int], p: Period) -> QuerySet[Any]:
    return Membership.objects.filter(unit_id__in=ids, active=True, user__is_active=True)


def _watched(ids: list[int], p: Period) -> QuerySet[Any]:
    return _members(ids, p).filter(role__in=[Role.LEADER, Role.ADMIN])


def _recent(p: Period) -> Q:
    return Q(user__last_login__gte=p.end - dt.timedelta(days=30), user__last_login__lt=p.end)


def _two_factor(p: Period) -> Q:
    return Q(Exists(TotpDevice.objects.filter(user=OuterRef("user"), confirmed=True)))


ROW_RATIOS: dict[str, Ratio] = {
    "incoming_electronic": Ratio(_arrived, "unit_id", _electronic, "receipt"),
    "outgoing_electronic": Ratio(
        _released, "document__issuing_unit_id", lambda p: Q(paper_copy=""), "dispatch"
    ),
    "incoming_signature_checked": Ratio(_registered, "unit_id", _checked_first, "receipt"),
    "paper_digitised": Ratio(
        _paper_intakes, "unit_id", lambda p: Q(state=IntakeState.DONE) & ~Q(text=""), "intake"
    ),
    "accounts_active": Ratio(_members, "unit_id", _recent, "membership"),
    "official_email": Ratio(_members, "unit_id", lambda p: ~Q(user__email=""), "membership"),
    "two_factor": Ratio(_watched, "unit_id", _two_factor, "membership"),
}


def signature_flags(sigs: list[dict[str, Any]]) -> tuple[bool, bool]:
    """Whether a file's verified signatures hold a valid personal one and a valid unit seal."""
    personal = any(_valid(s) and s.get("field_name") != UNIT_SEAL_FIELD for s in sigs)
    seal = any(_valid(s) and s.get("field_name") == UNIT_SEAL_FIELD for s in sigs)
    return personal, seal


def released_mains(ids: list[int], period: Period) -> list[tuple[int, int, list[dict[str, Any]]]]:
    """(unit id, document id, the main file's verified signatures) of each release in the period."""
    mains = DocumentFile.objects.filter(
        role=FileRole.MAIN, document__dispatch__in=_released(ids, period)
    ).values_list("document__issuing_unit_id", "document_id", "blob_id")
    reports = dict(
        SignatureReport.objects.filter(blob_id__in=[b for _u, _d, b in mains]).values_list(
            "blob_id", "signatures"
        )
    )
    return [(unit_id, doc, reports.get(blob) or []) for unit_id, doc, blob in mains]


def own_counts(units: list[Unit], period: Period) -> dict[int, Counts]:
    """Each unit's own counts for the period, in a fixed number of queries whatever the units."""
    ids = [u.pk for u in units]
    counts: dict[int, Counts] = defaultdict(Counts)
    for key, ratio in ROW_RATIOS.items():
        _tally(
            counts,
            ratio.rows(ids, period)
            .values(ratio.unit_field)
            .annotate(n=Count("id", filter=ratio.counted(period)), d=Count("id"))
            .values_list(ratio.unit_field, "n", "d"),
            key,
        )
    for unit_id, reason, n in (
        _released(ids, period)
        .exclude(paper_copy="")
        .values("document__issuing_unit_id", "paper_copy")
        .annotate(n=Count("id"))
        .values_list("document__issuing_unit_id", "paper_copy", "n")
    ):
        counts[unit_id].paper[reason] += n
    for unit_id, _doc, sigs in released_mains(ids, period):
        personal, seal = signature_flags(sigs)
        c = counts[unit_id]
        c.den["signed_personal"] += 1
        c.den["signed_unit"] += 1
        c.num["signed_personal"] += personal
        c.num["signed_unit"] += seal
    inactive, boxes = inactive_units(ids, period), mailbox_units(ids, period)
    for unit_id in ids:
        counts[unit_id].den["units_inactive"] += 1
        counts[unit_id].num["units_inactive"] += unit_id in inactive
        counts[unit_id].den["units_mailbox"] += 1
        counts[unit_id].num["units_mailbox"] += unit_id in boxes
    _work(counts, ids, period)
    return counts


def inactive_units(ids: list[int], period: Period) -> set[int]:
    """The units where nobody started a session in the period."""
    active = set(
        UserSession.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
        .filter(user__memberships__unit_id__in=ids, user__memberships__active=True)
        .values_list("user__memberships__unit_id", flat=True)
    )
    return set(ids) - active


def mailbox_units(ids: list[int], period: Period) -> set[int]:
    """The units with an official mailbox set up (and in use) by the period's end."""
    return set(
        Mailbox.objects.filter(unit_id__in=ids, active=True, created_at__lt=period.end).values_list(
            "unit_id", flat=True
        )
    )


def assignments_opened(ids: list[int], p: Period) -> QuerySet[Any]:
    return Assignment.objects.filter(owner_unit_id__in=ids, created_at__gte=p.start, created_at__lt=p.end)


def assignments_done(ids: list[int], p: Period) -> QuerySet[Any]:
    return Assignment.objects.filter(
        owner_unit_id__in=ids,
        completed_at__gte=p.start,
        completed_at__lt=p.end,
        state=AssignmentState.COMPLETED,
    )


def leads_done(ids: list[int], p: Period) -> QuerySet[Any]:
    """The lead assignments (not sub-assignments) completed in the period: ``on_time``'s rows."""
    return assignments_done(ids, p).filter(role=AssignmentRole.LEAD, parent__isnull=True)


def overdue_at_end(ids: list[int], p: Period) -> QuerySet[Any]:
    """The work of the units still open past its deadline when the period ended."""
    last_day = (p.end - dt.timedelta(days=1)).date()
    return Assignment.objects.filter(owner_unit_id__in=ids).filter(
        rules.overdue(last_day + dt.timedelta(days=1)), created_at__lt=p.end
    )


def on_time(completed: dt.datetime, deadline: dt.date) -> bool:
    return completed.astimezone(VN).date() <= deadline


def _work(counts: dict[int, Counts], ids: list[int], period: Period) -> None:
    opened = dict(
        assignments_opened(ids, period)
        .values("owner_unit_id")
        .annotate(n=Count("id"))
        .values_list("owner_unit_id", "n")
    )
    done = dict(
        assignments_done(ids, period)
        .values("owner_unit_id")
        .annotate(n=Count("id"))
        .values_list("owner_unit_id", "n")
    )
    for unit_id in set(opened) | set(done):
        counts[unit_id].num["assignments_completed"] += done.get(unit_id, 0)
        counts[unit_id].den["assignments_completed"] += opened.get(unit_id, 0)
    leads = leads_done(ids, period).values_list(
        "owner_unit_id", "deadline", "completed_at", "receipt__registered_at", "created_at"
    )
    for unit_id, deadline, completed, registered, created in leads:
        assert completed is not None  # completed assignments have their time
        c = counts[unit_id]
        c.den["on_time"] += 1
        c.num["on_time"] += on_time(completed, deadline)
        c.days.append((completed - (registered or created)).total_seconds() / 86400)
    for unit_id, n in (
        overdue_at_end(ids, period)
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
