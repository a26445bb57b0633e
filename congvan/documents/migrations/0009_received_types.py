# The types an office receives but does not draft (Luật, Nghị định, Thông tư...), from the data file.

from django.db import migrations

from congvan.documents.doctypes import load_document_types


def fill(apps, schema_editor):
    load_document_types(apps.get_model("documents", "DocumentType"))


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0008_signer_competence"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
