"""Every stored STIX object carries Allied's marking extension for the marking it is stored with.

Objects imported before imports wrote the extension into the stored body were served without it
(or with the wider one they arrived with, when TLP narrowed them). Each such body is rewritten
with the extension of its stored marking, its other extensions kept, which is the form imports
now store and TAXII serves. On PostgreSQL the rows are read as system work, past the row-level
security policies.
"""

from django.db import migrations

SYSTEM_SETTING = "allied.system"


def _system(schema_editor, on):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SELECT set_config(%s, %s, true)", [SYSTEM_SETTING, on])


def mark_bodies(apps, schema_editor):
    from allied.intel.stix import marking_extension, with_marking
    from allied.markings import parse

    StixObject = apps.get_model("intel", "StixObject")
    _system(schema_editor, "on")
    extensions = {}
    rows = StixObject.objects.select_related("marking").order_by("pk")
    for row in rows.iterator(chunk_size=1000):
        if row.marking_id not in extensions:
            extensions[row.marking_id] = marking_extension(parse(row.marking.text))
        body = with_marking(row.body, extensions[row.marking_id])
        if body != row.body:
            StixObject.objects.filter(pk=row.pk).update(body=body)
    _system(schema_editor, "off")


class Migration(migrations.Migration):
    dependencies = [
        ("intel", "0005_disclosure_request_scope"),
    ]

    operations = [
        migrations.RunPython(mark_bodies, migrations.RunPython.noop),
    ]
