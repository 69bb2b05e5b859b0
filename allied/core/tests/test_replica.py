"""Reads on a real PostgreSQL streaming replica keep the walls, and are audited on the primary.

The router (``allied.core.db_router``) sends a safe request's reads of marked records to the
replica and every write, each audit entry included, to the primary. Here a real primary and hot
standby run on this machine (``pg_basebackup``, ``allied.core.testing.pg_replica``); the leak
crawl's principal cases run against them as the application role (row-level security on, no
BYPASSRLS), in processes of their own (the suite's database is elsewhere, and a test transaction
would never reach the replica). A viewer is shown only what the markings engine lets them see
(P1, releasability; P7, a partner reads its own view of a marking), every row shown is named by
an audit entry on the primary, and each list shows the same rows as when read on the primary.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from allied.core.testing import pg_replica
from allied.core.testing.replica_check import APP_ROLE, VIEWERS


def _suite_on_postgresql() -> bool:
    from django.conf import settings

    return "postgresql" in settings.DATABASES["default"]["ENGINE"]


# The clusters are its own, so the suite's database does not matter: it runs once per CI run,
# in the PostgreSQL half (about two minutes, most of it migrating the new primary).
pytestmark = [
    pytest.mark.skipif(
        not pg_replica.available(), reason="needs PostgreSQL's initdb and pg_basebackup"
    ),
    pytest.mark.skipif(
        not _suite_on_postgresql(), reason="runs with the PostgreSQL half of the suite"
    ),
]
ROOT = Path(__file__).resolve().parents[3]
DATABASE = "allied_replica"


def step(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "allied.core.testing.replica_check", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    import psycopg

    state = tmp_path_factory.mktemp("replica") / "planted.pickle"
    with pg_replica.replica_pair() as pair:
        with psycopg.connect(pair.primary.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        step("setup", pair.primary.url(DATABASE), str(state))
        pair.wait_for_replay()
        out = step(
            "crawl",
            pair.primary.url(DATABASE, APP_ROLE),
            pair.replica.url(DATABASE, APP_ROLE),
            str(state),
        )
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize("username", VIEWERS)
def test_a_crawl_on_the_replica_finds_no_leak_and_no_unaudited_read(report, username):
    person = report[username]
    assert person["findings"] == []
    assert person["errors"] == []


@pytest.mark.parametrize("username", VIEWERS)
def test_marked_reads_go_to_the_replica_and_a_writers_reads_to_the_primary(report, username):
    person = report[username]
    assert person["marked_reads"].get("replica", 0) > 0
    assert person["marked_reads"].get("default", 0) == 0
    # With the cookie of someone who has just written, every read is on the primary.
    assert person["marked_reads_with_sticky_cookie"].get("default", 0) > 0


@pytest.mark.parametrize("username", VIEWERS)
def test_a_person_sees_on_the_replica_exactly_what_they_see_on_the_primary(report, username):
    person = report[username]
    assert person["lists_that_differ"] == []
    assert person["lists_showing_canaries"] > 0
    # Each list read on the replica that showed a row wrote its audit entry on the primary.
    assert (
        person["of_them_read_on_replica_and_audited_on_primary"]
        == (person["lists_showing_canaries"])
    )
