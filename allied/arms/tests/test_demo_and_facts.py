"""The demo case book as the cast sees it, and the engine's NATO dates against the registry."""

from __future__ import annotations

import pytest
from django.test import Client

from allied.arms import access, demo
from allied.arms.models import Case
from allied.arms.rules.notification import NATO_MEMBERS
from allied.core.models import system_access

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_once_and_labels_every_case_fictional(cast):
    demo.seed()
    with system_access("tests: count demo cases"):
        count = Case.objects.count()
        assert count > 50
        assert not Case.objects.filter(fictional=False).exists()
        assert all("Fictional" in c for c in Case.objects.values_list("capability", flat=True))
    demo.seed()
    with system_access("tests: count demo cases again"):
        assert Case.objects.count() == count


def test_in_the_demo_each_liaison_sees_its_own_nation_and_the_us_sees_all(cast):
    demo.seed()
    for user, nation in (("phl.liaison", "PHL"), ("jpn.liaison", "JPN")):
        partners = set(access.cases(cast[user]).values_list("partner_id", flat=True))
        assert partners == {nation}
    assert {"JPN", "KOR", "PHL", "TWN"} <= set(
        access.cases(cast["us.casemgr"]).values_list("partner_id", flat=True)
    )
    client = Client()
    client.force_login(cast["phl.liaison"])
    body = client.get("/arms/").content.decode()
    assert "PHL FMS cases" in body and "TW-" not in body


def test_demo_open_cases_have_forecasts(cast):
    demo.seed()
    rows = access.cases(cast["us.casemgr"]).filter(delivered__isnull=True)
    assert rows.filter(offer_p50__isnull=False).count() > 0


def test_nato_accession_dates_agree_with_the_registry(loaded_registry):
    from allied.core.models import Membership

    registry = {m.nation_id: m.joined for m in Membership.objects.filter(community__code="NATO")}
    engine = {e.iso3: e.since for e in NATO_MEMBERS}
    assert engine == {k: v for k, v in registry.items() if k in engine}
    assert set(engine) == set(registry)


def test_the_allied_command_runs_the_notification_engine_without_django_settings(capsys):
    from allied.cli import main

    code = main(
        [
            "arms",
            "notification",
            "--partner",
            "JPN",
            "--channel",
            "fms",
            "--mde",
            "30M",
            "--date",
            "2025-01-01",
            "--json",
        ]
    )
    assert code == 0 and '"review_days": 15' in capsys.readouterr().out
