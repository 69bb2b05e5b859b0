"""Fifty planners at once on one plan and one task (PostgreSQL only), on the page and through the
API: one change per version is kept, every other is refused with the version stored now, and a
partner's planning request is decided once however many deciders press at once
(``allied.core.testing.concurrency``)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from allied.core.models import AuditEntry, system_access
from allied.core.testing.concurrency import (
    CLIENTS,
    EditTarget,
    audit_entries,
    collide,
    edit_race,
    requires_postgresql,
    signed_in,
    status_of,
)
from allied.planning import demo
from allied.planning import models as m

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]

NOW_AT = "it is now at version 2"


def plan_a() -> m.Contingency:
    demo.seed()
    with system_access("tests: the demo plan"):
        return m.Contingency.objects.select_related("marking").get(name=demo.PLAN_A)


def stored(model: type[Any], pk: int, field: str) -> tuple[int, Any]:
    with system_access("tests: read the row back"):
        row = model.objects.get(pk=pk)
    return row.version, getattr(row, field)


def test_fifty_planners_editing_one_plan_on_its_page_and_through_the_api_one_wins(cast):
    plan = plan_a()
    half = CLIENTS // 2
    pages = signed_in(cast["us.planner"], half)
    api = signed_in(cast["us.planner"], kind=APIClient)
    form = dict(pages[0].get(f"/planning/{plan.pk}/edit/").context["form"].initial)
    assert form["version"] == 1

    def submit(i: int) -> Any:
        if i < half:
            return pages[i].post(f"/planning/{plan.pk}/edit/", {**form, "name": f"Edit {i}"})
        return api[i].patch(
            f"/api/planning/plans/{plan.pk}/", {"version": 1, "name": f"Edit {i}"}, format="json"
        )

    race = edit_race(
        EditTarget(
            submit=submit,
            accepted=lambda i: 302 if i < half else 200,
            read_back=lambda: stored(m.Contingency, plan.pk, "name"),
            change_of=lambda i: f"Edit {i}",
            entries=lambda: audit_entries("planning.contingency", plan.pk),
            start_version=1,
            conflict_says=(NOW_AT, "nothing was saved"),
        )
    )
    assert sum(race.statuses.values()) == CLIENTS


def test_fifty_planners_editing_one_task_through_the_api_one_wins(cast):
    plan = plan_a()
    with system_access("tests: a task of the plan"):
        task = m.Task.objects.filter(contingency=plan).order_by("pk").first()
    assert task is not None
    api = signed_in(cast["us.planner"], kind=APIClient)
    edit_race(
        EditTarget(
            submit=lambda i: api[i].patch(
                f"/api/planning/tasks/{task.pk}/",
                {"version": 1, "location": f"Place {i}"},
                format="json",
            ),
            accepted=200,
            read_back=lambda: stored(m.Task, task.pk, "location"),
            change_of=lambda i: f"Place {i}",
            entries=lambda: audit_entries("planning.task", task.pk),
            start_version=1,
            conflict_says=(NOW_AT, "nothing was saved"),
        )
    )


def test_fifty_deciders_on_one_planning_request_decide_it_once(cast):
    plan_a()
    with system_access("tests: an open request"):
        row = m.PlanningRequest.objects.filter(status="open").order_by("pk").first()
    assert row is not None
    half = CLIENTS // 2
    group = signed_in(cast["wg.member"], half, kind=APIClient)
    planners = signed_in(cast["us.planner"], CLIENTS - half, kind=APIClient)
    clients = group + planners
    before = AuditEntry.objects.filter(action="decision").count()
    attempts = collide(
        [
            (
                lambda i=i: clients[i].post(
                    f"/api/planning/requests/{row.pk}/decide/",
                    {"decision": "accept" if i % 2 else "decline", "note": f"Decider {i}"},
                    format="json",
                )
            )
            for i in range(CLIENTS)
        ]
    )
    statuses = [status_of(a.unwrap()) for a in attempts]
    assert statuses.count(200) == 1 and statuses.count(400) == CLIENTS - 1, statuses
    assert AuditEntry.objects.filter(action="decision").count() == before + 1
    with system_access("tests: the decision"):
        decided = m.PlanningRequest.objects.get(pk=row.pk)
    winner = statuses.index(200)
    assert decided.decision_note == f"Decider {winner}"
    assert decided.status == ("accepted" if winner % 2 else "declined")
