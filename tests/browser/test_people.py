"""People and ties in a browser: coverage, the network of ties, the contact log, and a contact
added to it."""

from __future__ import annotations

import pytest

from allied.core.management.commands.demo import DEMO_PASSWORD
from tests.browser.journey import Journey

pytestmark = pytest.mark.browser

TITLE = "Staff talks on maritime patrol (browser journey)"


def test_planner_logs_a_contact_in_the_contact_log(journey: Journey) -> None:
    page = journey.page
    journey.sign_in("us.planner", DEMO_PASSWORD, then="/people/", step="coverage")
    journey.open("/people/network/", "network")
    assert page.get_by_role("group", name="Network of ties").locator("a").count() > 0
    journey.open("/people/contacts/", "contact log")
    journey.follow(page.get_by_role("link", name="Log a contact"), "contact form")
    page.get_by_label("Kind").select_option(index=1)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Starts").fill("2026-01-15")
    page.get_by_label("Setting").fill("Yokosuka, bilateral staff talks")
    participants = page.get_by_label("Participants")
    participants.select_option(index=[0, 1])
    page.get_by_label("Marking").fill("SECRET//REL TO USA, JPN")
    journey.follow(page.get_by_role("button", name="Log the contact"), "contact logged")
    assert TITLE in journey.text()
    journey.open("/people/contacts/", "contact log again")
    assert TITLE in journey.text()
