"""Arms sales in a browser: the case manager moves a Philippine case on; the Philippines'
liaison officer (a purchaser) follows its own cases and cannot open another nation's."""

from __future__ import annotations

import re

import pytest

from allied.core.management.commands.demo import DEMO_PASSWORD
from tests.browser.journey import Journey

pytestmark = pytest.mark.browser

NOTE = "Pricing data received from the implementing agency (browser journey)."


def advance_a_case(journey: Journey) -> tuple[str, str]:
    """Complete the current stage of an open Philippine case; return its identifier and the
    stage it is now at."""
    page = journey.page
    page.get_by_label("Partner (ISO code)").fill("PHL")
    page.get_by_label("Open cases only").check()
    journey.follow(page.get_by_role("button", name="Filter"), "open Philippine cases")
    first = page.locator("tbody tr").first
    assert first.locator("td").nth(2).inner_text() == "PHL"
    identifier = first.get_by_role("link").inner_text()
    journey.follow(first.get_by_role("link"), "case")
    page.get_by_label("Owner of the next stage").fill("DSCA country portfolio director")
    page.get_by_label("Note").fill(NOTE)
    complete = page.get_by_role("button", name=re.compile(r'^Complete "'))
    next_stage = re.findall(r'"([^"]+)"', complete.inner_text())[1]
    journey.follow(complete, "stage completed")
    assert f"Stage completed; the case is now at {next_stage}." in journey.text()
    assert NOTE in journey.text()
    return identifier, next_stage


def follow_own_cases(journey: Journey, identifier: str, stage: str) -> None:
    page = journey.page
    assert page.get_by_role("heading", level=1).inner_text() == "PHL FMS cases"
    partners = page.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert partners and set(partners) == {"PHL"}
    row = page.locator("tbody tr").filter(has=page.get_by_role("link", name=identifier))
    assert stage in row.inner_text()
    journey.follow(row.get_by_role("link", name=identifier), "own case")
    assert f"{stage} since" in journey.text()
    # The U.S. side of the case (values, congressional notification) is not in the partner's view.
    assert "Congressional notification" not in journey.text()
    other = journey.site.facts["jpn_case"]
    journey.open(f"/arms/cases/{other}/", "another nation's case", status=404)


def test_case_manager_moves_a_case_purchaser_follows_only_its_own(journey: Journey) -> None:
    journey.sign_in("us.casemgr", DEMO_PASSWORD, then="/arms/", step="cases")
    identifier, stage = advance_a_case(journey)
    journey.sign_in("phl.liaison", DEMO_PASSWORD, then="/arms/", step="own cases")
    follow_own_cases(journey, identifier, stage)
