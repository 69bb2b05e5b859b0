"""Schemathesis over every operation of the OpenAPI schema, as several people of the cast.

The schema is read from ``/api/schema/`` and every operation in it is fuzzed, so operations added
later are covered without being listed. Each person sends requests in-process to the WSGI
application, with generated path, query and body values that fit the schema (positive) and
values that do not (negative). Every answer must

* not be a server error (5xx);
* conform to the schema: documented status code, content type, headers and body;
* show no canary (``allied.core.testing.leaks``) the person may not see, and no export carries a
  canary the person may not export.

The test suite runs one example per operation, mode and person, derandomized so a run is
repeatable; ``make fuzz`` runs many more (``ALLIED_FUZZ_EXAMPLES``, 100 by default there) as
every person below.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from allied.core.testing import leaks

EXAMPLES = int(os.environ.get("ALLIED_FUZZ_EXAMPLES", "1"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
BASE_URL = "http://testserver"

#: Who fuzzes, and how each signs in to the API (DRF token or session cookie with CSRF token).
PEOPLE = {
    "us.analyst": "token",
    "us.fdo": "token",
    "us.casemgr": "token",
    "jpn.liaison": "token",
    "phl.liaison": "session",
}
#: Who fuzzes in the test suite, on each database (the same code answers on both, so PostgreSQL
#: gets two of them); ``ALLIED_FUZZ_ALL=1`` (set by ``make fuzz``) fuzzes as all of them.
IN_THE_SUITE = {
    "sqlite": ("us.analyst", "us.fdo", "jpn.liaison", "phl.liaison"),
    "postgresql": ("us.analyst", "jpn.liaison"),
}


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[tuple[dict[str, Any], Any]]:
    """The registry, the cast and the canaries, made once for the module and rolled back after;
    each test's own writes are rolled back after it (a savepoint inside this transaction)."""
    from allied.core import registry
    from allied.core.cast import create_cast

    with django_db_blocker.unblock(), transaction.atomic():
        registry.load()
        users = create_cast()
        planted = leaks.plant()
        yield users, planted
        transaction.set_rollback(True)


@contextmanager
def connection_kept_open() -> Iterator[None]:
    """The WSGI handler closes the database connection as a request starts and finishes, which
    would end the test's transaction; Django's test client stops that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def sign_in(user: Any, how: str) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and cookies that authenticate ``user`` to the API."""
    if how == "token":
        token, _ = Token.objects.get_or_create(user=user)
        return {"Authorization": f"Token {token.key}"}, {}
    client = Client()
    client.force_login(user)
    secret = get_random_string(32)
    cookies = {
        django_settings.SESSION_COOKIE_NAME: client.cookies[
            django_settings.SESSION_COOKIE_NAME
        ].value,
        django_settings.CSRF_COOKIE_NAME: secret,
    }
    return {"X-CSRFToken": secret}, cookies


def load_schema(headers: dict[str, str], cookies: dict[str, str]) -> Any:
    client = Client(headers=headers)
    for name, value in cookies.items():
        client.cookies[name] = value
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, response.content[:500]
    schema = schemathesis.openapi.from_dict(response.json())
    schema.app = WSGIHandler()
    return schema


def fuzz_operation(operation: Any, mode: GenerationMode, headers: dict[str, str],
                   cookies: dict[str, str], forbidden: leaks.Forbidden) -> None:  # fmt: skip
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        # Failures are reported as found, with a curl line to replay them, not shrunk.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        with connection_kept_open():
            response = case.call(base_url=BASE_URL, headers=headers, cookies=cookies)
        case.validate_response(response, checks=CHECKS, headers=headers)
        disposition = ",".join(response.headers.get("content-disposition", []))
        content_type = ",".join(response.headers.get("content-type", []))
        export = leaks.is_export(content_type, disposition)
        shown = forbidden.shown_in(response.content, export=export)
        assert not shown, f"{case.method} {case.formatted_path}: " + "; ".join(shown)

    run()


@pytest.mark.django_db
@pytest.mark.parametrize("username", list(PEOPLE))
def test_every_api_operation_survives_fuzzing(username: str, world: Any) -> None:
    if username not in IN_THE_SUITE[connection.vendor] and not os.environ.get("ALLIED_FUZZ_ALL"):
        pytest.skip("fuzzed as this person by make fuzz (ALLIED_FUZZ_ALL=1)")
    users, planted = world
    user = users[username]
    headers, cookies = sign_in(user, PEOPLE[username])
    schema = load_schema(headers, cookies)
    forbidden = leaks.Forbidden.of(planted, user.principal.viewer(), date.today())
    operations = sorted((r.ok() for r in schema.get_all_operations()), key=lambda o: o.label)
    assert len(operations) > 50, "the schema lost its operations"
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzz_operation(operation, mode, headers, cookies, forbidden)
            except Unsatisfiable:
                # Nothing in this operation can be made invalid (no parameters, no body).
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{username} {operation.label} ({mode.value}): {exc}")
    assert failures == [], "\n\n".join(failures)


# --- the fuzzing can fail -----------------------------------------------------------------------


def _leak_everything(viewer: Any, *, export: bool = False, using: Any = None) -> Any:
    from allied.core.models import marked

    return list(marked._CACHE.refresh(using))


def _server_error(*args: Any, **kwargs: Any) -> Any:
    raise ZeroDivisionError("a bug")


def _off_schema(self: Any, instance: Any) -> dict[str, Any]:
    return {"id": "not a number", "marking": None}


MUTATIONS = {
    # The core's decision removed: every marking is visible to everyone.
    "leak": ("allied.core.models.marked.visible_marking_ids", _leak_everything, "shows canary"),
    "server error": ("allied.core.api.views.BulletinViewSet.list", _server_error, "Server error"),
    "off schema": (
        "allied.core.api.serializers.BulletinSerializer.to_representation",
        _off_schema,
        "Response violates schema",
    ),
}


@pytest.mark.skipif(
    connection.vendor == "postgresql", reason="the fuzzing's ability to fail is shown on SQLite"
)
@pytest.mark.django_db
@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_the_fuzzing_fails_when_the_api_is_broken(mutation: str, world: Any) -> None:
    """Each check is shown to fire: a leak, a server error, an answer the schema does not allow."""
    from unittest import mock

    users, planted = world
    user = users["jpn.liaison"]
    headers, cookies = sign_in(user, "token")
    schema = load_schema(headers, cookies)
    operation = next(
        r.ok() for r in schema.get_all_operations() if r.ok().label == "GET /api/bulletins/"
    )
    forbidden = leaks.Forbidden.of(planted, user.principal.viewer(), date.today())
    target, replacement, expected = MUTATIONS[mutation]
    # On an export, show() refuses what the viewer may not export: a second wall that would stop
    # the leak. The fuzzing's own ability to fail is shown without it.
    second_wall = mock.patch("allied.core.restricted._refuse_unexportable", lambda *args: None)
    with (
        second_wall,
        mock.patch(target, replacement),
        pytest.raises((Exception, BaseExceptionGroup)) as caught,
    ):
        fuzz_operation(operation, GenerationMode.POSITIVE, headers, cookies, forbidden)
    assert expected in str(caught.value) + repr(getattr(caught.value, "exceptions", "")), (
        caught.value
    )
