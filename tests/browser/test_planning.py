"""Coalition planning in a browser, as a U.S. planner and as Japan's planner: the plans, one
plan's task x partner matrix, its readiness report, the optimiser's proposal, and an assumption
recorded. Each step is a function taking the journey and the plan's name, so pages added later
(plans, phases, tasks, assignments) join as steps of their own."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from allied.core.management.commands.demo import DEMO_PASSWORD
from tests.browser.journey import Journey

pytestmark = pytest.mark.browser

Step = Callable[[Journey, str], None]


def choose_plan(journey: Journey) -> str:
    """Open the first plan on the list of plans; return its name."""
    page = journey.page
    link = page.locator("tbody tr").first.get_by_role("link")
    name = link.inner_text()
    journey.follow(link, "plan")
    return name


def matrix(journey: Journey, plan: str) -> None:
    page = journey.page
    assert page.get_by_role("heading", level=1).inner_text() == plan
    tasks = page.locator("table").first
    assert tasks.locator("thead th").nth(0).inner_text() == "Task"
    assert tasks.locator("tbody th[scope=row]").count() > 0


def readiness(journey: Journey, plan: str) -> None:
    journey.follow(journey.page.get_by_role("link", name="Readiness report ("), "readiness")
    assert journey.page.get_by_role("heading", level=1).inner_text() == f"Readiness report: {plan}"


def proposal(journey: Journey, plan: str) -> None:
    journey.follow(journey.page.get_by_role("link", name="Optimiser's proposal"), "proposal")
    assert journey.page.get_by_role("heading", level=1).inner_text() == (
        f"Optimiser's proposal: {plan}"
    )
    assert "Checks before and after" in journey.text()


def assumption(provider: str, note: str) -> Step:
    """Record what the planner's nation assumes ``provider`` brings to the plan."""

    def record(journey: Journey, plan: str) -> None:
        page = journey.page
        journey.follow(page.get_by_role("link", name="Back to the plan"), "plan again")
        journey.follow(
            page.get_by_role("link", name="Record what your planners assume"), "assumption form"
        )
        page.get_by_label("Provider").fill(provider)
        page.get_by_label("Capability type").select_option(index=1)
        page.get_by_label("Quantity").fill("2")
        page.get_by_label("Note").fill(note)
        page.get_by_label("Marking").fill("SECRET//REL TO USA, JPN")
        journey.follow(page.get_by_role("button", name="Record"), "assumption recorded")
        assert "Assumption recorded." in journey.text()
        row = page.get_by_role("row").filter(has_text=note)
        assert provider in row.inner_text()

    return record


JOURNEYS: dict[str, tuple[Step, ...]] = {
    "us.planner": (
        matrix,
        readiness,
        proposal,
        assumption("JPN", "Japan escorts the second sealift convoy (browser journey)."),
    ),
    "jpn.liaison": (
        matrix,
        readiness,
        proposal,
        assumption("USA", "The U.S. provides tanker support (browser journey)."),
    ),
}


@pytest.mark.parametrize("planner", sorted(JOURNEYS))
def test_planner_reads_a_plan_and_records_an_assumption(journey: Journey, planner: str) -> None:
    journey.sign_in(planner, DEMO_PASSWORD, then="/planning/", step="plans")
    plan = choose_plan(journey)
    for step in JOURNEYS[planner]:
        step(journey, plan)


def test_us_planner_writes_a_plan_and_assigns_a_task(journey: Journey) -> None:
    """A new plan, a phase, a task, and the task assigned with the U.S. as lead. The plan starts
    in 2029 so that it sorts after the demo's plans for the journeys above."""
    page = journey.page
    journey.sign_in("us.planner", DEMO_PASSWORD, then="/planning/", step="plans")
    journey.follow(page.get_by_role("link", name="New plan"), "new plan form")
    page.get_by_label("Name", exact=True).fill("Fictional typhoon relief (browser journey)")
    page.get_by_label("Contingency type").select_option("hadr")
    page.get_by_label("Starts").fill("2029-08-01")
    page.get_by_label("Ends").fill("2029-09-30")
    page.get_by_label("Marking").fill("SECRET//REL TO USA, PHL")
    journey.follow(page.get_by_role("button", name="Create the plan"), "plan created")
    assert "Plan created." in journey.text()

    journey.follow(page.get_by_role("link", name="Add a phase"), "phase form")
    page.get_by_label("Name", exact=True).fill("Relief")
    journey.follow(page.get_by_role("button", name="Save"), "phase added")
    assert "Relief" in journey.text()

    journey.follow(page.get_by_role("link", name="Add a task"), "task form")
    page.get_by_label("Name", exact=True).fill("Airlift relief supplies")
    page.get_by_label("Phase").select_option(index=1)
    page.get_by_label("Capability type").select_option(index=1)
    page.get_by_label("Quantity").fill("2")
    page.get_by_label("Location").fill("Clark")
    journey.follow(page.get_by_role("button", name="Save"), "task added")
    assert "Airlift relief supplies" in journey.text()

    journey.follow(page.get_by_role("link", name="Assign Airlift relief supplies"), "assign form")
    page.get_by_label("Nation").fill("USA")
    page.get_by_label("Quantity").fill("2")
    journey.choose("Leads the task")
    journey.follow(page.get_by_role("button", name="Assign"), "task assigned")
    assert "USA assigned 2" in journey.text()
    row = page.locator("table").first.get_by_role("row").filter(has_text="Airlift relief")
    assert "2 L" in row.inner_text()
