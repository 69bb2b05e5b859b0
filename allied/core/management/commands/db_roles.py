"""``allied db_roles``: create the PostgreSQL owner and application roles the database wall needs.

The owner role owns the tables and runs migrations; the application role serves requests and is
subject to the row-level security policies (it is neither superuser nor BYPASSRLS). Run it as a
superuser once per database; it is idempotent. Passwords come from the environment
(``ALLIED_OWNER_PASSWORD``, ``ALLIED_APP_PASSWORD``); without one the role cannot log in.

Search does not need anything more: the search functions of migration ``intel.0008`` do the
full-text index lookup and apply the policy's predicate themselves (their docstring says why that
is safe). This command hands them to a ``NOLOGIN BYPASSRLS`` role (``allied_search``) that may
only read the three searched tables, so that the index can serve them, and lets only the
application role execute them.

``--leakproof-search`` (no longer needed, kept for operators who chose it) marks the full-text match
function behind ``@@`` (``ts_match_vq(tsvector, tsquery)``) LEAKPROOF, which only a superuser may
do. Row-level security lets the planner use an index only for leakproof operators, so without it
every search as the application role reads every row the viewer may see before matching (about 165
ms at p95 over 100,000 products against about 55 ms with it; ``bench/search.py``). The function
returns only whether a document matches; an error it could raise depends on the query, which is the
searcher's own input, not on the rows. It is still a decision about the database's security
boundary, so it is the operator's to make, and ``--no-leakproof-search`` undoes it.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from allied.core.rls import APP_ROLE, SEARCH_ROLE, SEARCH_TABLES, grant_app_role, search_functions


class Command(BaseCommand):
    help = "Create the owner and application roles and grant what each needs (PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--owner", default="allied_owner")
        parser.add_argument("--app", default=APP_ROLE)
        parser.add_argument(
            "--leakproof-search",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="Mark ts_match_vq LEAKPROOF so searches under row-level security can use the "
            "full-text indexes (see the module's docstring); --no-leakproof-search undoes it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("db_roles is for PostgreSQL; SQLite has no roles.")
        owner, app = options["owner"], options["app"]
        with connection.cursor() as cursor:
            for role, env in ((owner, "ALLIED_OWNER_PASSWORD"), (app, "ALLIED_APP_PASSWORD")):
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
                if cursor.fetchone() is None:
                    cursor.execute(f'CREATE ROLE "{role}" NOSUPERUSER NOBYPASSRLS')
                password = os.environ.get(env)
                if password:
                    cursor.execute(f'ALTER ROLE "{role}" LOGIN PASSWORD %s', [password])
            cursor.execute(f'ALTER ROLE "{app}" NOBYPASSRLS NOSUPERUSER')
            cursor.execute("SELECT current_database()")
            database = cursor.fetchone()[0]
            cursor.execute(f'GRANT CREATE, CONNECT ON DATABASE "{database}" TO "{owner}"')
            cursor.execute(f'GRANT CREATE, USAGE ON SCHEMA public TO "{owner}"')
            cursor.execute(f'GRANT CONNECT ON DATABASE "{database}" TO "{app}"')
        grant_app_role(role=app)
        self._search_role(app)
        leakproof = options["leakproof_search"]
        if leakproof is not None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "ALTER FUNCTION ts_match_vq(tsvector, tsquery) "
                    + ("LEAKPROOF" if leakproof else "NOT LEAKPROOF")
                )
            self.stdout.write(
                "full-text match (ts_match_vq) is "
                + ("LEAKPROOF: searches can use the indexes" if leakproof else "not LEAKPROOF")
            )
        self.stdout.write(
            f"roles ready: {owner} migrates (owns the tables), {app} serves requests under the "
            "row-level security policies"
        )

    def _search_role(self, app: str) -> None:
        """Hand the search functions to a role that reads past the policies, so that they can use
        the full-text indexes (their bodies apply the policy's predicate themselves)."""
        with connection.cursor() as cursor:
            functions = search_functions(cursor)
            if not functions:
                return
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [SEARCH_ROLE])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE ROLE "{SEARCH_ROLE}" NOLOGIN NOSUPERUSER BYPASSRLS')
            cursor.execute(f'ALTER ROLE "{SEARCH_ROLE}" NOLOGIN NOSUPERUSER BYPASSRLS')
            cursor.execute(f'GRANT USAGE ON SCHEMA public TO "{SEARCH_ROLE}"')
            tables = ", ".join(f'"{table}"' for table in SEARCH_TABLES)
            cursor.execute(f'GRANT SELECT ON {tables} TO "{SEARCH_ROLE}"')
            for function in functions:
                cursor.execute(f'ALTER FUNCTION {function} OWNER TO "{SEARCH_ROLE}"')
                cursor.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
                cursor.execute(f'GRANT EXECUTE ON FUNCTION {function} TO "{app}"')
