"""Documents, their files, and the content-addressed blobs behind the files."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from congvan.orgs.models import Unit, User


class DocumentType(models.Model):
    """A document type and its abbreviation in symbols (editable data, Decree 30 and 36-HD/VPTW)."""

    abbreviation = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)
    is_letter = models.BooleanField(default=False)  # công văn: the State symbol has no type part
    # The numbering rule sets that use the type, space-separated: "party state", "party", "state".
    rule_sets = models.CharField(max_length=20, default="party state")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Thường")
    URGENT = "urgent", _("Khẩn")
    VERY_URGENT = "very_urgent", _("Thượng khẩn")
    FLASH = "flash", _("Hỏa tốc")


class Confidentiality(models.TextChoices):
    NONE = "none", _("Thường")
    CONFIDENTIAL = "confidential", _("Mật")
    SECRET = "secret", _("Tối mật")
    TOP_SECRET = "top_secret", _("Tuyệt mật")


class DocState(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    SUBMITTED = "submitted", _("Chờ duyệt")
    APPROVED = "approved", _("Đã duyệt")
    RELEASED = "released", _("Đã ban hành")


class Document(models.Model):
    """An outgoing document of its issuing unit; immutable once released."""

    issuing_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="documents")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="drafted_documents")
    doc_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT)
    subject = models.CharField(max_length=500)
    signer_name = models.CharField(max_length=50, blank=True)
    signer_position = models.CharField(max_length=100, blank=True)
    # The signer's competence (thẩm quyền: "T/M BAN THƯỜNG VỤ", "KT. BÍ THƯ", "TL.", "TUQ.", "Q."), apart
    # from the position ("PHÓ BÍ THƯ"), as edXML's SignerInfo keeps them.
    signer_competence = models.CharField(max_length=100, blank=True)
    # What an incoming edXML message carried beyond these fields, kept as it came: content, places,
    # steering type, other info, trace headers, DocumentId, ResponseFor, who signed the message.
    received = models.JSONField(default=dict, blank=True)
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    confidentiality = models.CharField(
        max_length=16, choices=Confidentiality.choices, default=Confidentiality.NONE
    )
    reply_due = models.DateField(null=True, blank=True)
    place = models.CharField(max_length=150, blank=True)
    description = models.CharField(max_length=500, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    copies = models.PositiveIntegerField(null=True, blank=True)
    drafting_department = models.CharField(max_length=20, blank=True)
    # A released document is corrected only by a new one that replaces it (thay thế).
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    # The received document this one answers (a reply started from a receipt or a task).
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    planned_recipients = models.JSONField(default=list, blank=True)
    # The recipient groups ticked while drafting (their slugs): kept as groups, shown ticked again at
    # edit and release, and expanded into their units when the document is released.
    planned_groups = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=16, choices=DocState.choices, default=DocState.DRAFT)
    review_comment = models.TextField(blank=True)
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    number = models.PositiveIntegerField(null=True, blank=True)
    symbol = models.CharField(max_length=40, blank=True)
    issued_date = models.DateField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["issuing_unit", "state", "-created_at"]),
            models.Index(fields=["issuing_unit", "-released_at"]),
            models.Index(fields=["updated_at"]),  # the search follower's step: what changed since
        ]

    def __str__(self) -> str:
        return self.symbol or f"#{self.pk}"


class Blob(models.Model):
    """File content stored once by its SHA-256."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.BigIntegerField()
    mime = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256


class FileRole(models.TextChoices):
    MAIN = "main", _("Văn bản chính")
    ATTACHMENT = "attachment", _("Phụ lục")
    RENDITION = "rendition", _("Bản chuyển đổi")


class DocumentFile(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(max_length=16, choices=FileRole.choices)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT)
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class CheckState(models.TextChoices):
    CLEAR = "clear", _("Không có dấu mật")
    PENDING = "pending", _("Đang đọc nội dung để kiểm tra độ mật")
    MARKED = "marked", _("Có dấu mật")


class ContentCheck(models.Model):
    """The classification guard's verdict on one file's content (the mark near the top of page 1): read
    from the text layer when the file arrives, or, for a scan, by OCR in the background. A document whose
    file is pending or marked is neither approved, released nor registered."""

    blob = models.OneToOneField(
        Blob, on_delete=models.CASCADE, primary_key=True, related_name="content_check"
    )
    state = models.CharField(max_length=8, choices=CheckState.choices)
    mark = models.CharField(max_length=100, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.blob_id[:12]}: {self.state}"
