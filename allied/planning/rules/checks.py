"""Checks on coalition plans, each finding explained with the data it relied on.

The checks read a ``PlanningData`` (what one viewer may see) and report on the *focus* plans;
other plans in the data count where they compete for the same forces.

(a) ``shortfall``: a task assigned less than it needs, or a partner assigned more of a capability
    than it holds (ready) at some moment of one plan.
(b) ``unwilling_role``: a role given to a partner that is unwilling, conditional, or whose
    willingness nobody recorded, for the plan's contingency type.
(c) ``us_overallocated``: the U.S. is assigned more of a capability than it holds at some moment
    while a willing (or conditional) ally has the same capability spare at that moment.
(d) ``double_assigned``: the same partner capability is counted by two or more concurrent plans
    beyond what the partner holds.
(e) ``assumption_mismatch``: a partner's planners assume another (the U.S. included) provides
    more of a capability than the plan assigns it.
(f) ``stale_capacity``: the plan relies on a capability figure that is old (``max_age_days``) or
    has no source, or on capacity nobody recorded at all.
(g) ``unseen_role``: a partner is assigned a role it cannot see (the assignment's marking is not
    releasable to that partner, ``allied.planning.rules.roles``): the plan assumes a role the
    partner never saw.
(h) ``unaccepted_role``: a partner role its partner has not accepted (not answered, or declined;
    ``allied.planning.rules.answers``): the plan counts on a role nobody agreed to.

Capacity at a moment is the sum of the partner's holdings of that type whose availability window
contains it, C4 (not ready) holdings left out; load is the sum of the assignments whose task is
under way. Both only change on the days a window opens or closes, so a sweep over those days finds
every moment load exceeds capacity.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from allied.planning.rules.answers import Role, State, role_states
from allied.planning.rules.model import (
    US,
    Assignment,
    Capability,
    PlanningData,
    Stance,
    Task,
    overlaps,
)

DEFAULT_MAX_AGE_DAYS = 365


class Severity(enum.IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.capitalize()


#: The checks, in the order the report lists them at equal severity.
CHECKS: dict[str, str] = {
    "shortfall": "(a) Capability shortfall",
    "unwilling_role": "(b) Role for an unwilling or conditional partner",
    "us_overallocated": "(c) Allied capacity unused while the U.S. is over-allocated",
    "double_assigned": "(d) Same capability assigned twice across concurrent plans",
    "assumption_mismatch": "(e) Mismatched mutual assumptions",
    "stale_capacity": "(f) Stale or unsourced capacity assumptions",
    "unseen_role": "(g) A partner is assigned a role it cannot see",
}
#: The check of the partners' answers to their roles, run when asked (``run_checks``).
ACCEPTANCE_CHECKS: dict[str, str] = {
    "unaccepted_role": "(h) A partner role rests on no acceptance",
}
#: Every check a report can hold, in order.
ALL_CHECKS: dict[str, str] = {**CHECKS, **ACCEPTANCE_CHECKS}


@dataclass(frozen=True)
class Evidence:
    """One row a finding relied on: its kind (``task``, ``assignment``...), key and a summary."""

    kind: str
    key: int
    text: str


@dataclass(frozen=True)
class Finding:
    check: str
    severity: Severity
    plans: tuple[int, ...]
    title: str
    explanation: str
    evidence: tuple[Evidence, ...] = ()

    @property
    def check_label(self) -> str:
        return ALL_CHECKS[self.check]


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    #: Whether check (h), the partners' acceptance of their roles, ran.
    acceptance: bool = False

    def by_severity(self) -> list[tuple[Severity, list[Finding]]]:
        return [
            (s, [f for f in self.findings if f.severity == s])
            for s in sorted(Severity, reverse=True)
        ]

    def counts(self) -> dict[str, int]:
        out = {check: 0 for check in (ALL_CHECKS if self.acceptance else CHECKS)}
        for f in self.findings:
            out[f.check] = out.get(f.check, 0) + 1
        return out

    def checks_tripped(self) -> set[str]:
        return {f.check for f in self.findings}


# --- evidence helpers ----------------------------------------------------------------------------


def _d(day: date) -> str:
    return day.isoformat()


def task_evidence(task: Task) -> Evidence:
    return Evidence(
        "task",
        task.key,
        f"{task.name}: {task.quantity} x {task.ctype}, {_d(task.starts)} to {_d(task.ends)}, "
        f"{task.location or 'no location'}, priority {task.priority}",
    )


def assignment_evidence(a: Assignment, task: Task) -> Evidence:
    role = "lead" if a.is_lead else "support"
    return Evidence("assignment", a.key, f"{a.nation} x{a.quantity} ({role}) on {task.name}")


def capability_evidence(c: Capability) -> Evidence:
    return Evidence(
        "capability",
        c.key,
        f"{c.nation} {c.ctype} x{c.quantity} (C{c.readiness}), {_d(c.starts)} to {_d(c.ends)}, "
        f"{c.location or 'no location'}; source: {c.source or 'none'}; "
        f"as of {_d(c.as_of) if c.as_of else 'unknown'}",
    )


# --- load against capacity ------------------------------------------------------------


@dataclass(frozen=True)
class Overload:
    nation: str
    ctype: str
    day: date
    load: int
    capacity: int
    active: tuple[Assignment, ...]
    holdings: tuple[Capability, ...]
    plans: tuple[int, ...]


def capacity_on(holdings: Iterable[Capability], day: date) -> int:
    return sum(c.quantity for c in holdings if c.counts and c.starts <= day <= c.ends)


def find_overloads(
    data: PlanningData, nation: str, ctype: str, assignments: Sequence[Assignment]
) -> tuple[Overload | None, Overload | None]:
    """The worst moment ``nation``'s load of ``ctype`` exceeds its capacity while one plan only
    is under way, and the worst while two or more plans are (each None when there is none)."""
    tasks = data.task_by_key
    holdings = data.capabilities_by.get((nation, ctype), [])
    worst = _worst_excess(_load_events(tasks, holdings, assignments))

    def at(day: date) -> Overload:
        active = tuple(a for a in assignments if tasks[a.task].starts <= day <= tasks[a.task].ends)
        held = tuple(c for c in holdings if c.starts <= day <= c.ends)
        return Overload(
            nation,
            ctype,
            day,
            sum(a.quantity for a in active),
            capacity_on(held, day),
            active,
            held,
            tuple(sorted({tasks[a.task].plan for a in active})),
        )

    one_plan = at(worst[False][1]) if False in worst else None
    many_plans = at(worst[True][1]) if True in worst else None
    return one_plan, many_plans


def _load_events(
    tasks: dict[int, Task], holdings: Iterable[Capability], assignments: Sequence[Assignment]
) -> dict[date, list[tuple[int, int, int]]]:
    """The days the load or the capacity changes: (load change, capacity change, plan), where an
    assignment's end names its plan as ``-plan - 1``."""
    events: dict[date, list[tuple[int, int, int]]] = defaultdict(list)
    for a in assignments:
        t = tasks[a.task]
        events[t.starts].append((a.quantity, 0, t.plan))
        events[t.ends + timedelta(days=1)].append((-a.quantity, 0, -t.plan - 1))
    for c in holdings:
        if c.counts:
            events[c.starts].append((0, c.quantity, 0))
            events[c.ends + timedelta(days=1)].append((0, -c.quantity, 0))
    return events


def _worst_excess(events: dict[date, list[tuple[int, int, int]]]) -> dict[bool, tuple[int, date]]:
    """The largest excess of load over capacity and its first day, while one plan is under way
    (``False``) and while several are (``True``)."""
    load = cap = 0
    active_plans: dict[int, int] = defaultdict(int)
    worst: dict[bool, tuple[int, date]] = {}
    for day in sorted(events):
        for dl, dc, plan in events[day]:
            load += dl
            cap += dc
            if dl > 0:
                active_plans[plan] += 1
            elif dl < 0:
                key = -plan - 1
                active_plans[key] -= 1
                if not active_plans[key]:
                    del active_plans[key]
        if load > cap:
            multi = len(active_plans) > 1
            excess = load - cap
            if multi not in worst or excess > worst[multi][0]:
                worst[multi] = (excess, day)
    return worst


# --- the checks ----------------------------------------------------------------------


def check_shortfall(data: PlanningData, focus: set[int]) -> list[Finding]:
    """(a) Tasks assigned less than they need."""
    findings = []
    for task in data.task_by_key.values():
        if task.plan not in focus:
            continue
        given = data.assignments_by_task.get(task.key, [])
        total = sum(a.quantity for a in given)
        if total >= task.quantity:
            continue
        who = ", ".join(f"{a.nation} x{a.quantity}" for a in given) or "nobody"
        findings.append(
            Finding(
                "shortfall",
                Severity.HIGH if task.priority >= 4 else Severity.MEDIUM,
                (task.plan,),
                f"{task.name}: {total} of {task.quantity} {task.ctype} assigned",
                f"The task needs {task.quantity} x {task.ctype} from {_d(task.starts)} to "
                f"{_d(task.ends)}; assignments give {total} ({who}), "
                f"{task.quantity - total} short.",
                (task_evidence(task), *(assignment_evidence(a, task) for a in given)),
            )
        )
    return findings


def check_load(data: PlanningData, focus: set[int]) -> list[Finding]:
    """(a) over-commitment within a plan, (c) U.S. over-allocation with allies spare, (d) double
    assignment across concurrent plans, (f) capacity nobody recorded."""
    tasks = data.task_by_key
    by_key: dict[tuple[str, str], list[Assignment]] = defaultdict(list)
    for task_key, given in data.assignments_by_task.items():
        task = tasks[task_key]
        for a in given:
            by_key[(a.nation, task.ctype)].append(a)
    findings: list[Finding] = []
    for (nation, ctype), given in sorted(by_key.items()):
        if not any(tasks[a.task].plan in focus for a in given):
            continue
        single, multi = find_overloads(data, nation, ctype, given)
        for over in (single, multi):
            if over is None or not focus.intersection(over.plans):
                continue
            findings.extend(_overload_findings(data, over, by_key))
    return findings


def _overload_findings(
    data: PlanningData, over: Overload, by_key: dict[tuple[str, str], list[Assignment]]
) -> list[Finding]:
    tasks = data.task_by_key
    evidence = (
        *(assignment_evidence(a, tasks[a.task]) for a in over.active),
        *(capability_evidence(c) for c in over.holdings),
    )
    day = _d(over.day)
    plans = over.plans
    names = ", ".join(data.plan_by_key[p].name for p in plans)
    out: list[Finding] = []
    recorded = data.capabilities_by.get((over.nation, over.ctype), [])
    if not recorded:
        out.append(
            Finding(
                "stale_capacity",
                Severity.HIGH,
                plans,
                f"{over.nation} assigned {over.ctype} it never reported",
                f"On {day} the plan counts on {over.load} x {over.ctype} from {over.nation}, "
                f"but no holding of {over.ctype} by {over.nation} is recorded: the capacity is "
                "assumed, not sourced.",
                evidence,
            )
        )
        return out
    excess = over.load - over.capacity
    if len(plans) > 1:
        out.append(
            Finding(
                "double_assigned",
                Severity.HIGH,
                plans,
                f"{over.nation} {over.ctype} counted by {len(plans)} concurrent plans",
                f"On {day} plans {names} together assign {over.load} x {over.ctype} of "
                f"{over.nation}, which holds {over.capacity} ready then: {excess} counted twice.",
                evidence,
            )
        )
    else:
        out.append(
            Finding(
                "shortfall",
                Severity.HIGH,
                plans,
                f"{over.nation} over-committed on {over.ctype}",
                f"On {day} {names} assigns {over.load} x {over.ctype} of {over.nation}, which "
                f"holds {over.capacity} ready then (C4 holdings not counted): {excess} short.",
                evidence,
            )
        )
    if over.nation == US:
        spare = _allied_spare(data, over, by_key)
        if spare:
            offers = "; ".join(f"{n} {q} spare ({w})" for n, q, w, _ in spare)
            total = sum(q for _, q, _, _ in spare)
            out.append(
                Finding(
                    "us_overallocated",
                    Severity.HIGH if total >= excess else Severity.MEDIUM,
                    plans,
                    f"U.S. over-allocated on {over.ctype} while allies hold it spare",
                    f"On {day} the U.S. is assigned {over.load} x {over.ctype} but holds "
                    f"{over.capacity}; allied capacity left unused then: {offers}.",
                    evidence + tuple(capability_evidence(c) for *_, cs in spare for c in cs),
                )
            )
    return out


def _allied_spare(
    data: PlanningData, over: Overload, by_key: dict[tuple[str, str], list[Assignment]]
) -> list[tuple[str, int, str, tuple[Capability, ...]]]:
    """Allies holding ``over.ctype`` spare on ``over.day`` and usable for the plans involved."""
    tasks = data.task_by_key
    kinds = {data.plan_by_key[p].contingency_type for p in over.plans}
    out = []
    for nation in data.nations_by_ctype.get(over.ctype, []):
        if nation == US:
            continue
        stances = [data.willingness(nation, kind) for kind in sorted(kinds)]
        if not all(w.usable for w in stances):
            continue
        holdings = data.capabilities_by[(nation, over.ctype)]
        held = tuple(c for c in holdings if c.counts and c.starts <= over.day <= c.ends)
        capacity = sum(c.quantity for c in held)
        load = sum(
            a.quantity
            for a in by_key.get((nation, over.ctype), [])
            if tasks[a.task].starts <= over.day <= tasks[a.task].ends
        )
        if capacity > load:
            label = "/".join(sorted({w.stance.value for w in stances if w.stance}))
            out.append((nation, capacity - load, label, held))
    return out


def check_willingness(data: PlanningData, focus: set[int]) -> list[Finding]:
    """(b) Roles given to partners unwilling, conditional or unassessed for the contingency."""
    tasks = data.task_by_key
    grouped: dict[tuple[int, str], list[Assignment]] = defaultdict(list)
    for task_key, given in data.assignments_by_task.items():
        task = tasks[task_key]
        if task.plan in focus:
            for a in given:
                if a.nation != US:
                    grouped[(task.plan, a.nation)].append(a)
    findings = []
    for (plan_key, nation), given in sorted(grouped.items()):
        plan = data.plan_by_key[plan_key]
        will = data.willingness(nation, plan.contingency_type)
        if will.stance is Stance.WILLING:
            continue
        severity = {
            Stance.UNWILLING: Severity.HIGH,
            Stance.CONDITIONAL: Severity.MEDIUM,
            None: Severity.LOW,
        }[will.stance]
        what = will.stance.value if will.stance else "not assessed"
        names = ", ".join(tasks[a.task].name for a in given[:5])
        more = f" and {len(given) - 5} more" if len(given) > 5 else ""
        findings.append(
            Finding(
                "unwilling_role",
                severity,
                (plan_key,),
                f"{nation} ({what}) has {len(given)} role(s) in {plan.name}",
                f"{plan.name} ({plan.contingency_type}) assigns {nation} to {names}{more}; "
                f"willingness: {will.describe()}.",
                (
                    *(
                        Evidence(
                            "willingness",
                            a.key,
                            f"{a.nation} {a.stance.value} per {a.assessed_by} on "
                            f"{_d(a.assessed_on)}" + (f": {a.conditions}" if a.conditions else ""),
                        )
                        for a in will.basis
                    ),
                    *(assignment_evidence(a, tasks[a.task]) for a in given[:20]),
                ),
            )
        )
    return findings


def check_assumptions(data: PlanningData, focus: set[int]) -> list[Finding]:
    """(e) A partner assumes another provides more than the plan assigns it."""
    tasks = data.task_by_key
    provided: dict[tuple[int, str, str], list[Assignment]] = defaultdict(list)
    for task_key, given in data.assignments_by_task.items():
        task = tasks[task_key]
        for a in given:
            provided[(task.plan, a.nation, task.ctype)].append(a)
    findings = []
    for assumption in data.assumptions:
        if assumption.plan not in focus or assumption.plan not in data.plan_by_key:
            continue
        given = provided.get((assumption.plan, assumption.provider, assumption.ctype), [])
        total = sum(a.quantity for a in given)
        if total >= assumption.quantity:
            continue
        plan = data.plan_by_key[assumption.plan]
        will = data.willingness(assumption.provider, plan.contingency_type)
        high = assumption.provider == US and assumption.holder != US
        findings.append(
            Finding(
                "assumption_mismatch",
                Severity.HIGH if high else Severity.MEDIUM,
                (assumption.plan,),
                f"{assumption.holder} assumes {assumption.provider} provides "
                f"{assumption.quantity} x {assumption.ctype}; the plan assigns {total}",
                f"{assumption.holder}'s planners assume {assumption.provider} provides "
                f"{assumption.quantity} x {assumption.ctype} in {plan.name}"
                + (f" ({assumption.note})" if assumption.note else "")
                + f", but the plan assigns {assumption.provider} {total} of it. "
                f"Willingness: {will.describe()}.",
                (
                    Evidence(
                        "assumption",
                        assumption.key,
                        f"{assumption.holder} assumes {assumption.provider} x"
                        f"{assumption.quantity} {assumption.ctype}",
                    ),
                    *(assignment_evidence(a, tasks[a.task]) for a in given[:20]),
                ),
            )
        )
    return findings


def check_stale(
    data: PlanningData, focus: set[int], today: date, max_age_days: int
) -> list[Finding]:
    """(f) Holdings the plan relies on whose figure is old or has no source."""
    tasks = data.task_by_key
    relied: dict[int, list[Task]] = defaultdict(list)
    for task_key, given in data.assignments_by_task.items():
        task = tasks[task_key]
        if task.plan not in focus:
            continue
        for a in given:
            for c in data.capabilities_by.get((a.nation, task.ctype), []):
                if overlaps(c.starts, c.ends, task.starts, task.ends):
                    relied[c.key].append(task)
    by_key = {c.key: c for c in data.capabilities}
    limit = today - timedelta(days=max_age_days)
    findings = []
    for key, users in sorted(relied.items()):
        c = by_key[key]
        problems = []
        if not c.source.strip():
            problems.append("it has no source")
        if c.as_of is None:
            problems.append("it has no as-of date")
        elif c.as_of < limit:
            age = (today - c.as_of).days
            problems.append(f"it is {age} days old (limit {max_age_days})")
        if not problems:
            continue
        plans = tuple(sorted({t.plan for t in users}))
        names = ", ".join(t.name for t in users[:5])
        more = f" and {len(users) - 5} more" if len(users) > 5 else ""
        findings.append(
            Finding(
                "stale_capacity",
                Severity.MEDIUM if any(t.priority >= 4 for t in users) else Severity.LOW,
                plans,
                f"{c.nation} {c.ctype} x{c.quantity}: {' and '.join(problems)}",
                f"The holding {c.nation} {c.ctype} x{c.quantity} ({c.location or 'no location'}) "
                f"backs {len(users)} assigned task(s) ({names}{more}), but "
                f"{' and '.join(problems)}.",
                (capability_evidence(c), *(task_evidence(t) for t in users[:20])),
            )
        )
    return findings


def check_unseen_roles(data: PlanningData, focus: set[int]) -> list[Finding]:
    """(g) Roles whose partner may not read them: the plan counts on what the partner never saw."""
    tasks = data.task_by_key
    findings = []
    for task_key, given in sorted(data.assignments_by_task.items()):
        task = tasks[task_key]
        if task.plan not in focus:
            continue
        for a in given:
            if a.nation == US or not a.unreadable:
                continue
            role = "lead" if a.is_lead else "support"
            findings.append(
                Finding(
                    "unseen_role",
                    Severity.HIGH,
                    (task.plan,),
                    f"{a.nation} is assigned a role it cannot see: {role} on {task.name}",
                    f"{a.nation}'s {role} role (x{a.quantity}) on {task.name} is marked so that "
                    f"{a.nation} cannot read it ({a.unreadable}); {a.nation}'s planners never see "
                    "the role the plan counts on. Re-mark the assignment so that it is releasable "
                    f"to {a.nation}, or ask a disclosure officer.",
                    (assignment_evidence(a, task), task_evidence(task)),
                )
            )
    return findings


def check_unaccepted_roles(data: PlanningData, focus: set[int]) -> list[Finding]:
    """(h) Partner roles their partner has not accepted (proposed, or declined): the plan counts
    on a role nobody agreed to (``allied.planning.rules.answers``)."""
    tasks = data.task_by_key
    roles = [
        Role(a.task, a.nation, datetime.min, tasks[a.task].name)
        for given in data.assignments_by_task.values()
        for a in given
        if tasks[a.task].plan in focus
    ]
    findings = []
    for status in role_states(roles, data.answers):
        if status.state.accepted:
            continue
        task = tasks[status.role.task]
        declined = status.state is State.DECLINED
        why = f"declined it: {status.answer.reason}" if status.answer else "has not answered it"
        findings.append(
            Finding(
                "unaccepted_role",
                Severity.HIGH if declined else Severity.MEDIUM,
                (task.plan,),
                f"{status.role.nation}'s role on {task.name} rests on no acceptance",
                f"{status.role.nation} {why}. The plan counts on a role its partner has not "
                "accepted; ask its planners or liaison officers to answer it, or give the task to "
                "another partner.",
                (
                    *(
                        assignment_evidence(a, task)
                        for a in data.assignments_by_task[task.key]
                        if a.nation == status.role.nation
                    ),
                    task_evidence(task),
                ),
            )
        )
    return findings


def run_checks(
    data: PlanningData,
    focus: Iterable[int] | None = None,
    *,
    today: date,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
    acceptance: bool = False,
) -> Report:
    """Every check on the ``focus`` plans (all plans when None), most severe first; (h), the
    partners' acceptance of their roles, when ``acceptance`` is asked for (the plan's pages ask;
    a caller that has not loaded the partners' answers does not)."""
    keys = set(data.plan_by_key) if focus is None else set(focus) & set(data.plan_by_key)
    findings = [
        *check_shortfall(data, keys),
        *check_willingness(data, keys),
        *check_load(data, keys),
        *check_assumptions(data, keys),
        *check_stale(data, keys, today, max_age_days),
        *check_unseen_roles(data, keys),
        *(check_unaccepted_roles(data, keys) if acceptance else ()),
    ]
    order = list(ALL_CHECKS)
    findings.sort(key=lambda f: (-f.severity, order.index(f.check), f.plans, f.title))
    return Report(findings, acceptance)


# --- coverage ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    plan: int
    tasks: int
    covered: int
    required: int
    assigned: int
    by_nation: dict[str, int]
    leads: dict[str, int]


def coverage(data: PlanningData, plan: int) -> Coverage:
    """How much of ``plan`` is assigned, and to whom (from the visible data)."""
    tasks = data.tasks_of(plan)
    by_nation: dict[str, int] = defaultdict(int)
    leads: dict[str, int] = defaultdict(int)
    covered = required = assigned = 0
    for t in tasks:
        given = data.assignments_by_task.get(t.key, [])
        total = sum(a.quantity for a in given)
        required += t.quantity
        assigned += min(total, t.quantity)
        covered += total >= t.quantity
        for a in given:
            by_nation[a.nation] += a.quantity
            if a.is_lead:
                leads[a.nation] += 1
    return Coverage(plan, len(tasks), covered, required, assigned, dict(by_nation), dict(leads))
