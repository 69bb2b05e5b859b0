"""The audit sealer: requests insert unsealed entries, one sealer chains them in batches.

Issue 15, point 1: a request's entry is a plain insert in its own transaction (no lock shared
with other requests, no head read, no hash); the sealer takes committed entries in a defined
order, one transaction per batch, and ``allied audit verify`` tells unsealed entries (with their
age) apart from tampering. A sealer killed in the middle of a batch loses nothing.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from allied.core import audit, audit_sealer
from allied.core.models import AuditEntry

ROOT = Path(__file__).resolve().parents[3]
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (real concurrency, the trigger)"
)


def run_audit(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("audit", *args, stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


def record(n: int) -> AuditEntry:
    return audit.record("write", object_type="test.thing", object_id=n)


@pytest.mark.django_db
def test_sealing_chains_entries_in_id_order_and_verify_reports_the_unsealed_apart() -> None:
    first = [record(n) for n in range(3)]
    assert run_audit("seal") == (0, "sealed 3 entries in 1 batches; head 3\n")
    assert [e.sequence for e in AuditEntry.objects.filter(pk__in=[e.pk for e in first])] == [
        1,
        2,
        3,
    ]
    record(3)
    record(4)
    code, printed = run_audit("verify")
    # Not tampering: the chain is intact, exit 0, and the waiting entries get a line of their own.
    assert code == 0
    intact, waiting = printed.splitlines()
    assert intact == "audit chain intact: 3 entries"
    assert waiting.startswith("2 entries committed but not yet sealed (the oldest recorded ")
    result = json.loads(run_audit("verify", "--json")[1])
    assert result["intact"] is True and result["unsealed"]["count"] == 2
    assert float(result["unsealed"]["oldest_age_seconds"]) >= 0
    audit_sealer.seal(batch_size=1)  # several batches continue one chain
    assert run_audit("verify") == (0, "audit chain intact: 5 entries\n")


@pytest.mark.django_db
def test_status_shows_the_queue_its_age_the_last_sequence_and_the_lag() -> None:
    code, printed = run_audit("status")
    assert code == 0 and printed.splitlines() == ["unsealed entries: 0", "last sealed: none"]
    record(1)
    audit_sealer.seal()
    old = record(2)
    # The oldest unsealed entry's age is measured from when it was recorded.
    queue = audit_sealer.queue()
    assert (queue.unsealed, queue.last_sequence, queue.recent_count) == (1, 1, 1)
    assert queue.oldest_unsealed_at == old.at and queue.oldest_age is not None
    assert queue.recent_lag is not None and queue.recent_lag[2] >= 0
    status = json.loads(run_audit("status", "--json")[1])
    assert (status["unsealed"], status["last_sequence"]) == (1, 1)
    assert set(status["recent_lag_seconds"]) == {"entries", "p50", "p99", "max"}
    lines = run_audit("status")[1].splitlines()
    assert lines[0].startswith("unsealed entries: 1 (oldest recorded ")
    assert lines[1].startswith("last sealed: 1 at ")
    assert lines[2].startswith("sealing lag over the last 1 sealed entries: p50 ")


@pytest.mark.django_db
def test_head_names_the_last_sealed_entry_and_seals_first_when_asked() -> None:
    assert run_audit("head")[0] == 1  # nothing sealed yet
    record(1)
    audit_sealer.seal()
    record(2)
    code, printed = run_audit("head")
    assert code == 0 and printed.startswith("1:")
    code, printed = run_audit("head", "--seal")
    assert code == 0 and printed.startswith("2:")


@pytest.mark.django_db
def test_the_sealer_seals_what_is_stored_so_verification_reads_back_the_same() -> None:
    entry = audit.record(
        "read", object_type="x.y", object_id="é", marking="SECRET//REL TO USA, JPN",
        detail={"list": [1, "two", {"ü": None}], "at": entry_time()},
    )  # fmt: skip
    audit_sealer.seal()
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.sequence == 1 and stored.sealed_at is not None
    assert run_audit("verify") == (0, "audit chain intact: 1 entries\n")


def entry_time() -> str:
    from django.utils import timezone

    return (timezone.now() - timedelta(days=1)).isoformat()


# --- PostgreSQL: real concurrency and the trigger -----------------------------------------------


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_request_does_not_wait_for_a_sealer_holding_its_lock() -> None:
    """A request's insert takes no lock the sealer holds: it commits while a batch is open."""
    holding, release = threading.Event(), threading.Event()

    def sealer_busy() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [audit.ADVISORY_LOCK_KEY])
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=sealer_busy)
    thread.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        with transaction.atomic():
            record(1)
        assert time.monotonic() - started < 1.0
    finally:
        release.set()
        thread.join()
    assert AuditEntry.objects.filter(sequence__isnull=True).count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_entry_committed_late_with_a_lower_id_is_sealed_in_the_next_batch_not_skipped() -> None:
    inserted, commit = threading.Event(), threading.Event()
    late: list[int] = []

    def slow_request() -> None:
        try:
            with transaction.atomic():
                late.append(record(1).pk)
                inserted.set()
                commit.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_request)
    thread.start()
    assert inserted.wait(10)
    early = record(2)
    assert late[0] < early.pk
    assert audit_sealer.seal().entries == 1  # the uncommitted one is not visible yet
    commit.set()
    thread.join()
    assert audit_sealer.seal().entries == 1
    by_id = dict(AuditEntry.objects.values_list("id", "sequence"))
    assert (by_id[early.pk], by_id[late[0]]) == (1, 2)
    assert run_audit("verify") == (0, "audit chain intact: 2 entries\n")


@on_postgresql
@pytest.mark.django_db
def test_the_trigger_lets_an_entry_be_sealed_once_and_never_changed_while_sealed() -> None:
    first = record(1)
    # Sealing while changing the content is refused, as is any other change of an entry.
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE core_auditentry SET sequence = 1, prev_hash = 'a', hash = 'b', "
            "sealed_at = now(), object_id = 'forged' WHERE id = %s",
            [first.pk],
        )
    audit_sealer.seal()
    with connection.cursor() as cursor:
        for statement in (
            "UPDATE core_auditentry SET sequence = NULL, prev_hash = NULL, hash = NULL",
            "UPDATE core_auditentry SET hash = 'resealed'",
            "UPDATE core_auditentry SET sequence = 7",
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(statement)
    assert run_audit("verify") == (0, "audit chain intact: 1 entries\n")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_sealers_at_once_take_turns_and_make_one_chain() -> None:
    for n in range(400):
        record(n)
    errors: list[BaseException] = []

    def sealer() -> None:
        try:
            audit_sealer.seal(batch_size=7)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sealer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sequences = list(AuditEntry.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, 401))
    assert run_audit("verify") == (0, "audit chain intact: 400 entries\n")


# --- a sealer process killed in the middle of a batch -------------------------------------------


class Target:
    """The database the sealer process works on: this test's PostgreSQL database, or on SQLite
    (whose test database is in memory) a migrated file of its own."""

    def __init__(self, tmp_path: Path) -> None:
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "allied.settings"}
        self.file: Path | None = None
        if connection.vendor == "postgresql":
            settings = connection.settings_dict
            self.env["DATABASE_URL"] = (
                f"postgres://{settings['USER']}:{settings['PASSWORD']}@"
                f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
            )
        else:
            self.file = tmp_path / "sealer.sqlite3"
            self.env.pop("DATABASE_URL", None)
            self.env["ALLIED_SQLITE_PATH"] = str(self.file)
            self.manage("migrate", "--no-input", "-v", "0")

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=self.env,
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip

    def sql(self, statement: str, rows: list[tuple[object, ...]] | None = None) -> int:
        """Run ``statement`` (executemany over ``rows`` when given); the first column back."""
        if self.file is None:
            with connection.cursor() as cursor:
                if rows is not None:
                    cursor.executemany(statement, rows)
                    return 0
                cursor.execute(statement)
                return int(cursor.fetchone()[0])
        with sqlite3.connect(self.file, timeout=30) as db:
            statement = statement.replace("%s", "?")
            if rows is not None:
                db.executemany(statement, rows)
                return 0
            return int(db.execute(statement).fetchone()[0])

    def sealed(self) -> int:
        return self.sql("SELECT COUNT(*) FROM core_auditentry WHERE sequence IS NOT NULL")


@pytest.mark.django_db(transaction=True)
def test_a_sealer_killed_mid_batch_loses_nothing_and_a_restarted_one_seals_everything(
    tmp_path: Path,
) -> None:
    total, batch = 15_000, 5_000
    target = Target(tmp_path)
    at = audit.timezone.now().isoformat()
    target.sql(
        "INSERT INTO core_auditentry (at, actor_name, nation, action, object_type, object_id, "
        "marking, detail) VALUES (%s, '', '', 'read', 'test.thing', %s, '', '{}')",
        [(at, str(n)) for n in range(total)],
    )
    # With what migrating the database recorded (a system access that fills a derived table).
    queued = target.sql("SELECT COUNT(*) FROM core_auditentry")
    assert queued >= total and target.sealed() == 0
    connections.close_all()
    command = [sys.executable, str(ROOT / "manage.py"), "audit", "seal", "--follow",
               "--batch-size", str(batch), "--interval", "0.05"]  # fmt: skip
    sealer = subprocess.Popen(command, cwd=ROOT, env=target.env, stdout=subprocess.DEVNULL)
    try:
        # Kill it once it has sealed a batch, while it works on the next.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and sealer.poll() is None and target.sealed() < batch:
            time.sleep(0.01)
        # At once: the next batch starts as soon as a full one commits.
        sealer.send_signal(signal.SIGKILL)
        sealer.wait(10)
    finally:
        if sealer.poll() is None:
            sealer.kill()
    sealed = target.sealed()
    assert 0 < sealed < queued  # killed with work left
    assert sealed % batch == 0  # a batch commits whole or not at all
    assert target.sql("SELECT COUNT(*) FROM core_auditentry") == queued  # nothing lost
    restarted = target.manage("audit", "seal")
    assert restarted.returncode == 0, restarted.stderr
    assert f"sealed {queued - sealed} entries" in restarted.stdout
    verified = target.manage("audit", "verify")
    assert (verified.returncode, verified.stdout) == (0, f"audit chain intact: {queued} entries\n")
