"""Mail released documents to organisations off the system, tracked in the release's delivery list.

A delivery to a directory entry with an address (``Unit.email``) is queued by the release; here it
gets one ``MailOut`` (its Message-ID fixed once, so a delivery report finds it), is sent by SMTP with
the signed files attached, retried with back-off on a temporary failure, failed at once on a permanent
one (the server's words kept), and marked bounced when a delivery report arrives in the unit's mailbox
(``mail/intake.py``). The unit's own SMTP settings are used when it has them, else the server's; the
message is DKIM-signed when a key is configured.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.dispatch.actions import set_transport
from congvan.dispatch.models import Delivery, Transport
from congvan.documents.blobstore import open_blob
from congvan.documents.models import DocumentFile, FileRole
from congvan.mail.imap import tls_context
from congvan.mail.models import Mailbox, MailOut, OutState
from congvan.mail.secrets import unseal
from congvan.orgs.access import role_holders
from congvan.orgs.models import Role
from congvan.workflow.actions.notices import notify

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=10)
MAX_FILES_BYTES = 25 * 1024 * 1024  # what mail servers commonly accept; above it the mail says so


def prepare(limit: int = 500) -> int:
    """A ``MailOut`` for each delivery queued to an organisation reached by e-mail."""
    queued = list(
        Delivery.objects.filter(transport=Transport.QUEUED, unit__home_node="", mail_out__isnull=True)
        .exclude(unit__email="")
        .select_related("unit")
        .order_by("id")[:limit]
    )
    now = timezone.now()
    domain = settings.DKIM_DOMAIN or None
    MailOut.objects.bulk_create(
        [
            MailOut(
                delivery=d,
                message_id=make_msgid(f"congvan.{d.pk}", domain=domain),
                to=d.unit.email,
                next_attempt_at=now,
                created_at=now,
            )
            for d in queued
        ],
        ignore_conflicts=True,
    )
    return len(queued)


def _claim(now: dt.datetime, limit: int) -> list[int]:
    due = Q(state=OutState.QUEUED) | Q(state=OutState.SENDING, lease_until__lt=now)
    ids = list(
        MailOut.objects.filter(due, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    claimed = []
    for pk in ids:  # only the worker whose update changes the row sends it
        if MailOut.objects.filter(due, pk=pk).update(state=OutState.SENDING, lease_until=now + LEASE) == 1:
            claimed.append(pk)
    return claimed


def send_due(limit: int = 100) -> int:
    """Send the documents due; return how many were accepted by the SMTP server."""
    prepare()
    sent = 0
    for pk in _claim(timezone.now(), limit):
        out = MailOut.objects.select_related(
            "delivery__unit", "delivery__dispatch__document__issuing_unit", "delivery__dispatch__released_by"
        ).get(pk=pk)
        if out.delivery.dispatch.revoked_at is not None and out.attempts == 0:
            _finish(out, OutState.FAILED, _("không gửi: văn bản đã thu hồi"), Transport.FAILED)
            continue
        box = Mailbox.objects.filter(unit_id=out.delivery.dispatch.document.issuing_unit_id).first()
        try:
            message = compose(out, box)
            _smtp_send(out, box, message)
        except smtplib.SMTPResponseException as exc:
            _failed(out, f"{exc.smtp_code} {_decode(exc.smtp_error)}", permanent=exc.smtp_code >= 500)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()), (550, b""))
            _failed(out, f"{code} {_decode(text)}", permanent=code >= 500)
        except (TimeoutError, smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            _failed(out, str(exc)[:400] or type(exc).__name__, permanent=False)
        else:
            _finish(out, OutState.SENT, "", Transport.SENT)
            sent += 1
    return sent


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def compose(out: MailOut, box: Mailbox | None) -> bytes:
    """The mail of one delivery: subject "<symbol> - <subject>", a standard body, the files attached."""
    doc = out.delivery.dispatch.document
    unit = doc.issuing_unit
    sender = box.address if box is not None else settings.DEFAULT_FROM_EMAIL
    with translation.override("vi"):  # an official letter is in Vietnamese whoever's page sent it
        message = EmailMessage()
        message["Subject"] = f"{doc.symbol} - {doc.subject}"[:900]
        message["From"] = formataddr((unit.name, sender))
        message["To"] = formataddr((out.delivery.unit.name, out.to))
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = out.message_id
        message["X-Congvan-Document"] = doc.symbol
        files = list(
            DocumentFile.objects.filter(document=doc, role__in=[FileRole.MAIN, FileRole.ATTACHMENT])
            .select_related("blob")
            .order_by("position", "id")
        )
        total = sum(f.blob.size for f in files)
        message.set_content(_body(out, doc, unit.name, sender, too_big=total > MAX_FILES_BYTES))
        if total <= MAX_FILES_BYTES:
            for f in files:
                with open_blob(f.blob_id) as fh:
                    maintype, _slash, subtype = f.blob.mime.partition("/")
                    message.add_attachment(fh.read(), maintype=maintype, subtype=subtype, filename=f.name)
    data = message.as_bytes(policy=email.policy.SMTP)  # CRLF line ends, as SMTP carries them
    return dkim_sign(data)


def _body(out: MailOut, doc: object, unit_name: str, sender: str, *, too_big: bool) -> str:
    d = out.delivery.dispatch
    lines = [
        _("Kính gửi: %(to)s,") % {"to": out.delivery.unit.name},
        "",
        _("%(unit)s gửi văn bản số %(symbol)s ngày %(date)s về việc %(subject)s.")
        % {
            "unit": unit_name,
            "symbol": d.document.symbol,
            "date": d.document.issued_date.strftime("%d/%m/%Y") if d.document.issued_date else "",
            "subject": d.document.subject,
        },
        _("Văn bản điện tử đính kèm đã được ký số; đề nghị quý cơ quan kiểm tra chữ ký số khi tiếp nhận."),
    ]
    if too_big:
        lines.append(_("Tệp đính kèm quá lớn để gửi qua thư; đề nghị liên hệ văn thư để nhận văn bản."))
    lines += [
        "",
        _("Nơi gửi: %(unit)s") % {"unit": unit_name},
        _("Thư điện tử: %(address)s") % {"address": sender},
        _("Người ban hành: %(name)s") % {"name": d.released_by.get_full_name() or d.released_by.username},
        "",
        _("Thư này do hệ thống quản lý văn bản congvan gửi tự động."),
    ]
    return "\n".join(lines) + "\n"


def dkim_sign(data: bytes) -> bytes:
    """The message with a DKIM-Signature header, when a key, selector and domain are configured."""
    if not (settings.DKIM_KEY_FILE and settings.DKIM_DOMAIN):
        return data
    import dkim

    key = Path(settings.DKIM_KEY_FILE).read_bytes()
    signature = dkim.sign(
        data,
        settings.DKIM_SELECTOR.encode(),
        settings.DKIM_DOMAIN.encode(),
        key,
        include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
    )
    return bytes(signature) + data


def _smtp_send(out: MailOut, box: Mailbox | None, message: bytes) -> None:
    if box is not None and box.smtp_host:
        host, port, security = box.smtp_host, box.smtp_port or 587, box.smtp_security
        user, password, sender = box.smtp_username, unseal(box.smtp_password), box.address
    elif settings.EMAIL_HOST:
        host, port = settings.EMAIL_HOST, settings.EMAIL_PORT
        security = "tls" if settings.EMAIL_USE_SSL else "starttls" if settings.EMAIL_USE_TLS else "plain"
        user, password = settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD
        sender = box.address if box is not None else settings.DEFAULT_FROM_EMAIL
    else:
        raise smtplib.SMTPException(_("chưa cấu hình máy chủ gửi thư (SMTP) của đơn vị hay của máy chủ"))
    timeout = settings.MAIL_TIMEOUT
    if security == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if security == "starttls":
            smtp.starttls(context=tls_context())
        if user:
            smtp.login(user, password)
        smtp.sendmail(sender, [out.to], message)


def _failed(out: MailOut, reason: str, *, permanent: bool) -> None:
    attempts = out.attempts + 1
    if permanent or attempts >= settings.MAIL_MAX_ATTEMPTS:
        _finish(out, OutState.FAILED, reason, Transport.FAILED)
        return
    wait = min(settings.MAIL_RETRY_SECONDS * 2 ** (attempts - 1), 6 * 3600)
    MailOut.objects.filter(pk=out.pk).update(
        state=OutState.QUEUED,
        attempts=attempts,
        lease_until=None,
        last_error=reason[:500],
        next_attempt_at=timezone.now() + dt.timedelta(seconds=wait),
    )
    set_transport(out.delivery_id, Transport.QUEUED, _("Gửi lại sau: %(reason)s") % {"reason": reason[:300]})


def _finish(out: MailOut, state: str, reason: str, transport: str) -> None:
    doc = out.delivery.dispatch.document
    now = timezone.now()
    with transaction.atomic():
        MailOut.objects.filter(pk=out.pk).update(
            state=state,
            attempts=out.attempts + 1,
            lease_until=None,
            last_error=reason[:500],
            sent_at=now if state == OutState.SENT else None,
        )
        note = (
            _("Đã gửi thư tới %(to)s") % {"to": out.to}
            if state == OutState.SENT
            else _("Không gửi được thư tới %(to)s: %(reason)s") % {"to": out.to, "reason": reason[:300]}
        )
        set_transport(out.delivery_id, transport, note)
        record(
            "mail.document_sent" if state == OutState.SENT else "mail.document_failed",
            actor=None,
            unit=doc.issuing_unit.code,
            target_type="document",
            target_id=doc.pk,
            details={
                "to": out.to,
                "message_id": out.message_id,
                **({"error": reason[:300]} if reason else {}),
            },
        )
        if state != OutState.SENT:
            clerks = role_holders([doc.issuing_unit_id], Role.CLERK).get(doc.issuing_unit_id, [])
            notify(
                clerks,
                key=f"mail-failed:{out.pk}",
                kind="exchange_failed",
                about=("document", doc.pk),
                symbol=doc.symbol,
                unit=out.delivery.unit.name,
                error=reason[:300],
            )
