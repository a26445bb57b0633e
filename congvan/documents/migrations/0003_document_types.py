"""Load the document types that ship as editable data (congvan/documents/data/document_types.csv)."""

from django.db import migrations

from congvan.documents.doctypes import load_document_types


def load(apps, schema_editor):
    load_document_types(apps.get_model("documents", "DocumentType"))


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
