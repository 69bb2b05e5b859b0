"""Bad input to every main write surface, page and API: a clear error naming the field, never a
server error, and nothing written (no row of any marked model, no write in the audit log).

Each surface starts from a payload that is accepted (``test_the_baseline_of_each_surface_is_
accepted`` proves it, so the refusals below are the bad field's doing), then one field at a time
gets a bad value: NUL bytes, unpaired surrogates, bidirectional overrides, control characters,
values over the size limits, malformed and random markings, values of the wrong type, injection
strings and odd but legitimate text. Run on SQLite and on PostgreSQL (which cannot store NUL);
the markings tests, which exercise the database-independent engine, on SQLite only.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from allied.core.input_limits import text_problem
from allied.core.models import AuditEntry, system_access
from allied.core.models.marked import marked_models
from allied.intel.tests.test_products_api import PAYLOAD as PRODUCT_JSON
from allied.intel.tests.test_requirements_api import payload as requirement_payload

# --- the world: the demo, made once for the module and rolled back after --------------------


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    from allied.arms import demo as arms_demo
    from allied.core import registry
    from allied.core.cast import create_cast
    from allied.people import demo as people_demo
    from allied.planning import demo as planning_demo

    with django_db_blocker.unblock(), transaction.atomic():
        registry.load()
        users = create_cast()
        # The demo content the surfaces write against (cases, officials); the rest is made below.
        arms_demo.seed()
        people_demo.seed()
        planning_demo.seed()
        # Signed in once for the module: signing in is itself audited.
        clients = {}
        for username in {s.user for s in SURFACES}:
            clients[username] = Client()
            clients[username].force_login(users[username])
        yield {"users": users, "clients": clients, **_records(users)}
        transaction.set_rollback(True)


def _records(users: dict[str, Any]) -> dict[str, Any]:
    """The records the surfaces below write against, made or found as test setup."""
    from allied.arms.models import Case
    from allied.arms.rules.lifecycle import Stage, next_stage
    from allied.intel.tests.test_disclosure import ask, make_product
    from allied.people.models import Billet, Official
    from allied.planning.models import Assignment

    product, portions = make_product(users["us.analyst"], ["SECRET//NOFORN", "SECRET//NOFORN"])
    asked, asked_portions = make_product(users["us.analyst"], ["SECRET//NOFORN"])
    request = ask(users, asked, asked_portions)
    with system_access("tests: records to write against"):
        case = next(c for c in Case.objects.order_by("pk") if next_stage(Stage(c.stage)))
        officials = list(
            Official.objects.filter(nation_id__in=["USA", "JPN"])
            .order_by("pk")
            .values_list("pk", "nation_id")
        )
        # The demo's vacant billet: a posting from 2030 takes it over after a gap.
        vacant = Billet.objects.get(code="DAO-MNL-2").pk
        role = (
            Assignment.objects.filter(nation_id="JPN", task__name__startswith="Rear-area port")
            .values_list("pk", flat=True)
            .first()
        )
    from allied.intel.tests.test_requirements import requirement

    need = requirement(users["us.analyst"], "CONFIDENTIAL//REL TO USA, JPN", "A need (fictional).")
    usa = next(pk for pk, nation in officials if nation == "USA")
    jpn = next(pk for pk, nation in officials if nation == "JPN")
    assert request is not None and case is not None
    return {
        "product": product.pk,
        "portion": portions[0].pk,
        "disclosure_request": request.pk,
        "case": case.pk,
        "officials": [usa, jpn],
        "billet": vacant,
        "role": role,
        "need": need.pk,
    }


# --- the surfaces ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Surface:
    name: str
    user: str
    url: Callable[[dict[str, Any]], str]
    payload: Callable[[dict[str, Any]], dict[str, Any]]
    #: "json" for the API, "form" for a page.
    kind: str
    #: Free-text fields and where they sit (for JSON, a path such as ``portions.0.text``).
    text: tuple[str, ...]
    #: Fields that hold a marking (banner or portion mark).
    markings: tuple[str, ...] = ()
    #: Fields that hold a number, a date or a choice.
    typed: tuple[str, ...] = ()
    accepted: tuple[int, ...] = (201, 302)
    #: The page refuses by redirecting with a message that names the field ("field: why").
    refuses_by_message: bool = False

    def with_value(self, world: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
        """The accepted payload with the field at ``path`` set to ``value``."""
        payload = self.payload(world)
        if self.kind == "form":
            return {**payload, path: value}
        return with_value(payload, path, value)


def _static(url: str) -> Callable[[dict[str, Any]], str]:
    return lambda world: url


PRODUCT_FORM = {
    "title": "Authored product (fictional)",
    "originator": "us_agency",
    "originator_agency": "Test analysis cell (fictional)",
    "originator_nation": "",
    "category": "8",
    "topics": "ports, shipping",
    "regions": "Western Pacific",
    "marking": "UNCLASSIFIED",
    "portions-TOTAL_FORMS": "1",
    "portions-INITIAL_FORMS": "0",
    "portions-MIN_NUM_FORMS": "0",
    "portions-MAX_NUM_FORMS": "200",
    "portions-0-section": "0",
    "portions-0-order": "1",
    "portions-0-mark": "(U)",
    "portions-0-text": "Public.",
}
REQUIREMENT = requirement_payload()
BULLETIN = {"title": "Port visit (fictional)", "body": "Schedule.", "marking": "UNCLASSIFIED"}
OFFICIAL = {
    "name": "Casey Harbour (fictional)",
    "nation": "JPN",
    "organisation": "Maritime staff (fictional)",
    "notes": "Met at a course.",
    "marking": "CONFIDENTIAL//REL TO USA, JPN",
}


def _posting(w: dict[str, Any]) -> dict[str, Any]:
    return {
        "official": w["officials"][0],
        "billet": w["billet"],
        "starts": "2030-01-05",
        "note": "Posted after a gap.",
        "marking": "CONFIDENTIAL//REL TO USA, PHL",
    }


OFFER = {"starts": "2026-03-01", "ends": "2026-09-30", "marking": "CONFIDENTIAL//REL TO USA, JPN",
         "terms": "Patrol aircraft collect for both (fictional)."}  # fmt: skip
PLANNING_REQUEST = {
    "kind": "join",
    "title": "Maritime patrol support (fictional)",
    "text": "A request for coordination (fictional).",
    "marking": "SECRET//REL TO USA, JPN",
}

ROLE_ANSWER = {"answer": "conditional", "conditions": "Only from Kyushu ports (fictional).",
               "reason": ""}  # fmt: skip

SURFACES: tuple[Surface, ...] = (
    Surface("bulletin page", "us.analyst", _static("/bulletins/new/"), lambda w: BULLETIN,
            "form", ("title", "body"), ("marking",)),
    Surface("bulletin API", "us.analyst", _static("/api/bulletins/"), lambda w: BULLETIN,
            "json", ("title", "body"), ("marking",)),
    Surface("product page", "us.analyst", _static("/intel/products/new/"),
            lambda w: PRODUCT_FORM, "form", ("title", "portions-0-text", "topics"),
            ("marking", "portions-0-mark"), ("category", "portions-0-section")),
    Surface("product API", "us.analyst", _static("/api/intel/products/"),
            lambda w: PRODUCT_JSON, "json", ("title", "portions.0.text", "topics.0"),
            ("marking", "portions.0.portion_mark"), ("category", "portions.0.section")),
    Surface("disclosure request page", "us.analyst",
            lambda w: f"/intel/disclosure/requests/new/?product={w['product']}",
            lambda w: {"portions": [w["portion"]], "partner": "JPN",
                       "purpose": "Exercise planning (fictional)."},
            "form", ("purpose",), (), ("partner", "portions")),
    Surface("disclosure request API", "us.analyst", _static("/api/intel/disclosure-requests/"),
            lambda w: {"product": w["product"], "portions": [w["portion"]], "partner": "JPN",
                       "purpose": "Exercise planning (fictional)."},
            "json", ("purpose",), (), ("product", "partner", "portions.0")),
    Surface("disclosure decision page", "us.fdo",
            lambda w: f"/intel/disclosure/requests/{w['disclosure_request']}/decide/",
            lambda w: {"outcome": "deny", "reason": "Not releasable (fictional).",
                       "seen_number": "0"},
            "form", ("reason",), (), ("outcome",)),
    Surface("disclosure decision API", "us.fdo",
            lambda w: f"/api/intel/disclosure-requests/{w['disclosure_request']}/decide/",
            lambda w: {"outcome": "deny", "reason": "Not releasable (fictional).",
                       "seen_number": 0},
            "json", ("reason",), (), ("outcome", "seen_number"), accepted=(200, 201)),
    Surface("requirement page", "kor.liaison", _static("/intel/requirements/new/"),
            lambda w: REQUIREMENT, "form", ("topic", "region", "description"), ("marking",),
            ("priority", "starts")),
    Surface("requirement API", "kor.liaison", _static("/api/intel/requirements/"),
            lambda w: REQUIREMENT, "json", ("topic", "region", "description"), ("marking",),
            ("priority", "starts")),
    Surface("collection offer page", "jpn.liaison",
            lambda w: f"/intel/requirements/{w['need']}/offer/", lambda w: OFFER,
            "form", ("terms",), ("marking",), ("starts", "ends")),
    Surface("collection offer API", "jpn.liaison", _static("/api/intel/collection-agreements/"),
            lambda w: {**OFFER, "requirement": w["need"]}, "json", ("terms",), ("marking",),
            ("requirement", "starts")),
    Surface("case stage page", "us.casemgr", lambda w: f"/arms/cases/{w['case']}/advance/",
            lambda w: {"on": str(date.today()), "owner": "DSCA (fictional)", "note": "Done.",
                       "version": "1"},
            "form", ("owner", "note"), (), ("on",), refuses_by_message=True),
    Surface("LOR check page", "phl.liaison", _static("/arms/lor/check/"),
            lambda w: {"originator": "Ministry of National Defense (fictional)",
                       "articles": "Patrol boats", "quantity": "4"},
            "form", ("originator", "articles"), (), ("quantity",), accepted=(200,)),
    Surface("contact page", "us.planner", _static("/people/contacts/new/"),
            lambda w: {"kind": "meeting", "title": "Introductory call", "starts": "2026-01-05",
                       "setting": "Video call", "participants": w["officials"],
                       "marking": "CONFIDENTIAL//REL TO USA, JPN"},
            "form", ("title", "setting", "summary"), ("marking",), ("starts", "participants")),
    Surface("official page", "us.planner", _static("/people/officials/new/"),
            lambda w: OFFICIAL, "form", ("name", "organisation", "notes"), ("marking",),
            ("nation",)),
    Surface("official API", "us.planner", _static("/api/people/officials/"),
            lambda w: OFFICIAL, "json", ("name", "organisation", "notes"), ("marking",),
            ("nation",)),
    Surface("posting page", "us.planner", _static("/people/postings/new/"), _posting,
            "form", ("note",), ("marking",), ("starts", "billet")),
    Surface("posting API", "us.planner", _static("/api/people/postings/"), _posting,
            "json", ("note",), ("marking",), ("starts", "billet")),
    Surface("working-group request page", "wg.member", _static("/working-group/requests/new/"),
            lambda w: {"kind": "liaison", "title": "Liaison visit (fictional)",
                       "description": "A visit.", "owner": "OSD (fictional)",
                       "target": (date.today() + timedelta(days=30)).isoformat(),
                       "partner": "JPN", "marking": "SECRET//REL TO USA, JPN"},
            "form", ("title", "description", "blockers"), ("marking",), ("target", "kind")),
    Surface("guidance page", "wg.member", _static("/working-group/guidance/"),
            lambda w: {"body": "state", "speaker": "Spokesperson (fictional)",
                       "topic": "Port access", "partner": "JPN", "position": "supports",
                       "summary": "Supports access (fictional).", "said_on": "2026-01-05",
                       "marking": "SECRET//NOFORN"},
            "form", ("speaker", "topic", "summary"), ("marking",), ("said_on", "position")),
    Surface("planning request page", "jpn.liaison", _static("/planning/requests/new/"),
            lambda w: PLANNING_REQUEST, "form", ("title", "text"), ("marking",), ("kind",)),
    Surface("planning request API", "jpn.liaison", _static("/api/planning/requests/"),
            lambda w: PLANNING_REQUEST, "json", ("title", "text"), ("marking",), ("kind",)),
    Surface("role answer page", "jpn.liaison", lambda w: f"/planning/roles/{w['role']}/",
            lambda w: ROLE_ANSWER, "form", ("conditions",), (), ("answer",)),
    Surface("role answer API", "jpn.liaison", _static("/api/planning/role-answers/"),
            lambda w: {**ROLE_ANSWER, "assignment": w["role"]}, "json", ("conditions",), (),
            ("answer", "assignment")),
)  # fmt: skip
BY_NAME = {s.name: s for s in SURFACES}


# --- sending, and what must hold ----------------------------------------------------------------


def written() -> tuple[int, int]:
    """Rows of every marked model, and audit entries that record a write or a decision."""
    with system_access("tests: count what is stored"):
        rows = sum(model._default_manager.count() for model in marked_models())
    writes = AuditEntry.objects.filter(action__in=["write", "delete", "decision"]).count()
    return rows, writes


def with_value(payload: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``payload`` with ``path`` (``a.0.b``) set to ``value``."""
    data = json.loads(json.dumps(payload))
    keys = path.split(".")
    target = data
    for key in keys[:-1]:
        target = target[int(key)] if isinstance(target, list) else target[key]
    last = keys[-1]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return data


def send(client: Client, surface: Surface, world: dict[str, Any], payload: Any) -> Any:
    url = surface.url(world)
    if surface.kind == "json":
        body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
        return client.post(url, body, content_type="application/json")
    return client.post(url, payload)


def client_for(world: dict[str, Any], username: str) -> Client:
    client: Client = world["clients"][username]
    return client


def named_fields(surface: Surface, response: Any, client: Client | None = None) -> set[str]:
    """The fields a refusal names: JSON keys (nested paths joined with dots), form errors, or
    for a page that refuses by redirecting, the fields its message names."""
    if surface.kind == "json":
        names: set[str] = set()

        def walk(value: Any, prefix: str) -> None:
            if isinstance(value, dict):
                for key, inner in value.items():
                    path = f"{prefix}.{key}" if prefix else str(key)
                    names.add(path)
                    walk(inner, path)
            elif isinstance(value, list):
                for index, inner in enumerate(value):
                    if isinstance(inner, (dict, list)):
                        walk(inner, f"{prefix}.{index}")

        walk(response.json(), "")
        return names
    names = set()
    for context in response.context or []:
        for key in ("form", "formset", "portions"):
            value = context.get(key)
            forms = getattr(value, "forms", None)
            for form in forms if forms is not None else [value]:
                errors = getattr(form, "errors", None) or {}
                prefix = getattr(form, "prefix", None)
                names.update(f"{prefix}-{n}" if prefix else n for n in errors)
        if context.get("field"):
            names.add(context["field"])
    if surface.refuses_by_message and response.status_code == 302 and client is not None:
        shown = client.get(response["Location"])
        for message in shown.context["messages"]:
            names.update(re.findall(r"(\w+): ", str(message)))
    return names


def refused_naming(surface: Surface, response: Any, path: str, client: Client) -> None:
    """The response refuses the input, names ``path`` (or its top-level field) and is no 5xx."""
    assert response.status_code < 500, response.content[:2000]
    if surface.accepted != (200,) and not surface.refuses_by_message:
        # (A check page answers 200 with its form's errors.)
        assert response.status_code not in surface.accepted, f"{path} accepted"
    names = named_fields(surface, response, client)
    top = path.split(".")[0]
    assert path in names or top in names, (
        f"{surface.name}: the refusal of {path} names {sorted(names)}: {response.content[:1500]!r}"
    )


# --- the baseline is accepted -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(BY_NAME))
def test_the_baseline_of_each_surface_is_accepted(name: str, world: dict[str, Any]) -> None:
    surface = BY_NAME[name]
    before = written()
    response = send(client_for(world, surface.user), surface, world, surface.payload(world))
    # Each surface writes (a row and its audit entry), but for the LOR check, which only checks.
    assert (written() != before) is (surface.accepted != (200,))
    assert response.status_code in surface.accepted, (
        named_fields(surface, response),
        response.content[:1000],
    )


# --- refused outright, wherever it is sent -----------------------------------------------------

LONG = "x" * (settings.ALLIED_MAX_TEXT_CHARS + 1)
REFUSED: dict[str, str] = {
    "NUL byte": "before\x00after",
    "control characters": "bell\x07 and escape\x1b[31m",
    "right-to-left override": "invoice\u202efdp.exe",
    "directional isolate": "\u2067isolated\u2069",
    "C1 control and bidi mark": "next\x85line \u200fmarked",
    "over the size limit": LONG,
}
#: JSON can carry an unpaired surrogate (as the escape ``\ud800``); a form body cannot.
REFUSED_JSON = {"unpaired surrogate": "half \ud800 a pair"}


@pytest.mark.parametrize(
    "char",
    ["\x7f", "\x80", "\x85", "\x9b", "\x9f", "\u200e", "\u200f", "\u061c"],
    ids=["DEL", "U+0080", "NEL", "CSI", "U+009F", "LRM", "RLM", "ALM"],
)
def test_del_the_c1_controls_and_the_bidi_marks_are_refused(char: str) -> None:
    problem = text_problem(f"ab{char}cd")
    assert problem is not None and f"(U+{ord(char):04X}) at position 3" in problem


@pytest.mark.parametrize(
    "text", ["\u00a0non-breaking", "caf\u00e9", "\u0645\u0631\u062d\u0628\u0627", "\u200d"]
)
def test_text_just_outside_the_refused_ranges_is_accepted(text: str) -> None:
    assert text_problem(text) is None


FIELD_CASES = [
    pytest.param(s.name, path, id=f"{s.name}-{path}")
    for s in SURFACES
    for path in s.text + s.markings
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), FIELD_CASES)
def test_refused_text_is_refused_naming_the_field(name, path, world):
    surface = BY_NAME[name]
    client = client_for(world, surface.user)
    before = written()
    attacks = {**REFUSED, **(REFUSED_JSON if surface.kind == "json" else {})}
    for attack, value in attacks.items():
        data = surface.with_value(world, path, value)
        response = send(client, surface, world, data)
        refused_naming(surface, response, path, client)
        assert response.status_code == 400, attack
    assert written() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(BY_NAME))
def test_a_body_over_the_limit_is_refused_before_it_is_read(name, world):
    surface = BY_NAME[name]
    before = written()
    path = surface.text[0]
    big = "y" * (settings.ALLIED_MAX_INPUT_BYTES + 1)
    data = surface.with_value(world, path, big)
    response = send(client_for(world, surface.user), surface, world, data)
    assert response.status_code == 413
    assert "body" in named_fields(surface, response)
    assert written() == before


JSON_SURFACES = [s.name for s in SURFACES if s.kind == "json"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", JSON_SURFACES)
@pytest.mark.parametrize(
    "body",
    ["[" * 50_000 + "]" * 50_000, '{"title": ', "\ufeff{}", "null", "[]", '"text"', "NaN"],
    ids=["deep nesting", "truncated", "BOM", "null", "list", "string", "NaN"],
)
def test_a_json_body_that_is_not_an_object_of_fields_is_refused(name, body, world):
    surface = BY_NAME[name]
    before = written()
    response = send(client_for(world, surface.user), surface, world, body)
    assert response.status_code == 400, response.content[:500]
    assert isinstance(response.json(), dict) and response.json()
    assert written() == before


# --- markings: malformed, hostile and random ---------------------------------------------------

#: Random markings per field: 8 in the test suite, ``ALLIED_FUZZ_EXAMPLES`` under ``make fuzz``.
MARKING_EXAMPLES = int(os.environ.get("ALLIED_FUZZ_EXAMPLES", "0")) or 8
MALFORMED_MARKINGS = [
    "",
    "SECRET//REL TO USA,GBR",
    "SECRET//REL TO GBR, USA",
    "TOP SEKRET",
    "SECRET//REL TO USA, JAP",
    "SECRET//NOFORN//NOFORN",
    "SECRET//EYES ONLY USA GBR",
    "//",
    "(S//NF",
    "S" * 1001,
    "' OR '1'='1' --",
    "<script>alert(1)</script>",
    "{{ settings.SECRET_KEY }}",
    "SECRET\u200b//NOFORN",
]


def _marking_cases() -> Iterator[Any]:
    for surface in SURFACES:
        for path in surface.markings:
            yield pytest.param(surface.name, path, id=f"{surface.name}-{path}")


MARKING_CASES = list(_marking_cases())
#: The markings engine reads a marking the same whatever the database: these run on SQLite.
engine_only = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="the markings engine is database-independent"
)


@engine_only
@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), MARKING_CASES)
def test_malformed_markings_are_refused_naming_the_field(name, path, world):
    surface = BY_NAME[name]
    client = client_for(world, surface.user)
    before = written()
    values: list[Any] = list(MALFORMED_MARKINGS)
    if surface.kind == "json":
        values += [None, 7, True, ["SECRET"], {"marking": "SECRET"}]
    for value in values:
        data = surface.with_value(world, path, value)
        response = send(client, surface, world, data)
        refused_naming(surface, response, path, client)
    assert written() == before


@engine_only
@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), MARKING_CASES)
def test_random_markings_are_refused_or_valid(name, path, world):
    """Whatever text is sent as a marking, it is refused naming the field, or it was valid."""
    from allied.core import vocabulary

    surface = BY_NAME[name]
    client = client_for(world, surface.user)
    # Pieces of real markings, shuffled, and any text at all.
    pieces = st.sampled_from([*"STCU/()-, ", "//", "REL TO ", "USA", "JPN", "NOFORN", "SECRET"])
    markings = st.one_of(st.lists(pieces, max_size=12).map("".join), st.text(max_size=40))

    @given(text=markings)
    @hypothesis_settings(
        max_examples=MARKING_EXAMPLES, derandomize=True, database=None, deadline=None,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    def check(text: str) -> None:
        before = written()
        data = surface.with_value(world, path, text)
        with transaction.atomic():
            response = send(client, surface, world, data)
            if response.status_code in surface.accepted and response.status_code != 200:
                assert vocabulary.check(text).valid, text
            else:
                refused_naming(surface, response, path, client)
                assert written() == before
            transaction.set_rollback(True)

    check()


# --- wrong types, injection strings and odd but legitimate text --------------------------------

WRONG_TYPES_JSON: list[Any] = [{"nested": "object"}, [["list"]], True, "not a number", 10**30, -1]
WRONG_TYPES_FORM = ["not a number", "99999999999999999999999", "-1", "2026-13-45", ""]
READABLE = ("-1", -1, "", "99999999999999999999999", 10**30)


def _typed_cases() -> Iterator[Any]:
    for surface in SURFACES:
        for path in surface.typed:
            yield pytest.param(surface.name, path, id=f"{surface.name}-{path}")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), list(_typed_cases()))
def test_values_of_the_wrong_type_are_refused_naming_the_field(name, path, world):
    surface = BY_NAME[name]
    client = client_for(world, surface.user)
    before = written()
    for value in WRONG_TYPES_JSON if surface.kind == "json" else WRONG_TYPES_FORM:
        data = surface.with_value(world, path, value)
        with transaction.atomic():
            response = send(client, surface, world, data)
            if isinstance(value, bool):
                # JSON true and false read as 1 and 0 in number fields (DRF): no error required.
                assert response.status_code < 500
            elif written() != before or response.status_code == 200 == surface.accepted[0]:
                # Only a value the field can read may pass (a negative or a very large number
                # where the field allows one, a blank optional field).
                assert value in READABLE, (path, value)
            else:
                refused_naming(surface, response, path, client)
            transaction.set_rollback(True)
    assert written() == before


ODD_TEXT = {
    "SQL": "x'); DROP TABLE core_bulletin; -- ' OR '1'='1",
    "HTML": "<script>alert('odd')</script><img src=x onerror=alert(1)>",
    "template": "{{ settings.SECRET_KEY }} {% debug %} ${7*7} #{7*7} %s%n",
    "combining": "Nguye\u0302\u0303n Z\u0351\u0352\u0357\u0358\u035b\u0300\u0301",
    "scripts": "\u6d77\u4e0a\u81ea\u885b\u968a \u062a\u062c\u0631\u0628\u0629 \U0001f6a2",
    "zero width": "a\u200bb\u200dc\ufeffd",
}
TEXT_CASES = [
    pytest.param(s.name, path, id=f"{s.name}-{path}") for s in SURFACES for path in s.text
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), TEXT_CASES)
def test_injection_and_odd_text_is_stored_as_text_or_refused(name, path, world):
    """Injection strings and odd unicode are data: kept as they are, shown escaped; or refused
    naming the field. Never a server error, never a partial write."""
    surface = BY_NAME[name]
    client = client_for(world, surface.user)
    for label, value in ODD_TEXT.items():
        before = written()
        data = surface.with_value(world, path, value)
        with transaction.atomic():
            response = send(client, surface, world, data)
            assert response.status_code < 500, (label, response.content[:1000])
            if response.status_code not in surface.accepted:
                refused_naming(surface, response, path, client)
                assert written() == before, label
            elif response.status_code == 302:
                shown = client.get(response["Location"]).content.decode()
                # Shown, it is escaped: no tag the browser would run.
                assert "<script>alert(" not in shown and "<img src=x" not in shown, label
                assert settings.SECRET_KEY not in shown
            transaction.set_rollback(True)
