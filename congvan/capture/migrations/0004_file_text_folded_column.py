"""Beside each file's text, the same text folded character for character (``capture.convert.folded_line``;
filled by the next migration)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("capture", "0003_mail_capture")]

    operations = [migrations.AddField(model_name="filetext", name="folded", field=models.TextField(default=""))]
