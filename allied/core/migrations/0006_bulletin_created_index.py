"""Bulletins are read newest first (the home page's five, the list's pages): index that order."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_audit_sealer"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="bulletin",
            index=models.Index(fields=["-created", "-id"], name="core_bulletin_newest"),
        ),
    ]
