"""Bulletins are read newest first (the home page's five, the list's pages): index that order."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_audit_log"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="bulletin",
            index=models.Index(fields=["-created", "-id"], name="core_bulletin_newest"),
        ),
    ]
