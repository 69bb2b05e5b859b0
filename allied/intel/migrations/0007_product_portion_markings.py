"""Products carry the distinct markings of their portions, kept by the database.

``intel_product.portion_markings`` lets a list decide "has a portion this viewer may see" on the
product row (``portion_markings && visible ids``) instead of scanning every portion; with an index
on ``(created DESC, id DESC)`` the newest page is read from the index and stops after one page.

The column is written by triggers, never by the application: on PostgreSQL, statement-level
triggers on ``intel_portion`` (one UPDATE per statement, so a bulk insert of a million portions
touches each product once) and a row trigger on ``intel_product`` that recomputes the array on
every update of the row, so a stale copy held by the ORM is never stored. The trigger functions
read the portions as system work (``SET allied.system = 'on'`` for the function only, restored on
return), because the array must hold every portion's marking whoever wrote the portion; they are
trigger functions, which nothing can call directly, and return nothing to the writer. The
row-level security policies are unchanged: a product row is still filtered by its own marking,
and a portion by its own. On SQLite, row triggers do the same.

The backfill is one UPDATE on PostgreSQL (a grouped aggregate joined to the products), run before
the triggers exist so that it is not recomputed row by row.
"""

from django.db import migrations, models

import allied.intel.models

SYSTEM_SETTING = "allied.system"

PG_BACKFILL = """
UPDATE intel_product AS p SET portion_markings = s.ids
FROM (
    SELECT product_id, array_agg(DISTINCT marking_id ORDER BY marking_id) AS ids
    FROM intel_portion GROUP BY product_id
) AS s
WHERE s.product_id = p.id
"""

PG_TRIGGERS = [
    "ALTER TABLE intel_product ALTER COLUMN portion_markings SET DEFAULT '{}'",
    f"""
    CREATE OR REPLACE FUNCTION intel_product_portion_markings() RETURNS trigger
    LANGUAGE plpgsql SET {SYSTEM_SETTING} = 'on' AS $$
    BEGIN
        NEW.portion_markings := coalesce(
            (SELECT array_agg(DISTINCT marking_id ORDER BY marking_id)
             FROM intel_portion WHERE product_id = NEW.id),
            '{{}}');
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER intel_product_portion_markings
    BEFORE UPDATE ON intel_product
    FOR EACH ROW EXECUTE FUNCTION intel_product_portion_markings()
    """,
    # Touching the product row is enough: its BEFORE UPDATE trigger recomputes the array.
    f"""
    CREATE OR REPLACE FUNCTION intel_portion_touch_products() RETURNS trigger
    LANGUAGE plpgsql SET {SYSTEM_SETTING} = 'on' AS $$
    BEGIN
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            UPDATE intel_product SET portion_markings = '{{}}'
            WHERE id IN (SELECT DISTINCT product_id FROM new_portions);
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE intel_product SET portion_markings = '{{}}'
            WHERE id IN (SELECT DISTINCT product_id FROM old_portions);
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER intel_portion_touch_products_insert
    AFTER INSERT ON intel_portion REFERENCING NEW TABLE AS new_portions
    FOR EACH STATEMENT EXECUTE FUNCTION intel_portion_touch_products()
    """,
    """
    CREATE TRIGGER intel_portion_touch_products_update
    AFTER UPDATE ON intel_portion REFERENCING OLD TABLE AS old_portions NEW TABLE AS new_portions
    FOR EACH STATEMENT EXECUTE FUNCTION intel_portion_touch_products()
    """,
    """
    CREATE TRIGGER intel_portion_touch_products_delete
    AFTER DELETE ON intel_portion REFERENCING OLD TABLE AS old_portions
    FOR EACH STATEMENT EXECUTE FUNCTION intel_portion_touch_products()
    """,
]
PG_DROP = [
    "DROP TRIGGER IF EXISTS intel_portion_touch_products_insert ON intel_portion",
    "DROP TRIGGER IF EXISTS intel_portion_touch_products_update ON intel_portion",
    "DROP TRIGGER IF EXISTS intel_portion_touch_products_delete ON intel_portion",
    "DROP TRIGGER IF EXISTS intel_product_portion_markings ON intel_product",
    "DROP FUNCTION IF EXISTS intel_portion_touch_products()",
    "DROP FUNCTION IF EXISTS intel_product_portion_markings()",
]


def _sqlite_recompute(product: str) -> str:
    return (
        "UPDATE intel_product SET portion_markings = ("
        "SELECT json_group_array(marking_id) FROM ("
        f"SELECT DISTINCT marking_id FROM intel_portion WHERE product_id = {product} "
        f"ORDER BY marking_id)) WHERE id = {product};"
    )


SQLITE_TRIGGERS = [
    "CREATE TRIGGER intel_portion_markings_insert AFTER INSERT ON intel_portion BEGIN "
    f"{_sqlite_recompute('NEW.product_id')} END",
    "CREATE TRIGGER intel_portion_markings_update AFTER UPDATE ON intel_portion BEGIN "
    f"{_sqlite_recompute('OLD.product_id')} {_sqlite_recompute('NEW.product_id')} END",
    "CREATE TRIGGER intel_portion_markings_delete AFTER DELETE ON intel_portion BEGIN "
    f"{_sqlite_recompute('OLD.product_id')} END",
    # SQLite's recursive triggers are off, so this one's own UPDATE does not fire it again.
    "CREATE TRIGGER intel_product_portion_markings AFTER UPDATE ON intel_product BEGIN "
    f"{_sqlite_recompute('NEW.id')} END",
]
SQLITE_BACKFILL = (
    "UPDATE intel_product SET portion_markings = coalesce(("
    "SELECT json_group_array(marking_id) FROM ("
    "SELECT DISTINCT marking_id FROM intel_portion WHERE product_id = intel_product.id "
    "ORDER BY marking_id)), '[]')"
)
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS intel_portion_markings_insert",
    "DROP TRIGGER IF EXISTS intel_portion_markings_update",
    "DROP TRIGGER IF EXISTS intel_portion_markings_delete",
    "DROP TRIGGER IF EXISTS intel_product_portion_markings",
]


def keep_portion_markings(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # The backfill reads every portion, past the row-level security policies.
        schema_editor.execute("SELECT set_config(%s, 'on', true)", [SYSTEM_SETTING])
        schema_editor.execute(PG_BACKFILL, params=None)
        schema_editor.execute("SELECT set_config(%s, 'off', true)", [SYSTEM_SETTING])
        for statement in PG_TRIGGERS:
            schema_editor.execute(statement, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKFILL, params=None)
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement, params=None)


def stop_keeping(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": PG_DROP, "sqlite": SQLITE_DROP}.get(vendor, []):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("intel", "0006_stix_objects_carry_their_marking"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="portion_markings",
            field=allied.intel.models.MarkingIdsField(default=list, editable=False),
        ),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(fields=["-created", "-id"], name="intel_product_newest"),
        ),
        migrations.RunPython(keep_portion_markings, stop_keeping),
    ]
