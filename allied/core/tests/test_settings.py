"""Settings come from the environment through strict helpers, and logs never carry secrets."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from allied.log_filters import RedactSecretsFilter, redact
from allied.settings import database_from_url, env_bool, env_int, env_list, env_str


def test_env_bool_reads_the_usual_spellings(monkeypatch: pytest.MonkeyPatch) -> None:
    for text, expected in [("1", True), ("yes", True), ("ON", True), ("0", False), ("off", False)]:
        monkeypatch.setenv("ALLIED_TEST_FLAG", text)
        assert env_bool("ALLIED_TEST_FLAG", default=not expected) is expected


def test_env_bool_refuses_anything_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLIED_TEST_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("ALLIED_TEST_FLAG", default=False)


def test_env_bool_uses_the_default_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALLIED_TEST_FLAG", raising=False)
    assert env_bool("ALLIED_TEST_FLAG", default=True) is True


def test_env_str_without_a_default_requires_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALLIED_TEST_VALUE", raising=False)
    with pytest.raises(ImproperlyConfigured):
        env_str("ALLIED_TEST_VALUE")


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLIED_TEST_LIST", " a.example, ,b.example ")
    assert env_list("ALLIED_TEST_LIST", default=[]) == ["a.example", "b.example"]


def test_a_postgres_url_becomes_a_postgresql_database() -> None:
    db = database_from_url(
        "postgres://allied:s%40cret@db.internal:6543/allied_prod?sslmode=require"
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "allied",
        "s@cret",
        "db.internal",
        "6543",
        "allied_prod",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_a_postgres_url_without_password_or_port_is_fine() -> None:
    db = database_from_url("postgres://postgres@127.0.0.1/allied_ci")
    assert (db["USER"], db["PASSWORD"], db["PORT"]) == ("postgres", "", "")


@pytest.mark.parametrize(
    "url", ["mysql://u@h/db", "postgres://u@h/", "postgres://u@h:port/db", "sqlite:///x"]
)
def test_other_database_urls_are_refused(url: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        database_from_url(url)


def test_a_refused_database_url_does_not_echo_its_password() -> None:
    with pytest.raises(ImproperlyConfigured) as error:
        database_from_url("mysql://u:topsecret@h/db")
    assert "topsecret" not in str(error.value)


@given(password=st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=30))
def test_any_password_survives_the_round_trip_through_a_url(password: str) -> None:
    db = database_from_url(f"postgres://user:{quote(password, safe='')}@host:5432/name")
    assert db["PASSWORD"] == password


@pytest.mark.parametrize(
    "message",
    [
        "login failed for password=hunter2",
        '{"username": "a", "password": "hunter2"}',
        "connecting to postgres://allied:hunter2@db/allied",
        "Authorization: Token hunter2",
        "GET /api/nations/?token=hunter2 HTTP/1.1",
    ],
)
def test_log_messages_never_carry_a_secret(message: str) -> None:
    assert "hunter2" not in redact(message)


def test_the_log_filter_redacts_arguments_as_well_as_the_message() -> None:
    record = logging.LogRecord(
        "t", logging.INFO, __file__, 1, "user %s password=%s", ("a", "x1"), None
    )
    assert RedactSecretsFilter().filter(record) is True
    assert "x1" not in record.getMessage()
    assert "user a" in record.getMessage()


def test_the_log_filter_leaves_ordinary_messages_alone() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "loaded %d nations", (54,), None)
    RedactSecretsFilter().filter(record)
    assert record.getMessage() == "loaded 54 nations"
    assert record.args == (54,)


def test_env_int_refuses_a_value_that_is_not_a_whole_number(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ALLIED_TEST_NUMBER", "1.5")
    with pytest.raises(ImproperlyConfigured):
        env_int("ALLIED_TEST_NUMBER", default=0)


def import_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ALLIED_")}
    return subprocess.run(
        [sys.executable, "-c", "import allied.settings"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_without_debug_the_secret_key_must_be_given() -> None:
    result = import_settings(ALLIED_DEBUG="false")
    assert result.returncode != 0
    assert "ALLIED_SECRET_KEY must be set" in result.stderr


def test_without_debug_a_given_secret_key_is_enough() -> None:
    result = import_settings(ALLIED_DEBUG="false", ALLIED_SECRET_KEY="x" * 60)
    assert result.returncode == 0, result.stderr


def settings_from(**env: str) -> dict[str, object]:
    """Some settings as a process started with ``env`` (and no other ALLIED_ variable) has them."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ALLIED_")}
    names = [
        "DEBUG",
        "ALLIED_LOCAL",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_AGE",
        "ALLIED_SESSION_IDLE_SECONDS",
        "SESSION_COOKIE_SECURE",
    ]
    script = (
        "import json, allied.settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


PRODUCTION = {"ALLIED_DEBUG": "false", "ALLIED_SECRET_KEY": "x" * 60}


def test_the_demos_local_mode_does_not_switch_on_djangos_debug_pages() -> None:
    values = settings_from()
    assert values["ALLIED_LOCAL"] is True and values["DEBUG"] is False


def test_djangos_debug_pages_are_an_explicit_choice_of_local_mode_only() -> None:
    assert settings_from(ALLIED_DJANGO_DEBUG="true")["DEBUG"] is True
    result = import_settings(**PRODUCTION, ALLIED_DJANGO_DEBUG="true")
    assert result.returncode != 0 and "ALLIED_DJANGO_DEBUG" in result.stderr


def test_outside_local_mode_https_is_kept_with_hsts_and_the_proxys_header_is_trusted() -> None:
    values = settings_from(**PRODUCTION)
    assert values["SECURE_SSL_REDIRECT"] is True and values["SESSION_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_the_proxy_header_and_hsts_can_be_set_or_switched_off() -> None:
    values = settings_from(
        **PRODUCTION, ALLIED_PROXY_SSL_HEADER="X-Forwarded-Scheme", ALLIED_HSTS_SECONDS="0"
    )
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_SCHEME", "https"]
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert (
        settings_from(**PRODUCTION, ALLIED_PROXY_SSL_HEADER="off")["SECURE_PROXY_SSL_HEADER"]
        is None
    )
    bad = import_settings(**PRODUCTION, ALLIED_PROXY_SSL_HEADER="X: https")
    assert bad.returncode != 0 and "ALLIED_PROXY_SSL_HEADER" in bad.stderr


def test_a_session_lasts_a_working_day_and_idles_out_unless_set_otherwise() -> None:
    values = settings_from()
    assert values["SESSION_COOKIE_AGE"] == 8 * 3600
    assert values["ALLIED_SESSION_IDLE_SECONDS"] == 30 * 60
    values = settings_from(ALLIED_SESSION_SECONDS="3600", ALLIED_SESSION_IDLE_SECONDS="600")
    assert (values["SESSION_COOKIE_AGE"], values["ALLIED_SESSION_IDLE_SECONDS"]) == (3600, 600)


def test_production_keeps_its_database_connections_and_checks_them(monkeypatch) -> None:
    """Opening a connection per request cost 10-15 ms; production keeps them for ten minutes."""
    monkeypatch.delenv("ALLIED_DB_CONN_MAX_AGE", raising=False)
    db = database_from_url("postgres://u@h/db", conn_max_age=600)
    assert (db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"]) == (600, True)
    assert database_from_url("postgres://u@h/db")["CONN_MAX_AGE"] == 0
    monkeypatch.setenv("ALLIED_DB_CONN_MAX_AGE", "30")
    assert database_from_url("postgres://u@h/db", conn_max_age=600)["CONN_MAX_AGE"] == 30
