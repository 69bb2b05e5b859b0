"""Backing up and restoring the database with its audit chain (``allied backup``/``restore``).

A backup is one uncompressed tar file with three members:

* ``database.pgdump`` (PostgreSQL: ``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite:
  a copy made with SQLite's online backup API): the database itself, in its engine's own format;
* ``manifest.json``: the format and its version, when it was made, the engine, the applied
  migrations, the row count of every table, the audit chain's length and head (last sequence and
  hash) and the payload's size and SHA-256;
* ``manifest.sha256``: the SHA-256 of ``manifest.json``.

Each engine's own tools were chosen over a portable format because they copy everything the
database wall depends on exactly (row-level security policies, the audit log's trigger, sequences,
JSON, arrays, full-text indexes) and are as fast as the database can go; the price is that a
backup restores into the engine it came from, which restore checks first.

Consistency: on PostgreSQL the manifest is read inside one REPEATABLE READ transaction whose
snapshot ``pg_dump --snapshot`` then dumps, so counts, head and data are one instant. On SQLite the
copy is made in one step under a read lock and the manifest is read from the copy.

Restore refuses a file whose checksums, format, engine or migrations do not match, and a target
database that holds tables (unless forced). Afterwards it checks the row counts and migrations
against the manifest and walks the whole audit chain (the same verifier as ``allied audit
verify``), anchored at the manifest's head, so a log changed, cut or re-sealed inside a file whose
checksums were recomputed is still named.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader

from allied.audit_chain import Finding, Verifier
from allied.core.audit import audit_key, walk
from allied.core.models.audit import AuditEntry

FORMAT = "allied-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"
PAYLOADS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
AUDIT_TABLE = AuditEntry._meta.db_table
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be made; the message says why and what to do."""


# --- reading a database's state --------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _state(cursor: Any, tables: list[str]) -> dict[str, Any]:
    """Migrations, row counts and audit head, read with a DB-API cursor (one snapshot)."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = int(cursor.fetchone()[0])
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    head = None
    if AUDIT_TABLE in tables:
        cursor.execute(
            f"SELECT sequence, hash FROM {AUDIT_TABLE} WHERE sequence IS NOT NULL "
            "ORDER BY sequence DESC LIMIT 1"
        )
        row = cursor.fetchone()
        head = None if row is None else {"sequence": int(row[0]), "hash": row[1]}
    return {
        "migrations": migrations,
        "row_counts": counts,
        "audit": {"entries": counts.get(AUDIT_TABLE, 0), "head": head},
    }


def _pg_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def _sqlite_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [row[0] for row in cursor.fetchall()]


# --- PostgreSQL client tools -----------------------------------------------------------------


def _pg_env(settings: dict[str, Any]) -> dict[str, str]:
    """libpq environment for pg_dump/pg_restore: the password never appears on a command line."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings.get(key):
            env[var] = str(settings[key])
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    env["PGDATABASE"] = str(settings["NAME"])
    for option, value in (settings.get("OPTIONS") or {}).items():
        if option in {"sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout"}:
            env["PG" + option.upper().replace("_", "")] = str(value)
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} is not installed (it comes with the PostgreSQL client)")
    result = subprocess.run(
        [tool, *command[1:]], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _bypass_row_security(cursor: Any) -> None:
    """Counts must see every row: refuse clearly if the role is subject to row-level security."""
    cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
    row = cursor.fetchone()
    if not row or not row[0]:
        raise BackupError(
            "this database role is subject to row-level security, so it cannot see every row: "
            "back up and restore as a superuser or a role with BYPASSRLS"
        )
    cursor.execute("SET LOCAL row_security = off")


# --- making a backup -------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _dump_postgresql(alias: str, payload: Path) -> dict[str, Any]:
    connection = connections[alias]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        _bypass_row_security(cursor)
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        state = _state(cursor, _pg_tables(cursor))
        # pg_dump joins the snapshot while this transaction holds it open.
        command = ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={payload}"]
        _run(command, _pg_env(connection.settings_dict))
    return state


def _dump_sqlite(alias: str, payload: Path) -> dict[str, Any]:
    connection = connections[alias]
    connection.ensure_connection()
    target = sqlite3.connect(payload)
    try:
        connection.connection.backup(target)  # one step: a consistent copy
        cursor = target.cursor()
        return _state(cursor, _sqlite_tables(cursor))
    finally:
        target.close()


def backup(path: Path, alias: str = "default") -> dict[str, Any]:
    """Write a backup of database ``alias`` to ``path`` and return its manifest.

    The audit entries committed so far are sealed first, so that the manifest's head covers
    them; any committed after that are in the backup unsealed, and are sealed once restored.
    """
    vendor = connections[alias].vendor
    if vendor not in PAYLOADS:
        raise BackupError(f"backups of {vendor} databases are not supported")
    from allied.core import audit_sealer

    audit_sealer.seal(using=alias)
    with tempfile.TemporaryDirectory(prefix="allied-backup-") as work:
        payload = Path(work) / PAYLOADS[vendor]
        created = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        state = (
            _dump_postgresql(alias, payload)
            if vendor == "postgresql"
            else _dump_sqlite(alias, payload)
        )
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created": created,
            "vendor": vendor,
            **state,
            "audit": {**state["audit"], "keyed": audit_key() is not None},
            "payload": {
                "name": payload.name,
                "bytes": payload.stat().st_size,
                "sha256": _sha256(payload),
            },
        }
        text = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
        partial = path.with_name(path.name + ".partial")
        # Readable by its owner only: it holds every row, whatever its marking.
        handle = os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")
        with handle, tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as archive:
            _add_bytes(archive, MANIFEST, text)
            _add_bytes(archive, MANIFEST_SUM, hashlib.sha256(text).hexdigest().encode() + b"\n")
            archive.add(payload, arcname=payload.name, recursive=False)
        os.replace(partial, path)
    return manifest


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


# --- reading and checking a backup -----------------------------------------------------------


@dataclass
class Opened:
    manifest: dict[str, Any]
    payload: Path


def _checked_manifest(
    path: Path, archive: tarfile.TarFile, members: dict[str, tarfile.TarInfo]
) -> dict[str, Any]:
    """The manifest of backup ``path``, checked against its checksum, format and version."""
    if MANIFEST not in members or MANIFEST_SUM not in members:
        raise BackupError(f"{path} is not an Allied backup: it has no manifest")
    text = _read_member(archive, members[MANIFEST])
    expected = _read_member(archive, members[MANIFEST_SUM]).decode("ascii", "replace").strip()
    if hashlib.sha256(text).hexdigest() != expected:
        raise BackupError(f"{path} is damaged: the manifest does not match its checksum")
    try:
        manifest = json.loads(text)
    except ValueError:
        raise BackupError(f"{path} is damaged: the manifest is not JSON") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not an Allied backup (format {manifest.get('format')!r})")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} is backup format version {manifest.get('format_version')!r}; this "
            f"version of Allied reads version {FORMAT_VERSION}"
        )
    return dict(manifest)


@contextmanager
def opened(path: Path) -> Iterator[Opened]:
    """The checked manifest and the payload of backup ``path``, extracted to a temporary folder.

    Refuses (BackupError) a file that is not a backup, has unexpected members, or whose manifest
    or payload does not match its checksum.
    """
    try:
        archive = tarfile.open(path, "r:")  # noqa: SIM115 (closed by the with below)
    except (OSError, tarfile.TarError) as error:
        raise BackupError(
            f"{path} is not an Allied backup (not a readable tar file): {error}"
        ) from None
    with archive, tempfile.TemporaryDirectory(prefix="allied-restore-") as work:
        try:
            members = {m.name: m for m in archive.getmembers()}
        except (tarfile.TarError, OSError, EOFError) as error:
            raise BackupError(f"{path} is damaged: {error}") from None
        manifest = _checked_manifest(path, archive, members)
        name = manifest["payload"]["name"]
        if name not in PAYLOADS.values() or set(members) != {MANIFEST, MANIFEST_SUM, name}:
            raise BackupError(f"{path} is damaged: unexpected members {sorted(members)}")
        member = members[name]
        if not member.isfile():
            raise BackupError(f"{path} is damaged: {name} is not a regular file")
        payload = Path(work) / name
        source = archive.extractfile(member)
        assert source is not None
        try:
            with payload.open("wb") as out:
                shutil.copyfileobj(source, out, CHUNK)
        except (tarfile.TarError, OSError, EOFError) as error:
            raise BackupError(f"{path} is damaged: {error}") from None
        if (
            payload.stat().st_size != manifest["payload"]["bytes"]
            or _sha256(payload) != (manifest["payload"]["sha256"])
        ):
            raise BackupError(f"{path} is damaged: {name} does not match its checksum")
        yield Opened(manifest, payload)


def _read_member(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    if not member.isfile() or member.size > 16 * CHUNK:
        raise BackupError(f"{member.name} is not a small regular file")
    handle = archive.extractfile(member)
    assert handle is not None
    return handle.read()


def _check_migrations(manifest: dict[str, Any]) -> list[str]:
    """Refuse a backup made by a newer Allied; return the migrations this code would add."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    saved = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    ours = {key for key in known if key[0] in {app for app, _ in saved}}
    unknown = sorted(saved - known)
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupError(
            f"the backup was made by a newer version of Allied (migrations unknown here: {names})"
        )
    return sorted(f"{app}.{name}" for app, name in ours - saved)


# --- restoring -------------------------------------------------------------------------------


@dataclass
class Restored:
    manifest: dict[str, Any]
    entries: int
    pending_migrations: list[str]


def restore(path: Path, alias: str = "default", *, force: bool = False) -> Restored:
    """Restore backup ``path`` into database ``alias`` and verify it (BackupError if it fails).

    The target must hold no tables unless ``force`` is given, which drops everything in it first.
    """
    connection = connections[alias]
    with opened(path) as backup_file:
        manifest = backup_file.manifest
        if manifest["vendor"] != connection.vendor:
            raise BackupError(
                f"the backup is of a {manifest['vendor']} database; the target is "
                f"{connection.vendor} (a backup restores into the engine it came from)"
            )
        pending = _check_migrations(manifest)
        if connection.vendor == "postgresql":
            _restore_postgresql(backup_file.payload, alias, force)
        else:
            _restore_sqlite(backup_file.payload, alias, force)
    entries = verify_restored(manifest, alias)
    return Restored(manifest, entries, pending)


def _restore_postgresql(payload: Path, alias: str, force: bool) -> None:
    connection = connections[alias]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        tables = _pg_tables(cursor)
        if tables and not force:
            raise BackupError(
                f"the target database {connection.settings_dict['NAME']!r} is not empty "
                f"({len(tables)} tables): restore into an empty database, or give --force to "
                "drop everything in it first"
            )
        if tables:
            cursor.execute("SELECT current_schema()")
            schema = _quote(cursor.fetchone()[0])
            cursor.execute(f"DROP SCHEMA {schema} CASCADE")
            cursor.execute(f"CREATE SCHEMA {schema}")
    connection.close()
    _run(
        [
            "pg_restore",
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            f"--dbname={connection.settings_dict['NAME']}",
            str(payload),
        ],
        _pg_env(connection.settings_dict),
    )


def _restore_sqlite(payload: Path, alias: str, force: bool) -> None:
    connection = connections[alias]
    target = Path(str(connection.settings_dict["NAME"]))
    if connection.is_in_memory_db():
        raise BackupError("the target is an in-memory SQLite database: give a file")
    connection.close()
    if target.exists() and target.stat().st_size:
        with sqlite3.connect(target) as existing:
            tables = _sqlite_tables(existing.cursor())
        existing.close()
        if tables and not force:
            raise BackupError(
                f"the target database {target} is not empty ({len(tables)} tables): restore "
                "into an empty database, or give --force to replace it"
            )
    staged = target.with_name(target.name + ".restoring")
    shutil.copyfile(payload, staged)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    os.replace(staged, target)


def verify_restored(manifest: dict[str, Any], alias: str = "default") -> int:
    """Check database ``alias`` against ``manifest``: migrations, row counts and the audit chain
    anchored at the manifest's head. Return the number of audit entries; BackupError if not."""
    connection = connections[alias]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _bypass_row_security(cursor)
            tables = _pg_tables(cursor)
        else:
            tables = _sqlite_tables(cursor)
        state = _state(cursor, tables)
    problems = []
    if state["migrations"] != manifest["migrations"]:
        problems.append("the applied migrations differ from the manifest's")
    for table in sorted(set(state["row_counts"]) | set(manifest["row_counts"])):
        got, want = state["row_counts"].get(table), manifest["row_counts"].get(table)
        if got != want:
            problems.append(f"table {table} has {got} rows; the manifest says {want}")
    head = manifest["audit"]["head"]
    anchor = (head["sequence"], head["hash"]) if head else None
    findings, entries = verify_chain(alias, anchor)
    problems.extend(f"audit chain: {finding}" for finding in findings)
    if manifest["audit"].get("keyed") and audit_key() is None:
        problems.append("the audit chain was keyed: set ALLIED_AUDIT_KEY to the same key")
    if problems:
        raise BackupError(
            "the restored database does not match the backup:\n  " + "\n  ".join(problems)
        )
    return entries


def verify_chain(alias: str, anchor: tuple[int, str] | None) -> tuple[list[Finding], int]:
    """Every finding of the audit chain in database ``alias``, and how many entries it holds."""
    verifier = Verifier(audit_key(), anchor=anchor)
    for entry in walk(5000, using=alias):
        verifier.feed(entry)
    return verifier.finish(), verifier.count
