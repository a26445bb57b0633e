"""The blob store's contents moved from two levels of folders (``ab/12/<sha>``) to one (``ab/<sha>``):
see ``blobstore.blob_path``. Files, not rows: run once where the store is, with the service stopped, as
every migration; run again after an interruption, it moves what is left."""

from django.db import migrations


def one_level(apps, schema_editor):
    from congvan.documents import blobstore

    blobstore.relayout(blobstore.root(), levels=1)


def two_levels(apps, schema_editor):
    from congvan.documents import blobstore

    blobstore.relayout(blobstore.root(), levels=2)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0012_in_reply_to"),
    ]

    operations = [migrations.RunPython(one_level, two_levels, elidable=False)]
