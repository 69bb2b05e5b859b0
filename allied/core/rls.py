"""The database as a second wall: PostgreSQL row-level security from the same compiled markings.

Every marked table gets ``ENABLE`` and ``FORCE ROW LEVEL SECURITY`` and one policy, generated here
for every concrete ``MarkedModel`` after each migration. The policy lets a row through only if its
stored marking's compiled columns (level, required accesses, who may view) admit the viewer whose
attributes the application put in transaction-local settings (``allied.level``, ``allied.codes``,
``allied.accesses``), or if a named ``system_access`` context is open (``allied.system``). With no
viewer set, nothing is visible: the wall fails closed.

The columns the policy reads are written by the pure core (``compile_marking``); the predicate is
the core's three integer operations (level, required accesses, audience) over those columns.

Superusers and roles with BYPASSRLS are not subject to policies: production connects as an
unprivileged application role (``allied db roles`` creates it) and migrates as the owner.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

from allied.core.visibility import SETTING_ACCESSES, SETTING_CODES, SETTING_LEVEL, SETTING_SYSTEM

POLICY = "allied_releasability"
APP_ROLE = "allied_app"

FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION allied_may_view(
    m_level integer, m_required jsonb, m_view_all boolean, m_view jsonb
) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('{SETTING_SYSTEM}', true), '') = 'on'
        OR (
            m_level <= coalesce(nullif(current_setting('{SETTING_LEVEL}', true), '')::integer, -1)
            AND m_required <@ coalesce(
                nullif(current_setting('{SETTING_ACCESSES}', true), ''), '[]')::jsonb
            AND (m_view_all OR m_view ?| coalesce(
                nullif(current_setting('{SETTING_CODES}', true), ''), '{{}}')::text[])
        )
$$;
"""


def policy_sql(table: str) -> list[str]:
    """The statements that put ``table`` behind the releasability policy (idempotent)."""
    visible = (
        "marking_id IN (SELECT m.id FROM core_marking m "
        "WHERE allied_may_view(m.level, m.required, m.view_all, m.view_codes))"
    )
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS {POLICY} ON "{table}"',
        f'CREATE POLICY {POLICY} ON "{table}" USING ({visible}) WITH CHECK ({visible})',
    ]


def install_rls(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Create the policy function and a policy on every marked table; return the tables."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    from allied.core.models.marked import marked_models

    tables = sorted(model._meta.db_table for model in marked_models())
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION_SQL)
        for table in tables:
            for statement in policy_sql(table):
                cursor.execute(statement)
    return tables


def grant_app_role(using: str = DEFAULT_DB_ALIAS, role: str = APP_ROLE) -> None:
    """Create the unprivileged application role if missing and grant it the tables it uses."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE ROLE "{role}" NOLOGIN NOSUPERUSER NOBYPASSRLS')
        cursor.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        cursor.execute(
            f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"'
        )
        cursor.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
        # The search functions (migration intel 0008) apply the policy themselves; only the
        # application role may call them (their EXECUTE is revoked from PUBLIC).
        for function in search_functions(cursor):
            cursor.execute(f'GRANT EXECUTE ON FUNCTION {function} TO "{role}"')


#: The SECURITY DEFINER search functions of migration ``intel.0008_search_function``.
SEARCH_FUNCTIONS = (
    "public.allied_search_portions(bigint[], tsquery, integer)",
    "public.allied_search_products(bigint[], tsquery, integer)",
)
#: The role that owns them: it may read the searched tables past the policies (BYPASSRLS), which
#: is what lets the functions use the full-text indexes; it cannot log in and owns nothing else.
SEARCH_ROLE = "allied_search"
SEARCH_TABLES = ("core_marking", "intel_portion", "intel_product")


def search_functions(cursor: Any) -> list[str]:
    """The search functions that exist in this database (none before the migration)."""
    present = []
    for function in SEARCH_FUNCTIONS:
        cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [function])
        if cursor.fetchone()[0]:
            present.append(function)
    return present
