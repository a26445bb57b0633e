"""The document types that ship as editable data (data/document_types.csv).

``rule_sets`` says which numbering rule sets use a type ("party state", "party" or "state"): Decree 30
lists the State's types; guidance 36-HD/VPTW the Party's. The Party list has Thông tri, Kết luận and its
own Quy định (QĐi); the State's has Quy định (QyĐ), Hợp đồng, Công điện, Bản ghi nhớ, Bản thỏa thuận and
Giấy ủy quyền; the rest are shared. An office edits the file (or the table) to its practice.

``received`` marks the types an office receives but does not draft (Luật, Nghị định, Thông tư...):
never offered when composing, read from incoming messages; a type an incoming message names that is in
no list is recorded by its name (``actions.do_record_received_type``) rather than taken for another."""

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
            defaults = {"name": row["name"], "is_letter": row["is_letter"] == "1"}
            if any(f.name == "rule_sets" for f in model._meta.get_fields()):  # not in early migrations
                defaults["rule_sets"] = row.get("rule_sets") or "party state"
            model.objects.update_or_create(abbreviation=row["abbreviation"], defaults=defaults)
            count += 1
    return count
