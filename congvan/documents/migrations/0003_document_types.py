"""Load the document types that ship as editable data (congvan/documents/data/document_types.csv)."""

import csv
from pathlib import Path

from django.db import migrations


def load(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    path = Path(__file__).resolve().parent.parent / "data" / "document_types.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            DocumentType.objects.update_or_create(
                abbreviation=row["abbreviation"],
                defaults={"name": row["name"], "is_letter": row["is_letter"] == "1"},
            )


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
