"""Point pytest-django at Allied's settings (pyproject's pytest section stays as it is).

pytest-django reads DJANGO_SETTINGS_MODULE before it imports this file, so setting the variable
is not enough on its own: Django is set up here too, before any test module imports a model.
pytest-django's own pytest_configure runs after this one and then guards database access.
Conftest files below this one must not import models at module level: they load earlier.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "allied.settings")


def pytest_configure(config: pytest.Config) -> None:
    import django

    django.setup()
    _hash_passwords_quickly()
    _let_test_flushes_empty_the_audit_log()


def _hash_passwords_quickly() -> None:
    """Tests hash passwords with a fast hasher: Django's default (PBKDF2, a million rounds) costs
    about a second a password on CI's machine, and the demo alone sets a dozen. What a password
    guards is the same either way; production keeps Django's default hashers."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _let_test_flushes_empty_the_audit_log() -> None:
    """After each transactional test Django empties every table with one TRUNCATE. On PostgreSQL
    the audit log's trigger refuses TRUNCATE, as it must in production, so in the test process
    only, a flush that includes the audit table switches the table's triggers off around the
    TRUNCATE, inside the flush's own transaction (ALTER TABLE is transactional there).
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush
    table = "core_auditentry"

    def sql_flush(
        self: DatabaseOperations,
        style: Any,
        tables: Sequence[str],
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        statements = original(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if statements and table in tables:
            statements = [
                f"ALTER TABLE {table} DISABLE TRIGGER USER",
                *statements,
                f"ALTER TABLE {table} ENABLE TRIGGER USER",
            ]
        return statements

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]


# --- the fixed cast, for every app's tests ---------------------------------------------------


@pytest.fixture
def loaded_registry(db: None) -> Any:
    """The public registry of nations and communities."""
    from allied.core import registry

    return registry.load()


@pytest.fixture
def cast(loaded_registry: Any) -> dict[str, Any]:
    """The demo's fictional cast (``allied.core.cast``): one user with a principal per person.

    They have no usable password; sign them in with ``client.force_login``.
    """
    from allied.core.cast import create_cast

    return create_cast()


@pytest.fixture(autouse=True)
def _forget_cached_briefs() -> Any:
    """Each test starts with no cached weekly brief: a test's rolled-back rows send no signal,
    so a brief cached by an earlier test could otherwise be served from rows that are gone."""
    from allied.working_group import brief

    brief.invalidate()
    yield
