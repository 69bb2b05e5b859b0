"""Each page of the cast's journeys runs in at most a fixed number of SQL statements.

The pages are those the load test's people open (``bench/_locustfile.py``), as the same people
(``allied.core.cast``), on the demo's data. A request's fixed costs (session, user, principal and
memberships read once, one ``set_config`` per transaction on PostgreSQL, the audit's entries) and
its page's own queries are counted together with Django's ``CaptureQueriesContext``; a change that
adds a statement to a page, such as a principal read twice or a query per row, makes this test
fail with the page, its count and its budget, and the statements it ran.

The budgets are the counts measured when they were set, per database: PostgreSQL adds the one
``set_config`` statement that tells the row-level security policies who is looking, and the
audit's lock and chain head. Lower a budget when a page gets cheaper; raise one only with a reason
in the commit.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

#: Who opens which page, from the load test's people. ``<id>`` is the first row the person's own
#: API list returns (the load test opens one of them at random).
JOURNEYS: list[tuple[str, str, str | None]] = [
    # the analyst
    ("us.analyst", "/intel/products/", None),
    ("us.analyst", "/intel/products/<id>/", "/api/intel/products/"),
    ("us.analyst", "/intel/search/?q=maritime", None),
    ("us.analyst", "/api/intel/products/<id>/", "/api/intel/products/"),
    ("us.analyst", "/api/intel/search/?q=maritime", None),
    ("us.analyst", "/intel/requirements/", None),
    ("us.analyst", "/", None),
    # the disclosure officer
    ("us.fdo", "/intel/disclosure/", None),
    ("us.fdo", "/intel/disclosure/requests/<id>/", "/api/intel/disclosure-requests/"),
    ("us.fdo", "/intel/disclosure/stats/", None),
    ("us.fdo", "/api/intel/disclosure-requests/?limit=20", None),
    # a partner's liaison officer
    ("jpn.liaison", "/bulletins/", None),
    ("jpn.liaison", "/bulletins/<id>/", "/api/bulletins/"),
    ("jpn.liaison", "/api/bulletins/?limit=20", None),
    ("jpn.liaison", "/intel/products/", None),
    ("jpn.liaison", "/intel/products/<id>/", "/api/intel/products/"),
    ("jpn.liaison", "/arms/", None),
    ("jpn.liaison", "/arms/cases/<id>/", "/api/arms/cases/"),
    ("jpn.liaison", "/working-group/status/", None),
    ("jpn.liaison", "/people/", None),
    # the case manager
    ("us.casemgr", "/arms/", None),
    ("us.casemgr", "/arms/cases/<id>/", "/api/arms/cases/"),
    ("us.casemgr", "/arms/analytics/", None),
    ("us.casemgr", "/arms/licences/", None),
    ("us.casemgr", "/api/arms/cases/?limit=20&partner=JPN", None),
    ("us.casemgr", "/api/arms/cases/<id>/", "/api/arms/cases/"),
    # the planner
    ("us.planner", "/planning/", None),
    ("us.planner", "/planning/<id>/", "/api/planning/plans/"),
    ("us.planner", "/planning/<id>/readiness/", "/api/planning/plans/"),
    ("us.planner", "/api/planning/plans/<id>/readiness/", "/api/planning/plans/"),
    ("us.planner", "/planning/capabilities/", None),
    # the working group
    ("wg.member", "/working-group/", None),
    ("wg.member", "/working-group/?partner=JPN&escalated=on", None),
    ("wg.member", "/api/working-group/queue/", None),
    ("wg.member", "/working-group/guidance/", None),
    ("wg.member", "/working-group/guidance/conflicts/", None),
    ("wg.member", "/working-group/requests/<id>/", "/api/working-group/requests/"),
    ("wg.member", "/working-group/brief/", None),
    # anyone, before signing in
    ("", "/login/", None),
]

#: The most statements each page may run: (SQLite, PostgreSQL), each the count measured when set
#: plus three: a page's count varies by up to three between demo databases (how many distinct
#: markings the rows shown carry decides the audit's marking look-ups).
#: Showing the sign-in form runs none: it opens no transaction (allied.core.signin).
BUDGET: dict[tuple[str, str], tuple[int, int]] = {
    ("us.analyst", "/intel/products/"): (17, 19),
    ("us.analyst", "/intel/products/<id>/"): (15, 18),
    ("us.analyst", "/intel/search/?q=maritime"): (34, 21),
    ("us.analyst", "/api/intel/products/<id>/"): (16, 18),
    ("us.analyst", "/api/intel/search/?q=maritime"): (24, 25),
    ("us.analyst", "/intel/requirements/"): (13, 15),
    ("us.analyst", "/"): (17, 20),
    ("us.fdo", "/intel/disclosure/"): (16, 20),
    ("us.fdo", "/intel/disclosure/requests/<id>/"): (19, 23),
    ("us.fdo", "/intel/disclosure/stats/"): (16, 18),
    ("us.fdo", "/api/intel/disclosure-requests/?limit=20"): (23, 26),
    ("jpn.liaison", "/bulletins/"): (13, 15),
    ("jpn.liaison", "/bulletins/<id>/"): (13, 15),
    ("jpn.liaison", "/api/bulletins/?limit=20"): (14, 15),
    ("jpn.liaison", "/intel/products/"): (14, 17),
    ("jpn.liaison", "/intel/products/<id>/"): (15, 18),
    ("jpn.liaison", "/arms/"): (17, 20),
    ("jpn.liaison", "/arms/cases/<id>/"): (25, 30),
    ("jpn.liaison", "/working-group/status/"): (23, 25),
    ("jpn.liaison", "/people/"): (19, 21),
    ("us.casemgr", "/arms/"): (16, 19),
    ("us.casemgr", "/arms/cases/<id>/"): (33, 40),
    ("us.casemgr", "/arms/analytics/"): (21, 25),
    ("us.casemgr", "/arms/licences/"): (13, 15),
    ("us.casemgr", "/api/arms/cases/?limit=20&partner=JPN"): (13, 15),
    ("us.casemgr", "/api/arms/cases/<id>/"): (19, 24),
    ("us.planner", "/planning/"): (13, 15),
    ("us.planner", "/planning/<id>/"): (23, 24),
    ("us.planner", "/planning/<id>/readiness/"): (22, 25),
    ("us.planner", "/api/planning/plans/<id>/readiness/"): (22, 24),
    ("us.planner", "/planning/capabilities/"): (14, 17),
    ("wg.member", "/working-group/"): (27, 28),
    ("wg.member", "/working-group/?partner=JPN&escalated=on"): (23, 25),
    ("wg.member", "/api/working-group/queue/"): (26, 29),
    ("wg.member", "/working-group/guidance/"): (14, 16),
    ("wg.member", "/working-group/guidance/conflicts/"): (15, 19),
    ("wg.member", "/working-group/requests/<id>/"): (15, 17),
    ("wg.member", "/working-group/brief/"): (39, 43),
    ("", "/login/"): (0, 0),
}


def _demo() -> None:
    with override_settings(ALLIED_LOCAL=True, DEBUG=False):
        call_command("demo", "--no-serve", stdout=io.StringIO())
    # The queue table's stored scores are made once a day, by the first read after midnight (or
    # the nightly rebuild_queue --scores-only): budgets are for every other request.
    from django.utils import timezone

    from allied.working_group.entries import refresh_scores

    refresh_scores(timezone.localdate())


def _first_id(client: Client, source: str) -> int:
    response = client.get(source, {"limit": 1})
    assert response.status_code == 200, (source, response.status_code)
    results = response.json()["results"]
    assert results, f"the demo has no row at {source} for this person"
    return int(results[0]["id"])


def count_queries(username: str, path: str, source: str | None) -> tuple[int, int, list[str]]:
    """Open ``path`` as ``username``; return its status, its statements and their SQL."""
    from django.contrib.auth.models import User

    client = Client()
    if username:
        client.force_login(User.objects.get(username=username))
    if source is not None:
        path = path.replace("<id>", str(_first_id(client, source)))
    # The test's own transaction spans every request: forget what this one remembered (the
    # viewer's binding, the principal), as a request's own transaction would start with nothing.
    connection.allied_memo = {}
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return response.status_code, len(captured), [q["sql"] for q in captured.captured_queries]


def over_budget(measure: Callable[[str, str, str | None], tuple[int, int, list[str]]]) -> list[str]:
    """Every page of the journeys that runs more statements than its budget, described."""
    column = 1 if connection.vendor == "postgresql" else 0
    problems: list[str] = []
    for username, path, source in JOURNEYS:
        status, count, statements = measure(username, path, source)
        if status >= 400:
            problems.append(f"{username or 'anonymous'} {path}: answered {status}")
            continue
        budget = BUDGET[(username, path)][column]
        if count > budget:
            listing = "\n    ".join(statements)
            problems.append(
                f"{username or 'anonymous'} {path}: {count} statements, budget {budget}:"
                f"\n    {listing}"
            )
    return problems


def test_every_page_of_the_journeys_stays_within_its_query_budget() -> None:
    _demo()
    problems = over_budget(count_queries)
    assert not problems, "\n".join(problems)


def test_the_budget_fails_a_page_that_runs_one_statement_more_than_its_budget() -> None:
    """The check itself: one page one statement over its budget is reported, with its page."""
    _demo()
    username, path, _ = JOURNEYS[0]
    column = 1 if connection.vendor == "postgresql" else 0

    def one_more(user: str, url: str, source: str | None) -> tuple[int, int, list[str]]:
        status, count, statements = count_queries(user, url, source)
        if (user, url) == (username, path):
            over = BUDGET[(user, url)][column] + 1
            return status, over, [*statements, *["SELECT 1"] * (over - count)]
        return status, count, statements

    problems = over_budget(one_more)
    assert len(problems) == 1 and problems[0].startswith(f"{username} {path}: ")


def _report() -> Any:  # pragma: no cover - a tool for setting the budgets
    """Print each page's count (run by hand when a budget is set)."""
    for username, path, source in JOURNEYS:
        status, count, _ = count_queries(username, path, source)
        print(f"{username:12} {path:50} {status} {count}")
