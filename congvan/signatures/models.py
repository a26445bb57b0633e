"""Stored verification reports of signed files, and each unit's policy for bad or missing signatures."""

from __future__ import annotations

from django.conf import settings
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


class KeyKind(models.TextChoices):
    PKCS12 = "pkcs12", _("Tệp khóa PKCS#12 trên máy chủ")
    PKCS11 = "pkcs11", _("Thiết bị ký (PKCS#11/HSM) gắn vào máy chủ")
    AGENT = "agent", _("Thiết bị ký của người ký (qua congvan-signer)")


class SigningKey(models.Model):
    """A registered signing key: a person's (``user:<username>``) or a unit's seal (``unit:<code>``).

    Nothing secret is in the database: a PKCS#12 file is stored as it came (encrypted under its own
    passphrase) in the data folder's ``keys``; its passphrase or a token's PIN is read from the named
    environment variable or file, or typed by the signer for one signature and never kept."""

    owner = models.CharField(max_length=160, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=KeyKind.choices)
    certificate = models.BinaryField()
    subject = models.CharField(max_length=300)
    issuer = models.CharField(max_length=300, default="")
    serial = models.CharField(max_length=80)
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    stored_file = models.CharField(max_length=80, blank=True, default="")  # PKCS#12 under DATA_DIR/keys
    image_file = models.CharField(max_length=80, blank=True, default="")  # signature or seal image
    pin_env = models.CharField(max_length=100, blank=True, default="")
    pin_file = models.CharField(max_length=300, blank=True, default="")
    pin_ask = models.BooleanField(default=False)
    module = models.CharField(max_length=300, blank=True, default="")
    token = models.CharField(max_length=100, blank=True, default="")
    key_label = models.CharField(max_length=100, blank=True, default="")
    position = models.CharField(max_length=200, blank=True, default="")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner"], condition=models.Q(active=True), name="one_active_key")
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.kind} {self.serial}"


class SigningSession(models.Model):
    """A signature being made on the signer's own token: the server prepared the file and the data to
    sign; the signer's agent returns the signature value, once, before ``expires_at``."""

    token = models.CharField(max_length=64, unique=True)
    key = models.ForeignKey(SigningKey, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    document_id = models.BigIntegerField(db_index=True)
    source = models.CharField(max_length=64)  # the blob that was prepared
    prepared_file = models.CharField(max_length=80)  # under DATA_DIR/signing
    signed_attrs = models.BinaryField()
    document_digest = models.BinaryField()
    region_start = models.BigIntegerField()
    region_end = models.BigIntegerField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id} document {self.document_id}"
