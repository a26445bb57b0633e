"""Second factors, signed-in sessions, and security alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TotpDevice(models.Model):
    """A person's authenticator (RFC 6238); in force once a first code confirmed it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp")
    secret = models.CharField(max_length=64)
    confirmed = models.BooleanField(default=False)
    last_step = models.BigIntegerField(default=-1)  # the last time step used: a code is taken once
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"totp of {self.user_id}"


class RecoveryCode(models.Model):
    """A one-time code for a lost phone; only its SHA-256 is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"


class UserSession(models.Model):
    """A signed-in browser session: listed to its owner, ended by them, closed after idling."""

    session_key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="web_sessions")
    created_at = models.DateTimeField()
    last_seen = models.DateTimeField()
    address = models.CharField(max_length=64, blank=True)
    agent = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"session of {self.user_id}"


class AlertRule(models.TextChoices):
    FAILED_SIGNINS_ACCOUNT = "failed_signins_account", _("Đăng nhập sai nhiều lần vào một tài khoản")
    FAILED_SIGNINS_ADDRESS = "failed_signins_address", _("Đăng nhập sai nhiều lần từ một địa chỉ")
    MASS_DOWNLOAD = "mass_download", _("Tải xuống hàng loạt")
    OFF_HOURS = "off_hours", _("Đăng nhập ngoài giờ làm việc")
    ROLE_GRANTED = "role_granted", _("Cấp vai trò, quyền quản trị")
    TWO_FACTOR_OFF = "two_factor_off", _("Xác thực hai bước bị tắt")
    TOKEN_CREATED = "token_created", _("Tạo mã truy cập API")
    IDLE_ACCOUNT = "idle_account", _("Khóa tài khoản lâu không dùng")


class EmailState(models.TextChoices):
    PENDING = "pending", "pending"
    SENDING = "sending", "sending"
    SENT = "sent", "sent"
    FAILED = "failed", "failed"
    NONE = "none", "nobody to tell"


class SecurityAlert(models.Model):
    """What a rule found in the audit events; shown to the admins and auditors above ``unit``."""

    rule = models.CharField(max_length=32, choices=AlertRule.choices)
    key = models.CharField(max_length=200)  # what the rule counted (an account, an address, a person)
    unit = models.CharField(max_length=32, blank=True, db_index=True)  # blank: system administrators only
    subject = models.CharField(max_length=150, blank=True)  # the person concerned, if one
    details = models.JSONField(default=dict)
    at = models.DateTimeField()
    audit_seq = models.BigIntegerField(null=True)  # the event that triggered it
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True)
    email_state = models.CharField(max_length=8, choices=EmailState.choices, default=EmailState.PENDING)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["rule", "key", "at"])]

    def __str__(self) -> str:
        return f"{self.rule} {self.key}"


class ScanCursor(models.Model):
    """How far the alert rules have read the audit chain (one row)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"scanned to #{self.seq}"
