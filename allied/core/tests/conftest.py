"""The fixed cast for core tests: the public registry, a signed-in analyst, an anonymous visitor.

``cast`` is the demo's fictional cast (``allied.core.cast``): one user with a principal for each
person, by username. They have no usable password; sign them in with ``client.force_login``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.test import Client

if TYPE_CHECKING:
    # Imported lazily below: pytest loads this file before Django's app registry is ready.
    from django.contrib.auth.models import User


@pytest.fixture
def analyst(cast: dict[str, User]) -> User:
    """The cast's U.S. analyst (TOP SECRET, SI and TK), with a known password."""
    user = cast["us.analyst"]
    user.set_password("analyst-test-password")
    user.save()
    return user


@pytest.fixture
def analyst_client(analyst: User) -> Client:
    client = Client()
    client.force_login(analyst)
    return client


@pytest.fixture
def anonymous_client() -> Client:
    return Client()
