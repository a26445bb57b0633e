"""Files taken in for digitisation: their processing state, OCR rendition, text and suggested metadata."""

from __future__ import annotations

from django.db import models

from congvan.documents.models import Blob, Document
from congvan.orgs.models import Unit, User


class IntakeState(models.TextChoices):
    QUEUED = "queued", "Chờ xử lý"
    PROCESSING = "processing", "Đang xử lý"
    DONE = "done", "Xong"
    REFUSED = "refused", "Từ chối"


class Intake(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    # blank for a file the system took in itself (an attachment of a mail from the unit's mailbox)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, blank=True)  # pdf_text | pdf_scan | image | docx | odt
    state = models.CharField(max_length=12, choices=IntakeState.choices, default=IntakeState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    reason = models.CharField(max_length=500, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    rendition = models.ForeignKey(Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)
    suggested = models.JSONField(default=dict)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["state", "updated_at"], name="intake_queue")]

    def __str__(self) -> str:
        return f"intake {self.pk} ({self.state})"


class FileText(models.Model):
    """The text written inside a stored file (PDF text layer, OCR of a scan, a DOCX/ODT's text), read in
    the background and indexed with its documents' metadata."""

    blob = models.OneToOneField(
        "documents.Blob", on_delete=models.CASCADE, primary_key=True, related_name="text"
    )
    text = models.TextField()  # one line of words (capture.convert.one_line)
    # ``text`` folded character for character, a space at each end (capture.convert.folded_line)
    folded = models.TextField(default="")
    source = models.CharField(max_length=8)  # layer | ocr | office | none
    extracted_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.blob_id[:12]}: {self.source}"
