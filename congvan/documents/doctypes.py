"""The document types that ship as editable data (data/document_types.csv)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "document_types.csv"


def load_document_types(model: Any) -> int:
    """Create or update the shipped types with ``model`` (the real or the migration's historical one)."""
    count = 0
    with open(DATA, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            model.objects.update_or_create(
                abbreviation=row["abbreviation"],
                defaults={"name": row["name"], "is_letter": row["is_letter"] == "1"},
            )
            count += 1
    return count
