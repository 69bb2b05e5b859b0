"""Synthetic planning data of any size, for the benchmark and the property tests (no Django).

Everything is drawn from a seeded generator, so a size and a seed always give the same data.
Partners are called ``P01``, ``P02``...; the first is the United States (``USA``). Each partner
holds a share of the capability types, in one or two windows, with readiness, source and age
varying; willingness varies per partner; tasks of one plan spread over a year.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

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

START = date(2027, 1, 1)
#: The contingency type of every synthetic plan and assessment.
KIND = "taiwan_strait"


def generate(
    partners: int = 40,
    tasks: int = 2000,
    ctypes: int = 50,
    *,
    seed: int = 1,
    plans: int = 1,
    assigned_share: float = 0.0,
    holdings_per_partner: int | None = None,
) -> PlanningData:
    """A plan (or several) with ``tasks`` tasks over ``ctypes`` types and ``partners`` partners.

    With ``assigned_share`` > 0, that share of tasks gets a random assignment (for the checks).
    """
    rng = random.Random(seed)
    nations = [US] + [f"P{k:02d}" for k in range(1, partners)]
    types = [f"CAP{k:02d}" for k in range(ctypes)]
    plan_rows = tuple(
        Plan(p + 1, f"Synthetic plan {p + 1}", KIND, START, START + timedelta(days=365))
        for p in range(plans)
    )
    # Drawn in this order from the one generator: a seed gives the same data as it always has.
    caps = _capabilities(rng, nations, types, holdings_per_partner or max(1, ctypes // 3))
    assessments = _assessments(rng, nations)
    task_rows = _tasks(rng, tasks, plan_rows, types, nations)
    assignments = _assignments(rng, caps, task_rows, assigned_share)
    assumptions = [
        Assumption(
            k + 1,
            plan_rows[0].key,
            rng.choice(nations[1:]),
            US,
            rng.choice(types),
            rng.randint(1, 6),
        )
        for k in range(min(20, partners))
    ]
    return PlanningData(
        plans=plan_rows,
        tasks=tuple(task_rows),
        assignments=tuple(assignments),
        capabilities=tuple(caps),
        assessments=tuple(assessments),
        assumptions=tuple(assumptions),
    )


def _capabilities(
    rng: random.Random, nations: list[str], types: list[str], per: int
) -> list[Capability]:
    """The U.S. holds every type, each other partner ``per`` of them, in one or two windows."""
    caps: list[Capability] = []
    for nation in nations:
        held = types if nation == US else rng.sample(types, min(per, len(types)))
        for ctype in held:
            for _ in range(rng.choice((1, 1, 2))):
                first = rng.randrange(0, 200)
                caps.append(
                    Capability(
                        len(caps) + 1,
                        nation,
                        ctype,
                        rng.randint(2, 12) if nation == US else rng.randint(1, 8),
                        rng.choice((1, 1, 2, 2, 3, 4)),
                        START + timedelta(days=first),
                        START + timedelta(days=first + rng.randrange(60, 365)),
                        "Synthetic location",
                        "" if rng.random() < 0.05 else "Synthetic report",
                        START - timedelta(days=rng.randrange(0, 700)),
                    )
                )
    return caps


def _assessments(rng: random.Random, nations: list[str]) -> list[Assessment]:
    """A U.S. assessment of most partners' willingness; some are left unassessed."""
    assessments = []
    for k, nation in enumerate(nations[1:], start=1):
        stance = rng.choices(
            (Stance.WILLING, Stance.CONDITIONAL, Stance.UNWILLING, None), (6, 2, 1, 1)
        )[0]
        if stance is not None:
            assessments.append(
                Assessment(
                    k,
                    nation,
                    KIND,
                    stance,
                    "Synthetic condition" if stance is Stance.CONDITIONAL else "",
                    US,
                    START - timedelta(days=30),
                )
            )
    return assessments


def _tasks(
    rng: random.Random,
    count: int,
    plan_rows: tuple[Plan, ...],
    types: list[str],
    nations: list[str],
) -> list[Task]:
    """``count`` tasks spread over the plans and over a year, some with a designated lead."""
    task_rows = []
    for t in range(count):
        first = rng.randrange(0, 330)
        task_rows.append(
            Task(
                t + 1,
                plan_rows[t % len(plan_rows)].key,
                f"Task {t + 1}",
                rng.choice(types),
                rng.randint(1, 4),
                START + timedelta(days=first),
                START + timedelta(days=first + rng.randrange(3, 60)),
                "Synthetic area",
                rng.choice(nations) if rng.random() < 0.3 else None,
                rng.randint(1, 5),
            )
        )
    return task_rows


def _assignments(
    rng: random.Random, caps: list[Capability], task_rows: list[Task], share: float
) -> list[Assignment]:
    """With ``share`` > 0, that share of tasks assigned in full to a random holder of its type."""
    assignments: list[Assignment] = []
    if share <= 0:
        return assignments
    holders: dict[str, list[str]] = {}
    for c in caps:
        holders.setdefault(c.ctype, []).append(c.nation)
    for row in task_rows:
        if rng.random() < share:
            nation = rng.choice(holders.get(row.ctype, [US]))
            assignments.append(Assignment(len(assignments) + 1, row.key, nation, row.quantity))
    return assignments
