"""``allied demo`` sets up a database a person can sign in to."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from allied.core.management.commands.demo import DEMO_PASSWORD, DEMO_USERS
from allied.core.models import Community


@pytest.mark.django_db(transaction=True)
def test_the_demo_loads_the_registry_and_prints_logins_that_work() -> None:
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("demo", "--no-serve", stdout=out)
    printed = out.getvalue()
    assert "fictional" in printed
    assert Community.objects.filter(code="NATO").exists()
    for username, _, _ in DEMO_USERS:
        assert username in printed
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None


@pytest.mark.django_db
def test_the_demo_refuses_to_run_without_debug() -> None:
    with override_settings(DEBUG=False), pytest.raises(CommandError):
        call_command("demo", "--no-serve", stdout=io.StringIO())
