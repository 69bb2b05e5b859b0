"""The readiness checks (pure): each one fires on the data it names, and only then."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allied.planning.rules.checks import CHECKS, Severity, coverage, find_overloads, run_checks
from allied.planning.rules.model import (
    Assessment,
    Assignment,
    Assumption,
    Capability,
    Plan,
    PlanningData,
    Stance,
    Task,
    resolve_willingness,
)
from allied.planning.rules.synthetic import generate

TODAY = date(2027, 1, 15)
D0 = date(2027, 3, 1)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def plan(key: int = 1, kind: str = "taiwan_strait") -> Plan:
    return Plan(key, f"Plan {key}", kind, day(0), day(180))


def task(
    key: int,
    quantity: int = 2,
    ctype: str = "LIFT",
    plan_key: int = 1,
    start: int = 0,
    end: int = 30,
    priority: int = 3,
) -> Task:
    return Task(
        key, plan_key, f"Task {key}", ctype, quantity, day(start), day(end), "Sea", None, priority
    )


def cap(
    key: int,
    nation: str,
    quantity: int,
    ctype: str = "LIFT",
    start: int = -30,
    end: int = 365,
    readiness: int = 1,
    source: str = "report",
    as_of: date = date(2026, 12, 1),
) -> Capability:
    return Capability(
        key, nation, ctype, quantity, readiness, day(start), day(end), "Base", source, as_of
    )


def assessed(
    key: int, nation: str, stance: Stance, by: str = "USA", on: int = -60, conditions: str = ""
) -> Assessment:
    if stance is Stance.CONDITIONAL and not conditions:
        conditions = "only if attacked"
    return Assessment(key, nation, "taiwan_strait", stance, conditions, by, day(on))


def assign(key: int, task_key: int, nation: str, quantity: int) -> Assignment:
    return Assignment(key, task_key, nation, quantity)


def data(**parts: object) -> PlanningData:
    parts.setdefault("plans", (plan(),))
    return PlanningData(**parts)  # type: ignore[arg-type]


def checks_of(d: PlanningData, focus: set[int] | None = None) -> list[str]:
    return [f.check for f in run_checks(d, focus, today=TODAY).findings]


# --- (a) shortfall ----------


@pytest.mark.parametrize(
    ("needed", "given", "fires"),
    [(2, 2, False), (2, 1, True), (2, 0, True), (2, 3, False)],
)
def test_a_task_assigned_less_than_it_needs_is_a_shortfall(needed, given, fires):
    assignments = (assign(1, 1, "USA", given),) if given else ()
    d = data(tasks=(task(1, needed),), assignments=assignments, capabilities=(cap(1, "USA", 10),))
    found = [f for f in run_checks(d, today=TODAY).findings if f.check == "shortfall"]
    assert bool(found) is fires
    if fires:
        assert f"{given} of {needed}" in found[0].title
        assert found[0].evidence[0].kind == "task"


def test_a_high_priority_shortfall_is_high_and_a_routine_one_medium():
    d = data(tasks=(task(1, priority=5), task(2, priority=2)))
    severities = {f.title.split(":")[0]: f.severity for f in run_checks(d, today=TODAY).findings}
    assert severities == {"Task 1": Severity.HIGH, "Task 2": Severity.MEDIUM}


def test_a_partner_assigned_beyond_its_ready_holdings_in_one_plan_is_a_shortfall():
    d = data(
        tasks=(task(1, 3), task(2, 3, start=10, end=40)),
        assignments=(assign(1, 1, "USA", 3), assign(2, 2, "USA", 3)),
        capabilities=(cap(1, "USA", 4), cap(2, "USA", 5, readiness=4)),
    )
    found = [f for f in run_checks(d, today=TODAY).findings if "over-committed" in f.title]
    assert len(found) == 1
    # The C4 holding is not counted: 6 assigned against 4 ready, on the day both run.
    assert "holds 4" in found[0].explanation and found[0].explanation.startswith(
        f"On {day(10).isoformat()}"
    )


def test_assignments_that_do_not_overlap_in_time_share_the_same_holding():
    d = data(
        tasks=(task(1, 3, end=9), task(2, 3, start=10, end=20)),
        assignments=(assign(1, 1, "USA", 3), assign(2, 2, "USA", 3)),
        capabilities=(cap(1, "USA", 3),),
    )
    assert checks_of(d) == []


# --- (b) willingness ----------


@pytest.mark.parametrize(
    ("stance", "severity"),
    [
        (Stance.UNWILLING, Severity.HIGH),
        (Stance.CONDITIONAL, Severity.MEDIUM),
        (None, Severity.LOW),
        (Stance.WILLING, None),
    ],
)
def test_a_role_for_a_partner_not_willing_is_reported_by_stance(stance, severity):
    assessments = () if stance is None else (assessed(1, "PHL", stance),)
    d = data(
        tasks=(task(1),),
        assignments=(assign(1, 1, "PHL", 2),),
        capabilities=(cap(1, "PHL", 2),),
        assessments=assessments,
    )
    found = [f for f in run_checks(d, today=TODAY).findings if f.check == "unwilling_role"]
    assert [f.severity for f in found] == ([] if severity is None else [severity])


def test_the_most_restrictive_latest_assessment_of_each_assessor_wins():
    older_unwilling = assessed(1, "JPN", Stance.UNWILLING, by="USA", on=-300)
    newer_willing = assessed(2, "JPN", Stance.WILLING, by="USA", on=-10)
    own_conditional = assessed(3, "JPN", Stance.CONDITIONAL, by="JPN", on=-50)
    w = resolve_willingness("JPN", "taiwan_strait", [older_unwilling, newer_willing])
    assert w.stance is Stance.WILLING
    w = resolve_willingness(
        "JPN", "taiwan_strait", [older_unwilling, newer_willing, own_conditional]
    )
    assert w.stance is Stance.CONDITIONAL
    assert {a.key for a in w.basis} == {2, 3}


def test_the_united_states_is_willing_in_its_own_plans_unless_assessed_otherwise():
    assert resolve_willingness("USA", "taiwan_strait", []).stance is Stance.WILLING
    assert resolve_willingness("JPN", "taiwan_strait", []).stance is None


# --- (c) U.S. over-allocated while allies are spare ----------


def test_us_over_allocation_with_a_willing_ally_spare_is_reported_with_the_ally():
    base = data(
        tasks=(task(1, 6),),
        assignments=(assign(1, 1, "USA", 6),),
        capabilities=(cap(1, "USA", 4), cap(2, "AUS", 2)),
        assessments=(assessed(1, "AUS", Stance.WILLING),),
    )
    found = [f for f in run_checks(base, today=TODAY).findings if f.check == "us_overallocated"]
    assert len(found) == 1 and "AUS 2 spare" in found[0].explanation
    assert found[0].severity is Severity.HIGH  # the ally's spare covers the whole excess
    unwilling = replace(base, assessments=(assessed(1, "AUS", Stance.UNWILLING),))
    assert "us_overallocated" not in checks_of(unwilling)
    busy = replace(
        base,
        tasks=(*base.tasks, task(2, 2)),
        assignments=(*base.assignments, assign(2, 2, "AUS", 2)),
    )
    assert "us_overallocated" not in checks_of(busy)


# --- (d) double assignment across concurrent plans ----------


def test_the_same_holding_counted_by_two_concurrent_plans_is_double_assigned():
    two = (plan(1), plan(2, "korean_peninsula"))
    d = data(
        plans=two,
        tasks=(task(1, 3, plan_key=1), task(2, 2, plan_key=2, start=20, end=50)),
        assignments=(assign(1, 1, "USA", 3), assign(2, 2, "USA", 2)),
        capabilities=(cap(1, "USA", 4),),
    )
    found = [f for f in run_checks(d, today=TODAY).findings if f.check == "double_assigned"]
    assert len(found) == 1 and found[0].plans == (1, 2)
    assert "1 counted twice" in found[0].explanation
    apart = replace(d, tasks=(task(1, 3, plan_key=1), task(2, 2, plan_key=2, start=40, end=50)))
    assert "double_assigned" not in checks_of(apart)
    # Focused on plan 2 only, the overlap with plan 1 is still reported.
    assert "double_assigned" in checks_of(d, {2})


# --- (e) assumptions ----------


@pytest.mark.parametrize(("assumed", "given", "fires"), [(2, 2, False), (3, 2, True), (1, 0, True)])
def test_an_assumption_the_plan_does_not_back_is_a_mismatch(assumed, given, fires):
    assignments = (assign(1, 1, "USA", given),) if given else ()
    d = data(
        tasks=(task(1, 2, ctype="AMD"),),
        assignments=assignments,
        capabilities=(cap(1, "USA", 5, ctype="AMD"),),
        assumptions=(Assumption(1, 1, "JPN", "USA", "AMD", assumed),),
    )
    found = [f for f in run_checks(d, today=TODAY).findings if f.check == "assumption_mismatch"]
    assert bool(found) is fires
    if fires:
        assert found[0].severity is Severity.HIGH  # an ally assumes the U.S. provides it
        assert found[0].evidence[0].kind == "assumption"


# --- (f) stale or unsourced ----------


@pytest.mark.parametrize(
    ("source", "as_of", "fires"),
    [
        ("report", TODAY - timedelta(days=30), False),
        ("", TODAY, True),
        ("report", TODAY - timedelta(days=366), True),
        ("report", TODAY - timedelta(days=365), False),
    ],
)
def test_a_relied_on_holding_that_is_old_or_unsourced_is_flagged(source, as_of, fires):
    d = data(
        tasks=(task(1),),
        assignments=(assign(1, 1, "USA", 2),),
        capabilities=(cap(1, "USA", 2, source=source, as_of=as_of),),
    )
    assert ("stale_capacity" in checks_of(d)) is fires


def test_a_stale_holding_nobody_relies_on_is_not_flagged():
    d = data(
        tasks=(task(1),),
        assignments=(assign(1, 1, "USA", 2),),
        capabilities=(cap(1, "USA", 2), cap(2, "JPN", 2, source="")),
    )
    assert checks_of(d) == []


def test_an_assignment_to_a_partner_that_never_reported_the_capability_is_unsourced():
    d = data(
        tasks=(task(1),),
        assignments=(assign(1, 1, "PHL", 2),),
        assessments=(assessed(1, "PHL", Stance.WILLING),),
    )
    found = run_checks(d, today=TODAY).findings
    assert [f.check for f in found] == ["stale_capacity"]
    assert "never reported" in found[0].title


# --- the report and what it reads ----------


def test_findings_come_most_severe_first():
    d = generate(8, 120, 6, seed=3, plans=2, assigned_share=0.8)
    report = run_checks(d, today=TODAY)
    severities = [f.severity for f in report.findings]
    assert severities == sorted(severities, reverse=True)
    assert set(report.counts()) == set(CHECKS)


def test_rows_whose_plan_is_not_in_the_data_are_ignored():
    """A visible task of a plan the viewer cannot see carries no finding."""
    d = data(tasks=(task(1, plan_key=99),), assignments=(assign(1, 1, "PHL", 2),))
    assert checks_of(d) == []


def test_coverage_counts_assigned_units_per_partner():
    d = data(
        tasks=(task(1, 2), task(2, 3)), assignments=(assign(1, 1, "USA", 2), assign(2, 2, "JPN", 1))
    )
    c = coverage(d, 1)
    assert (c.tasks, c.covered, c.required, c.assigned) == (2, 1, 5, 3)
    assert c.by_nation == {"USA": 2, "JPN": 1}


# --- properties ----------


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.integers(0, 30), st.integers(1, 4)), min_size=1, max_size=8
    ),
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60), st.integers(1, 4)), max_size=3),
)
def test_the_sweep_finds_an_overload_exactly_when_some_day_is_over(jobs, holdings):
    tasks = tuple(task(k + 1, q, start=s, end=s + n) for k, (s, n, q) in enumerate(jobs))
    given_ = tuple(assign(k + 1, k + 1, "USA", q) for k, (_, _, q) in enumerate(jobs))
    caps = tuple(cap(k + 1, "USA", q, start=s, end=s + n) for k, (s, n, q) in enumerate(holdings))
    d = data(tasks=tasks, assignments=given_, capabilities=caps)
    single, _ = find_overloads(d, "USA", "LIFT", list(given_))
    over_days = []
    for offset in range(0, 100):
        today = day(offset)
        load = sum(t.quantity for t in tasks if t.starts <= today <= t.ends)
        held = sum(c.quantity for c in caps if c.starts <= today <= c.ends)
        if load > held:
            over_days.append((load - held, today))
    assert (single is not None) == bool(over_days)
    if single is not None:
        assert single.load - single.capacity == max(e for e, _ in over_days)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_hiding_rows_never_adds_a_willingness_or_assumption_finding_about_them(seed):
    """Checks run on what a viewer sees: removing every assessment of a partner removes every
    finding that quotes an assessment of it."""
    d = generate(6, 60, 5, seed=seed, assigned_share=0.7)
    victim = "P01"
    hidden = replace(d, assessments=tuple(a for a in d.assessments if a.nation != victim))
    for f in run_checks(hidden, today=TODAY).findings:
        assert not any(e.kind == "willingness" and f"{victim} " in e.text for e in f.evidence)
