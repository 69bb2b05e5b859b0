"""Browser journeys: Debian's Chromium, driven by Playwright, through a live Allied server.

The demo's content is loaded once for the whole folder (``allied demo``, as a person would run
it) and served by pytest-django's live server class on the test database; the folder's last test
hands the database back empty, as any transactional test does. Playwright never downloads a
browser here: it drives the Chromium that ``make browser`` installs with apt.

Without Chromium, axe-core (``node_modules``) or the USWDS styles (``make assets``) the tests are
skipped with the reason, except in CI (``CI=true``), where a missing piece is a failure.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.journey import ARTIFACTS, Journey, Site

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("ALLIED_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
USWDS = ROOT / "allied" / "static" / "vendor" / "uswds" / "css" / "uswds.min.css"


def _require(path: Path, what: str) -> None:
    if path.exists():
        return
    reason = f"{what} is missing ({path}): run `make browser`"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}. CI runs the browser tests, so it must have it.", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test of this folder is a browser test (CI runs them apart, once Chromium is in)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def _one_request_at_a_time(server_class: type) -> type:
    """The live server's class, made to run one request at a time.

    With SQLite in memory, every request thread shares the test's single connection. Chromium
    sends requests side by side (an htmx marking check can still be in flight when a form is
    submitted), and two requests on one connection interleave their savepoints: "no such
    savepoint". The server keeps its threads, so an idle keep-alive connection never holds the
    others up; only the application call, body included, is serialised.
    """
    import threading

    lock = threading.Lock()

    class OneAtATime(server_class):  # type: ignore[misc,valid-type]
        def set_app(self, application: Any) -> None:
            def serialised(environ: Any, start_response: Any) -> list[bytes]:
                with lock:
                    result = application(environ, start_response)
                    try:
                        return list(result)
                    finally:
                        close = getattr(result, "close", None)
                        if close is not None:
                            close()

            super().set_app(serialised)

    return OneAtATime


@pytest.fixture(scope="package")
def site(django_db_setup: None, django_db_blocker: Any) -> Iterator[Site]:
    """The demo, loaded once, served on 127.0.0.1; emptied again after the folder's last test."""
    from django.core.management import call_command
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    for path, what in ((CHROMIUM, "Chromium"), (AXE, "axe-core"), (USWDS, "The USWDS styles")):
        _require(path, what)
    with django_db_blocker.unblock():
        try:
            # Local mode, without Django's debug pages, as `make demo` runs.
            with override_settings(ALLIED_LOCAL=True, DEBUG=False):
                call_command("demo", "--no-serve", stdout=io.StringIO())
            server = LiveServer("127.0.0.1", start=False)
            server.thread.server_class = _one_request_at_a_time(server.thread.server_class)
            server.start()
            server._live_server_modified_settings.enable()
            try:
                yield Site(url=server.url, facts=Site.facts_of_demo())
            finally:
                server._live_server_modified_settings.disable()
                server.stop()
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="package")
def browser(site: Site) -> Iterator[Browser]:
    """One headless Chromium for the folder (started after the demo is loaded: Playwright's
    event loop would make Django refuse database work in this thread)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


@pytest.fixture
def journey(request: pytest.FixtureRequest, site: Site, browser: Browser) -> Iterator[Journey]:
    """A fresh browser context (no cookies) whose every step is screenshotted and checked."""
    name = re.sub(r"[^A-Za-z0-9_.]+", "-", request.node.name.removeprefix("test_")).strip("-")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # axe-core is loaded into every page the context opens, before the page's own scripts.
    context.add_init_script(path=AXE)
    try:
        yield Journey(page=context.new_page(), site=site, folder=ARTIFACTS / name)
    finally:
        context.close()
