"""Stored verification reports of signed files, and each unit's policy for bad or missing signatures."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from congvan.documents.models import Blob
from congvan.orgs.models import Unit


class Verdict(models.TextChoices):
    VALID = "valid", _("Hợp lệ")
    WARNINGS = "valid_with_warnings", _("Hợp lệ có cảnh báo")
    INVALID = "invalid", _("Không hợp lệ")
    UNSIGNED = "unsigned", _("Không có chữ ký")


class SignatureReport(models.Model):
    """The verdict on one file's signatures (kept once per blob; ``congvan verify`` re-checks any time)."""

    blob = models.OneToOneField(Blob, on_delete=models.CASCADE, related_name="signature_report")
    verdict = models.CharField(max_length=24, choices=Verdict.choices)
    reasons = models.JSONField(default=list)
    signatures = models.JSONField(default=list)
    checked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.blob_id[:12]}: {self.verdict}"


class PolicyAction(models.TextChoices):
    ACCEPT = "accept", _("Chấp nhận")
    FLAG = "flag", _("Cảnh báo")
    REFUSE = "refuse", _("Từ chối")


class SignaturePolicy(models.Model):
    """What a unit does with incoming documents whose signature is invalid or missing."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="signature_policy")
    on_invalid = models.CharField(max_length=8, choices=PolicyAction.choices, default=PolicyAction.FLAG)
    on_unsigned = models.CharField(max_length=8, choices=PolicyAction.choices, default=PolicyAction.FLAG)

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.on_invalid}/{self.on_unsigned}"


class SigningRecord(models.Model):
    """A signature congvan made: which key, at which PAdES level, giving which file."""

    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    source = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    key_label = models.CharField(max_length=100)  # "user:hu.lanhdao", "unit:000.00.10.H58"
    level = models.CharField(max_length=8)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key_label} {self.level}"
