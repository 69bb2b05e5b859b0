"""``allied backup`` and ``allied restore``: a seeded database comes back whole, with an intact
audit chain and the same row counts; a damaged or forged file is refused; tampering after a
restore is found. Runs on the suite's engine (SQLite, or PostgreSQL with pg_dump)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.db.utils import load_backend

from allied.arms.tests import factories
from allied.core import audit
from allied.core.backup import (
    MANIFEST,
    MANIFEST_SUM,
    BackupError,
    backup,
    restore,
    verify_chain,
    verify_restored,
)

pytestmark = pytest.mark.django_db(transaction=True)
ALIAS = "restored"
CHECKED_TABLES = ("auth_user", "core_principal", "arms_case", "arms_stagerecord", "core_auditentry")


@pytest.fixture
def seeded(cast: dict[str, Any]) -> dict[str, int]:
    """Users, marked cases and a chain of audit entries; returns a few tables' row counts."""
    factories.case("PHL", "SECRET//REL TO USA, PHL")
    factories.case("JPN", "SECRET//NOFORN")
    for n in range(1, 6):
        audit.record("decision", actor=cast["us.casemgr"], object_type="arms.case", object_id=n)
    with connection.cursor() as cursor:
        counts = {}
        for table in CHECKED_TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    assert counts["core_auditentry"] >= 5 and counts["arms_case"] == 2
    return counts


@pytest.fixture
def target(tmp_path: Path) -> Iterator[str]:
    """An empty second database of the same engine, as the connection alias ``restored``."""
    settings = dict(connections["default"].settings_dict)
    postgres = connection.vendor == "postgresql"
    name = f"{settings['NAME']}_restored" if postgres else str(tmp_path / "restored.sqlite3")
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
    # A connection made here, not configured in settings: Django's test case allows it.
    wrapper = load_backend(settings["ENGINE"]).DatabaseWrapper({**settings, "NAME": name}, ALIAS)
    connections[ALIAS] = wrapper
    try:
        yield ALIAS
    finally:
        wrapper.close()
        del connections[ALIAS]
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def counts_in(alias: str) -> dict[str, int]:
    with connections[alias].cursor() as cursor:
        counts = {}
        for table in CHECKED_TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return counts


def tables_in(alias: str) -> list[str]:
    with connections[alias].cursor() as cursor:
        return connections[alias].introspection.table_names(cursor)


def rewrite(path: Path, change: Any, *, reseal: bool) -> None:
    """Rewrite backup ``path`` with ``change(name, data) -> data`` applied to each member;
    with ``reseal`` the checksums are recomputed, as a forger would."""
    with tarfile.open(path) as archive:
        members = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}  # type: ignore[union-attr]
    members = {name: change(name, data) for name, data in members.items()}
    if reseal:
        manifest = json.loads(members[MANIFEST])
        payload = members[manifest["payload"]["name"]]
        manifest["payload"]["sha256"] = hashlib.sha256(payload).hexdigest()
        manifest["payload"]["bytes"] = len(payload)
        members[MANIFEST] = json.dumps(manifest).encode()
        members[MANIFEST_SUM] = hashlib.sha256(members[MANIFEST]).hexdigest().encode()
    with tarfile.open(path, "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def test_a_seeded_database_restores_whole_with_its_audit_chain(seeded, target, tmp_path) -> None:
    path = tmp_path / "allied.tar"
    manifest = backup(path)
    assert path.stat().st_mode & 0o077 == 0  # the owner's alone
    assert manifest["vendor"] == connection.vendor and manifest["format_version"] == 1
    assert manifest["audit"]["entries"] == seeded["core_auditentry"]
    assert manifest["migrations"]["core"] and manifest["created"].endswith("Z")
    assert {t: manifest["row_counts"][t] for t in CHECKED_TABLES} == seeded

    restored = restore(path, target)

    assert counts_in(target) == seeded
    assert restored.entries == seeded["core_auditentry"]
    head = manifest["audit"]["head"]
    assert verify_chain(target, (head["sequence"], head["hash"])) == ([], restored.entries)
    # Restoring again is refused while the target holds data, unless forced.
    with pytest.raises(BackupError, match=r"is not empty .* --force"):
        restore(path, target)
    assert restore(path, target, force=True).entries == seeded["core_auditentry"]
    assert counts_in(target) == seeded


def test_a_restored_log_that_is_then_changed_is_caught(seeded, target, tmp_path) -> None:
    manifest = backup(tmp_path / "allied.tar")
    restore(tmp_path / "allied.tar", target)
    with connections[target].cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
        cursor.execute("UPDATE core_auditentry SET object_id = 'forged' WHERE sequence = 3")
    head = manifest["audit"]["head"]
    findings, _ = verify_chain(target, (head["sequence"], head["hash"]))
    assert [str(f) for f in findings] == ["entry 3 was changed"]
    with pytest.raises(BackupError, match="audit chain: entry 3 was changed"):
        verify_restored(manifest, target)


def flip_payload_byte(name: str, data: bytes) -> bytes:
    if name.startswith("database."):
        middle = len(data) // 2
        return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
    return data


def fewer_cases_in_manifest(name: str, data: bytes) -> bytes:
    if name != MANIFEST:
        return data
    manifest = json.loads(data)
    manifest["row_counts"]["arms_case"] = 1
    return json.dumps(manifest).encode()


def test_a_damaged_backup_is_refused_and_the_target_left_untouched(seeded, target, tmp_path):
    for damage, message in (
        (flip_payload_byte, r"database\.\S+ does not match its checksum"),
        (fewer_cases_in_manifest, "the manifest does not match its checksum"),
    ):
        path = tmp_path / f"{damage.__name__}.tar"
        backup(path)
        rewrite(path, damage, reseal=False)
        with pytest.raises(BackupError, match=message):
            restore(path, target)
        assert tables_in(target) == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="forges an SQLite payload by hand")
def test_a_forged_backup_with_recomputed_checksums_fails_the_chain_check(seeded, target, tmp_path):
    path = tmp_path / "allied.tar"
    backup(path)

    def forge(name: str, data: bytes) -> bytes:
        if name != "database.sqlite3":
            return data
        scratch = tmp_path / "forge.sqlite3"
        scratch.write_bytes(data)
        with sqlite3.connect(scratch) as db:
            db.execute("UPDATE core_auditentry SET actor_name = 'nobody' WHERE sequence = 2")
        db.close()
        return scratch.read_bytes()

    rewrite(path, forge, reseal=True)
    with pytest.raises(BackupError, match="audit chain: entry 2 was changed"):
        restore(path, target)


@pytest.mark.django_db(transaction=False)
def test_the_restore_command_refuses_a_damaged_file_with_a_clear_error(tmp_path) -> None:
    """``allied restore`` end to end: exit status 1, the reason on standard error, no traceback,
    before the database is touched."""
    path = tmp_path / "allied.tar"
    manifest = json.dumps({"format": "allied-backup", "format_version": 1}).encode()
    members = {MANIFEST: manifest, MANIFEST_SUM: b"0" * 64, "database.sqlite3": b"SQLite"}
    with tarfile.open(path, "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    env = {**os.environ, "ALLIED_SQLITE_PATH": str(tmp_path / "cli.sqlite3")}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "allied.cli", "restore", str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1
    assert "the manifest does not match its checksum" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "cli.sqlite3").exists() or (tmp_path / "cli.sqlite3").stat().st_size == 0
