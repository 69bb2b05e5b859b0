"""Allied works unchanged behind PgBouncer in transaction mode, and keeps no session state.

In transaction mode PgBouncer hands a server connection to a client for one transaction only:
anything a session keeps (``SET`` without ``LOCAL``, ``set_config(..., false)``, a session
advisory lock, a server-side prepared statement before PgBouncer 1.21) would reach the next
client on that server connection, or be missing for the next transaction of the same client.
Allied's viewer settings are transaction-local, its audit lock is ``pg_advisory_xact_lock``, and
Django's psycopg cursors bind parameters on the client (no prepared statements).

The source check runs everywhere. The live tests start ``pgbouncer`` (when installed:
``apt-get install pgbouncer``) in transaction mode with ONE server connection in front of the
local PostgreSQL, so that every client shares one backend, and run leak-test principal cases, a
write and a shared-backend check through it.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]

#: Session-level state a pooled server connection would carry to the next client.
SESSION_STATE = [
    (re.compile(r"pg_advisory_lock\s*\(|pg_try_advisory_lock\s*\("), "a session advisory lock"),
    (re.compile(r"set_config\([^)]*,\s*false\s*\)", re.I), "a session-wide set_config"),
    (re.compile(r"""["']SET\s+(?!LOCAL\b|TRANSACTION\b|CONSTRAINTS\b)\w"""), "a session SET"),
    (re.compile(r"server_side_binding|prepare_threshold\s*=\s*\d"), "server-side prepare"),
    (re.compile(r"""["']LISTEN\s|["']PREPARE\s|WITH\s+HOLD""", re.I), "session-bound SQL"),
]


def session_state_in(root: Path) -> list[str]:
    """Every line of application code (tests and migrations aside) that keeps session state."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("#"):  # a comment that names what not to do
                continue
            for pattern, what in SESSION_STATE:
                if pattern.search(line):
                    found.append(
                        f"{path.relative_to(root.parent)}:{number}: {what}: {line.strip()}"
                    )
    return found


def test_the_application_keeps_no_session_state_on_its_connections() -> None:
    assert session_state_in(ROOT) == []


def test_the_session_state_check_finds_a_session_advisory_lock(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "locks.py").write_text(
        'cursor.execute("SELECT pg_advisory_lock(1)")\ncursor.execute("SET ROLE x")\n'
        'cursor.execute("SET LOCAL ROLE x")\n',
        encoding="utf-8",
    )
    found = session_state_in(tmp_path / "app")
    assert [line.split(": ")[1] for line in found] == ["a session advisory lock", "a session SET"]


def test_django_binds_parameters_on_the_client() -> None:
    """No server-side prepared statements: PgBouncer before 1.21 cannot carry them."""
    options = connection.settings_dict.get("OPTIONS", {})
    assert not options.get("server_side_binding")


# --- through a real PgBouncer ----------------------------------------------------------------


def live(test):
    """A test through a real PgBouncer: PostgreSQL only, and only where pgbouncer is installed."""
    for mark in (
        pytest.mark.skipif(shutil.which("pgbouncer") is None, reason="pgbouncer is not installed"),
        pytest.mark.skipif(connection.vendor != "postgresql", reason="PgBouncer pools PostgreSQL"),
        pytest.mark.django_db(transaction=True),
    ):
        test = mark(test)
    return test


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def bouncer() -> Iterator[int]:
    """PgBouncer in transaction mode, one server connection, in front of the test database.

    PgBouncer refuses to run as root; as root it is started as ``postgres`` (``-u``), with its
    files in a directory that user can read.
    """
    tmp_path = Path(tempfile.mkdtemp(prefix="allied-pgbouncer-"))
    tmp_path.chmod(0o777)
    db = connection.settings_dict
    port = _free_port()
    user = db["USER"] or "postgres"
    (tmp_path / "users.txt").write_text(f'"{user}" ""\n', encoding="utf-8")
    (tmp_path / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {tmp_path / 'users.txt'}\n"
        "pool_mode = transaction\ndefault_pool_size = 1\nmax_client_conn = 20\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
        f"logfile = {tmp_path / 'pgbouncer.log'}\npidfile = {tmp_path / 'pgbouncer.pid'}\n",
        encoding="utf-8",
    )
    command = ["pgbouncer", str(tmp_path / "pgbouncer.ini")]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(command)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("pgbouncer did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.fixture
def through(bouncer: int) -> Iterator[int]:
    """The default connection, kept open (``CONN_MAX_AGE``), goes through PgBouncer."""
    settings_dict = connection.settings_dict
    saved = {key: settings_dict[key] for key in ("HOST", "PORT", "CONN_MAX_AGE")}
    connection.close()
    settings_dict.update(HOST="127.0.0.1", PORT=str(bouncer), CONN_MAX_AGE=600)
    try:
        yield bouncer
    finally:
        connection.close()
        settings_dict.update(saved)


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


@live
@pytest.mark.parametrize("username", ["us.analyst", "ind.liaison", "jpn.liaison"])
def test_leak_cases_and_a_write_through_pgbouncer(username, cast, through) -> None:
    """Leak-test principal cases, then a write, each request a transaction through PgBouncer."""
    from allied.core.models import Bulletin
    from allied.core.models.marked import save_visible
    from allied.core.testing import leaks

    planted = leaks.plant()
    user = cast[username]
    client = Client()
    client.force_login(user)
    viewer = user.principal.viewer()
    for prefix in ("/bulletins/", "/intel/products/", "/api/bulletins/"):
        findings = leaks.crawl(client, username, viewer, planted, only=prefix)
        assert [str(f) for f in findings] == []
    # The same page again and again: more than psycopg's prepare threshold (5), which would
    # fail on a pooled backend if statements were prepared on the server.
    for _ in range(7):
        assert client.get("/bulletins/").status_code == 200
    with transaction.atomic():
        bulletin = save_visible(
            Bulletin(title="Through the pool", body="-", marking=_unclassified(), author=user),
            user,
        )
    assert Bulletin.objects.visible_to(user).filter(pk=bulletin.pk).exists()
    assert connection.settings_dict["PORT"] == str(through)


def _unclassified():
    from allied.core.models import StoredMarking

    return StoredMarking.objects.intern("UNCLASSIFIED")


@live
def test_a_viewer_bound_in_one_transaction_is_gone_for_the_next_client(cast, through) -> None:
    """Two clients share PgBouncer's one server connection; the second sees no viewer."""
    from allied.core.visibility import SETTING_LEVEL, bind_viewer

    viewer = cast["us.analyst"].principal.viewer()
    with transaction.atomic():
        bind_viewer(viewer, datetime.date.today())
        first = _backend_pid()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid(), current_setting(%s, true)", [SETTING_LEVEL])
            pid, level = cursor.fetchone()
    finally:
        other.close()
    assert pid == first, "PgBouncer gave the second client the same server connection"
    assert not level, "a viewer's settings outlived its transaction on a pooled connection"
