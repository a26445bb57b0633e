"""In-app notices; each event notifies a person once. E-mail goes out from the worker (mail app)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.orgs.access import Acting
from congvan.orgs.models import User
from congvan.workflow.models import AssignmentRole, EmailState, Notification


def notify(
    user_ids: Iterable[int | None],
    *,
    key: str,
    kind: str,
    about: tuple[str, int] | None = None,
    **params: str,
) -> int:
    """Create one notice per person for the event ``key``; return how many were new.

    ``kind`` and ``params`` make the words (``notice_text``), in the reader's language when shown.
    """
    return notify_many([(i, key) for i in user_ids if i is not None], kind=kind, about=about, **params)


def notify_many(
    pairs: Iterable[tuple[int, str]], *, kind: str, about: tuple[str, int] | None = None, **params: str
) -> int:
    """Notices of one kind for many (person, event key) pairs at once, such as the clerks of each unit
    a document arrived in: each person is told of each event once. Returns how many were new."""
    return notify_each(kind, [Told(list(pairs), about, params)])


@dataclass(frozen=True)
class Told:
    """One event told: to whom (person, event key), about what, and the words' values."""

    pairs: list[tuple[int, str]]
    about: tuple[str, int] | None
    params: dict[str, str]


def notify_each(kind: str, events: list[Told]) -> int:
    """Notices of one kind for many events, each with its own words (the mails of one fetch): three
    statements whatever their number. Returns how many were new."""
    wanted = {(u, k[:120]) for e in events for u, k in e.pairs}
    if not wanted:
        return 0
    have = set(
        Notification.objects.filter(
            user_id__in={u for u, _k in wanted}, key__in={k for _u, k in wanted}
        ).values_list("user_id", "key")
    )
    wanted -= have
    if not wanted:
        return 0
    users = {u for u, _k in wanted}
    emails = set(
        User.objects.filter(pk__in=users, email_notices=True).exclude(email="").values_list("pk", flat=True)
    )
    email_on = bool(settings.EMAIL_ENABLED)
    now = timezone.now()
    rows = []
    for e in events:
        mine = sorted({(u, k[:120]) for u, k in e.pairs} & wanted)
        if not mine:
            continue
        wanted -= set(mine)
        with translation.override(settings.LANGUAGE_CODE):
            text = _render(kind, e.params)[:500]
        rows += [
            Notification(
                user_id=u,
                key=k,
                kind=kind,
                text=text,
                about_type=e.about[0] if e.about else "",
                about_id=e.about[1] if e.about else None,
                params={name: str(v)[:500] for name, v in e.params.items()},
                created_at=now,
                email_state=EmailState.PENDING if email_on and u in emails else EmailState.NONE,
            )
            for u, k in mine
        ]
    # ignore_conflicts: a concurrent writer of the same event loses quietly (the unique key holds).
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def do_mark_read(ids: list[int] | None, *, actor: Acting) -> int:
    """Mark the person's notices read (all of them when ``ids`` is None); return how many changed."""
    user = actor.user
    with transaction.atomic():
        qs = Notification.objects.filter(user=user, read_at=None)
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        n = qs.update(read_at=timezone.now())
        if n:
            record(
                "notifications.read",
                actor=user,
                target_type="user",
                target_id=user.username,
                details={"count": n},
            )
    return n


def notice_text(n: Notification) -> str:
    """The notice's words in the active language (older notices: the words they were written with)."""
    return _render(n.kind, n.params) if n.params else n.text


def _render(kind: str, params: dict[str, str]) -> str:
    p = dict(params)
    if "role" in p and p["role"] in AssignmentRole.values:
        p["role"] = str(AssignmentRole(p["role"]).label)
    for name in ("deadline", "until"):
        if name in p:
            p[name] = _date(p[name])
    template = {
        "assigned": _("Được giao (%(role)s): %(subject)s"),
        "due_soon": _("Sắp đến hạn xử lý (%(deadline)s): %(subject)s"),
        "overdue": _("Quá hạn xử lý (%(deadline)s): %(subject)s"),
        "extension": _("Đề nghị gia hạn đến %(until)s: %(reason)s"),
        "extension_approved": _("Đồng ý gia hạn đến %(until)s"),
        "extension_refused": _("Không đồng ý gia hạn đến %(until)s"),
        "handback": _("Trả lại việc: %(reason)s"),
        "exchange_failed": _("Không gửi được văn bản %(symbol)s tới %(unit)s: %(error)s"),
        "submitted": _("Trình duyệt: %(subject)s"),
        "arrived": _("Văn bản đến: %(subject)s (%(issuer)s)"),
        "registered": _("Văn bản đến đã vào sổ (số đến %(number)s), chờ chỉ đạo: %(subject)s"),
        "returned": _("%(unit)s trả lại văn bản %(subject)s: %(reason)s"),
        "recalled": _("Văn bản đã bị thu hồi: %(subject)s — %(reason)s"),
        "arrived_urgent": _("Văn bản đến KHẨN: %(subject)s (%(issuer)s)"),
        "approved": _("Lãnh đạo đã duyệt: %(subject)s"),
        "to_release": _("Chờ cấp số, ban hành: %(subject)s"),
        "rejected": _("Dự thảo bị trả lại: %(subject)s — %(comment)s"),
        "mail_arrived": _("Thư điện tử có văn bản đến: %(subject)s (%(sender)s)"),
        "replaced": _("Văn bản %(old)s đã được thay thế bởi văn bản %(new)s"),
    }.get(kind)
    if template is None:
        return " ".join(p.values())
    try:
        return template % p
    except KeyError:
        return " ".join(p.values())


def _date(iso: str) -> str:
    try:
        return formats.date_format(dt.date.fromisoformat(iso), "d/m/Y")
    except ValueError:
        return iso
