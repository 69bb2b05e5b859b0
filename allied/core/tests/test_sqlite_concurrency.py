"""The demo on its default SQLite file serves the whole cast at once without an error.

Two people at once used to meet "database is locked" (a 500 page), sign-in included: SQLite
takes one writer at a time and, without a busy timeout, a second writer fails at once. This
starts the demo's own server (``allied demo``: a fresh file database, the demo loaded, the
threaded development server) and has twelve people of the cast sign in, read pages and write a
bulletin at the same moment.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from allied.core.cast import CAST
from allied.core.management.commands.demo import DEMO_PASSWORD

PEOPLE = [person.username for person in CAST][:12]
PAGES = ("/", "/bulletins/", "/bulletins/new/")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Keep the 302 of a sign-in or a save, so that its status is what is checked."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, server: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the demo exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("the demo's server did not start")


class Visitor:
    """One person's browser: cookies, the CSRF token of the last form, every status seen."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.username = username
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )
        self.seen: list[tuple[str, str, int, str]] = []

    def request(self, method: str, path: str, data: dict[str, str] | None = None) -> str:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method)
        req.add_header("Referer", self.base + path)
        try:
            with self.opener.open(req, timeout=60) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        self.seen.append((method, path, status, text if status >= 500 else ""))
        return text

    def form_token(self, path: str) -> str:
        match = CSRF_FIELD.search(self.request("GET", path))
        return match.group(1) if match else ""

    def visit(self) -> None:
        token = self.form_token("/login/")
        self.request(
            "POST",
            "/login/",
            {"csrfmiddlewaretoken": token, "username": self.username, "password": DEMO_PASSWORD},
        )
        for path in PAGES:
            self.request("GET", path)
        token = self.form_token("/bulletins/new/")
        self.request(
            "POST",
            "/bulletins/new/",
            {
                "csrfmiddlewaretoken": token,
                "title": f"Shift note from {self.username}",
                "body": "Fictional: written while eleven others were signed in.",
                "marking": "UNCLASSIFIED",
            },
        )
        self.request("GET", "/bulletins/")


@pytest.fixture
def demo_server(tmp_path: Path):
    port = free_port()
    env = {
        **os.environ,
        "ALLIED_SQLITE_PATH": str(tmp_path / "demo.sqlite3"),
        "ALLIED_DEBUG": "true",
        "ALLIED_DJANGO_DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "allied.settings",
    }
    env.pop("DATABASE_URL", None)
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "allied.cli", "demo", "--addrport", f"127.0.0.1:{port}"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(port, server, seconds=150)
            yield f"http://127.0.0.1:{port}", log
        finally:
            server.terminate()
            server.wait(timeout=10)


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the demo's server runs on a SQLite file of its own whatever the suite's database: "
    "the SQLite run of the suite covers it",
)
def test_twelve_people_at_once_meet_no_error(demo_server) -> None:
    base, log = demo_server
    visitors = [Visitor(base, username) for username in PEOPLE]
    start = threading.Barrier(len(visitors))
    failures: list[BaseException] = []

    def run(visitor: Visitor) -> None:
        try:
            start.wait()
            visitor.visit()
        except BaseException as exc:  # reported below, with every other failure
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(v,)) for v in visitors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert len(PEOPLE) == 12
    errors = [
        (v.username, method, path, status)
        for v in visitors
        for method, path, status, _ in v.seen
        if status >= 500
    ]
    assert not errors, errors
    for visitor in visitors:
        statuses = [(method, path, status) for method, path, status, _ in visitor.seen]
        # Signed in (302 to the home page) and the bulletin saved (302 to it): each person's
        # write went through, it was not merely answered without an error.
        assert ("POST", "/login/", 302) in statuses, (visitor.username, statuses)
        assert ("POST", "/bulletins/new/", 302) in statuses, (visitor.username, statuses)
    assert "database is locked" not in log.read_text(errors="replace")
