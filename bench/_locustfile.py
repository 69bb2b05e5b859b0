"""The cast's journeys, for locust (``python -m bench.load`` runs it; see that module).

Each kind of person of the cast (``allied/core/cast.py``) is one locust user class, weighted by
how many of them a coalition would have at their desks: liaison officers and analysts most, then
case managers, planners and the working group; there is one disclosure officer. From seven
simulated people on, every kind has at least one. They sign in through
the sign-in page and browse pages with their session, and call the API with their token (as a
script or a TAXII client would). Ids come from what each person's own lists return, as a person
clicks through; a few requests ask for what the person may not see, where 404 (hidden or
missing) or 403 (not their role) is the expected answer and not an error.

Every other answer that is not 2xx or 3xx, and any redirect to the sign-in page, is a failure.
Credentials come from the JSON file ``ALLIED_LOAD_CREDENTIALS`` names:
``{username: {"password": ..., "token": ...}}``.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path
from typing import Any

from locust import between, constant, task
from locust.contrib.fasthttp import FastHttpUser

CREDENTIALS: dict[str, dict[str, str]] = (
    json.loads(Path(os.environ["ALLIED_LOAD_CREDENTIALS"]).read_text(encoding="utf-8"))
    if os.environ.get("ALLIED_LOAD_CREDENTIALS")
    else {}
)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TAXII = "application/taxii+json;version=2.1"
IMPORTS = "5c0c2a44-97a2-4bd0-9f1e-6f2f4f0a1e02"  # allied.intel.views.taxii.COLLECTIONS
# Words of the demo products and of the generated ones (bench/search.py: w0001x is the commonest).
WORDS = ("maritime", "strait", "exercise", "logistics", "w0007x", "w0150x", "w0420x", "w2600x")
PARTNERS = ("JPN", "KOR", "AUS", "PHL", "IND", "GBR")
# API lists a person opens rows from: the first page, fetched once per person.
PRODUCTS = "/api/intel/products/"
BULLETINS = "/api/bulletins/"
CASES = "/api/arms/cases/"
PLANS = "/api/planning/plans/"
DISCLOSURES = "/api/intel/disclosure-requests/"
WG_REQUESTS = "/api/working-group/requests/"


# ``ALLIED_LOAD_THINK=0`` (``python -m bench.load --capacity``): no think time, so that each
# simulated person asks as fast as it is answered and the load is set by the number of people.
THINK = os.environ.get("ALLIED_LOAD_THINK", "") != "0"


class Person(FastHttpUser):
    abstract = True
    wait_time = between(1, 4) if THINK else constant(0)
    usernames: tuple[str, ...] = ()
    _turn = itertools.count()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._turn = itertools.count()  # each kind of person takes its usernames in turn

    def on_start(self) -> None:
        self.username = self.usernames[next(self._turn) % len(self.usernames)]
        login = self.client.get("/login/", name="page /login/")
        token = CSRF.search(login.text or "")
        with self.client.post(
            "/login/",
            data={
                "username": self.username,
                "password": CREDENTIALS[self.username]["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            name="page /login/ (sign in)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/login/" in response.headers.get("Location", ""):
                response.failure(f"sign-in as {self.username} answered {response.status_code}")
        self.api_headers = {"Authorization": f"Token {CREDENTIALS[self.username]['token']}"}
        self.ids: dict[str, list[int]] = {}

    def get(self, url: str, name: str, expect: tuple[int, ...] = (), api: bool = False) -> Any:
        """GET ``url``; a failure unless 2xx/3xx (not to sign-in) or one of ``expect``."""
        headers = dict(self.api_headers) if api else {}
        if url.startswith("/taxii2/"):
            headers["Accept"] = TAXII
        with self.client.get(
            url, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            status = response.status_code
            if 300 <= status < 400 and "/login/" in response.headers.get("Location", ""):
                response.failure("sent to sign in")
            elif 200 <= status < 400 or status in expect:
                response.success()
            else:
                response.failure(f"answered {status}")
            return response

    def listed(self, source: str) -> list[int]:
        """The ids on the first page of the API list ``source``, fetched once per person."""
        if source not in self.ids:
            response = self.get(f"{source}?limit=50", f"api {source}", api=True)
            try:
                self.ids[source] = [row["id"] for row in response.json()["results"]]
            except (ValueError, KeyError, TypeError):
                self.ids[source] = []
        return self.ids[source]

    def open_one(self, source: str, url: str, api: bool = False) -> None:
        """Open one row of ``source`` at ``url`` (its ``<id>`` replaced), as a person clicks."""
        ids = self.listed(source)
        if ids:
            self.get(
                url.replace("<id>", str(random.choice(ids))),
                f"{'api' if api else 'page'} {url}",
                api=api,
            )

    def search(self) -> None:
        self.get(f"/intel/search/?q={random.choice(WORDS)}", "page /intel/search/?q=")


class Analyst(Person):
    """Reads and searches products, through the pages and the API."""

    weight = 4
    usernames = ("us.analyst",)

    @task(3)
    def products(self) -> None:
        self.get("/intel/products/", "page /intel/products/")

    @task(5)
    def read(self) -> None:
        self.open_one(PRODUCTS, "/intel/products/<id>/")

    @task(3)
    def search_page(self) -> None:
        self.search()

    @task(2)
    def api_product(self) -> None:
        self.open_one(PRODUCTS, "/api/intel/products/<id>/", api=True)

    @task(2)
    def api_search(self) -> None:
        self.get(f"/api/intel/search/?q={random.choice(WORDS)}", "api /api/intel/search/", api=True)

    @task(1)
    def export(self) -> None:
        self.open_one(PRODUCTS, "/intel/products/<id>/export/")

    @task(1)
    def requirements(self) -> None:
        self.get("/intel/requirements/", "page /intel/requirements/")

    @task(1)
    def home(self) -> None:
        self.get("/", "page /")


class DisclosureOfficer(Person):
    """Works the foreign-disclosure queue (one officer, however many people are simulated)."""

    fixed_count = 1
    usernames = ("us.fdo",)

    @task(4)
    def queue(self) -> None:
        self.get("/intel/disclosure/", "page /intel/disclosure/")

    @task(3)
    def request(self) -> None:
        self.open_one(DISCLOSURES, "/intel/disclosure/requests/<id>/")

    @task(1)
    def stats(self) -> None:
        self.get("/intel/disclosure/stats/", "page /intel/disclosure/stats/")

    @task(2)
    def api_requests(self) -> None:
        self.get(f"{DISCLOSURES}?limit=20", f"api {DISCLOSURES}", api=True)

    @task(2)
    def read(self) -> None:
        self.open_one(PRODUCTS, "/intel/products/<id>/")


class Liaison(Person):
    """A partner's liaison officer: bulletins, tearlines, its own nation's cases and requests."""

    weight = 6
    usernames = tuple(f"{p.lower()}.liaison" for p in PARTNERS)

    @task(3)
    def bulletins(self) -> None:
        self.get("/bulletins/", "page /bulletins/")

    @task(3)
    def read_bulletin(self) -> None:
        self.open_one(BULLETINS, "/bulletins/<id>/")

    @task(2)
    def api_bulletins(self) -> None:
        self.get(f"{BULLETINS}?limit=20", f"api {BULLETINS}", api=True)

    @task(2)
    def products(self) -> None:
        self.get("/intel/products/", "page /intel/products/")

    @task(3)
    def tearline(self) -> None:
        self.open_one(PRODUCTS, "/intel/products/<id>/")

    @task(1)
    def search_page(self) -> None:
        self.search()

    @task(2)
    def cases(self) -> None:
        self.get("/arms/", "page /arms/")

    @task(2)
    def case(self) -> None:
        self.open_one(CASES, "/arms/cases/<id>/")

    @task(2)
    def status(self) -> None:
        self.get("/working-group/status/", "page /working-group/status/")

    @task(1)
    def taxii(self) -> None:
        self.get(
            f"/taxii2/api/collections/{IMPORTS}/objects/?limit=100",
            "taxii /taxii2/api/collections/<id>/objects/",
            api=True,
        )

    @task(1)
    def people(self) -> None:
        self.get("/people/", "page /people/")

    @task(1)
    def someone_elses_product(self) -> None:
        # A link passed on by a U.S. colleague: often to a product not releasable to this nation.
        pk = random.randint(1, 100_000)
        self.get(f"/intel/products/{pk}/", "page /intel/products/<id>/ (any id)", expect=(404,))

    @task(1)
    def not_their_queue(self) -> None:
        self.get(
            "/api/working-group/queue/", "api /api/working-group/queue/", expect=(403,), api=True
        )


class CaseManager(Person):
    """Moves FMS cases along and reads where they are stuck."""

    weight = 2
    usernames = ("us.casemgr",)

    @task(3)
    def cases(self) -> None:
        self.get("/arms/", "page /arms/")

    @task(4)
    def case(self) -> None:
        self.open_one(CASES, "/arms/cases/<id>/")

    @task(1)
    def analytics(self) -> None:
        self.get("/arms/analytics/", "page /arms/analytics/")

    @task(1)
    def licences(self) -> None:
        self.get("/arms/licences/", "page /arms/licences/")

    @task(2)
    def api_cases(self) -> None:
        partner = random.choice(PARTNERS)
        self.get(f"{CASES}?limit=20&partner={partner}", f"api {CASES}?partner=", api=True)

    @task(2)
    def api_case(self) -> None:
        self.open_one(CASES, "/api/arms/cases/<id>/", api=True)


class Planner(Person):
    """Opens plans and their readiness, and the people who will have to work together."""

    weight = 2
    usernames = ("us.planner", "jpn.liaison")

    @task(2)
    def plans(self) -> None:
        self.get("/planning/", "page /planning/")

    @task(3)
    def open_plan(self) -> None:
        self.open_one(PLANS, "/planning/<id>/")

    @task(3)
    def readiness(self) -> None:
        self.open_one(PLANS, "/planning/<id>/readiness/")

    @task(1)
    def api_readiness(self) -> None:
        self.open_one(PLANS, "/api/planning/plans/<id>/readiness/", api=True)

    @task(1)
    def capabilities(self) -> None:
        self.get("/planning/capabilities/", "page /planning/capabilities/")

    @task(2)
    def coverage(self) -> None:
        self.get("/people/", "page /people/")


class WorkingGroup(Person):
    """Works the one queue of allied requests."""

    weight = 2
    usernames = ("wg.member",)

    @task(4)
    def queue(self) -> None:
        self.get("/working-group/", "page /working-group/")

    @task(2)
    def filtered(self) -> None:
        self.get(
            f"/working-group/?partner={random.choice(PARTNERS)}&escalated=on",
            "page /working-group/?partner=&escalated=",
        )

    @task(2)
    def api_queue(self) -> None:
        self.get("/api/working-group/queue/", "api /api/working-group/queue/", api=True)

    @task(1)
    def guidance(self) -> None:
        self.get("/working-group/guidance/", "page /working-group/guidance/")

    @task(1)
    def conflicts(self) -> None:
        self.get("/working-group/guidance/conflicts/", "page /working-group/guidance/conflicts/")

    @task(1)
    def request(self) -> None:
        self.open_one(WG_REQUESTS, "/working-group/requests/<id>/")

    @task(1)
    def brief(self) -> None:
        self.get("/working-group/brief/", "page /working-group/brief/")
