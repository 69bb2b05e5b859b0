"""The allocation optimiser (pure): feasible, optimal on small cases, and it explains the rest."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from allied.planning.rules.checks import run_checks
from allied.planning.rules.model import (
    US,
    Assessment,
    Assignment,
    Assumption,
    Capability,
    Plan,
    PlanningData,
    Stance,
    Task,
)
from allied.planning.rules.optimiser import Reason, Weights, propose
from allied.planning.rules.synthetic import generate

D0 = date(2027, 3, 1)
TODAY = date(2027, 1, 15)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def task(key, quantity=2, ctype="LIFT", start=0, end=30, priority=3, lead=None, plan=1):
    return Task(
        key, plan, f"Task {key}", ctype, quantity, day(start), day(end), "Sea", lead, priority
    )


def cap(key, nation, quantity, ctype="LIFT", start=-30, end=365, readiness=1):
    return Capability(
        key, nation, ctype, quantity, readiness, day(start), day(end), "Base", "report", TODAY
    )


def will(key, nation, stance, kind="taiwan_strait"):
    conditions = "only if attacked" if stance is Stance.CONDITIONAL else ""
    return Assessment(key, nation, kind, stance, conditions, US, day(-60))


PLANS = (Plan(1, "Plan", "taiwan_strait", day(0), day(180)),)


def data(**parts):
    parts.setdefault("plans", PLANS)
    return PlanningData(**parts)


def test_a_willing_ally_leads_before_the_united_states_takes_the_burden():
    d = data(
        tasks=(task(1, 2),),
        capabilities=(cap(1, US, 5), cap(2, "AUS", 2)),
        assessments=(will(1, "AUS", Stance.WILLING),),
    )
    p = propose(d, 1)
    assert [(a.nation, a.quantity, a.is_lead) for a in p.assignments] == [("AUS", 2, True)]
    assert p.status == "optimal" and p.gap == 0


def test_a_conditional_ally_is_used_only_when_nobody_else_can():
    d = data(
        tasks=(task(1, 2),),
        capabilities=(cap(1, US, 2), cap(2, "JPN", 2)),
        assessments=(will(1, "JPN", Stance.CONDITIONAL),),
    )
    assert {a.nation for a in propose(d, 1).assignments} == {US}
    short = replace(d, capabilities=(cap(1, US, 1), cap(2, "JPN", 2)))
    p = propose(short, 1)
    assert sorted((a.nation, a.quantity) for a in p.assignments) in (
        [("JPN", 1), ("USA", 1)],
        [("JPN", 2)],
    )


def test_unwilling_and_unassessed_partners_are_never_proposed():
    d = data(
        tasks=(task(1, 2),),
        capabilities=(cap(1, "PHL", 5), cap(2, "GBR", 5)),
        assessments=(will(1, "PHL", Stance.UNWILLING),),
    )
    p = propose(d, 1)
    assert p.assignments == []
    assert [u.reason for u in p.uncovered] == [Reason.ONLY_UNWILLING]
    assert "PHL: unwilling" in p.uncovered[0].explanation
    assert "GBR: no willingness assessment" in p.uncovered[0].explanation


def test_each_uncovered_task_says_why():
    d = data(
        plans=(*PLANS, Plan(2, "Other", "korean_peninsula", day(0), day(180))),
        tasks=(
            task(1, 2, ctype="MED"),  # nobody holds it
            task(2, 5, ctype="LIFT"),  # more than anyone holds
            task(3, 2, ctype="AMD", priority=5),  # takes the only battery pair...
            task(4, 2, ctype="AMD", priority=2, start=10),  # ...this one needed too
            task(5, 2, ctype="MCM"),  # the other plan holds it
            task(9, 2, ctype="MCM", plan=2),
        ),
        capabilities=(cap(1, US, 3, "LIFT"), cap(2, US, 2, "AMD"), cap(3, US, 2, "MCM")),
        assignments=(Assignment(1, 9, US, 2),),
    )
    reasons = {u.task: u.reason for u in propose(d, 1).uncovered}
    assert reasons == {
        1: Reason.NO_CAPABLE,
        2: Reason.INSUFFICIENT,
        4: Reason.EXHAUSTED,
        5: Reason.OTHER_PLANS,
    }


def test_capacity_held_by_a_concurrent_plan_is_not_counted_again():
    d = data(
        plans=(*PLANS, Plan(2, "Other", "korean_peninsula", day(0), day(180))),
        tasks=(task(1, 3), task(2, 2, plan=2)),
        capabilities=(cap(1, US, 4),),
        assignments=(Assignment(1, 2, US, 2),),
    )
    p = propose(d, 1)
    assert p.assignments == [] and p.uncovered[0].reason is Reason.OTHER_PLANS


def test_an_assumption_is_honoured_when_it_costs_little():
    d = data(
        tasks=(task(1, 2, ctype="AMD"),),
        capabilities=(cap(1, US, 2, "AMD"), cap(2, "AUS", 2, "AMD")),
        assessments=(will(1, "AUS", Stance.WILLING),),
        assumptions=(Assumption(1, 1, "JPN", US, "AMD", 2),),
    )
    assert {a.nation for a in propose(d, 1).assignments} == {US}
    no_assumption = replace(d, assumptions=())
    assert {a.nation for a in propose(no_assumption, 1).assignments} == {"AUS"}


def test_the_designated_lead_is_preferred_among_willing_allies():
    d = data(
        tasks=(task(1, 2, lead="JPN"),),
        capabilities=(cap(1, "AUS", 2), cap(2, "JPN", 2)),
        assessments=(will(1, "AUS", Stance.WILLING), will(2, "JPN", Stance.WILLING)),
    )
    assert [(a.nation, a.is_lead) for a in propose(d, 1).assignments] == [("JPN", True)]


def test_the_proposal_removes_what_assignments_can_fix():
    d = data(
        tasks=(task(1, 6),),
        assignments=(Assignment(1, 1, US, 6),),
        capabilities=(cap(1, US, 4), cap(2, "AUS", 2)),
        assessments=(will(1, "AUS", Stance.WILLING),),
    )
    before = run_checks(d, today=TODAY).checks_tripped()
    assert {"shortfall", "us_overallocated"} <= before
    p = propose(d, 1)
    new = tuple(
        Assignment(-k - 1, a.task, a.nation, a.quantity, a.is_lead)
        for k, a in enumerate(p.assignments)
    )
    assert run_checks(replace(d, assignments=new), today=TODAY).findings == []


# --- properties: feasibility, and optimality against exhaustive search ----------


def _check_feasible(d: PlanningData, p) -> None:
    tasks = {t.key: t for t in d.tasks_of(1)}
    given_: dict[int, int] = {}
    for a in p.assignments:
        given_[a.task] = given_.get(a.task, 0) + a.quantity
        stance = d.willingness(a.nation, "taiwan_strait").stance
        assert stance in (Stance.WILLING, Stance.CONDITIONAL)
    uncovered = {u.task for u in p.uncovered}
    for key, t in tasks.items():
        assert given_.get(key, 0) == (0 if key in uncovered else t.quantity)
    for (nation, ctype), holdings in d.capabilities_by.items():
        for offset in range(-5, 200):
            today = day(offset)
            held = sum(c.quantity for c in holdings if c.counts and c.starts <= today <= c.ends)
            load = sum(
                a.quantity
                for a in p.assignments
                if a.nation == nation
                and tasks[a.task].ctype == ctype
                and tasks[a.task].starts <= today <= tasks[a.task].ends
            )
            assert load <= held, (nation, ctype, today)


small = st.integers(0, 10_000)


@settings(max_examples=25, deadline=None)
@given(small)
def test_every_proposal_is_feasible(seed):
    d = generate(6, 25, 4, seed=seed)
    _check_feasible(d, propose(d, 1))


@settings(max_examples=20, deadline=None)
@given(small)
def test_the_proposal_covers_as_much_priority_as_exhaustive_search(seed):
    """On tiny plans, the best set of tasks a brute force can cover scores no higher."""
    d = generate(3, 5, 2, seed=seed, holdings_per_partner=2)
    d = replace(d, assumptions=())
    p = propose(d, 1)
    tasks = d.tasks_of(1)
    covered = {t.key for t in tasks} - {u.task for u in p.uncovered}
    best = 0
    for size in range(len(tasks) + 1):
        for subset in itertools.combinations(tasks, size):
            score = sum(t.priority for t in subset)
            if score > best and _coverable(d, list(subset)):
                best = score
    assert sum(t.priority for t in tasks if t.key in covered) == best


def _coverable(d: PlanningData, subset: list[Task]) -> bool:
    """Whether ``subset`` can all be covered: a tiny assignment search, task by task."""
    usable = {
        n
        for ns in d.nations_by_ctype.values()
        for n in ns
        if d.willingness(n, "taiwan_strait").stance in (Stance.WILLING, Stance.CONDITIONAL)
    }
    days = sorted(
        {t.starts + timedelta(days=k) for t in subset for k in range((t.ends - t.starts).days + 1)}
    )

    def fits(load: dict[tuple[str, str, date], int]) -> bool:
        for (nation, ctype, today), q in load.items():
            held = sum(
                c.quantity
                for c in d.capabilities_by.get((nation, ctype), [])
                if c.counts and c.starts <= today <= c.ends
            )
            if q > held:
                return False
        return True

    def search(i: int, load: dict[tuple[str, str, date], int]) -> bool:
        if i == len(subset):
            return True
        t = subset[i]
        nations = sorted(n for n in usable if (n, t.ctype) in d.capabilities_by)
        for split in _splits(t.quantity, len(nations)):
            new = dict(load)
            for n, q in zip(nations, split, strict=True):
                if q:
                    for today in days:
                        if t.starts <= today <= t.ends:
                            new[(n, t.ctype, today)] = new.get((n, t.ctype, today), 0) + q
            if fits(new) and search(i + 1, new):
                return True
        return False

    # Every day of every window: holdings may end in the middle of a task.
    return search(0, {})


def _splits(total: int, parts: int):
    if parts == 0:
        return
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in _splits(total - first, parts - 1):
            yield (first, *rest)


def test_weights_change_who_carries_the_burden():
    d = data(
        tasks=(task(1, 2),),
        capabilities=(cap(1, US, 5), cap(2, "AUS", 2)),
        assessments=(will(1, "AUS", Stance.WILLING),),
    )
    costly_allies = Weights(us=0.5)
    assert {a.nation for a in propose(d, 1, weights=costly_allies).assignments} == {US}
