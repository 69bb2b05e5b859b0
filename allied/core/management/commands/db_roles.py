"""``allied db_roles``: create the PostgreSQL owner and application roles the database wall needs.

The owner role owns the tables and runs migrations; the application role serves requests and is
subject to the row-level security policies (it is neither superuser nor BYPASSRLS). Run it as a
superuser once per database; it is idempotent. Passwords come from the environment
(``ALLIED_OWNER_PASSWORD``, ``ALLIED_APP_PASSWORD``); without one the role cannot log in.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from allied.core.visibility import APP_ROLE, grant_app_role


class Command(BaseCommand):
    help = "Create the owner and application roles and grant what each needs (PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--owner", default="allied_owner")
        parser.add_argument("--app", default=APP_ROLE)

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
        self.stdout.write(
            f"roles ready: {owner} migrates (owns the tables), {app} serves requests under the "
            "row-level security policies"
        )
