"""The doors of the mail app: a unit's mailbox set up, mails fetched, arrivals registered or dismissed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.capture.models import Intake
from congvan.dispatch import rules
from congvan.dispatch.actions import Registered, register_arrival
from congvan.documents.blobstore import put_bytes
from congvan.documents.models import Blob
from congvan.lib import filetypes
from congvan.lib.access import fetch_visible
from congvan.lib.dates import local_today, parse_date
from congvan.lib.errors import Conflict, InvalidInput, NotFound
from congvan.lib.text import clean_line
from congvan.mail.fetch import Fetched, fetch_all, imap_settings
from congvan.mail.imap import Imap
from congvan.mail.models import AfterFetch, ArrivalState, FolderState, MailArrival, Mailbox, Security
from congvan.mail.render import mail_pdf
from congvan.mail.secrets import seal
from congvan.mail.sending import send_due
from congvan.orgs.access import UNIT_WIDE, Acting, access_unit_for_admin
from congvan.orgs.actions import clean_email
from congvan.orgs.models import Unit
from congvan.signatures.actions import enforce_policy

KINDS = ("pdf", "docx", "odt", "image")
MAX_FOLDERS = 20
MAX_RULES = 100


class ArrivalNotFound(NotFound):
    code = "mail_arrival_not_found"


class MailboxNotFound(NotFound):
    code = "mailbox_not_found"


class ArrivalWrongState(Conflict):
    code = "wrong_state"


# -- the mailbox --


def access_mailbox(acting: Acting, unit_code: str) -> tuple[Unit, Mailbox | None]:
    """A unit the acting admin manages and its mailbox (None: not set up)."""
    unit = access_unit_for_admin(acting, unit_code)
    return unit, Mailbox.objects.filter(unit=unit).first()


def _names(values: Any, field: str, *, limit: int) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [v for v in values.replace("\n", ",").split(",")]
    if not isinstance(values, list | tuple):
        raise InvalidInput(_("%(field)s: cần một danh sách") % {"field": field})
    out = [clean_line(str(v), field=field, max_length=200) for v in values]
    out = [v for v in out if v]
    if len(out) > limit:
        raise InvalidInput(_("%(field)s: tối đa %(n)s mục") % {"field": field, "n": limit})
    return list(dict.fromkeys(out))


def _senders(values: Any) -> list[str]:
    out = []
    for v in _names(values, "senders", limit=MAX_RULES):
        v = v.lower()
        if v.startswith("@"):
            if "." not in v[1:] or " " in v:
                raise InvalidInput(_("senders: %(v)s không phải tên miền") % {"v": v})
            out.append(v)
        else:
            out.append(clean_email(v, field="senders"))
    return out


def _port(value: Any, field: str, *, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            raise InvalidInput(_("%(field)s: cần số cổng") % {"field": field})
        return None
    try:
        port = int(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(_("%(field)s: cần số cổng") % {"field": field}) from exc
    if not 1 <= port <= 65535:
        raise InvalidInput(_("%(field)s: cổng từ 1 đến 65535") % {"field": field})
    return port


def clean_settings(fields: dict[str, Any]) -> dict[str, Any]:
    """A mailbox's settings as typed (page, API or command), checked; passwords apart."""
    security = str(fields.get("security") or Security.TLS)
    smtp_security = str(fields.get("smtp_security") or Security.STARTTLS)
    after = str(fields.get("after") or AfterFetch.FLAG)
    if security not in Security.values or smtp_security not in Security.values:
        raise InvalidInput(_("security: tls, starttls hoặc plain"))
    if after not in AfterFetch.values:
        raise InvalidInput(_("after: move, flag hoặc delete"))
    kinds = _names(fields.get("kinds"), "kinds", limit=len(KINDS))
    if any(k not in KINDS for k in kinds):
        raise InvalidInput(_("kinds: chỉ gồm %(kinds)s") % {"kinds": ", ".join(KINDS)})
    values: dict[str, Any] = {
        "address": clean_email(str(fields.get("address") or ""), field="address"),
        "host": clean_line(str(fields.get("host") or ""), field="host", max_length=253, required=True),
        "port": _port(
            fields.get("port") or (993 if security == Security.TLS else 143), "port", required=True
        ),
        "security": security,
        "username": clean_line(
            str(fields.get("username") or ""), field="username", max_length=254, required=True
        ),
        "folders": _names(fields.get("folders"), "folders", limit=MAX_FOLDERS) or ["INBOX"],
        "senders": _senders(fields.get("senders")),
        "subject_contains": clean_line(
            str(fields.get("subject_contains") or ""), field="subject_contains", max_length=200
        ),
        "kinds": kinds,
        "after": after,
        "after_folder": clean_line(
            str(fields.get("after_folder") or ""), field="after_folder", max_length=200
        ),
        "smtp_host": clean_line(str(fields.get("smtp_host") or ""), field="smtp_host", max_length=253),
        "smtp_port": _port(fields.get("smtp_port"), "smtp_port", required=False),
        "smtp_security": smtp_security,
        "smtp_username": clean_line(
            str(fields.get("smtp_username") or ""), field="smtp_username", max_length=254
        ),
        "active": bool(fields.get("active", True)),
        "since": parse_date(fields.get("since"), "since"),
    }
    if not values["address"]:
        raise InvalidInput(_("address: cần địa chỉ thư của đơn vị"))
    if after == AfterFetch.MOVE and not values["after_folder"]:
        raise InvalidInput(_("after_folder: cần thư mục để chuyển thư đã nhận"))
    if values["since"] is not None and values["since"] > local_today(timezone.now()):
        # nothing would be taken until that day: a slip of the year or the month, not a wish
        raise InvalidInput(_("since: không thể là một ngày sau hôm nay"))
    return values


def _set_since(box: Mailbox, given: dt.date | None) -> bool:
    """The first day of the mails taken; True when it moved earlier (the folders are read again from their
    start: the mails now wanted lie below their marks). Not given: the stored day, and a new mailbox's is
    the day before its setup (IMAP compares days in the mail server's time zone, which may be behind
    Vietnam's): the years of mail already in a real mailbox are left where they are, and an earlier day
    given later takes them too."""
    if given is None:
        if box.pk is None:
            box.since = local_today(timezone.now()) - dt.timedelta(days=1)
        return False
    earlier = box.pk is not None and box.since is not None and given < box.since
    box.since = given
    return earlier


def do_configure_mailbox(unit_code: str, fields: dict[str, Any], *, actor: Acting) -> Mailbox:
    """Set up or change a unit's mailbox. A blank password keeps the one stored; so does a blank ``since``
    (``_set_since``)."""
    unit = access_unit_for_admin(actor, unit_code)
    values = clean_settings(fields)
    password = str(fields.get("password") or "")
    smtp_password = str(fields.get("smtp_password") or "")
    if len(password) > 1000 or len(smtp_password) > 1000:
        raise InvalidInput(_("password: quá dài"))
    with transaction.atomic():
        box = Mailbox.objects.select_for_update().filter(unit=unit).first()
        if box is None:
            if not password:
                raise InvalidInput(_("password: cần mật khẩu hộp thư"))
            box = Mailbox(unit=unit)
        restart = _set_since(box, values.pop("since"))
        for k, v in values.items():
            setattr(box, k, v)
        if password:
            box.password = seal(password)
        if smtp_password:
            box.smtp_password = seal(smtp_password)
        if not values["smtp_host"]:
            box.smtp_password = ""
        box.save()
        if restart:
            FolderState.objects.filter(mailbox=box).update(last_uid=0)
        record(
            "mail.mailbox_configured",
            actor=actor.user,
            unit=unit.code,
            target_type="mailbox",
            target_id=box.pk,
            details={
                "address": box.address,
                "host": box.host,
                "folders": box.folders,
                "password_changed": bool(password),
                "active": box.active,
                "since": box.since.isoformat() if box.since else None,
            },
        )
    return box


def check_mailbox(actor: Acting, unit_code: str) -> dict[str, Any]:
    """Sign in to the unit's mailbox and open its folders, changing nothing; the answer says what was
    found (or the server's refusal, as an error)."""
    _unit, box = access_mailbox(actor, unit_code)
    if box is None:
        raise MailboxNotFound(_("Đơn vị chưa cấu hình hộp thư"))
    with Imap(imap_settings(box)) as imap:
        folders = {f: imap.select(f) for f in box.folders or ["INBOX"]}
    return {"ok": True, "folders": folders}


def do_fetch_mail(*, unit_code: str | None = None, actor: Acting | None) -> list[Fetched]:
    """Fetch now (the worker also does on its schedule): every mailbox, or one unit's (its admin)."""
    if actor is not None:
        if unit_code is None:
            raise InvalidInput(_("unit: cần mã đơn vị"))
        access_unit_for_admin(actor, unit_code)
    return fetch_all(unit_code)


def do_send_mail_deliveries(limit: int = 100) -> int:
    """Mail the documents queued to organisations off the system (the worker, ``congvan mail send``)."""
    return send_due(limit)


# -- the arrivals --


def visible_arrivals(acting: Acting) -> QuerySet[MailArrival]:
    if acting.role not in UNIT_WIDE:
        return MailArrival.objects.none()
    return MailArrival.objects.filter(unit_id=acting.unit.pk)


def access_arrival(acting: Acting, arrival_id: object, *, for_write: bool = False) -> MailArrival:
    return fetch_visible(
        visible_arrivals(acting),
        arrival_id,
        ArrivalNotFound(_("Không tìm thấy thư đến")),
        for_write=for_write,
    )


def arrival_of_intake(intake: Intake) -> MailArrival | None:
    return MailArrival.objects.filter(files__intake=intake).first()


def arrival_intakes(arrival: MailArrival) -> list[Intake]:
    return list(Intake.objects.filter(mail_file__arrival=arrival).order_by("mail_file__position"))


def do_register_mail_arrival(arrival_id: int, overrides: dict[str, Any], *, actor: Acting) -> Registered:
    """Register a mail's documents as one incoming document (the first file main, the others attached,
    the mail itself kept as a PDF beside them), prefilled with what was read from the first file."""
    actor.require(*rules.CLERKS, what=_("vào sổ văn bản đến"))
    with transaction.atomic():
        arrival = access_arrival(actor, arrival_id, for_write=True)
        if arrival.state != ArrivalState.NEW:
            raise ArrivalWrongState(
                _("Thư đã được xử lý (%(state)s)") % {"state": arrival.get_state_display()}
            )
        intakes = list(
            Intake.objects.select_for_update()
            .filter(mail_file__arrival=arrival)
            .order_by("mail_file__position")
        )
        refused = [i for i in intakes if i.state == "refused"]
        if refused:
            raise ArrivalWrongState(refused[0].reason or _("Tệp đính kèm bị từ chối"))
        if not intakes:
            raise ArrivalWrongState(_("Thư không có văn bản để vào sổ"))
        for i in intakes:
            if i.blob.mime == filetypes.PDF:
                enforce_policy(actor.unit, i.blob_id)
        data = mail_pdf(arrival, [i.name for i in intakes])
        sha, size = put_bytes(data)
        Blob.objects.get_or_create(sha256=sha, defaults={"size": size, "mime": filetypes.PDF})
        overrides = {"issuer": arrival.sender_name or arrival.sender, **overrides}
        result = register_arrival(
            intakes[0],
            overrides,
            actor=actor,
            how="email",
            more=intakes[1:],
            extra=[(sha, _("Thư điện tử") + ".pdf")],
            details={"mail": arrival.pk, "sender": arrival.sender},
        )
        MailArrival.objects.filter(pk=arrival.pk).update(
            state=ArrivalState.REGISTERED,
            document_id=result.receipt.document_id,
            handled_by=actor.user,
            handled_at=timezone.now(),
        )
        record(
            "mail.registered",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="mail",
            target_id=arrival.pk,
            details={
                "document": result.receipt.document_id,
                "incoming_number": result.receipt.incoming_number,
            },
        )
    return result


def do_dismiss_mail_arrival(arrival_id: int, *, reason: str, actor: Acting) -> MailArrival:
    """Set a mail aside, with the reason (not an official document, sent by mistake...)."""
    actor.require(*rules.CLERKS, what=_("bỏ qua thư đến"))
    reason = clean_line(reason, field="reason", max_length=500, required=True)
    with transaction.atomic():
        arrival = access_arrival(actor, arrival_id, for_write=True)
        if arrival.state != ArrivalState.NEW:
            raise ArrivalWrongState(
                _("Thư đã được xử lý (%(state)s)") % {"state": arrival.get_state_display()}
            )
        arrival.state, arrival.reason = ArrivalState.DISMISSED, reason
        arrival.handled_by, arrival.handled_at = actor.user, timezone.now()
        arrival.save(update_fields=["state", "reason", "handled_by", "handled_at"])
        record(
            "mail.dismissed",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="mail",
            target_id=arrival.pk,
            details={"reason": reason[:200]},
        )
    return arrival
