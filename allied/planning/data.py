"""Planning data as one viewer may see it, read through restricted querysets only.

``load`` reads the visible plans (all, or those concurrent with a focus plan), their visible
phases, tasks, assignments and assumptions, and the visible capabilities and willingness
assessments, and turns them into the pure ``PlanningData`` the checks and the optimiser read. A row
whose parent the viewer may not see is left out (a visible task of a hidden plan has no context to
be read in). ``rows`` lists every marked row used, so pages can roll their banner up from them and
audit the reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q

from allied.core.models.marked import MarkedModel
from allied.markings import Level
from allied.markings.access import Viewer
from allied.planning import models as m
from allied.planning.rules import answers
from allied.planning.rules import model as pure
from allied.planning.rules.roles import role_visibility


@dataclass
class Loaded:
    data: pure.PlanningData
    plans: dict[int, m.Contingency] = field(default_factory=dict)
    phases: dict[int, m.Phase] = field(default_factory=dict)
    tasks: dict[int, m.Task] = field(default_factory=dict)
    assignments: dict[int, m.Assignment] = field(default_factory=dict)
    capabilities: dict[int, m.PartnerCapability] = field(default_factory=dict)
    assessments: dict[int, m.Willingness] = field(default_factory=dict)
    assumptions: dict[int, m.Assumption] = field(default_factory=dict)
    #: Partners' answers to their roles on the loaded tasks (``RoleAnswer``).
    answers: dict[int, m.RoleAnswer] = field(default_factory=dict)
    #: Why the assigned nation cannot read an assignment, by assignment id (readable: absent).
    unreadable: dict[int, str] = field(default_factory=dict)

    def rows(self) -> list[MarkedModel]:
        out: list[MarkedModel] = []
        for group in (
            self.plans,
            self.phases,
            self.tasks,
            self.assignments,
            self.capabilities,
            self.assessments,
            self.assumptions,
            self.answers,
        ):
            out.extend(group.values())
        return out

    def rows_of_plan(self, plan: int) -> list[MarkedModel]:
        """The rows a page about ``plan`` shows: the plan's own, and what its checks rely on."""
        tasks = {k for k, t in self.tasks.items() if t.contingency_id == plan}
        out: list[MarkedModel] = [self.plans[plan]]
        out += [p for p in self.phases.values() if p.contingency_id == plan]
        out += [self.tasks[k] for k in sorted(tasks)]
        out += [a for a in self.assignments.values() if a.task_id in tasks]
        out += [a for a in self.assumptions.values() if a.contingency_id == plan]
        out += [a for a in self.answers.values() if a.task_id in tasks]
        return out

    def rows_of_findings(self, findings: Any) -> list[MarkedModel]:
        """The rows the evidence of ``findings`` quotes (willingness, capabilities...)."""
        lookup: dict[str, dict[int, Any]] = {
            "task": self.tasks,
            "assignment": self.assignments,
            "capability": self.capabilities,
            "willingness": self.assessments,
            "assumption": self.assumptions,
        }
        seen: dict[tuple[str, int], MarkedModel] = {}
        for f in findings:
            for e in f.evidence:
                row = lookup.get(e.kind, {}).get(e.key)
                if row is not None:
                    seen[(e.kind, e.key)] = row
        return list(seen.values())


def nation_viewer(iso3: str, on: date | None = None) -> Viewer:
    """A nation as the releasability rules see it: its communities on ``on`` (today)."""
    from allied.core.viewers import partner_viewer

    return partner_viewer(iso3, Level.TS, on or date.today())


def role_parents(task: m.Task, plan: m.Contingency) -> list[tuple[str, Any]]:
    """What a role is read in, for ``allied.planning.rules.roles.role_visibility``."""
    return [("plan", plan.marking.marking), ("task", task.marking.marking)]


def unreadable_by_nation(
    rows: Any,
    on: date | None = None,
    cache: dict[str, Viewer] | None = None,
    parents: Any = None,
) -> dict[int, str]:
    """For each assignment its nation cannot see, why (``allied.planning.rules.roles``).

    ``parents(assignment)`` gives the markings of its task and plan (``role_parents``); without
    it they are read from the assignment's task and the task's plan, as the caller loaded them.
    """
    cache = {} if cache is None else cache
    out: dict[int, str] = {}
    for a in rows:
        if a.nation_id == pure.US:
            continue
        nation = cache.get(a.nation_id)
        if nation is None:
            nation = cache[a.nation_id] = nation_viewer(a.nation_id, on)
        around = parents(a) if parents else role_parents(a.task, a.task.contingency)
        readable, reason, rule = role_visibility(nation, a.marking.marking, around, on)
        if not readable:
            out[a.pk] = f"{reason} (rule {rule})" if rule else reason
    return out


def load(viewer: Any, *, focus: m.Contingency | None = None, on: date | None = None) -> Loaded:
    """Everything ``viewer`` may see that the checks on ``focus`` (or on every plan) rely on."""
    plans = m.Contingency.objects.visible_to(viewer, on=on).select_related("marking")
    if focus is not None:
        plans = plans.filter(Q(pk=focus.pk) | Q(starts__lte=focus.ends, ends__gte=focus.starts))
    loaded = Loaded(pure.PlanningData())
    loaded.plans = {p.pk: p for p in plans}
    keys = list(loaded.plans)
    loaded.phases = {
        p.pk: p
        for p in m.Phase.objects.visible_to(viewer, on=on)
        .select_related("marking")
        .filter(contingency_id__in=keys)
    }
    loaded.tasks = {
        t.pk: t
        for t in m.Task.objects.visible_to(viewer, on=on)
        .select_related("marking", "capability_type")
        .filter(contingency_id__in=keys)
    }
    loaded.assignments = {
        a.pk: a
        for a in m.Assignment.objects.visible_to(viewer, on=on)
        .select_related("marking")
        .filter(task_id__in=list(loaded.tasks))
    }
    loaded.assumptions = {
        a.pk: a
        for a in m.Assumption.objects.visible_to(viewer, on=on)
        .select_related("marking", "capability_type")
        .filter(contingency_id__in=keys)
    }
    loaded.answers = {
        a.pk: a
        for a in m.RoleAnswer.objects.visible_to(viewer, on=on)
        .select_related("marking")
        .filter(task_id__in=list(loaded.tasks))
    }
    ctypes = {t.capability_type_id for t in loaded.tasks.values()}
    ctypes |= {a.capability_type_id for a in loaded.assumptions.values()}
    loaded.capabilities = {
        c.pk: c
        for c in m.PartnerCapability.objects.visible_to(viewer, on=on)
        .select_related("marking", "capability_type")
        .filter(capability_type_id__in=ctypes)
    }
    kinds = {p.contingency_type for p in loaded.plans.values()}
    loaded.assessments = {
        w.pk: w
        for w in m.Willingness.objects.visible_to(viewer, on=on)
        .select_related("marking")
        .filter(contingency_type__in=kinds)
    }

    def parents(a: m.Assignment) -> list[tuple[str, Any]]:
        task = loaded.tasks[a.task_id]
        return role_parents(task, loaded.plans[task.contingency_id])

    loaded.unreadable = unreadable_by_nation(loaded.assignments.values(), on, parents=parents)
    loaded.data = to_pure(loaded)
    return loaded


def to_pure(loaded: Loaded) -> pure.PlanningData:
    return pure.PlanningData(
        plans=tuple(
            pure.Plan(p.pk, p.name, p.contingency_type, p.starts, p.ends)
            for p in loaded.plans.values()
        ),
        tasks=tuple(
            pure.Task(
                t.pk,
                t.contingency_id,
                t.name,
                t.capability_type.code,
                t.quantity,
                t.starts,
                t.ends,
                t.location,
                t.lead_id,
                t.priority,
            )
            for t in loaded.tasks.values()
        ),
        assignments=tuple(
            pure.Assignment(
                a.pk, a.task_id, a.nation_id, a.quantity, a.is_lead, loaded.unreadable.get(a.pk, "")
            )
            for a in loaded.assignments.values()
        ),
        capabilities=tuple(
            pure.Capability(
                c.pk,
                c.nation_id,
                c.capability_type.code,
                c.quantity,
                c.readiness,
                c.available_from,
                c.available_to,
                c.location,
                c.source,
                c.as_of,
            )
            for c in loaded.capabilities.values()
        ),
        assessments=tuple(
            pure.Assessment(
                w.pk,
                w.nation_id,
                w.contingency_type,
                pure.Stance(w.stance),
                w.conditions,
                w.assessed_by_nation_id,
                w.assessed_on,
            )
            for w in loaded.assessments.values()
        ),
        assumptions=tuple(
            pure.Assumption(
                a.pk,
                a.contingency_id,
                a.holder_id,
                a.provider_id,
                a.capability_type.code,
                a.quantity,
                a.note,
            )
            for a in loaded.assumptions.values()
        ),
        answers=tuple(pure_answer(a) for a in loaded.answers.values()),
    )


def pure_answer(row: m.RoleAnswer) -> answers.RoleAnswer:
    """A partner's answer to its role as the pure rules read it."""
    return answers.RoleAnswer(
        row.pk,
        row.task_id,
        row.nation_id,
        answers.Answer(row.answer),
        row.answered_at,
        row.conditions,
        row.reason,
    )


def with_visible_plan(requests: Any, viewer: Any) -> Any:
    """Planning requests about no plan, or about a plan ``viewer`` may see (a request about a
    hidden plan would give the plan's existence away)."""
    plans = m.Contingency.objects.visible_to(viewer).values("pk")
    return requests.select_related("marking").filter(
        Q(contingency__isnull=True) | Q(contingency__in=plans)
    )
