"""The working group in a browser: the prioritised queue, a partner's status page and the
weekly brief."""

from __future__ import annotations

import pytest

from allied.core.management.commands.demo import DEMO_PASSWORD
from tests.browser.journey import Journey

pytestmark = pytest.mark.browser


def test_member_works_the_queue_a_partners_status_and_the_brief(journey: Journey) -> None:
    page = journey.page
    journey.sign_in("wg.member", DEMO_PASSWORD, then="/working-group/", step="queue")
    total = int(page.get_by_test_id("totals").locator("strong").first.inner_text())
    assert total > 0
    page.get_by_label("Partner (ISO code)").fill("PHL")
    journey.follow(page.get_by_role("button", name="Filter"), "queue for the Philippines")
    partners = set(page.locator("tbody tr td:nth-child(2)").all_inner_texts())
    assert partners == {"PHL"}, partners
    journey.open("/working-group/status/?partner=JPN", "status of Japan")
    assert page.get_by_role("heading", level=1).inner_text() == "Status of JPN's requests"
    journey.open("/working-group/brief/", "weekly brief")
    assert "Cooperation with each partner" in journey.text()
    assert "Most blocked requests" in journey.text()
    journey.open("/", "home")
    assert journey.page.get_by_role("heading", level=1).count() == 1
