"""Registers (sổ đăng ký), the numbering rule of each unit, and the numbers issued."""

from __future__ import annotations

from django.db import models

from congvan.orgs.models import Unit


class RuleSet(models.TextChoices):
    PARTY = "party", "Đảng (36-HD/VPTW): theo loại, theo nhiệm kỳ"
    STATE = "state", "Nhà nước (Nghị định 30): một dãy số mỗi năm"


class NumberingRule(models.Model):
    """Which rule set a unit numbers with (default: from the unit's sector)."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="numbering_rule")
    rule_set = models.CharField(max_length=8, choices=RuleSet.choices)

    def __str__(self) -> str:
        return f"{self.unit.code}: {self.rule_set}"


class CommitteeTerm(models.Model):
    """A party committee's term (nhiệm kỳ); Party numbering restarts with each term."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(max_length=50)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.name


class Direction(models.TextChoices):
    OUTGOING = "out", "Văn bản đi"
    INCOMING = "in", "Văn bản đến"


class Register(models.Model):
    """One numbering sequence: its row is locked to take the next number (no gaps, no duplicates)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="registers")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    scope = models.CharField(max_length=64)  # "2026", "term:7:KH"
    label = models.CharField(max_length=200)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "direction", "scope"], name="one_register_per_scope"),
        ]

    def __str__(self) -> str:
        return self.label


class RegisterEntry(models.Model):
    """A number issued from a register, with what it was issued to."""

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="entries")
    number = models.PositiveIntegerField()
    symbol = models.CharField(max_length=40, blank=True)
    ref = models.CharField(max_length=40)  # "document:12", "receipt:34"
    issued_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["register", "number"], name="number_once_per_register")
        ]

    def __str__(self) -> str:
        return f"{self.register_id}/{self.number}"
