"""Official e-mail: each unit's mailbox (documents in), the mails taken from it, and documents out by mail.

A mail is taken once: by its place in the mailbox (``SeenMail``: mailbox, folder, UIDVALIDITY, UID) and
by what it is (``MailArrival``: the unit's Message-ID, or the SHA-256 of its attachments): the same mail
in two folders, sent again or seen again after a UIDVALIDITY change is one arrival with a note.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from congvan.capture.models import Intake
from congvan.dispatch.models import Delivery
from congvan.documents.models import Document
from congvan.orgs.models import Unit, User


class Security(models.TextChoices):
    TLS = "tls", _("TLS (cổng 993 / 465)")
    STARTTLS = "starttls", _("STARTTLS (cổng 143 / 587)")
    PLAIN = "plain", _("Không mã hóa (chỉ trong mạng nội bộ)")


class AfterFetch(models.TextChoices):
    MOVE = "move", _("Chuyển vào thư mục")
    FLAG = "flag", _("Gắn cờ")
    DELETE = "delete", _("Xóa khỏi hộp thư")


class Mailbox(models.Model):
    """A unit's official mailbox: where documents arrive (IMAP) and, optionally, how it sends (SMTP)."""

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="mailbox")
    address = models.CharField(max_length=254)
    host = models.CharField(max_length=253)
    port = models.PositiveIntegerField()
    security = models.CharField(max_length=8, choices=Security.choices, default=Security.TLS)
    username = models.CharField(max_length=254)
    password = models.TextField(blank=True)  # encrypted with the mail key (never in clear in the database)
    folders = models.JSONField(default=list)  # folders read; ["INBOX"] by default
    # rules: a mail is taken when it matches every rule given (an empty rule matches all)
    senders = models.JSONField(default=list)  # addresses or "@domain"
    subject_contains = models.CharField(max_length=200, blank=True)
    kinds = models.JSONField(default=list)  # pdf | docx | odt | image; empty: all of them
    after = models.CharField(max_length=8, choices=AfterFetch.choices, default=AfterFetch.FLAG)
    after_folder = models.CharField(max_length=200, blank=True)
    # mails put in the mailbox before this day are left as they are (a real mailbox's years of mail are
    # not the clerks' new work); null: every mail
    since = models.DateField(null=True, blank=True)
    smtp_host = models.CharField(max_length=253, blank=True)  # blank: the server's own SMTP settings
    smtp_port = models.PositiveIntegerField(null=True, blank=True)
    smtp_security = models.CharField(max_length=8, choices=Security.choices, default=Security.STARTTLS)
    smtp_username = models.CharField(max_length=254, blank=True)
    smtp_password = models.TextField(blank=True)  # encrypted
    active = models.BooleanField(default=True)
    lease_until = models.DateTimeField(null=True, blank=True)  # a fetch in progress (one at a time)
    last_fetch_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.address


class FolderState(models.Model):
    """How far a folder was read: UIDs above ``last_uid`` are new while UIDVALIDITY stays the same."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="folder_states")
    folder = models.CharField(max_length=200)
    uidvalidity = models.BigIntegerField()
    last_uid = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mailbox", "folder"], name="one_state_per_folder")]

    def __str__(self) -> str:
        return f"{self.folder} {self.uidvalidity}:{self.last_uid}"


class ArrivalState(models.TextChoices):
    NEW = "new", _("Chờ vào sổ")
    REGISTERED = "registered", _("Đã vào sổ")
    DISMISSED = "dismissed", _("Đã bỏ qua")
    REFUSED = "refused", _("Bị từ chối")


class MailArrival(models.Model):
    """A mail with documents attached, taken from a unit's mailbox for its clerks to register."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="arrivals")
    message_id = models.CharField(max_length=500, blank=True)
    digest = models.CharField(max_length=64)  # SHA-256 of the attachments' SHA-256s, sorted
    sender = models.CharField(max_length=254, blank=True)
    sender_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)  # the mail's Date header
    received_at = models.DateTimeField()
    body = models.TextField(blank=True)  # the text of the mail (HTML reduced to text)
    headers = models.TextField(blank=True)  # the mail's header block as received (its attachments are files)
    state = models.CharField(max_length=12, choices=ArrivalState.choices, default=ArrivalState.NEW)
    reason = models.CharField(max_length=500, blank=True)  # why dismissed or refused
    notes = models.TextField(blank=True)  # seen again: where and when
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    handled_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "message_id"], condition=~Q(message_id=""), name="one_arrival_per_message"
            ),
            models.UniqueConstraint(fields=["unit", "digest"], name="one_arrival_per_content"),
        ]
        indexes = [models.Index(fields=["unit", "state", "received_at"], name="mail_arrivals_list")]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject[:40]}"


class MailFile(models.Model):
    """A document attached to an arrival, read like any file taken in (its intake: text, metadata, the
    classification guard)."""

    arrival = models.ForeignKey(MailArrival, on_delete=models.CASCADE, related_name="files")
    intake = models.OneToOneField(Intake, on_delete=models.PROTECT, related_name="mail_file")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.arrival_id}/{self.position}"


class SeenMail(models.Model):
    """A mail at one place of a mailbox, read once; what came of it."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="+")
    folder = models.CharField(max_length=200)
    uidvalidity = models.BigIntegerField()
    uid = models.BigIntegerField()
    outcome = models.CharField(max_length=12)  # taken | again | skipped | bounce | refused
    arrival = models.ForeignKey(
        MailArrival, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done = models.BooleanField(default=False)  # the after-step (move, flag, delete) was carried out
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "folder", "uidvalidity", "uid"], name="one_read_per_mail"
            )
        ]

    def __str__(self) -> str:
        return f"{self.folder} {self.uidvalidity}:{self.uid} {self.outcome}"


class OutState(models.TextChoices):
    QUEUED = "queued", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không được")
    BOUNCED = "bounced", _("Bị trả về")


class MailOut(models.Model):
    """A released document mailed to an organisation off the system (one per delivery)."""

    delivery = models.OneToOneField(Delivery, on_delete=models.PROTECT, related_name="mail_out")
    message_id = models.CharField(max_length=250, unique=True)
    to = models.CharField(max_length=254)
    state = models.CharField(max_length=8, choices=OutState.choices, default=OutState.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="mail_out_due",
                condition=Q(state__in=["queued", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_id} -> {self.to}"
