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


BLUE = "BLUE LANTERN (fictional exercise plan)"
GREEN = "GREEN HARBOR (fictional exercise plan)"


def open_plan(journey: Journey, plan: str) -> None:
    journey.open("/planning/", "plans")
    journey.follow(journey.page.get_by_role("link", name=plan, exact=True), "plan")


def assign(journey: Journey, task: str, nation: str) -> None:
    page = journey.page
    journey.follow(page.get_by_role("link", name=f"Assign {task}"), "assign form")
    page.get_by_label("Nation").fill(nation)
    page.get_by_label("Quantity").fill("1")
    journey.follow(page.get_by_role("button", name="Assign"), "role assigned")


def answer(journey: Journey, nation: str, task: str, choice: str, field: str, text: str) -> None:
    """Open ``nation``'s proposed role on ``task`` from the plan and answer it."""
    page = journey.page
    row = page.get_by_role("row").filter(has_text=task).filter(has_text=nation)
    journey.follow(row.get_by_role("link", name="Proposed, not answered"), "role")
    journey.choose(choice, exact=True)
    page.get_by_label(field, exact=True).fill(text)
    journey.follow(page.get_by_role("button", name="Record the answer"), "answered")
    assert "Answer recorded" in journey.text()


def test_partners_answer_the_roles_a_plan_gives_them(journey: Journey) -> None:
    """us.planner gives Japan and Korea a role each; Japan accepts with a condition, which the
    plan shows; Korea declines; the readiness report names the missing acceptance."""
    page = journey.page
    journey.sign_in("us.planner", DEMO_PASSWORD, then="/planning/", step="plans")
    open_plan(journey, BLUE)
    assign(journey, "Clear mines from the approaches", "JPN")
    open_plan(journey, GREEN)
    assign(journey, "Air superiority over the peninsula", "KOR")

    condition = "Only outside Japan's territorial waters after a cabinet decision (journey)."
    journey.sign_in("jpn.liaison", DEMO_PASSWORD, then="/planning/", step="plans as Japan")
    open_plan(journey, BLUE)
    answer(journey, "JPN", "Clear mines from the approaches", "Accept with conditions",
           "Conditions", condition)  # fmt: skip
    journey.follow(page.get_by_role("link", name=BLUE), "plan after the answer")
    row = page.get_by_role("row").filter(has_text="Clear mines from the approaches")
    row = row.filter(has_text="Accepted with conditions")
    assert "Accepted with conditions" in row.inner_text() and condition in row.inner_text()

    journey.sign_in("kor.liaison", DEMO_PASSWORD, then="/planning/", step="plans as Korea")
    open_plan(journey, GREEN)
    answer(journey, "KOR", "Air superiority over the peninsula", "Decline", "Reason",
           "Our fighters defend our own airspace first (journey).")  # fmt: skip

    journey.sign_in("us.planner", DEMO_PASSWORD, then="/planning/", step="plans again")
    open_plan(journey, GREEN)
    journey.follow(page.get_by_role("link", name="Readiness report ("), "readiness")
    assert "KOR's role on Air superiority over the peninsula rests on no acceptance" in (
        journey.text()
    )
    open_plan(journey, BLUE)
    journey.follow(page.get_by_role("link", name="Validated by partners"), "validation")
    journey.page.get_by_role("button", name="Mark the plan validated by partners").click()
    page.wait_for_load_state("load")
    assert "PHL on Maritime patrol of the Luzon Strait: proposed" in journey.text()
