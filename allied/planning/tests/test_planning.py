"""Coalition planning as each planner sees it, on the fictional demo plans.

The U.S. planner sees both plans, every U.S. assessment and every finding; the Japanese planner
sees the plan released to Japan, its own nation's statement about itself, and a readiness report
computed from those rows only: the NOFORN U.S. assessment of Japan never reaches it, on a page,
in the API, in a finding, a count or a chart.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from allied.core import audit
from allied.core.models import AuditEntry, StoredMarking, system_access
from allied.planning import demo
from allied.planning import models as m
from allied.planning.data import load
from allied.planning.queue import open_requests
from allied.planning.rules.checks import CHECKS, run_checks
from allied.planning.rules.optimiser import propose

pytestmark = pytest.mark.django_db

# The text of the NOFORN U.S. assessment of Japan (demo data): it must never reach Japan.
US_VIEW_OF_JAPAN = "combat roles unlikely unless Japanese territory is attacked"
US_VIEW_OF_PHL = "hesitant to back Taiwan"


@pytest.fixture
def seeded(cast: dict[str, Any]) -> dict[str, Any]:
    demo.seed()
    with system_access("tests: demo plan ids"):
        plans = {p.name: p for p in m.Contingency.objects.all()}
    return {"cast": cast, "a": plans[demo.PLAN_A], "b": plans[demo.PLAN_B]}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- the demo ----------


def test_the_demo_is_idempotent_and_says_it_is_fictional(seeded):
    assert demo.seed() == 0
    with system_access("tests: count demo rows"):
        assert m.Contingency.objects.count() == 2
        assert all("fictional" in p.name.lower() for p in m.Contingency.objects.all())
        assert all("Fictional" in w.basis for w in m.Willingness.objects.all())


def test_the_demo_plan_trips_every_check_and_the_proposal_removes_what_it_can(seeded):
    planner = seeded["cast"]["us.planner"]
    loaded = load(planner.principal, focus=seeded["a"])
    before = run_checks(loaded.data, {seeded["a"].pk}, today=datetime.date.today())
    assert before.checks_tripped() == set(CHECKS)
    proposal = propose(loaded.data, seeded["a"].pk)
    assert proposal.status == "optimal" and proposal.gap is not None and proposal.gap <= 0.01
    # Apply it through the page, as the U.S. planner does.
    client = client_for(planner)
    url = reverse("planning:plan-proposal", args=[seeded["a"].pk])
    response = client.post(url, {"fingerprint": proposal.fingerprint(), "marking": ""})
    assert response.status_code == 302
    after = run_checks(
        load(planner.principal, focus=seeded["a"]).data,
        {seeded["a"].pk},
        today=datetime.date.today(),
    )
    counts = after.counts()
    # What assignments can fix is gone: over-allocation, double counting, the U.S. lift gap.
    assert counts["us_overallocated"] == 0 and counts["double_assigned"] == 0
    assert sum(counts.values()) < sum(before.counts().values())
    # What they cannot is explained: nobody holds medical evacuation.
    assert [u.reason.value for u in proposal.uncovered] == ["no_capable"]


# --- releasability ----------


def test_a_us_assessment_of_japan_never_reaches_japan(seeded):
    jpn = client_for(seeded["cast"]["jpn.liaison"])
    us = client_for(seeded["cast"]["us.planner"])
    pk = seeded["a"].pk
    urls = [
        reverse("planning:willingness-list"),
        reverse("planning:plan-detail", args=[pk]),
        reverse("planning:plan-readiness", args=[pk]),
        reverse("planning:plan-proposal", args=[pk]),
        "/api/planning/willingness/",
        f"/api/planning/plans/{pk}/readiness/",
        f"/api/planning/plans/{pk}/proposal/",
    ]
    seen_by_us = "".join(text_of(us.get(url)) for url in urls)
    assert US_VIEW_OF_JAPAN in seen_by_us  # the test would see a leak
    for url in urls:
        response = jpn.get(url)
        assert response.status_code == 200, url
        body = text_of(response)
        assert US_VIEW_OF_JAPAN not in body, url
        assert US_VIEW_OF_PHL not in body, url
        assert "NOFORN" not in body, url


def test_japans_readiness_report_reflects_only_what_japan_may_see(seeded):
    jpn = seeded["cast"]["jpn.liaison"].principal
    us = seeded["cast"]["us.planner"].principal
    pk = seeded["a"].pk
    mine = run_checks(load(jpn, focus=seeded["a"]).data, {pk}, today=datetime.date.today())
    theirs = run_checks(load(us, focus=seeded["a"]).data, {pk}, today=datetime.date.today())
    # The U.S. assessment of the Philippines (unwilling) and of Korea are NOFORN: Japan's report
    # has no willingness finding resting on them, and no evidence row Japan may not read.
    with system_access("tests: which rows are hidden from Japan"):
        visible = {("willingness", w.pk) for w in m.Willingness.objects.visible_to(jpn)} | {
            ("assignment", a.pk) for a in m.Assignment.objects.visible_to(jpn)
        }
        hidden = {("willingness", w.pk) for w in m.Willingness.objects.all()} | {
            ("assignment", a.pk) for a in m.Assignment.objects.all()
        }
    hidden -= visible
    assert hidden, "the demo must hide something from Japan"
    for finding in mine.findings:
        for e in finding.evidence:
            assert (e.kind, e.key) not in hidden
    assert any((e.kind, e.key) in hidden for f in theirs.findings for e in f.evidence)
    assert not any("PHL (unwilling)" in f.title for f in mine.findings)
    assert any("PHL (unwilling)" in f.title for f in theirs.findings)
    # The Korean plan is not released to Japan: no double-assignment finding names it.
    assert not any(demo.PLAN_B in f.explanation for f in mine.findings)
    assert any(demo.PLAN_B in f.explanation for f in theirs.findings)


def test_a_plan_not_released_answers_404_like_a_missing_one(seeded):
    client = client_for(seeded["cast"]["jpn.liaison"])
    hidden = seeded["b"].pk
    for name in ("plan-detail", "plan-readiness", "plan-proposal", "assumption-create"):
        response = client.get(reverse(f"planning:{name}", args=[hidden]))
        missing = client.get(reverse(f"planning:{name}", args=[987654]))
        assert response.status_code == missing.status_code == 404
        assert response.content.replace(str(hidden).encode(), b"#") == missing.content.replace(
            b"987654", b"#"
        )
    api = client.get(f"/api/planning/plans/{hidden}/readiness/")
    assert api.status_code == 404


def test_lists_count_only_visible_rows(seeded):
    client = client_for(seeded["cast"]["phl.liaison"])
    data = client.get("/api/planning/willingness/").json()
    with system_access("tests: count"):
        visible = m.Willingness.objects.visible_to(seeded["cast"]["phl.liaison"]).count()
        total = m.Willingness.objects.count()
    assert len(data["results"]) == visible < total
    assert all(row["nation"] == "PHL" for row in data["results"])
    assert client.get("/api/planning/plans/").json()["results"] == []


def test_the_matrix_shows_each_viewer_its_releasable_roles(seeded):
    pk = seeded["a"].pk
    us = text_of(client_for(seeded["cast"]["us.planner"]).get(f"/planning/{pk}/"))
    jpn = text_of(client_for(seeded["cast"]["jpn.liaison"]).get(f"/planning/{pk}/"))
    assert "U.S.-only reconnaissance orbit" in us
    assert "U.S.-only reconnaissance orbit" not in jpn
    assert "Rear-area port and airfield support" in jpn


# --- writes ----------


def test_only_a_us_planner_may_apply_a_proposal(seeded):
    pk = seeded["a"].pk
    jpn = client_for(seeded["cast"]["jpn.liaison"])
    with system_access("tests: count"):
        before = m.Assignment.objects.count()
    response = jpn.post(reverse("planning:plan-proposal", args=[pk]), {"fingerprint": "x"})
    assert response.status_code == 404
    with system_access("tests: count"):
        assert m.Assignment.objects.count() == before


def test_applying_a_stale_proposal_saves_nothing(seeded):
    pk = seeded["a"].pk
    client = client_for(seeded["cast"]["us.planner"])
    with system_access("tests: count"):
        before = sorted(m.Assignment.objects.values_list("pk", flat=True))
    response = client.post(reverse("planning:plan-proposal", args=[pk]), {"fingerprint": "old"})
    assert response.status_code == 400
    assert "The data changed" in text_of(response)
    with system_access("tests: count"):
        assert sorted(m.Assignment.objects.values_list("pk", flat=True)) == before


def test_applying_is_audited_and_marks_each_assignment_by_what_it_relies_on(seeded):
    pk = seeded["a"].pk
    planner = seeded["cast"]["us.planner"]
    proposal = propose(load(planner.principal, focus=seeded["a"]).data, pk)
    client = client_for(planner)
    client.post(
        reverse("planning:plan-proposal", args=[pk]),
        {"fingerprint": proposal.fingerprint(), "marking": ""},
    )
    entry = AuditEntry.objects.filter(action="decision", object_type="planning.contingency").last()
    assert entry is not None and entry.detail["fingerprint"] == proposal.fingerprint()
    with system_access("tests: read assignments"):
        made = list(
            m.Assignment.objects.filter(task__contingency_id=pk, origin="optimiser").select_related(
                "marking"
            )
        )
    assert len(made) == len(proposal.assignments)
    by_nation = {a.nation_id: a.marking.text for a in made}
    # Australia's role rests on Australia's own report: released to Australia, not Japan.
    assert by_nation["AUS"] == "SECRET//REL TO USA, AUS"
    # Japan's rests on the NOFORN U.S. assessment of Japan too: the roll-up is NOFORN, widened
    # to Japan as a disclosure is (rule 24(a)), so that Japan reads its own role.
    assert by_nation["JPN"] == "SECRET//REL TO USA, JPN"


def test_a_partner_sees_the_roles_an_applied_proposal_gives_it(seeded):
    pk = seeded["a"].pk
    planner = seeded["cast"]["us.planner"]
    proposal = propose(load(planner.principal, focus=seeded["a"]).data, pk)
    leads = {a.task for a in proposal.assignments if a.nation == "JPN" and a.is_lead}
    assert leads, "the demo proposal gives Japan a lead role"
    response = client_for(planner).post(
        reverse("planning:plan-proposal", args=[pk]),
        {"fingerprint": proposal.fingerprint(), "marking": ""},
    )
    assert response.status_code == 302
    jpn = client_for(seeded["cast"]["jpn.liaison"])
    rows = jpn.get(f"/api/planning/assignments/?plan={pk}").json()["results"]
    mine = [r for r in rows if r["nation"] == "JPN"]
    assert {r["task"] for r in mine if r["is_lead"]} == leads
    assert all(r["partner_can_read"] and r["partner_reason"] == "" for r in mine)
    # Japan's plan page no longer shows its tasks as unassigned.
    loaded = load(seeded["cast"]["jpn.liaison"].principal, focus=seeded["a"])
    for key in leads:
        given = sum(a.quantity for a in loaded.data.assignments_by_task.get(key, []))
        assert given > 0


def test_a_role_its_partner_cannot_see_is_a_finding_and_the_planner_is_told(seeded):
    pk = seeded["a"].pk
    planner = seeded["cast"]["us.planner"]
    # The demo gives the Philippines the lead on a task marked REL TO USA, AUS, JPN (rule 24(b)).
    report = run_checks(
        load(planner.principal, focus=seeded["a"]).data, {pk}, today=datetime.date.today()
    )
    unseen = [f for f in report.findings if f.check == "unseen_role"]
    assert any(f.title.startswith("PHL is assigned a role it cannot see") for f in unseen)
    assert CHECKS["unseen_role"] == "(g) A partner is assigned a role it cannot see"
    us = client_for(planner)
    page = text_of(us.get(reverse("planning:plan-detail", args=[pk])))
    assert "role(s) their partner cannot see" in page and "PHL is not covered by" in page
    api = us.get(f"/api/planning/plans/{pk}/readiness/").json()
    assert api["counts"]["unseen_role"] == len(unseen) > 0
    rows = us.get(f"/api/planning/assignments/?plan={pk}").json()["results"]
    phl = [r for r in rows if r["nation"] == "PHL"]
    assert phl and not phl[0]["partner_can_read"] and "PHL" in phl[0]["partner_reason"]


def test_a_role_that_cannot_be_widened_keeps_its_marking_and_the_planner_is_told(seeded):
    pk = seeded["a"].pk
    planner = seeded["cast"]["us.planner"]
    with system_access("tests: mark the task NOFORN by source"):
        task = m.Task.objects.get(contingency_id=pk, name="Rear-area port and airfield support")
        # ORCON is lifted only with its originator's consent (rule 21): no widening.
        task.set_marking("SECRET//ORCON/NOFORN")
        task.save()
    proposal = propose(load(planner.principal, focus=seeded["a"]).data, pk)
    assert any(a.task == task.pk and a.nation == "JPN" for a in proposal.assignments)
    us = client_for(planner)
    shown = us.get(f"/api/planning/plans/{pk}/proposal/").json()["assignments"]
    row = next(a for a in shown if a["task"] == task.pk and a["nation"] == "JPN")
    assert row["default_marking"]["partner_can_read"] is False
    assert row["default_marking"]["rule"] == "21"
    page = text_of(us.get(reverse("planning:plan-proposal", args=[pk])))
    assert "JPN cannot see this role" in page
    response = us.post(
        reverse("planning:plan-proposal", args=[pk]),
        {"fingerprint": proposal.fingerprint(), "marking": ""},
        follow=True,
    )
    assert "JPN cannot see its role on Rear-area port and airfield support" in text_of(response)


def test_a_bad_marking_is_refused_with_the_field_named_and_nothing_saved(seeded):
    pk = seeded["a"].pk
    planner = seeded["cast"]["us.planner"]
    proposal = propose(load(planner.principal, focus=seeded["a"]).data, pk)
    client = client_for(planner)
    with system_access("tests: count"):
        before = m.Assignment.objects.count()
    for bad in ("SECRET//REL TO USA,JPN", "TOP SECRET//NOFORN"):
        response = client.post(
            reverse("planning:plan-proposal", args=[pk]),
            {"fingerprint": proposal.fingerprint(), "marking": bad},
        )
        assert response.status_code == 400
        assert 'id="id_marking"' in response.content.decode()
        with system_access("tests: count"):
            assert m.Assignment.objects.count() == before


def test_a_japanese_planner_records_an_assumption_for_japan_only(seeded):
    pk = seeded["a"].pk
    client = client_for(seeded["cast"]["jpn.liaison"])
    url = reverse("planning:assumption-create", args=[pk])
    response = client.post(
        url,
        {
            "provider": "usa",
            "capability_type": "STRAT-LIFT",
            "quantity": "3",
            "note": "Evacuation of nationals",
            "marking": "SECRET//REL TO USA, JPN",
            "holder": "KOR",
        },
    )
    assert response.status_code == 302
    with system_access("tests: read"):
        row = m.Assumption.objects.get(note="Evacuation of nationals")
    assert (row.holder_id, row.provider_id, row.quantity) == ("JPN", "USA", 3)
    bad = client.post(
        url, {"provider": "U", "capability_type": "NOPE", "quantity": "0", "marking": "SECRET"}
    )
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "three-letter ISO code" in body and "Select a valid choice" in body


def test_a_partner_files_a_planning_request_and_the_queue_shows_it_only_where_releasable(seeded):
    phl = seeded["cast"]["phl.liaison"]
    client = client_for(phl)
    response = client.post(
        reverse("planning:request-create"),
        {
            "kind": "join",
            "title": "Join HADR planning",
            "text": "Typhoon season.",
            "marking": "CONFIDENTIAL//REL TO USA, PHL",
            "contingency": "",
        },
    )
    assert response.status_code == 302
    today = datetime.date.today()
    phl_items = list(open_requests(phl.principal, today))
    assert {i.partner for i in phl_items} == {"PHL"}
    assert any(i.title.endswith("Join HADR planning") for i in phl_items)
    jpn_items = list(open_requests(seeded["cast"]["jpn.liaison"].principal, today))
    assert {i.partner for i in jpn_items} == {"JPN"}
    wg_items = list(open_requests(seeded["cast"]["wg.member"].principal, today))
    assert {i.partner for i in wg_items} == {"JPN", "PHL"}
    assert all(StoredMarking.objects.filter(text=i.marking).exists() for i in wg_items)


def test_a_request_cannot_name_a_plan_the_partner_may_not_see(seeded):
    client = client_for(seeded["cast"]["jpn.liaison"])
    response = client.post(
        reverse("planning:request-create"),
        {
            "kind": "join",
            "title": "Join",
            "text": "Please.",
            "marking": "SECRET//REL TO USA, JPN",
            "contingency": str(seeded["b"].pk),
        },
    )
    assert response.status_code == 400
    api = client.post(
        "/api/planning/requests/",
        {
            "kind": "join",
            "title": "Join",
            "text": "Please.",
            "marking": "SECRET//REL TO USA, JPN",
            "plan": seeded["b"].pk,
        },
        content_type="application/json",
    )
    assert api.status_code == 400 and "plan" in api.json()


def test_the_us_assessment_of_japan_answers_japan_404_like_a_missing_one(seeded):
    with system_access("tests: find the U.S. assessment of Japan"):
        row = m.Willingness.objects.get(nation_id="JPN", assessed_by_nation_id="USA")
    jpn = client_for(seeded["cast"]["jpn.liaison"])
    us = client_for(seeded["cast"]["us.planner"])
    assert us.get(f"/api/planning/willingness/{row.pk}/").status_code == 200
    hidden = jpn.get(f"/api/planning/willingness/{row.pk}/")
    missing = jpn.get("/api/planning/willingness/987654/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_a_partner_reports_its_own_holding_and_bad_input_names_the_field(seeded):
    client = client_for(seeded["cast"]["kor.liaison"])
    url = reverse("planning:capability-create")
    good = {
        "capability_type": "AMD",
        "quantity": "2",
        "readiness": "2",
        "available_from": "2027-01-01",
        "available_to": "2027-06-30",
        "location": "South",
        "source": "Korean report (fictional)",
        "as_of": "2026-11-01",
        "marking": "SECRET//REL TO USA, KOR",
        "nation": "JPN",
    }
    assert client.post(url, good).status_code == 302
    with system_access("tests: read"):
        row = m.PartnerCapability.objects.get(location="South")
    assert row.nation_id == "KOR"  # never the nation the form was sent
    with system_access("tests: count"):
        before = m.PartnerCapability.objects.count()
    bad = client.post(url, {**good, "available_to": "2026-01-01", "quantity": "-1"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "must end on or after" in body and "greater than or equal to 1" in body
    # A marking its author could not read back is refused, and nothing is saved.
    hidden = client.post(url, {**good, "marking": "SECRET//REL TO USA, JPN"})
    assert hidden.status_code == 400 and "nothing was saved" in hidden.content.decode()
    with system_access("tests: count"):
        assert m.PartnerCapability.objects.count() == before


def test_only_the_united_states_assesses_another_partners_willingness(seeded):
    url = reverse("planning:willingness-create")
    form = {
        "nation": "PHL",
        "contingency_type": "hadr",
        "stance": "willing",
        "marking": "SECRET//NOFORN",
    }
    jpn = client_for(seeded["cast"]["jpn.liaison"])
    refused = jpn.post(url, {**form, "marking": "SECRET//REL TO USA, JPN"})
    assert refused.status_code == 400 and "your own nation (JPN)" in refused.content.decode()
    own = jpn.post(
        url,
        {
            **form,
            "nation": "JPN",
            "stance": "conditional",
            "conditions": "",
            "marking": "SECRET//REL TO USA, JPN",
        },
    )
    assert own.status_code == 400 and "Name the conditions" in own.content.decode()
    us = client_for(seeded["cast"]["us.planner"])
    assert us.post(url, form).status_code == 302
    with system_access("tests: read"):
        row = m.Willingness.objects.get(nation_id="PHL", contingency_type="hadr")
    assert (row.assessed_by_nation_id, row.marking.text) == ("USA", "SECRET//NOFORN")
    phl = client_for(seeded["cast"]["phl.liaison"])
    assert "hadr" not in phl.get("/api/planning/willingness/").content.decode()


def test_the_readiness_api_audits_the_willingness_rows_its_findings_quote(seeded):
    pk = seeded["a"].pk
    client = client_for(seeded["cast"]["us.planner"])
    body = client.get(f"/api/planning/plans/{pk}/readiness/").json()
    quoted = {
        str(e["id"]) for f in body["findings"] for e in f["evidence"] if e["kind"] == "willingness"
    }
    assert quoted, "the demo plan's findings quote willingness assessments"
    # A page of rows is one entry that lists each (issue 15, point 6).
    entries = AuditEntry.objects.filter(action="read", actor_name="us.planner")
    read = {i for kind, i, _ in audit.objects_named(entries) if kind == "planning.willingness"}
    assert quoted <= read


def test_the_browsable_api_form_lists_no_plan_names(seeded):
    client = client_for(seeded["cast"]["jpn.liaison"])
    html = client.get("/api/planning/requests/?format=api").content.decode()
    options = re.findall(r"<option[^>]*>([^<]*)</option>", html)
    assert "Join the planning of a contingency" in options  # the form is there
    assert not any(demo.PLAN_A in o for o in options)
    assert demo.PLAN_A not in html
