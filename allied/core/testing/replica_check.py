"""The leak crawl against a primary and its streaming replica (``test_replica.py`` runs it).

Two steps, each its own process, because each connects as a different role:

``python -m allied.core.testing.replica_check setup PRIMARY_URL STATE``
    As the primary's superuser: migrate, create the owner and application roles
    (``allied db_roles``), the registry and the cast, and plant the leak tests' canaries;
    the planted rows are written (pickled) to ``STATE``.

``python -m allied.core.testing.replica_check crawl PRIMARY_URL REPLICA_URL STATE``
    As the application role (no superuser, no BYPASSRLS) on both, with the replica router on:
    crawl the pages and the API as a few people of the cast and print, as JSON, per person: the
    crawl's findings (a canary shown to someone who may not see it, a shown row with no audit
    entry on the primary, a banner below what it shows), how many reads of marked tables each
    database served, the answers of 500 or more, and the lists whose canaries differ from what
    the same person sees with every read on the primary.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

APP_ROLE, OWNER_ROLE = "allied_replica_app", "allied_replica_owner"
#: The people crawled: a U.S. analyst, a Five Eyes partner and a partner outside it.
VIEWERS = ("us.analyst", "jpn.liaison", "phl.liaison")
#: The parts of the site crawled (the whole crawl is the leak tests' job; this one checks that
#: the replica's reads keep the same walls, on the marked surfaces people read most).
PREFIXES = ("/intel/products/", "/bulletins/", "/api/intel/products/", "/arms/cases/")
CANARY = re.compile(rb"CANARY[0-9A-F]{12}")


def _django(primary: str, replica: str = "") -> None:
    os.environ["DATABASE_URL"] = primary
    if replica:
        os.environ["ALLIED_DB_REPLICA_URL"] = replica
    else:
        os.environ.pop("ALLIED_DB_REPLICA_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "allied.settings")
    os.environ["ALLIED_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    import django

    django.setup()


def setup(primary: str, state: Path) -> None:
    os.environ["ALLIED_APP_PASSWORD"] = "replica-check-fictional"
    _django(primary)
    import io

    from django.core.management import call_command

    from allied.core.cast import create_cast
    from allied.core.testing import leaks

    call_command("migrate", verbosity=0, interactive=False)
    call_command("db_roles", owner=OWNER_ROLE, app=APP_ROLE, stdout=io.StringIO())
    call_command("load_registry", verbosity=0)
    create_cast()
    planted = leaks.plant()
    state.write_bytes(pickle.dumps(planted))


@contextmanager
def counting(tables: frozenset[str]) -> Iterator[Counter[str]]:
    """Count, per database alias, the statements that read a marked table."""
    from django.db import connections

    counts: Counter[str] = Counter()

    def wrapper(alias: str) -> Callable[..., Any]:
        def count(
            execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
        ) -> Any:
            head = sql.lstrip()[:6].upper()
            if head == "SELECT" and any(f'"{t}"' in sql for t in tables):
                counts[alias] += 1
            return execute(sql, params, many, context)

        return count

    with ExitStack() as stack:
        for alias in connections:
            stack.enter_context(connections[alias].execute_wrapper(wrapper(alias)))
        yield counts


def crawl(primary: str, replica: str, state: Path) -> dict[str, Any]:
    _django(primary, replica)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from allied.core.db_router import STICKY_COOKIE
    from allied.core.models.audit import AuditEntry
    from allied.core.models.marked import marked_models
    from allied.core.testing import leaks

    def entries_of(username: str) -> int:
        return AuditEntry.objects.using("default").filter(actor_name=username).count()

    planted = pickle.loads(state.read_bytes())
    tables = frozenset(model._meta.db_table for model in marked_models())
    # The lists (routes without a parameter) of the crawled parts, to compare both ways.
    lists = sorted(
        {
            url
            for route in leaks.routes()
            if not route.params
            for url, _ in leaks.urls_for(route, planted)
            if url and url.startswith(PREFIXES)
        }
    )
    report: dict[str, Any] = {}
    for username in VIEWERS:
        user = get_user_model().objects.get(username=username)
        viewer = user.principal.viewer()
        client = Client()
        client.force_login(user)
        errors: list[str] = []
        original = client.get

        def get(path: str, *args: Any, _get: Any = original, _errors: list[str] = errors,
                **extra: Any) -> Any:  # fmt: skip
            response = _get(path, *args, **extra)
            if response.status_code >= 500:
                _errors.append(f"{path}: {response.status_code}")
            return response

        client.get = get
        findings: list[str] = []
        with counting(tables) as reads:
            for prefix in PREFIXES:
                found = leaks.crawl(client, username, viewer, planted, only=prefix)
                findings += [str(f) for f in found]
        # The same lists read with every read on the primary (the sticky cookie of a writer).
        differ = []
        on_primary = Client()
        on_primary.force_login(user)
        on_primary.cookies[STICKY_COOKIE] = "1"
        with counting(tables) as primary_reads:
            for url in lists:
                seen_replica = set(CANARY.findall(client.get(url).content))
                seen_primary = set(CANARY.findall(on_primary.get(url).content))
                if seen_replica != seen_primary:
                    differ.append(url)
        # A list read on the replica that shows canaries is audited on the primary, in the
        # request's own transaction; and the comparison above is not of empty pages only.
        shown = audited = 0
        for url in lists:
            before = entries_of(username)
            with counting(tables) as one:
                body = client.get(url).content
            if CANARY.search(body):
                shown += 1
                audited += entries_of(username) > before and one.get("default", 0) == 0
        report[username] = {
            "findings": findings,
            "marked_reads": dict(reads),
            "marked_reads_with_sticky_cookie": dict(primary_reads),
            "errors": errors,
            "lists_compared": len(lists),
            "lists_showing_canaries": shown,
            "of_them_read_on_replica_and_audited_on_primary": audited,
            "lists_that_differ": differ,
        }
    return report


if __name__ == "__main__":
    os.environ.setdefault("ALLIED_AUDIT_KEY", "allied-replica-check-audit-key-fictional")
    if sys.argv[1] == "setup":
        setup(sys.argv[2], Path(sys.argv[3]))
    elif sys.argv[1] == "crawl":
        print(json.dumps(crawl(sys.argv[2], sys.argv[3], Path(sys.argv[4]))))
    else:
        raise SystemExit(f"unknown step {sys.argv[1]!r}")
