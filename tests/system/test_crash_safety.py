"""Crash safety with a real server process on PostgreSQL: a bulk import killed with SIGKILL in the
middle leaves none of its rows, and every write acknowledged before the kill survives it.

The application runs as a separate process (``manage.py runserver --noreload``, production
settings) on a loopback port against this test run's database. A large bulk import is sent over
HTTP, small writes of another kind are sent and acknowledged beside it, and the server is killed
once the database shows the import's rows being inserted in an open transaction. After a restart
the import has left no row, every acknowledged small write is there, and writes work again.

``ALLIED_PG_RESTART_TEST=1`` also runs the PostgreSQL restart test, which restarts the shared
cluster (``make test-pg-restart`` and CI only): requests during the outage get a clear 503, and
once the database is back they succeed again without restarting the application.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from allied.arms.models import Case
from allied.core.models import system_access
from allied.intel.models import StixObject
from allied.intel.tests.stix_objects import indicator
from allied.intel.views.taxii import COLLECTIONS

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: a server process and the test share one real database",
    ),
    pytest.mark.django_db(transaction=True),
]
ROOT = Path(__file__).resolve().parents[2]
STIX_OBJECTS = 20_000
BOOK_CASES = 4_000
DEADLINE = 90.0  # seconds for any one wait; the whole test takes far less


#: One process, one thread, so one database connection serves every request in turn: with
#: ALLIED_DB_CONN_MAX_AGE it is kept between requests, and a database restart cuts it.
SINGLE_THREADED = (
    "import sys; from wsgiref.simple_server import make_server; "
    "from allied.wsgi import application; "
    "make_server('127.0.0.1', int(sys.argv[1]), application).serve_forever()"
)


class Server:
    """``manage.py runserver`` (or a one-thread WSGI server) in its own process, with production
    settings and this test process's secret key, so that a session made here is valid there."""

    def __init__(self, *, single_threaded: bool = False) -> None:
        self.single_threaded = single_threaded
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        settings = connection.settings_dict
        self.env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgres://{settings['USER']}:{settings['PASSWORD']}@"
                f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
            ),
            "ALLIED_DEBUG": "false",
            "ALLIED_HTTPS": "false",
            "ALLIED_SECRET_KEY": django_settings.SECRET_KEY,
            "ALLIED_ALLOWED_HOSTS": "127.0.0.1",
            "ALLIED_LOG_LEVEL": "WARNING",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        address = f"127.0.0.1:{self.port}"
        command = (
            [sys.executable, "-c", SINGLE_THREADED, str(self.port)]
            if self.single_threaded
            else [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks", address]
        )
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        until(lambda: self.ready(), "the server to answer")

    def ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"the server exited with {self.process.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{self.port}/taxii2/", timeout=5)
        except urllib.error.HTTPError:
            return True  # 401: up and answering
        except OSError:
            return False
        return True

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def request(
        self, path: str, body: Any, token: str, content_type: str, timeout: float = 60
    ) -> tuple[int, bytes]:
        """POST and return (status, body); OSError when the server is gone."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=data,
            headers={"Authorization": f"Token {token}", "Content-Type": content_type},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def until(condition: Callable[[], bool], what: str, timeout: float = DEADLINE) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def tokens(cast: dict[str, Any]) -> dict[str, str]:
    return {
        name: Token.objects.create(user=cast[name]).key for name in ("us.analyst", "us.casemgr")
    }


STIX_PATH = f"/taxii2/api/collections/{COLLECTIONS['imports']['id']}/objects/?marking=SECRET"
STIX_TYPE = "application/taxii+json;version=2.1"
BOOK_PATH = "/api/arms/cases/import/"


def bulk_indicator(tag: str) -> dict[str, Any]:
    padding = "Padding so that each object is about a kilobyte. " * 16
    return indicator(f"{tag} (fictional)", description=padding)


def case_row(identifier: str) -> dict[str, Any]:
    return {
        "identifier": identifier,
        "partner": "PHL",
        "title": "Coastal radar (fictional)",
        "implementing_agency": "Navy (NIPO)",
        "stage": "reviews",
        "stage_entered": "2026-10-01",
        "marking": "SECRET//REL TO USA, PHL",
    }


def inserting_into(table: str) -> bool:
    """Whether another session holds an open transaction that has inserted into ``table`` (the
    row-exclusive lock it took lasts until it commits or rolls back)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = %s AND l.mode = 'RowExclusiveLock' AND l.granted "
            "AND l.pid <> pg_backend_pid()",
            [table],
        )
        return cursor.fetchone() is not None


class Writer(threading.Thread):
    """Small writes one after another until the server goes away; remembers each acknowledged."""

    def __init__(self, send: Callable[[int], tuple[str, int]]) -> None:
        super().__init__(daemon=True)
        self.send = send
        self.acknowledged: list[str] = []
        self.refused: list[int] = []

    def run(self) -> None:
        n = 0
        while True:
            n += 1
            try:
                key, status = self.send(n)
            except (OSError, http.client.HTTPException):
                return  # the server is gone: this write was never acknowledged
            if 200 <= status < 300:
                self.acknowledged.append(key)
            else:
                self.refused.append(status)


def crash_during(
    server: Server, bulk: Callable[[], tuple[int, bytes]], table: str, writer: Writer
) -> None:
    """Start ``writer``, then once it has one write acknowledged ``bulk``; SIGKILL the server
    while ``bulk`` is inserting into ``table`` (not yet committed), and start it again."""
    outcome: list[Any] = []
    sender = threading.Thread(target=lambda: outcome.append(_try(bulk)), daemon=True)
    writer.start()
    until(lambda: bool(writer.acknowledged), "a first small write to be acknowledged")
    sender.start()
    until(lambda: inserting_into(table), f"the bulk import to insert into {table}")
    server.kill()
    sender.join(timeout=30)
    writer.join(timeout=30)
    assert outcome and isinstance(outcome[0], OSError | http.client.HTTPException), (
        f"the import was answered before the kill: {outcome}"
    )
    server.start()


def assert_all_acknowledged_present(writer: Writer, model: type[Any], key: str) -> None:
    with system_access("tests: what survived the crash"):
        rows = model.objects.filter(**{f"{key}__in": writer.acknowledged})
        present = set(rows.values_list(key, flat=True))
    assert writer.acknowledged, "no write was acknowledged before the kill"
    assert present == set(writer.acknowledged)
    assert writer.refused == []


def _try(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except (OSError, http.client.HTTPException) as error:
        return error


def test_a_killed_stix_import_leaves_nothing_and_acknowledged_writes_survive(server, tokens):
    bundle = {"objects": [bulk_indicator(f"bulk {n}") for n in range(STIX_OBJECTS)]}
    bulk_ids = [obj["id"] for obj in bundle["objects"]]

    def small_case(n: int) -> tuple[str, int]:
        identifier = f"ACK-{n:05d}"
        status, _ = server.request(
            BOOK_PATH, [case_row(identifier)], tokens["us.casemgr"], "application/json"
        )
        return identifier, status

    writer = Writer(small_case)
    crash_during(
        server,
        lambda: server.request(STIX_PATH, bundle, tokens["us.analyst"], STIX_TYPE),
        StixObject._meta.db_table,
        writer,
    )

    with system_access("tests: what survived the crash"):
        assert StixObject.objects.filter(stix_id__in=bulk_ids).count() == 0
    assert_all_acknowledged_present(writer, Case, "identifier")
    status, _ = server.request(
        STIX_PATH, {"objects": [bulk_indicator("after")]}, tokens["us.analyst"], STIX_TYPE
    )
    assert status == 202


def test_a_killed_case_book_import_leaves_nothing_and_acknowledged_writes_survive(server, tokens):
    book = [case_row(f"BULK-{n:05d}") for n in range(BOOK_CASES)]

    def small_stix(n: int) -> tuple[str, int]:
        obj = bulk_indicator(f"acknowledged {n}")
        status, _ = server.request(STIX_PATH, {"objects": [obj]}, tokens["us.analyst"], STIX_TYPE)
        return obj["id"], status

    writer = Writer(small_stix)
    crash_during(
        server,
        lambda: server.request(BOOK_PATH, book, tokens["us.casemgr"], "application/json"),
        Case._meta.db_table,
        writer,
    )

    with system_access("tests: what survived the crash"):
        assert Case.objects.filter(identifier__startswith="BULK-").count() == 0
    assert_all_acknowledged_present(writer, StixObject, "stix_id")
    status, body = server.request(BOOK_PATH, book[:10], tokens["us.casemgr"], "application/json")
    assert status == 201, body


# --- a PostgreSQL restart under load -----------------------------------------------------------


def cluster(action: str) -> None:
    """Stop or start the local PostgreSQL cluster (the one this test run's database lives in)."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        check=True,
        timeout=120,
    )


def get(server: Server, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.skipif(
    os.environ.get("ALLIED_PG_RESTART_TEST") != "1",
    reason="restarts the shared PostgreSQL cluster: set ALLIED_PG_RESTART_TEST=1 "
    "(make test-pg-restart; CI runs it alone)",
)
def test_the_application_answers_503_while_postgresql_is_down_and_recovers_by_itself(cast, tokens):
    browser = Client()
    browser.force_login(cast["us.casemgr"])
    session = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    api = {"Authorization": f"Token {tokens['us.casemgr']}"}
    page = {"Cookie": f"{django_settings.SESSION_COOKIE_NAME}={session}"}
    running = Server(single_threaded=True)
    running.env["ALLIED_DB_CONN_MAX_AGE"] = "600"  # one kept connection, cut by the restart
    running.start()
    statuses: list[int] = []
    stop = threading.Event()

    def load() -> None:
        while not stop.is_set():
            try:
                statuses.append(get(running, "/api/arms/cases/", api)[0])
            except (OSError, http.client.HTTPException):
                statuses.append(0)

    loaders = [threading.Thread(target=load, daemon=True) for _ in range(3)]
    try:
        for thread in loaders:
            thread.start()
        until(lambda: statuses.count(200) >= 5, "requests to succeed before the restart")
        assert get(running, "/arms/", page)[0] == 200
        cluster("stop")
        try:
            during = [get(running, "/api/arms/cases/", api) for _ in range(3)]
            during_page = get(running, "/arms/", page)
        finally:
            cluster("start")
        connection.close()  # this test's own connection was cut too
        for status, body in during:
            assert status == 503, body
            assert json.loads(body)["detail"].startswith("The database cannot be reached")
        assert during_page[0] == 503, during_page
        assert b"Service unavailable" in during_page[1] and b"Traceback" not in during_page[1]
        served = len(statuses)
        until(lambda: 200 in statuses[served:], "requests to succeed after the restart", 60)
        assert running.process is not None and running.process.poll() is None  # never restarted
        assert [get(running, "/api/arms/cases/", api)[0] for _ in range(5)] == [200] * 5
        assert get(running, "/arms/", page)[0] == 200
    finally:
        stop.set()
        for thread in loaders:
            thread.join(timeout=30)
        running.stop()
    assert set(statuses) <= {200, 503}, sorted(set(statuses))
