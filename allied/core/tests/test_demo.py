"""``allied demo`` sets up a database a person can sign in to, with the fixed fictional cast."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory, override_settings

from allied.core.cast import CAST
from allied.core.management.commands.demo import DEMO_PASSWORD
from allied.core.models import Clearance, Community, Principal, Role


def run_demo() -> str:
    out = io.StringIO()
    with override_settings(ALLIED_LOCAL=True, DEBUG=False):
        call_command("demo", "--no-serve", stdout=out)
    return out.getvalue()


def sign_in(username: str, password: str) -> User | None:
    # The lockout backend needs the request, as the login page gives it.
    request = RequestFactory().post("/login/")
    return authenticate(request, username=username, password=password)


@pytest.mark.django_db(transaction=True)
def test_the_demo_loads_the_registry_prints_each_login_and_makes_the_principals_of_the_cast():
    """One run of the demo checked three ways (each run loads every module's demo content)."""
    printed = run_demo()
    # The registry, and logins that work.
    assert "fictional" in printed
    assert Community.objects.filter(code="NATO").exists()
    for person in CAST:
        assert person.username in printed
        assert sign_in(person.username, DEMO_PASSWORD) is not None
    # The table shows each person's nation, clearance and roles.
    header = next(line for line in printed.splitlines() if "Username" in line)
    assert header.split() == ["Username", "Password", "Nation", "Clearance", "Roles"]
    line = next(line for line in printed.splitlines() if line.strip().startswith("jpn.liaison"))
    assert "JPN" in line and "Secret" in line and "Liaison officer, Planner" in line
    # Every demo user has the principal the cast defines.
    us_analyst = Principal.objects.get(user__username="us.analyst")
    assert (us_analyst.nation_id, us_analyst.clearance) == ("USA", Clearance.TOP_SECRET)
    assert us_analyst.accesses == ["SI", "SI-G", "TK"]
    assert us_analyst.roles == [Role.AUTHOR]
    phl = Principal.objects.get(user__username="phl.liaison")
    assert (phl.nation_id, phl.clearance) == ("PHL", Clearance.CONFIDENTIAL)
    assert phl.roles == [Role.LIAISON_OFFICER, Role.PURCHASER]
    assert Principal.objects.count() == len(CAST) == 12


@pytest.mark.django_db(transaction=True)
def test_running_the_demo_twice_changes_nothing() -> None:
    run_demo()
    before = sorted(Principal.objects.values_list("user__username", "nation", "clearance", "roles"))
    counts = (User.objects.count(), Principal.objects.count(), Community.objects.count())
    run_demo()
    after = sorted(Principal.objects.values_list("user__username", "nation", "clearance", "roles"))
    assert after == before
    assert (User.objects.count(), Principal.objects.count(), Community.objects.count()) == counts
    assert sign_in("us.fdo", DEMO_PASSWORD) is not None


@pytest.mark.django_db(transaction=True)
def test_the_demo_switches_off_the_users_of_earlier_demos() -> None:
    User.objects.create_user(username="gbr.analyst", password=DEMO_PASSWORD)
    run_demo()
    assert not User.objects.get(username="gbr.analyst").is_active
    assert sign_in("gbr.analyst", DEMO_PASSWORD) is None


@pytest.mark.django_db
def test_the_demo_refuses_to_run_outside_local_mode() -> None:
    with override_settings(ALLIED_LOCAL=False), pytest.raises(CommandError):
        call_command("demo", "--no-serve", stdout=io.StringIO())


@pytest.mark.django_db
def test_the_demo_refuses_to_run_with_djangos_debug_pages() -> None:
    with override_settings(ALLIED_LOCAL=True, DEBUG=True), pytest.raises(CommandError) as refused:
        call_command("demo", "--no-serve", stdout=io.StringIO())
    assert "ALLIED_DJANGO_DEBUG" in str(refused.value)


def test_the_demo_serves_its_static_files_without_djangos_debug_mode(monkeypatch) -> None:
    from allied.core.management.commands import demo

    served = {}
    monkeypatch.setattr(demo, "call_command", lambda *a, **kw: served.update({a[0]: kw}))
    monkeypatch.setattr(demo, "create_cast", lambda **kw: None)
    monkeypatch.setattr(demo, "retire_old_demo_users", lambda: 0)
    monkeypatch.setattr(demo.demo_content, "seed", lambda: None)
    monkeypatch.setattr(demo, "seed_apps", lambda: None)
    with override_settings(ALLIED_LOCAL=True, DEBUG=False):
        demo.Command(stdout=io.StringIO()).handle(
            addrport="127.0.0.1:8000", no_serve=False, verbosity=0
        )
    assert served["runserver"]["insecure_serving"] is True


def test_allied_serve_in_local_mode_serves_static_files_without_djangos_debug(monkeypatch) -> None:
    import django.core.management

    from allied import cli

    ran: list[list[str]] = []
    monkeypatch.setattr(django.core.management, "execute_from_command_line", ran.append)
    with override_settings(ALLIED_LOCAL=True, DEBUG=False):
        cli.main(["serve", "127.0.0.1:8001"])
    with override_settings(ALLIED_LOCAL=False, DEBUG=False):
        cli.main(["serve"])
    assert ran == [["allied", "runserver", "127.0.0.1:8001", "--insecure"], ["allied", "runserver"]]
