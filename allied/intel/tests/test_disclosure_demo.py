"""The demo's fictional disclosure content: made through the workflow, once, and telling."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from allied.core import demo_content
from allied.core.models import system_access
from allied.intel.demo import disclosure as demo
from allied.intel.models import DisclosureCeiling, DisclosureRequest, Portion

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(cast):
    demo_content.seed()  # the partners' trust tiers
    demo.seed()
    return cast


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_demo_seeds_once(seeded):
    with system_access("tests: count demo rows"):
        counts = (DisclosureRequest.objects.count(), DisclosureCeiling.objects.count())
    assert demo.seed() == 0
    with system_access("tests: count demo rows again"):
        assert (DisclosureRequest.objects.count(), DisclosureCeiling.objects.count()) == counts
    assert counts[0] == len(demo.REQUESTS)
    assert {c for c in demo.CEILINGS} == {"JPN", "KOR", "AUS", "PHL", "IND", "GBR"}


def test_the_japanese_liaison_sees_the_portion_released_to_japan(seeded):
    viewer = seeded["jpn.liaison"].principal.viewer()
    released = Portion.objects.visible_to(viewer).filter(text__startswith="Three survey vessels")
    assert [p.marking.text for p in released] == ["SECRET//REL TO USA, JPN"]


def test_the_officer_finds_pending_requests_and_every_outcome(seeded):
    officer = signed_in(seeded["us.fdo"])
    queue = officer.get(reverse("intel:disclosure-queue"))
    statuses = {r.status for r in queue.context["object_list"]}
    assert statuses == {"pending", "escalated"}
    assert len(queue.context["object_list"]) == 4
    every = officer.get(reverse("intel:disclosure-queue") + "?status=all").context["object_list"]
    assert {r.status for r in every} == {
        "pending",
        "approved",
        "approved_sanitised",
        "denied",
        "escalated",
    }


def test_the_stats_page_shows_medians_for_the_demo(seeded):
    page = signed_in(seeded["wg.member"]).get(reverse("intel:disclosure-stats"))
    overall = page.context["overall"]
    assert overall.decided == 6 and overall.median != "-"
    assert {row.key for row in page.context["by_partner"]} >= {"JPN", "KOR", "PHL", "IND"}
    assert [row.key for row in page.context["by_officer"]] == ["us.fdo"]


def test_every_demo_text_says_it_is_fictional(seeded):
    with system_access("tests: read demo text"):
        requests = list(DisclosureRequest.objects.all())
        portions = list(Portion.objects.filter(product__title__startswith=demo.TITLE_PREFIX))
    assert all(demo.DEMO_NOTE in r.purpose for r in requests)
    assert all(demo.DEMO_NOTE in p.text for p in portions)
