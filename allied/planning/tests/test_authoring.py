"""Writing plans through the pages and the API, as a new planner would, on the fictional demo.

A U.S. planner starts a plan, adds a phase and tasks, assigns them and edits them; the Japanese
planner may read a plan released to Japan but not write to a U.S. plan, and keeps a plan of its
own; edits name the version they started from so two planners cannot overwrite each other; the
working group accepts or declines a partner's planning request once. Every write is audited.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from allied.core import audit
from allied.core.models import AuditEntry, system_access
from allied.planning import demo
from allied.planning import models as m
from allied.planning.queue import open_requests
from allied.planning.tests.test_planning import client_for, seeded, text_of

pytestmark = pytest.mark.django_db
__all__ = ["seeded"]

D = datetime.date


def api_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def writes() -> int:
    return AuditEntry.objects.filter(action="write").count()


def count(model: type[Any]) -> int:
    with system_access("tests: count rows"):
        return int(model.objects.count())


def new_plan(client: Any, **over: Any) -> Any:
    data = {
        "name": "Fictional typhoon relief, Luzon",
        "contingency_type": "hadr",
        "description": "Fictional: relief after a typhoon.",
        "starts": "2027-08-01",
        "ends": "2027-09-30",
        "marking": "SECRET//REL TO USA, PHL",
        **over,
    }
    return client.post(reverse("planning:plan-create"), data)


def the_plan(name: str = "Fictional typhoon relief, Luzon") -> m.Contingency:
    with system_access("tests: find the plan"):
        return m.Contingency.objects.select_related("marking").get(name=name)


def test_a_us_planner_writes_a_plan_phase_tasks_and_assignments_through_the_pages(seeded):
    planner = client_for(seeded["cast"]["us.planner"])
    assert "New plan" in text_of(planner.get(reverse("planning:plan-list")))
    before = writes()
    assert new_plan(planner).status_code == 302
    plan = the_plan()
    assert plan.owner_id == "USA" and plan.version == 1
    detail = text_of(planner.get(reverse("planning:plan-detail", args=[plan.pk])))
    assert "Add a task" in detail and "Edit the plan" in detail

    phase = planner.post(
        reverse("planning:phase-create", args=[plan.pk]),
        {
            "order": 1,
            "name": "Relief",
            "starts": "2027-08-01",
            "ends": "2027-09-30",
            "marking": "SECRET//REL TO USA, PHL",
        },
    )
    assert phase.status_code == 302
    with system_access("tests: the phase"):
        phase_row = m.Phase.objects.get(contingency=plan)
    response = planner.post(
        reverse("planning:task-create", args=[plan.pk]),
        {
            "name": "Airlift relief supplies",
            "phase": phase_row.pk,
            "capability_type": "STRAT-LIFT",
            "quantity": 6,
            "starts": "2027-08-03",
            "ends": "2027-08-20",
            "location": "Clark",
            "lead": "phl",
            "priority": 4,
            "marking": "SECRET//REL TO USA, PHL",
        },
    )
    assert response.status_code == 302, text_of(response)
    with system_access("tests: the task"):
        task = m.Task.objects.get(contingency=plan)
    assert task.lead_id == "PHL" and task.phase_id == phase_row.pk

    assign = reverse("planning:assignment-create", args=[task.pk])
    ok = planner.post(assign, {"nation": "phl", "quantity": 2, "is_lead": "on", "marking": ""})
    assert ok.status_code == 302
    second_lead = planner.post(assign, {"nation": "USA", "quantity": 4, "is_lead": "on"})
    assert second_lead.status_code == 400 and "PHL already leads" in text_of(second_lead)
    assert planner.post(assign, {"nation": "USA", "quantity": 4}).status_code == 302
    with system_access("tests: assignments"):
        rows = {a.nation_id: a for a in m.Assignment.objects.filter(task=task)}
    assert set(rows) == {"PHL", "USA"} and rows["PHL"].is_lead
    # A blank marking is the roll-up of what the assignment relies on: at least the task's.
    assert "REL TO" in rows["PHL"].marking.text or "NOFORN" in rows["PHL"].marking.text
    matrix = text_of(planner.get(reverse("planning:plan-detail", args=[plan.pk])))
    assert "2 L" in matrix and "Remove" in matrix

    removed = planner.post(reverse("planning:assignment-delete", args=[rows["USA"].pk]))
    assert removed.status_code == 302
    with system_access("tests: assignments"):
        assert set(m.Assignment.objects.filter(task=task).values_list("nation_id", flat=True)) == {
            "PHL"
        }
    # Plan, phase, task, two assignments and a removal: six audited writes.
    assert writes() - before == 6


def test_windows_must_nest_in_the_plan_and_errors_name_the_field(seeded):
    planner = client_for(seeded["cast"]["us.planner"])
    backwards = new_plan(planner, starts="2027-09-30", ends="2027-08-01")
    assert backwards.status_code == 400 and "must end on or after" in text_of(backwards)
    assert new_plan(planner).status_code == 302
    plan = the_plan()
    tasks = count(m.Task)
    outside = planner.post(
        reverse("planning:task-create", args=[plan.pk]),
        {
            "name": "Too early",
            "capability_type": "STRAT-LIFT",
            "quantity": 1,
            "starts": "2027-07-01",
            "ends": "2027-08-05",
            "location": "Clark",
            "priority": 3,
            "marking": "SECRET//REL TO USA, PHL",
        },
    )
    assert outside.status_code == 400 and "within the plan" in text_of(outside)
    bad_lead = planner.post(
        reverse("planning:task-create", args=[plan.pk]),
        {
            "name": "No such lead",
            "capability_type": "STRAT-LIFT",
            "quantity": 1,
            "starts": "2027-08-02",
            "ends": "2027-08-05",
            "location": "Clark",
            "lead": "XYZ",
            "priority": 3,
            "marking": "SECRET//REL TO USA, PHL",
        },
    )
    assert bad_lead.status_code == 400 and "No nation has the code" in text_of(bad_lead)
    # A marking its author could not read back is refused (markings.md rule: the writer must
    # be able to see what it writes).
    unreadable = new_plan(planner, name="Too high", marking="TOP SECRET//NOFORN")
    assert unreadable.status_code == 400 and "nothing was saved" in text_of(unreadable)
    assert count(m.Task) == tasks
    with system_access("tests: no plan"):
        assert not m.Contingency.objects.filter(name="Too high").exists()


def test_an_edit_from_a_stale_version_saves_nothing_and_says_so(seeded):
    planner = client_for(seeded["cast"]["us.planner"])
    new_plan(planner)
    plan = the_plan()
    url = reverse("planning:plan-edit", args=[plan.pk])
    form = {
        "name": "Fictional typhoon relief, Luzon and Visayas",
        "contingency_type": "hadr",
        "starts": "2027-08-01",
        "ends": "2027-09-30",
        "marking": "SECRET//REL TO USA, PHL",
        "version": 1,
    }
    assert planner.post(url, form).status_code == 302
    assert the_plan(form["name"]).version == 2
    stale = planner.post(url, {**form, "name": "Overwrite"})
    assert stale.status_code == 409 and "version 2" in text_of(stale)
    assert the_plan(form["name"]).version == 2
    with system_access("tests: no overwrite"):
        assert not m.Contingency.objects.filter(name="Overwrite").exists()


def test_a_partner_planner_reads_but_cannot_write_a_us_plan_and_keeps_its_own(seeded):
    japan = client_for(seeded["cast"]["jpn.liaison"])
    released = seeded["b"] if "JPN" in seeded["b"].marking.text else seeded["a"]
    assert japan.get(reverse("planning:plan-detail", args=[released.pk])).status_code == 200
    for name in ("planning:plan-edit", "planning:task-create", "planning:phase-create"):
        assert japan.get(reverse(name, args=[released.pk])).status_code == 404
    page = text_of(japan.get(reverse("planning:plan-detail", args=[released.pk])))
    assert "Edit the plan" not in page and "Add a task" not in page
    own = japan.post(
        reverse("planning:plan-create"),
        {
            "name": "Fictional JSDF evacuation plan",
            "contingency_type": "sea_lanes",
            "starts": "2027-01-01",
            "ends": "2027-02-01",
            "marking": "SECRET//REL TO USA, JPN",
        },
    )
    assert own.status_code == 302
    plan = the_plan("Fictional JSDF evacuation plan")
    assert plan.owner_id == "JPN"
    # The U.S. planner reads it (released to the U.S.) but writes only to U.S. plans.
    us = client_for(seeded["cast"]["us.planner"])
    assert us.get(reverse("planning:plan-detail", args=[plan.pk])).status_code == 200
    assert us.get(reverse("planning:plan-edit", args=[plan.pk])).status_code == 404


def test_the_api_writes_with_the_same_rules(seeded):
    us = api_for(seeded["cast"]["us.planner"])
    made = us.post(
        "/api/planning/plans/",
        {
            "name": "Fictional API plan",
            "contingency_type": "hadr",
            "starts": "2027-08-01",
            "ends": "2027-09-30",
            "marking": "SECRET//REL TO USA, PHL",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    plan = made.json()
    assert plan["owner"] == "USA" and plan["version"] == 1
    task = us.post(
        "/api/planning/tasks/",
        {
            "plan": plan["id"],
            "name": "Sealift",
            "capability_type": "MCM",
            "quantity": 3,
            "starts": "2027-08-02",
            "ends": "2027-08-09",
            "location": "Subic",
            "marking": "SECRET//REL TO USA, PHL",
        },
        format="json",
    )
    assert task.status_code == 201, task.content
    tid = task.json()["id"]
    edit = us.patch(f"/api/planning/tasks/{tid}/", {"quantity": 4, "version": 1}, format="json")
    assert edit.status_code == 200 and edit.json()["quantity"] == 4
    stale = us.patch(f"/api/planning/tasks/{tid}/", {"quantity": 9, "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["version"] == 2
    no_version = us.patch(f"/api/planning/plans/{plan['id']}/", {"name": "x"}, format="json")
    assert no_version.status_code == 400 and "version" in no_version.json()
    a = us.post(
        "/api/planning/assignments/",
        {"task": tid, "nation": "PHL", "quantity": 2, "is_lead": True},
        format="json",
    )
    assert a.status_code == 201, a.content
    wrong = us.post(
        "/api/planning/assignments/",
        {"task": tid, "nation": "QQQ", "quantity": "two"},
        format="json",
    )
    assert wrong.status_code == 400 and "quantity" in wrong.json()
    # The Japanese planner may not see this plan at all: naming it reads as missing.
    japan = api_for(seeded["cast"]["jpn.liaison"])
    hidden = japan.post(
        "/api/planning/tasks/",
        {
            "plan": plan["id"],
            "name": "x",
            "capability_type": "MCM",
            "quantity": 1,
            "starts": "2027-08-02",
            "ends": "2027-08-09",
            "location": "x",
            "marking": "SECRET//REL TO USA, JPN",
        },
        format="json",
    )
    assert hidden.status_code == 400 and hidden.json() == {"plan": ["No such record."]}
    assert japan.delete(f"/api/planning/assignments/{a.json()['id']}/").status_code == 404
    assert us.delete(f"/api/planning/assignments/{a.json()['id']}/").status_code == 204


def test_the_working_group_accepts_or_declines_a_request_once(seeded):
    cast = seeded["cast"]
    japan = client_for(cast["jpn.liaison"])
    japan.post(
        reverse("planning:request-create"),
        {
            "kind": "join",
            "title": "Fictional: join the evacuation planning",
            "text": "Japan asks to join.",
            "marking": "SECRET//REL TO USA, JPN",
        },
    )
    with system_access("tests: the request"):
        row = m.PlanningRequest.objects.get(title="Fictional: join the evacuation planning")
    url = reverse("planning:request-detail", args=[row.pk])
    # The partner reads its request but has no decision form; posting one is refused as 404.
    assert "Record the decision" not in text_of(japan.get(url))
    assert japan.post(url, {"decision": "accept"}).status_code == 404
    group = client_for(cast["wg.member"])
    assert "Record the decision" in text_of(group.get(url))
    no_reason = group.post(url, {"decision": "decline", "note": " "})
    assert no_reason.status_code == 400 and "Say why" in text_of(no_reason)
    before = AuditEntry.objects.filter(action="decision").count()
    assert group.post(url, {"decision": "accept", "note": "Welcome."}).status_code == 302
    assert AuditEntry.objects.filter(action="decision").count() == before + 1
    again = api_for(cast["us.planner"]).post(
        f"/api/planning/requests/{row.pk}/decide/", {"decision": "decline", "note": "No"}
    )
    assert again.status_code == 400 and "already decided" in str(again.json())
    assert AuditEntry.objects.filter(action="decision").count() == before + 1
    page = text_of(japan.get(url))
    assert "Accepted" in page and "Welcome." in page
    today = datetime.date.today()
    assert not [
        i for i in open_requests(cast["wg.member"].principal, today) if row.title in i.title
    ]
    assert (
        api_for(cast["jpn.liaison"])
        .post(f"/api/planning/requests/{row.pk}/decide/", {"decision": "accept"})
        .status_code
        == 403
    )


def test_the_demo_plans_belong_to_the_united_states(seeded):
    with system_access("tests: owners"):
        assert set(m.Contingency.objects.values_list("owner_id", flat=True)) == {"USA"}
    assert demo.seed() == 0


def test_the_decide_endpoint_tells_the_caller_whether_it_may_decide(seeded):
    cast = seeded["cast"]
    made = api_for(cast["jpn.liaison"]).post(
        "/api/planning/requests/",
        {
            "kind": "join",
            "title": "Fictional join",
            "text": "x",
            "marking": "SECRET//REL TO USA, JPN",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    url = f"/api/planning/requests/{made.json()['id']}/decide/"
    assert api_for(cast["jpn.liaison"]).get(url).json()["may_decide"] is False
    assert api_for(cast["wg.member"]).get(url).json()["may_decide"] is True
    # A Korean liaison may not see Japan's request: the same answer as a missing one.
    assert api_for(cast["kor.liaison"]).get(url).status_code == 404


def test_the_task_forms_record_the_phases_they_offer_as_shown(seeded):
    plan = seeded["a"]
    client = client_for(seeded["cast"]["us.planner"])
    assert client.get(reverse("planning:task-create", args=[plan.pk])).status_code == 200
    with system_access("tests: the plan's phases"):
        rows = m.Phase.objects.filter(contingency=plan)
        phases = {str(pk) for pk in rows.values_list("pk", flat=True)}
    # A page of rows is one entry that lists each (issue 15, point 6).
    entries = AuditEntry.objects.filter(action="read", actor_name="us.planner")
    read = {i for kind, i, _ in audit.objects_named(entries) if kind == "planning.phase"}
    assert phases and phases <= read
