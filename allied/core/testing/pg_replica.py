"""A throw-away PostgreSQL primary and streaming replica on this machine, for tests and the load
tool.

``replica_pair()`` makes a primary cluster with ``initdb`` (``wal_level=replica``) on a free port,
copies it with ``pg_basebackup -R`` into a second data directory and starts the copy as a hot
standby on another port, all under one temporary directory; on leaving, both are stopped
(immediately) and the directory removed. The clusters trust local connections: they live for one
run, on loopback, and hold generated data only.

PostgreSQL refuses to run as root, so when this process is root the clusters run as the
``postgres`` system user (``runuser``), who is given the temporary directory.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"


def pg_bin() -> Path | None:
    """The newest installed PostgreSQL's binaries, or None when there are none."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_basebackup"), key=_version)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_basebackup")
    return Path(on_path).parent if on_path and shutil.which("initdb") else None


def _version(path: str) -> float:
    try:
        return float(Path(path).parent.parent.name)
    except ValueError:
        return 0.0


def available() -> bool:
    """Whether clusters can be made here (binaries, and a user PostgreSQL will run as)."""
    if pg_bin() is None:
        return False
    if os.geteuid() != 0:
        return True
    return shutil.which("runuser") is not None and _postgres_ids() is not None


def _postgres_ids() -> tuple[int, int] | None:
    import pwd

    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Cluster:
    data: Path
    port: int

    def url(self, database: str, user: str = SUPERUSER, password: str = "") -> str:
        secret = f":{password}" if password else ""
        return f"postgres://{user}{secret}@127.0.0.1:{self.port}/{database}"


@dataclass(frozen=True)
class Pair:
    primary: Cluster
    replica: Cluster

    def wait_for_replay(self, timeout: float = 30) -> None:
        """Return once the replica has replayed everything the primary has written so far."""
        import psycopg

        with psycopg.connect(self.primary.url("postgres"), autocommit=True) as conn:
            row = conn.execute("SELECT pg_current_wal_insert_lsn()").fetchone()
            assert row is not None
            target = row[0]
        deadline = time.monotonic() + timeout
        with psycopg.connect(self.replica.url("postgres"), autocommit=True) as conn:
            while True:
                row = conn.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]
                ).fetchone()
                if row is not None and row[0]:
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the replica did not replay {target} in {timeout:.0f} s")
                time.sleep(0.05)

    def replay_lag_seconds(self) -> float:
        """How far the replica's replay is behind (0 when it has caught up)."""
        import psycopg

        with psycopg.connect(self.replica.url("postgres"), autocommit=True) as conn:
            row = conn.execute(
                "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                "ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END"
            ).fetchone()
        return float(row[0] or 0) if row else 0.0


class _Runner:
    """Runs PostgreSQL's programs as a user it accepts."""

    def __init__(self, root: Path) -> None:
        self.bin = pg_bin()
        if self.bin is None:
            raise RuntimeError("no PostgreSQL binaries (initdb, pg_basebackup) on this machine")
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            ids = _postgres_ids()
            if ids is None:
                raise RuntimeError("running as root, and there is no postgres user to run as")
            os.chown(root, *ids)

    def run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        assert self.bin is not None
        command = [str(self.bin / program), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)


def _start(runner: _Runner, cluster: Cluster, log: Path) -> None:
    runner.run("pg_ctl", "-D", str(cluster.data), "-l", str(log), "-w", "-t", "60", "start")


def _stop(runner: _Runner, cluster: Cluster) -> None:
    if (cluster.data / "postmaster.pid").exists():
        runner.run("pg_ctl", "-D", str(cluster.data), "-m", "immediate", "-w", "stop", check=False)


# Settings for a short-lived cluster: durability is not wanted (the data is thrown away), and a
# small footprint keeps two clusters beside the machine's own.
SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockets}'
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
full_page_writes = off
shared_buffers = 64MB
max_connections = 60
jit = off
"""


@contextlib.contextmanager
def replica_pair(settings: str = "") -> Iterator[Pair]:
    """A running primary and its streaming hot standby; stopped and removed on leaving.

    ``settings`` are extra ``postgresql.conf`` lines for both (the standby copies the primary's).
    """
    root = Path(tempfile.mkdtemp(prefix="allied-pg-pair-"))
    runner = _Runner(root)
    primary = Cluster(root / "primary", free_port())
    replica = Cluster(root / "replica", free_port())
    started: list[Cluster] = []
    try:
        runner.run("initdb", "-D", str(primary.data), "-U", SUPERUSER, "--auth=trust",
                   "--no-sync", "-E", "UTF8", "--locale=C")  # fmt: skip
        conf = SETTINGS.format(port=primary.port, sockets=root) + settings
        with (primary.data / "postgresql.conf").open("a", encoding="utf-8") as f:
            f.write(conf)
        _start(runner, primary, root / "primary.log")
        started.append(primary)
        runner.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", SUPERUSER,
                   "-D", str(replica.data), "-R", "-X", "stream", "--no-sync",
                   "--checkpoint=fast")  # fmt: skip
        # The copy's configuration is the primary's; the last setting of a name wins.
        with (replica.data / "postgresql.conf").open("a", encoding="utf-8") as f:
            f.write(f"\nport = {replica.port}\n")
        _start(runner, replica, root / "replica.log")
        started.append(replica)
        yield Pair(primary, replica)
    finally:
        for cluster in reversed(started):
            _stop(runner, cluster)
        shutil.rmtree(root, ignore_errors=True)
