"""What the operations jobs did (backups, file checks): the health page reads the last of each."""

from __future__ import annotations

from django.db import models


class OpsRun(models.Model):
    KINDS = [("backup", "backup"), ("fsck", "fsck")]

    kind = models.CharField(max_length=16, choices=KINDS)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    ok = models.BooleanField()
    summary = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["kind", "-finished_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {'ok' if self.ok else 'failed'} {self.finished_at:%Y-%m-%d %H:%M}"
