"""Frozen months of the inspection indicators: computed once a month has ended, kept as they were."""

from __future__ import annotations

from django.db import models

from congvan.orgs.models import Unit


class FrozenIndicators(models.Model):
    """A unit's figures for an ended month (its subtree, as ``indicators.rolled_up`` makes them), with
    the SHA-256 of their JSON recorded in the audit chain: a later change of data never changes a
    reported month; recomputing shows the difference."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=7)  # 2026-11
    figures = models.JSONField()
    sha256 = models.CharField(max_length=64)
    frozen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="one_frozen_month_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period}"
