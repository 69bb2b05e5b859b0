"""Search through the full-text indexes under row-level security, with the policy applied inside.

Row-level security lets an index serve only leakproof operators, and ``@@`` (``ts_match_vq``)
is not leakproof: as the application role every search read every row the viewer may see and
matched each one (324 ms at p95 over 1,000,000 portions, ``bench/search.py``). Marking ``@@``
LEAKPROOF (``db_roles --leakproof-search``) is a superuser's decision about a built-in function
for the whole database. These two functions instead do the index lookup themselves, as their
owner, and apply the visibility filter themselves:

``allied_search_portions(visible, query, cap)``
    ``(product_id, rank)`` of at most ``cap`` portions whose document matches ``query``;
``allied_search_products(visible, query, cap)``
    ``(product_id, rank)`` of at most ``cap`` products whose metadata matches ``query`` and
    that have at least one portion the viewer may see (``ProductQuerySet.with_visible_portions``).

Why they are safe to keep on by default (they can return nothing the policy would not):

* every row they read must pass both walls the ordinary path applies: its marking must be in
  ``visible``, the marking ids the application's markings engine computed for the viewer
  (``visible_marking_ids``, the same list ``visible_to`` filters by), AND be admitted by the
  row-level security policy's own predicate (``allied_may_view`` over ``core_marking``,
  evaluated in the function, once per call, into the array the search uses), which reads the same
  transaction-local settings (``allied.level``, ``allied.codes``, ``allied.accesses``,
  ``allied.system``) the policy reads. Passing wider ids cannot widen anything: the database
  still decides, from the settings, exactly as the policy does; with no viewer set, the
  predicate is false and nothing is returned (fail closed, as the policy);
* the existence test for products reads portions under the same two conditions;
* they return ids and ranks of admitted rows only (no text); the caller then reads the rows
  themselves through the restricted querysets, under the policy, as before;
* ``SECURITY DEFINER`` with a fixed ``search_path`` (``pg_catalog, pg_temp``, every object
  schema-qualified), so no object of the caller's choosing can be substituted; ``EXECUTE`` is
  revoked from ``PUBLIC`` and granted to the application role only (``db_roles``);
* an error can depend only on the query (the searcher's own words) and the cap, never on a row.

The functions only gain the index when their owner is not itself subject to the policies (a
superuser, or the ``BYPASSRLS`` search role ``db_roles`` creates and hands them to); owned by a
role subject to ``FORCE ROW LEVEL SECURITY`` they are still correct, the policy then applying a
second time. SQLite has no row-level security and keeps its FTS5 path.
"""

from django.db import migrations

from allied.core.rls import FUNCTION_SQL

# The marking ids both walls admit, computed once per call: the application's list intersected
# with the markings the policy's own predicate admits for the settings of this transaction.
# Searching with that one array keeps the plan (and so the order in which capped matches are
# found) the one the owner's ORM filter had; the predicate as a subquery made the planner loop
# over the admitted markings instead, which was slower and found other matches first.
_VISIBLE = "{alias}.marking_id = ANY ($1)"

# PL/pgSQL's EXECUTE ... USING plans each call with the query's own words (a custom plan): for a
# common word the planner then reads in order and stops at the cap, where a plan made without
# knowing the word (a plain SQL function's) builds the GIN bitmap of every match (w0001x: 300 ms
# against 25 ms). The statement text is fixed; the arguments are parameters. A scan of the table
# starts at its first page (no synchronised scans, which join another scan mid-table), so that
# the matches found up to the cap are the same on every call.
_FUNCTION = """
CREATE OR REPLACE FUNCTION public.{name}(
    visible bigint[], query tsquery, cap integer
) RETURNS TABLE (product_id bigint, rank real)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET synchronize_seqscans = off
AS $function$
DECLARE
    admitted bigint[];
BEGIN
    admitted := ARRAY(
        SELECT m.id FROM public.core_marking m
        WHERE m.id = ANY (visible)
          AND public.allied_may_view(m.level, m.required, m.view_all, m.view_codes)
    );
    IF cardinality(admitted) = 0 THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE $statement$
{statement}
    $statement$ USING admitted, query, cap;
END
$function$
"""

PORTIONS_SQL = f"""
    SELECT p.product_id, ts_rank(p.search_document, $2)
    FROM public.intel_portion p
    WHERE p.search_document @@ $2
      AND {_VISIBLE.format(alias="p")}
    LIMIT $3"""

PRODUCTS_SQL = f"""
    SELECT d.id, ts_rank(d.search_document, $2)
    FROM public.intel_product d
    WHERE d.search_document @@ $2
      AND {_VISIBLE.format(alias="d")}
      AND EXISTS (
        SELECT 1 FROM public.intel_portion p
        WHERE p.product_id = d.id AND {_VISIBLE.format(alias="p")}
      )
    LIMIT $3"""

FUNCTIONS_SQL = [
    # The policy's predicate must exist before the functions that call it (it is otherwise
    # created after every migration, by allied.core.rls.install_rls).
    FUNCTION_SQL,
    _FUNCTION.format(name="allied_search_portions", statement=PORTIONS_SQL),
    _FUNCTION.format(name="allied_search_products", statement=PRODUCTS_SQL),
    "REVOKE ALL ON FUNCTION public.allied_search_portions(bigint[], tsquery, integer) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION public.allied_search_products(bigint[], tsquery, integer) FROM PUBLIC",
]

DROP_SQL = [
    "DROP FUNCTION IF EXISTS public.allied_search_portions(bigint[], tsquery, integer)",
    "DROP FUNCTION IF EXISTS public.allied_search_products(bigint[], tsquery, integer)",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FUNCTIONS_SQL:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP_SQL:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("intel", "0007_product_portion_markings")]

    operations = [migrations.RunPython(create, drop)]
