"""The files' texts kept as search reads them: one line of words (``capture.convert.one_line``), and
beside it the same text folded character for character (``capture.convert.folded_line``)."""

from django.db import migrations, transaction

from congvan.capture.convert import folded_line, one_line as line_of


def one_line(apps, schema_editor):  # type: ignore[no-untyped-def]
    FileText = apps.get_model("capture", "FileText")
    table = FileText._meta.db_table
    last = ""
    while True:
        batch = list(FileText.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "text")[:1000])
        if not batch:
            return
        rows = []
        for pk, text in batch:
            line = line_of(text)
            rows.append((line, folded_line(line), pk))
        # a batch at a time: a large store is not rewritten in one transaction (one plain UPDATE a row:
        # the ORM's bulk_update builds a CASE over the batch, slower than the folding itself)
        with transaction.atomic(using=schema_editor.connection.alias), schema_editor.connection.cursor() as cur:
            cur.executemany(f"UPDATE {table} SET text = %s, folded = %s WHERE blob_id = %s", rows)  # noqa: S608
        last = batch[-1][0]


class Migration(migrations.Migration):
    # Each batch commits on its own: a large store is not rewritten in one transaction, and a run
    # stopped half way is taken up again (a batch done twice gives the same rows). Until its batch is
    # done a text's folded form is empty, which search reads as "no folded text yet".
    atomic = False
    dependencies = [("capture", "0004_file_text_folded_column")]

    operations = [migrations.RunPython(one_line, migrations.RunPython.noop)]
