"""The search index: one entry per document with its exact and folded text.

The full-text structure is the engine's own: an FTS5 table ``search_fts`` (rowid = document id) on
SQLite, a weighted ``tsvector`` column with a GIN index on PostgreSQL (see the migrations).
"""

from __future__ import annotations

from django.db import models

from congvan.documents.models import Document


class SearchEntry(models.Model):
    document = models.OneToOneField(
        Document, on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    exact = models.TextField()
    folded = models.TextField()
    indexed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"entry {self.document_id}"


class ReindexState(models.Model):
    """Where ``congvan reindex`` stopped, so it can resume."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"reindex at {self.last_id}"
