"""Canary rows of the planning models, for the leak tests (``allied.core.testing.leaks``).

Each canary row's parents carry the same marking, so the row is visible exactly to those who may
see its marking, and the canary string sits in every text field a page or response could show.
A canary task also gets an assignment, and a canary plan a task, so that the matrix, the checks
and the optimiser all have the canary's data to (not) show.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model

from allied.core.models import Nation, StoredMarking
from allied.core.testing.leaks import canary_factory
from allied.planning.models import (
    Assignment,
    Assumption,
    CapabilityType,
    Contingency,
    PartnerCapability,
    Phase,
    PlanningRequest,
    RoleAnswer,
    Task,
    Willingness,
)

DAY = datetime.date(2027, 3, 1)


def _author() -> object:
    user, _ = get_user_model().objects.get_or_create(username="canary.author")
    return user


def _nation(iso3: str = "JPN") -> Nation:
    nation, _ = Nation.objects.get_or_create(iso3=iso3, defaults={"name": iso3, "source": "-"})
    return nation


def _ctype() -> CapabilityType:
    ctype, _ = CapabilityType.objects.get_or_create(
        code="CANARY-CAP", defaults={"name": "Canary capability", "unit": "unit"}
    )
    return ctype


def _plan(marking: StoredMarking, text: str) -> Contingency:
    obj = Contingency(
        name=f"Plan {text}",
        contingency_type="taiwan_strait",
        description=f"Plan description {text}",
        starts=DAY,
        ends=DAY + datetime.timedelta(days=90),
        created_by=_author(),
        marking=marking,
    )
    obj.save()
    return obj


def _task(plan: Contingency, marking: StoredMarking, text: str) -> Task:
    obj = Task(
        contingency=plan,
        name=f"Task {text}",
        capability_type=_ctype(),
        quantity=2,
        starts=DAY,
        ends=DAY + datetime.timedelta(days=30),
        location=f"Location {text}",
        lead=_nation(),
        priority=4,
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(Contingency)
def contingency(marking: StoredMarking, text: str) -> Contingency:
    plan = _plan(marking, text)
    Phase(
        contingency=plan, order=1, name=f"Phase of {text}", starts=DAY, ends=DAY, marking=marking
    ).save()
    task = _task(plan, marking, f"of plan {text}")
    Assignment(
        task=task, nation=_nation(), quantity=1, assigned_by=_author(), marking=marking
    ).save()
    return plan


@canary_factory(Phase)
def phase(marking: StoredMarking, text: str) -> Phase:
    obj = Phase(
        contingency=_plan(marking, f"for phase {text}"),
        order=1,
        name=f"Phase {text}",
        starts=DAY,
        ends=DAY + datetime.timedelta(days=10),
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(Task)
def task(marking: StoredMarking, text: str) -> Task:
    # The plan is unclassified: only the task itself is withheld.
    public = StoredMarking.objects.intern("UNCLASSIFIED")
    plan = _plan(public, "with a canary task")
    return _task(plan, marking, text)


@canary_factory(Assignment)
def assignment(marking: StoredMarking, text: str) -> Assignment:
    public = StoredMarking.objects.intern("UNCLASSIFIED")
    plan = _plan(public, "with a canary assignment")
    parent = _task(plan, public, "with a canary assignment")
    obj = Assignment(
        task=parent,
        nation=_nation("KOR"),
        quantity=3,
        assigned_by=_author(),
        marking=marking,
    )
    obj.save()
    # An assumption with the same marking beside it: the readiness report compares the two, so
    # the canary string reaches every surface that could quote the assignment.
    Assumption(
        contingency=plan,
        holder=_nation(),
        provider=_nation("KOR"),
        capability_type=_ctype(),
        quantity=5,
        note=f"Assumption beside assignment {text}",
        recorded_by=_author(),
        marking=marking,
    ).save()
    return obj


@canary_factory(PartnerCapability)
def capability(marking: StoredMarking, text: str) -> PartnerCapability:
    obj = PartnerCapability(
        nation=_nation(),
        capability_type=_ctype(),
        quantity=7,
        readiness=1,
        available_from=DAY,
        available_to=DAY + datetime.timedelta(days=200),
        location=f"Location {text}",
        source=f"Source {text}",
        as_of=DAY,
        recorded_by=_author(),
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(Willingness)
def willingness(marking: StoredMarking, text: str) -> Willingness:
    obj = Willingness(
        nation=_nation(),
        contingency_type="taiwan_strait",
        stance="conditional",
        conditions=f"Conditions {text}",
        assessed_by_nation=_nation("USA"),
        assessed_by=_author(),
        assessed_on=DAY,
        basis=f"Basis {text}",
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(Assumption)
def assumption(marking: StoredMarking, text: str) -> Assumption:
    public = StoredMarking.objects.intern("UNCLASSIFIED")
    plan = _plan(public, "with a canary assumption")
    obj = Assumption(
        contingency=plan,
        holder=_nation(),
        provider=_nation("USA"),
        capability_type=_ctype(),
        quantity=4,
        note=f"Assumption {text}",
        recorded_by=_author(),
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(PlanningRequest)
def planning_request(marking: StoredMarking, text: str) -> PlanningRequest:
    obj = PlanningRequest(
        nation=_nation(),
        kind="join",
        contingency=_plan(marking, f"for request {text}"),
        title=f"Request {text}",
        text=f"Request text {text}",
        requested_by=_author(),
        opened=DAY,
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(RoleAnswer)
def role_answer(marking: StoredMarking, text: str) -> RoleAnswer:
    # The plan, task and role are unclassified: only the answer is withheld. A conditional
    # answer, so that its conditions reach the plan page, the role page and the report.
    public = StoredMarking.objects.intern("UNCLASSIFIED")
    plan = _plan(public, "with a canary role answer")
    parent = _task(plan, public, "with a canary role answer")
    Assignment(
        task=parent, nation=_nation(), quantity=1, assigned_by=_author(), marking=public
    ).save()
    obj = RoleAnswer(
        task=parent,
        nation=_nation(),
        answer="conditional",
        conditions=f"Conditions {text}",
        reason=f"Reason {text}",
        answered_by=_author(),
        marking=marking,
    )
    obj.save()
    return obj
