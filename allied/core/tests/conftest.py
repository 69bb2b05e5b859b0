"""The fixed cast for core tests: the public registry, a signed-in analyst, an anonymous visitor."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.test import Client

if TYPE_CHECKING:
    # Imported lazily below: pytest loads this file before Django's app registry is ready.
    from django.contrib.auth.models import User

    from allied.core.registry import LoadResult


@pytest.fixture
def loaded_registry(db: None) -> LoadResult:
    from allied.core import registry

    return registry.load()


@pytest.fixture
def analyst(db: None) -> User:
    from django.contrib.auth.models import User

    return User.objects.create_user(username="us.analyst", password="analyst-test-password")


@pytest.fixture
def analyst_client(analyst: User) -> Client:
    client = Client()
    client.force_login(analyst)
    return client


@pytest.fixture
def anonymous_client() -> Client:
    return Client()
