"""Signing in: lockout after repeated failures, API tokens, and passwords that never reach a log."""

from __future__ import annotations

import datetime
import io
import logging
from collections.abc import Iterator

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.usefixtures("loaded_registry")

PASSWORD = "correct-horse-battery-staple-7"
WRONG = "wrong-password-tr0ub4dor-3"


@pytest.fixture
def person(cast: dict[str, User]) -> User:
    user = cast["jpn.liaison"]
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client: Client, password: str, username: str = "jpn.liaison", **extra: str):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def is_signed_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


def fail(client: Client, times: int, **extra: str) -> list[int]:
    return [sign_in(client, WRONG, **extra).status_code for _ in range(times)]


def age_attempts(minutes: int) -> None:
    """Move every recorded failure ``minutes`` into the past (the cool-off counts from them)."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= datetime.timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])


# --- lockout ---------------------------------------------------------------------------------


def test_four_failures_still_let_the_right_password_in(person: User) -> None:
    client = Client()
    assert fail(client, 4) == [200] * 4
    assert sign_in(client, PASSWORD).status_code == 302
    assert is_signed_in(client)


def test_the_fifth_failure_locks_the_user_out_with_a_clear_page(person: User) -> None:
    client = Client()
    statuses = fail(client, 5)
    assert statuses == [200, 200, 200, 200, 429]
    page = sign_in(client, WRONG).content.decode()
    assert "Sign-in locked" in page
    assert "After 5 failed attempts" in page and "30 minutes" in page


def test_the_sixth_attempt_is_refused_even_with_the_right_password(person: User) -> None:
    client = Client()
    fail(client, 5)
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert not is_signed_in(client)


def test_the_lock_still_holds_before_the_cool_off_is_over(person: User) -> None:
    client = Client()
    fail(client, 5)
    age_attempts(29)
    assert sign_in(client, PASSWORD).status_code == 429
    assert not is_signed_in(client)


def test_the_lock_ends_after_the_thirty_minute_cool_off(person: User) -> None:
    client = Client()
    fail(client, 5)
    age_attempts(31)
    assert sign_in(client, PASSWORD).status_code == 302
    assert is_signed_in(client)


def test_the_lock_is_for_the_username_from_that_address_only(
    person: User, cast: dict[str, User]
) -> None:
    fail(Client(), 5)
    elsewhere = Client(REMOTE_ADDR="192.0.2.10")
    assert sign_in(elsewhere, PASSWORD).status_code == 302
    other = cast["kor.liaison"]
    other.set_password(PASSWORD)
    other.save()
    assert sign_in(Client(), PASSWORD, username="kor.liaison").status_code == 302


def test_a_forwarded_for_header_does_not_get_around_the_lock(person: User) -> None:
    client = Client()
    fail(client, 5)
    response = sign_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429


def test_a_locked_out_users_api_token_still_works(person: User) -> None:
    token = Token.objects.create(user=person)
    fail(Client(), 5)
    response = Client().get("/api/nations/JPN/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


def test_the_login_page_still_opens_while_locked(person: User) -> None:
    client = Client()
    fail(client, 5)
    assert client.get(reverse("login")).status_code == 200


# --- API tokens ------------------------------------------------------------------------------


def run_token(username: str) -> str:
    out = io.StringIO()
    call_command("token", username, stdout=out)
    return out.getvalue().strip()


def test_allied_token_prints_a_token_that_the_api_accepts(person: User) -> None:
    key = run_token("jpn.liaison")
    assert Token.objects.get(user=person).key == key
    response = Client().get("/api/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


def test_allied_token_rotates_so_the_old_token_stops_working(person: User) -> None:
    old = run_token("jpn.liaison")
    new = run_token("jpn.liaison")
    assert old != new
    assert Client().get("/api/", HTTP_AUTHORIZATION=f"Token {old}").status_code == 401
    assert Client().get("/api/", HTTP_AUTHORIZATION=f"Token {new}").status_code == 200


def test_allied_token_refuses_an_unknown_or_inactive_user(person: User) -> None:
    with pytest.raises(CommandError):
        run_token("nobody")
    person.is_active = False
    person.save()
    with pytest.raises(CommandError):
        run_token("jpn.liaison")
    assert not Token.objects.exists()


# --- passwords never logged ------------------------------------------------------------------


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def every_log_record() -> Iterator[list[logging.LogRecord]]:
    """Every record any logger makes, at DEBUG, before any handler or filter sees it.

    The handler sits on the root logger and on every logger that does not propagate
    (``django``, ``django.server``...), and SQL is logged too (``django.db.backends``).
    """
    handler = Everything()
    manager = logging.Logger.manager
    names = [
        "",
        "django",
        "django.request",
        "django.server",
        "django.security",
        "django.db.backends",
        "axes",
        "allied",
        *manager.loggerDict,
    ]
    loggers = {logging.getLogger(name) for name in names}
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        logger.addHandler(handler)
    debug_cursor = connection.force_debug_cursor
    connection.force_debug_cursor = True
    try:
        yield handler.records
    finally:
        connection.force_debug_cursor = debug_cursor
        for logger, level, disabled in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.disabled = disabled


def everything_in(record: logging.LogRecord) -> str:
    parts = [record.getMessage(), repr(record.args), repr(record.__dict__)]
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(parts)


def test_no_log_record_carries_a_password_typed_at_sign_in(
    person: User, every_log_record: list[logging.LogRecord]
) -> None:
    client = Client()
    sign_in(client, WRONG)
    sign_in(client, PASSWORD)
    assert is_signed_in(client)
    for _ in range(5):
        sign_in(Client(), WRONG)  # up to the lockout, which logs at WARNING
    sign_in(Client(), PASSWORD)  # refused while locked out
    assert every_log_record, "nothing was captured: the test would prove nothing"
    assert any(r.name.startswith("axes") for r in every_log_record)
    assert any(r.name == "django.db.backends" for r in every_log_record)
    for record in every_log_record:
        text = everything_in(record)
        assert WRONG not in text, record.name
        assert PASSWORD not in text, record.name


@pytest.mark.django_db(transaction=True)
def test_showing_the_sign_in_form_opens_no_database_connection() -> None:
    """The form reads nothing; a transaction per view used to connect, begin and commit anyway."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = Client().get("/login/")
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert len(captured) == 0
    if connection.vendor == "postgresql":  # SQLite's in-memory test database is never closed
        connection.close()  # (CaptureQueriesContext connects: look without it)
        assert Client().get("/login/").status_code == 200
        assert connection.connection is None


@pytest.mark.django_db(transaction=True)
def test_a_failed_sign_in_is_one_transaction_that_commits_its_record(analyst: User) -> None:
    """Signing in still writes in one transaction: the failure is recorded (lockout, audit)."""
    response = Client().post("/login/", {"username": "us.analyst", "password": "wrong"})
    assert response.status_code in (200, 403, 429)
    assert AccessAttempt.objects.filter(username="us.analyst").exists()
