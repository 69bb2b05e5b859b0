"""Full-text search documents for products, portions and collection requirements.

PostgreSQL: a generated ``tsvector`` column ``search_document`` on ``intel_product`` (title weighted
A; originating agency, topics and regions B) and ``intel_portion`` (the text), each with a GIN
index. The columns live on the marked tables themselves, so the row-level security policy of each
table guards them too; they are not in the models' state (the ORM never writes them) and
``allied.intel.search`` reads them by name. A later change of the type of ``intel_portion.text``
(or of the product columns named here) must drop and recreate the column around it.
Requirements are few and are searched with a vector computed on the fly.

SQLite: FTS5 tables over the same columns (external content, Porter stemming) kept in step by
triggers; ``allied.intel.search`` recreates the triggers and rebuilds the index if a later
migration rebuilt a table and dropped them. SQLite has no database wall: every search joins the
index back to the restricted querysets.
"""

from django.db import migrations

PG_FORWARD = [
    """
    ALTER TABLE intel_product ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig,
               coalesce(originator_agency, '') || ' ' || coalesce(topics::text, '')
               || ' ' || coalesce(regions::text, '')), 'B')
    ) STORED
    """,
    "CREATE INDEX intel_product_search_document ON intel_product USING gin (search_document)",
    """
    ALTER TABLE intel_portion ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
        to_tsvector('english'::regconfig, coalesce(text, ''))
    ) STORED
    """,
    "CREATE INDEX intel_portion_search_document ON intel_portion USING gin (search_document)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS intel_portion_search_document",
    "ALTER TABLE intel_portion DROP COLUMN IF EXISTS search_document",
    "DROP INDEX IF EXISTS intel_product_search_document",
    "ALTER TABLE intel_product DROP COLUMN IF EXISTS search_document",
]

# (index table, content table, indexed columns)
SQLITE_INDEXES = [
    ("intel_search_product", "intel_product", ["title", "originator_agency", "topics", "regions"]),
    ("intel_search_portion", "intel_portion", ["text"]),
    ("intel_search_requirement", "intel_collectionrequirement", ["topic", "region", "description"]),
]


def sqlite_statements(index: str, content: str, columns: list[str]) -> list[str]:
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {index} USING fts5({cols}, content='{content}', "
        "content_rowid='id', tokenize='porter unicode61')",
        f"CREATE TRIGGER IF NOT EXISTS {index}_ai AFTER INSERT ON {content} BEGIN "
        f"INSERT INTO {index}(rowid, {cols}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER IF NOT EXISTS {index}_ad AFTER DELETE ON {content} BEGIN "
        f"INSERT INTO {index}({index}, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER IF NOT EXISTS {index}_au AFTER UPDATE ON {content} BEGIN "
        f"INSERT INTO {index}({index}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {index}(rowid, {cols}) VALUES (new.id, {new}); END",
        f"INSERT INTO {index}({index}) VALUES ('rebuild')",
    ]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in PG_FORWARD:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        for index, content, columns in SQLITE_INDEXES:
            for statement in sqlite_statements(index, content, columns):
                schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in PG_BACKWARD:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        for index, _content, _columns in SQLITE_INDEXES:
            for suffix in ("ai", "ad", "au"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {index}_{suffix}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {index}")


class Migration(migrations.Migration):
    dependencies = [("intel", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
