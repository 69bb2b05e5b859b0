"""The PostgreSQL database a benchmark builds its data in, and Django set up on it."""

from __future__ import annotations

import os

# The cluster (host:port) the benchmarks build in; ``python -m bench.load --replica`` points it at
# a primary of its own.
PG = os.environ.get("ALLIED_BENCH_PG", "127.0.0.1:5432")
PG_ADMIN = f"postgres://postgres@{PG}/postgres"


def fresh_django(db: str, *, reuse: bool = False) -> None:
    """Point Django at database ``db`` and set it up. Unless ``reuse``, the database is dropped,
    created, migrated and given the registry and the fictional cast first."""
    import psycopg

    if not reuse:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {db}")
            conn.execute(f"CREATE DATABASE {db}")
    os.environ["DATABASE_URL"] = f"postgres://postgres@{PG}/{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "allied.settings")
    os.environ["ALLIED_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    import django

    django.setup()
    if reuse:
        return
    from django.core.management import call_command

    from allied.core.cast import create_cast

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_registry", verbosity=0)
    create_cast()
