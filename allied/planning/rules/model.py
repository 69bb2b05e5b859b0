"""The planning data as the pure checks and the optimiser see it: plain, frozen dataclasses.

Callers build a ``PlanningData`` from what one viewer may see (restricted querysets), so nothing
computed from it can involve a row that viewer may not see. Dates are ``datetime.date``; windows
are inclusive at both ends.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from allied.planning.rules.answers import RoleAnswer, declined_pairs

US = "USA"

#: The contingency types willingness is recorded against (public vocabulary of the module).
CONTINGENCY_TYPES: Mapping[str, str] = {
    "korean_peninsula": "Korean Peninsula",
    "taiwan_strait": "Taiwan Strait",
    "south_china_sea": "South China Sea",
    "sea_lanes": "Sea lanes of communication",
    "hadr": "Humanitarian assistance and disaster relief",
}

#: Readiness levels as C-ratings; a C4 holding is not counted as capacity.
READINESS_LABELS: Mapping[int, str] = {
    1: "C1: fully ready",
    2: "C2: substantially ready",
    3: "C3: marginally ready",
    4: "C4: not ready",
}
NOT_READY = 4


class Stance(enum.Enum):
    WILLING = "willing"
    CONDITIONAL = "conditional"
    UNWILLING = "unwilling"

    @property
    def label(self) -> str:
        return {"willing": "Willing", "conditional": "Conditional", "unwilling": "Unwilling"}[
            self.value
        ]

    @property
    def restriction(self) -> int:
        """How far the stance restricts a role: the most restrictive assessment wins."""
        return {"willing": 0, "conditional": 1, "unwilling": 2}[self.value]


@dataclass(frozen=True)
class Capability:
    key: int
    nation: str
    ctype: str
    quantity: int
    readiness: int
    starts: date
    ends: date
    location: str = ""
    source: str = ""
    as_of: date | None = None

    @property
    def counts(self) -> bool:
        """Whether the holding counts as capacity (C4, not ready, does not)."""
        return self.readiness < NOT_READY and self.quantity > 0


@dataclass(frozen=True)
class Assessment:
    """One willingness assessment of ``nation`` for a contingency type, by ``assessed_by``."""

    key: int
    nation: str
    contingency_type: str
    stance: Stance
    conditions: str
    assessed_by: str
    assessed_on: date


@dataclass(frozen=True)
class Plan:
    key: int
    name: str
    contingency_type: str
    starts: date
    ends: date


@dataclass(frozen=True)
class Task:
    key: int
    plan: int
    name: str
    ctype: str
    quantity: int
    starts: date
    ends: date
    location: str = ""
    lead: str | None = None
    priority: int = 3


@dataclass(frozen=True)
class Assignment:
    key: int
    task: int
    nation: str
    quantity: int
    is_lead: bool = False
    #: Why the assigned nation cannot read this assignment ("" when it can, or is the U.S.).
    unreadable: str = ""


@dataclass(frozen=True)
class Assumption:
    """``holder``'s planners assume ``provider`` provides ``quantity`` of ``ctype`` in ``plan``."""

    key: int
    plan: int
    holder: str
    provider: str
    ctype: str
    quantity: int
    note: str = ""


@dataclass(frozen=True)
class Willingness:
    """A partner's resolved stance for one contingency type and the assessments behind it."""

    nation: str
    contingency_type: str
    stance: Stance | None
    basis: tuple[Assessment, ...]

    @property
    def usable(self) -> bool:
        return self.stance in (Stance.WILLING, Stance.CONDITIONAL)

    def describe(self) -> str:
        if self.nation == US and not self.basis:
            return "the United States (its own plan)"
        if self.stance is None:
            return f"{self.nation}: no willingness assessment recorded"
        parts = [
            f"{a.stance.value} per {a.assessed_by} on {a.assessed_on.isoformat()}"
            + (f" (conditions: {a.conditions})" if a.conditions else "")
            for a in self.basis
        ]
        return f"{self.nation}: {self.stance.value} ({'; '.join(parts)})"


@dataclass(frozen=True)
class PlanningData:
    """Everything the checks and the optimiser read, all of it visible to one viewer."""

    plans: tuple[Plan, ...] = ()
    tasks: tuple[Task, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    capabilities: tuple[Capability, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    assumptions: tuple[Assumption, ...] = ()
    #: Partners' answers to their roles (``allied.planning.rules.answers``) the viewer sees.
    answers: tuple[RoleAnswer, ...] = ()

    @cached_property
    def declined(self) -> frozenset[tuple[int, str]]:
        """The (task, nation) roles their partner declined: never proposed again."""
        return declined_pairs(self.answers)

    @cached_property
    def plan_by_key(self) -> dict[int, Plan]:
        return {p.key: p for p in self.plans}

    @cached_property
    def task_by_key(self) -> dict[int, Task]:
        # A task of a plan the viewer cannot see is left out: it has no context to be read in.
        return {t.key: t for t in self.tasks if t.plan in self.plan_by_key}

    @cached_property
    def assignments_by_task(self) -> dict[int, list[Assignment]]:
        out: dict[int, list[Assignment]] = defaultdict(list)
        for a in self.assignments:
            if a.task in self.task_by_key:
                out[a.task].append(a)
        return out

    @cached_property
    def capabilities_by(self) -> dict[tuple[str, str], list[Capability]]:
        out: dict[tuple[str, str], list[Capability]] = defaultdict(list)
        for c in self.capabilities:
            out[(c.nation, c.ctype)].append(c)
        return out

    @cached_property
    def nations_by_ctype(self) -> dict[str, list[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for nation, ctype in self.capabilities_by:
            out[ctype].add(nation)
        return {k: sorted(v) for k, v in out.items()}

    @cached_property
    def _assessments_by(self) -> dict[tuple[str, str], list[Assessment]]:
        out: dict[tuple[str, str], list[Assessment]] = defaultdict(list)
        for a in self.assessments:
            out[(a.nation, a.contingency_type)].append(a)
        return out

    def tasks_of(self, plan: int) -> list[Task]:
        return [t for t in self.task_by_key.values() if t.plan == plan]

    def willingness(self, nation: str, contingency_type: str) -> Willingness:
        """The stance of ``nation``: the latest assessment of each assessor, most restrictive
        of those. The United States is willing in its own plans unless assessed otherwise."""
        return resolve_willingness(
            nation, contingency_type, self._assessments_by.get((nation, contingency_type), [])
        )


def resolve_willingness(
    nation: str, contingency_type: str, assessments: Iterable[Assessment]
) -> Willingness:
    latest: dict[str, Assessment] = {}
    for a in assessments:
        held = latest.get(a.assessed_by)
        if held is None or (a.assessed_on, a.key) > (held.assessed_on, held.key):
            latest[a.assessed_by] = a
    basis = tuple(sorted(latest.values(), key=lambda a: (a.assessed_by, a.key)))
    if not basis:
        stance = Stance.WILLING if nation == US else None
        return Willingness(nation, contingency_type, stance, ())
    stance = max((a.stance for a in basis), key=lambda s: s.restriction)
    return Willingness(nation, contingency_type, stance, basis)


def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    return a_start <= b_end and b_start <= a_end
