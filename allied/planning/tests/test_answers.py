"""Partners answer their roles through the pages, on the fictional demo: Japan accepts with a
condition, the plan shows it, the readiness report names the roles resting on no acceptance, and
the plan is marked validated by partners only when every partner role is accepted.

Rule numbers are those of ``../shared/reference/markings.md`` (24-26: releasability to a nation).
"""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.urls import reverse

from allied.core.models import system_access
from allied.planning import models as m
from allied.planning.data import load
from allied.planning.rules.optimiser import propose
from allied.planning.tests.test_planning import client_for, seeded, text_of

pytestmark = pytest.mark.django_db
__all__ = ["seeded"]


def role_of(plan: m.Contingency, task: str, nation: str) -> m.Assignment:
    with system_access("tests: find the role"):
        return m.Assignment.objects.get(task__contingency=plan, task__name=task, nation_id=nation)


def answers() -> int:
    with system_access("tests: count answers"):
        return int(m.RoleAnswer.objects.count())


def test_japan_accepts_its_role_with_a_condition_and_the_plan_shows_it(seeded: Any) -> None:
    cast, plan = seeded["cast"], seeded["a"]
    role = role_of(plan, "Rear-area port and airfield support", "JPN")
    url = reverse("planning:role-detail", args=[role.pk])
    client = client_for(cast["jpn.liaison"])
    assert "Record the answer" in text_of(client.get(url))
    before = answers()
    refused = client.post(url, {"answer": "conditional", "conditions": "  "})
    assert refused.status_code == 400 and "Say the conditions" in text_of(refused)
    assert answers() == before
    done = client.post(url, {"answer": "conditional", "conditions": "Only from Kyushu ports."})
    assert done.status_code == 302 and answers() == before + 1
    page = text_of(
        client_for(cast["us.planner"]).get(reverse("planning:plan-detail", args=[plan.pk]))
    )
    assert "Accepted with conditions" in page and "Only from Kyushu ports." in page


def test_only_the_roles_nation_answers_it_and_a_hidden_role_is_not_found(seeded: Any) -> None:
    cast, plan = seeded["cast"], seeded["a"]
    role = role_of(plan, "Rear-area port and airfield support", "JPN")
    url = reverse("planning:role-detail", args=[role.pk])
    # The U.S. planner reads Japan's role but does not answer for Japan.
    us = client_for(cast["us.planner"])
    assert us.get(url).status_code == 200
    assert us.post(url, {"answer": "accepted"}).status_code == 403
    # Korea cannot read a plan released to USA, AUS, JPN (rule 24(b)): the role is not found.
    kor = client_for(cast["kor.liaison"])
    assert kor.get(url).status_code == 404
    assert kor.post(url, {"answer": "accepted"}).status_code == 404
    # Australia reads the role but it is Japan's to answer.
    assert client_for(cast["aus.liaison"]).post(url, {"answer": "accepted"}).status_code == 403
    with system_access("tests: count answers"):
        assert not m.RoleAnswer.objects.filter(answer="accepted").exists()


def test_the_readiness_report_names_the_roles_resting_on_no_acceptance(seeded: Any) -> None:
    cast, plan = seeded["cast"], seeded["a"]
    url = reverse("planning:plan-readiness", args=[plan.pk])
    page = html.unescape(text_of(client_for(cast["us.planner"]).get(url)))
    assert "(h) A partner role rests on no acceptance" in page
    assert "PHL's role on Maritime patrol of the Luzon Strait rests on no acceptance" in page
    assert "JPN's role on Rear-area port and airfield support rests" not in page


def test_validated_by_partners_is_refused_with_the_missing_acceptances(seeded: Any) -> None:
    cast, plan = seeded["cast"], seeded["a"]
    url = reverse("planning:plan-validate", args=[plan.pk])
    us = client_for(cast["us.planner"])
    refused = us.post(url, {"version": plan.version})
    assert refused.status_code == 400
    assert "PHL on Maritime patrol of the Luzon Strait: proposed" in text_of(refused)
    assert "KOR on Defend forward bases against missiles: proposed" in text_of(refused)
    with system_access("tests: read the plan"):
        assert m.Contingency.objects.get(pk=plan.pk).validated_at is None
    assert client_for(cast["jpn.liaison"]).post(url, {"version": plan.version}).status_code == 403
    # Korea and the Philippines cannot see their roles on this plan (rule 24(b)): the planner
    # gives those tasks to the U.S.; Japan's acceptance with conditions counts as an acceptance.
    with system_access("tests: reassign"):
        for task, nation in (
            ("Maritime patrol of the Luzon Strait", "PHL"),
            ("Defend forward bases against missiles", "KOR"),
        ):
            role = role_of(plan, task, nation)
            role.nation_id = "USA"
            role.save()
    assert us.post(url, {"version": plan.version}).status_code == 302
    with system_access("tests: read the plan"):
        assert m.Contingency.objects.get(pk=plan.pk).validated_at is not None


def test_the_optimiser_never_proposes_a_role_its_partner_declined(seeded: Any) -> None:
    cast, plan = seeded["cast"], seeded["b"]
    loaded = load(cast["us.planner"].principal, focus=plan)
    declined = {(t, n) for t, n in loaded.data.declined}
    assert declined, "the demo has Korea decline a role of this plan"
    proposal = propose(loaded.data, plan.pk)
    assert not {(a.task, a.nation) for a in proposal.assignments} & declined


def test_the_api_answers_a_role_lists_the_answers_and_refuses_validation(seeded: Any) -> None:
    from allied.planning.tests.test_authoring import api_for

    cast, plan = seeded["cast"], seeded["a"]
    role = role_of(plan, "Rear-area port and airfield support", "JPN")
    jpn = api_for(cast["jpn.liaison"])
    before = answers()
    bad = jpn.post("/api/planning/role-answers/", {"assignment": role.pk, "answer": "declined"})
    assert bad.status_code == 400 and "reason" in bad.json() and answers() == before
    ok = jpn.post(
        "/api/planning/role-answers/",
        {"assignment": role.pk, "answer": "declined", "reason": "Ports needed for relief."},
    )
    assert ok.status_code == 201 and ok.json()["answer"] == "declined"
    us = api_for(cast["us.planner"])
    refused = us.post("/api/planning/role-answers/", {"assignment": role.pk, "answer": "accepted"})
    assert refused.status_code == 403
    listed = us.get(f"/api/planning/role-answers/?plan={plan.pk}").json()
    assert any(a["reason"] == "Ports needed for relief." for a in listed["results"])
    roles = us.get(f"/api/planning/plans/{plan.pk}/roles/").json()
    states = {(r["nation"], r["state"]) for r in roles["roles"]}
    assert ("JPN", "declined") in states and not roles["may_be_validated"]
    no = us.post(f"/api/planning/plans/{plan.pk}/validate/", {"version": plan.version})
    assert no.status_code == 400 and "missing" in str(no.json()["validated"])
    # Korea cannot see the plan: its answers list holds nothing of it (rule 24(b)).
    kor = api_for(cast["kor.liaison"]).get(f"/api/planning/role-answers/?plan={plan.pk}").json()
    assert kor["results"] == []
    assert (
        api_for(cast["kor.liaison"])
        .post("/api/planning/role-answers/", {"assignment": role.pk, "answer": "accepted"})
        .status_code
        == 400
    )


def test_a_roles_answer_joins_the_willingness_record_as_far_as_releasable(seeded: Any) -> None:
    cast = seeded["cast"]
    url = reverse("planning:willingness-list")
    us = text_of(client_for(cast["us.planner"]).get(url))
    assert "Our batteries are committed" in us and "Only rear-area support" in us
    # Korea's answer is marked as its role, SECRET//REL TO USA, KOR: Japan never reads it.
    jpn = text_of(client_for(cast["jpn.liaison"]).get(url))
    assert "Only rear-area support" in jpn and "Our batteries are committed" not in jpn
    kor = text_of(client_for(cast["kor.liaison"]).get(url))
    assert "Our batteries are committed" in kor and "Only rear-area support" not in kor
