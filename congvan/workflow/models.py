"""Processing of incoming documents: directions, assignments, deadlines, notices, dossiers."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from congvan.dispatch.models import Receipt
from congvan.documents.models import Blob, Document
from congvan.orgs.models import Unit, User


class Holiday(models.Model):
    """A public holiday: no deadline falls on it and it is not counted."""

    day = models.DateField(unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class UnitWorkflowSettings(models.Model):
    """Per-unit rules: may the clerk route routine documents, and default deadlines by urgency."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="workflow_settings")
    clerk_may_route = models.BooleanField(default=False)
    days_normal = models.PositiveSmallIntegerField(default=10)
    days_urgent = models.PositiveSmallIntegerField(default=5)
    days_very_urgent = models.PositiveSmallIntegerField(default=3)
    days_flash = models.PositiveSmallIntegerField(default=1)

    def __str__(self) -> str:
        return f"settings of {self.unit_id}"


class Direction(models.Model):
    """A leader's instruction (bút phê) on a receipt."""

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="directions")
    text = models.TextField(blank=True)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"direction {self.pk}"


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Chủ trì")
    SUPPORT = "support", _("Phối hợp")
    FYI = "fyi", _("Để biết")


class AssignmentState(models.TextChoices):
    OPEN = "open", _("Chưa xử lý")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    DELEGATED = "delegated", _("Đã giao tiếp")
    COMPLETED = "completed", _("Hoàn thành")
    HANDED_BACK = "handed_back", _("Trả lại")


OPEN_STATES = (AssignmentState.OPEN, AssignmentState.IN_PROGRESS, AssignmentState.DELEGATED)


class Assignment(models.Model):
    """Work on a receipt for a person or a sub-unit, with a role and a deadline.

    A sub-unit's assignment is re-assigned by its head to a person: the child points to its parent,
    which makes the chain of the paper "phiếu giải quyết văn bản đến" visible.
    """

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="assignments")
    owner_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")  # the receipt's unit
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    assigned_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    assignee_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assignee_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=8, choices=AssignmentRole.choices)
    deadline = models.DateField()
    state = models.CharField(max_length=16, choices=AssignmentState.choices, default=AssignmentState.OPEN)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(blank=True)
    reply_document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee_user__isnull=False, assignee_unit__isnull=True)
                | Q(assignee_user__isnull=True, assignee_unit__isnull=False),
                name="assignment_one_assignee",
            ),
        ]
        indexes = [
            models.Index(fields=["assignee_user", "state", "deadline"], name="work_by_person"),
            models.Index(fields=["assignee_unit", "state", "deadline"], name="work_by_unit"),
            models.Index(
                fields=["owner_unit", "deadline"], name="open_by_owner", condition=Q(state__in=OPEN_STATES)
            ),
            # Overdue work of many units at once (oversight of a province): a range scan on the deadline.
            models.Index(
                fields=["deadline", "owner_unit"], name="open_by_deadline", condition=Q(state__in=OPEN_STATES)
            ),
        ]

    def __str__(self) -> str:
        return f"assignment {self.pk}"


class ProgressNote(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="notes")
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    text = models.TextField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"note {self.pk}"


class NoteFile(models.Model):
    note = models.ForeignKey(ProgressNote, on_delete=models.CASCADE, related_name="files")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("Chờ quyết định")
    APPROVED = "approved", _("Đồng ý")
    REFUSED = "refused", _("Không đồng ý")


class ExtensionRequest(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    until = models.DateField()
    reason = models.CharField(max_length=500)
    state = models.CharField(max_length=10, choices=ExtensionState.choices, default=ExtensionState.PENDING)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"extension {self.pk}"


class EmailState(models.TextChoices):
    NONE = "none", "-"
    PENDING = "pending", "pending"
    SENDING = "sending", "sending"
    SENT = "sent", "sent"
    FAILED = "failed", "failed"


class Notification(models.Model):
    """An in-app notice to a person; ``key`` makes each event notify once. E-mail is sent by the worker."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=120)
    kind = models.CharField(max_length=32)
    # What the notice is about ("assignment", "document") and its id: the pages and e-mails make the
    # address; the text is made in the reader's language from ``kind`` and ``params`` (``text`` keeps the
    # words in the default language, for notices written before ``params`` existed).
    about_type = models.CharField(max_length=16, blank=True)
    about_id = models.BigIntegerField(null=True, blank=True)
    params = models.JSONField(default=dict, blank=True)
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(max_length=8, choices=EmailState.choices, default=EmailState.NONE)
    email_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notify_once")]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"], name="notices_of_user"),
            models.Index(fields=["email_state"], name="email_queue", condition=Q(email_state="pending")),
        ]

    def __str__(self) -> str:
        return self.key


class Retention(models.TextChoices):
    Y5 = "5", _("5 năm")
    Y10 = "10", _("10 năm")
    Y20 = "20", _("20 năm")
    Y70 = "70", _("70 năm")
    PERMANENT = "permanent", _("Vĩnh viễn")


class Dossier(models.Model):
    """A file (hồ sơ công việc) grouping the documents of one matter."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="dossiers")
    code = models.CharField(max_length=50)
    title = models.CharField(max_length=300)
    retention = models.CharField(max_length=10, choices=Retention.choices, default=Retention.Y10)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    documents = models.ManyToManyField(Document, related_name="dossiers", blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "code"], name="dossier_code_per_unit")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
