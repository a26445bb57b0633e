"""Notices keep what they are about (kind and id) and the values of their words, not a web address."""

import re

from django.db import migrations, models

LINK = re.compile(r"^/(assignments|documents)/(\d+)/$")


def links_to_about(apps, schema_editor):
    Notification = apps.get_model("workflow", "Notification")
    for n in Notification.objects.exclude(link="").only("id", "link").iterator(chunk_size=2000):
        m = LINK.match(n.link)
        if m:
            kind = "assignment" if m.group(1) == "assignments" else "document"
            Notification.objects.filter(pk=n.pk).update(about_type=kind, about_id=int(m.group(2)))


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0002_overdue_by_deadline"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="about_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="about_type",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="notification",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(links_to_about, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="notification",
            name="link",
        ),
    ]
