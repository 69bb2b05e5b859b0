"""The foreign-disclosure API: requests (list, retrieve, create) and decisions (through the
request's ``decide`` action), restricted like every other marked surface."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from allied.core.models import AuditEntry, system_access
from allied.intel.models import DisclosureDecision, DisclosureRequest, Portion
from allied.intel.tests import test_disclosure as pages
from allied.intel.tests.test_disclosure import ask, make_product, reload, snapshot

# The page tests' fixtures, shared: a product with NOFORN and released portions, and Japan's
# trust tier and ceiling.
product = pages.product
japan = pages.japan

pytestmark = pytest.mark.django_db

REQUESTS = "/api/intel/disclosure-requests/"
DECISIONS = "/api/intel/disclosure-decisions/"


def api_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_us_user_creates_a_request_marked_with_the_roll_up_of_its_portions(cast, product):
    prod, portions = product
    response = api_for(cast["us.analyst"]).post(
        REQUESTS,
        {
            "product": prod.pk,
            "portions": [portions[0].pk, portions[2].pk],
            "partner": "JPN",
            "purpose": "Exercise planning (fictional).",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["marking"] == "SECRET//NOFORN"
    assert sorted(body["portions"]) == sorted([portions[0].pk, portions[2].pk])
    assert (body["partner"], body["status"], body["requested_by"]) == (
        "JPN",
        "pending",
        "us.analyst",
    )
    listed = api_for(cast["us.analyst"]).get(REQUESTS).json()
    assert len(listed["results"]) == 1 and listed["results"][0]["id"] == body["id"]


def test_a_request_cannot_name_a_portion_its_asker_may_not_see(cast):
    prod, portions = make_product(cast["us.analyst"], ["TOP SECRET//NOFORN", "SECRET//NOFORN"])
    response = api_for(cast["us.planner"]).post(
        REQUESTS,
        {"product": prod.pk, "portions": [portions[0].pk], "partner": "JPN", "purpose": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "portions" in response.json()


def test_a_partner_asks_for_more_of_a_product_it_reads_in_part_and_learns_nothing_of_it(
    cast, product
):
    prod, portions = product  # Japan reads portions 3 and 4, not the NOFORN 1 and 2
    partner = api_for(cast["jpn.liaison"])
    response = partner.post(
        REQUESTS, {"product": prod.pk, "purpose": "Exercise planning (fictional)."}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["partner"], body["scope"], body["portions"]) == ("JPN", "rest", [])
    assert body["marking"] == "CONFIDENTIAL//REL TO USA, JPN"
    seen = [partner.get(REQUESTS).content, partner.get(f"{REQUESTS}{body['id']}/").content]
    for content in seen:
        text = content.decode()
        assert "NOFORN" not in text
        for hidden in portions[:2]:
            assert hidden.text not in text
    # The officers' context is not the partner's to read: 403 as for any non-officer, with no
    # count of hidden portions.
    assert partner.get(f"{REQUESTS}{body['id']}/decide/").status_code == 403
    assert "hidden_portions" not in partner.get(f"{REQUESTS}{body['id']}/decide/").content.decode()
    officer = api_for(cast["us.fdo"]).get(f"{REQUESTS}{body['id']}/decide/").json()
    assert [c["portion"] for c in officer["portions"]] == [portions[0].pk, portions[1].pk]


def test_a_partner_names_no_portion_and_asks_only_for_itself(cast, product):
    prod, portions = product
    partner = api_for(cast["jpn.liaison"])
    other = partner.post(
        REQUESTS, {"product": prod.pk, "partner": "KOR", "purpose": "x"}, format="json"
    )
    assert other.status_code == 400 and "partner" in other.json()
    named = partner.post(
        REQUESTS, {"product": prod.pk, "portions": [portions[2].pk], "purpose": "x"}, format="json"
    )
    assert named.status_code == 400 and "portions" in named.json()
    # A hidden portion's id answers exactly like an id no portion has.
    hidden = partner.post(
        REQUESTS, {"product": prod.pk, "portions": [portions[0].pk], "purpose": "x"}, format="json"
    )
    missing = partner.post(
        REQUESTS, {"product": prod.pk, "portions": [987654321], "purpose": "x"}, format="json"
    )
    assert hidden.status_code == missing.status_code == 400
    assert hidden.content.replace(str(portions[0].pk).encode(), b"N") == missing.content.replace(
        b"987654321", b"N"
    )
    # So does a product it may not see at all.
    secret, _ = make_product(cast["us.analyst"], ["SECRET//NOFORN"], metadata="SECRET//NOFORN")
    answers = [
        partner.post(REQUESTS, {"product": pk, "purpose": "x"}, format="json")
        for pk in (secret.pk, 987654321)
    ]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].content.replace(str(secret.pk).encode(), b"N") == answers[1].content.replace(
        b"987654321", b"N"
    )
    with system_access("tests: count requests"):
        assert not DisclosureRequest.objects.exists()


def test_an_officer_reads_the_decision_context_and_approves(cast, product, japan):
    prod, portions = product
    req = ask(cast, prod, [portions[0]])
    officer = api_for(cast["us.fdo"])
    url = f"{REQUESTS}{req.pk}/decide/"

    seen = officer.get(url).json()
    assert (seen["partner"], seen["category"], seen["recorded_ceiling"]) == ("JPN", 8, "SECRET")
    assert (seen["trust_tier"], seen["effective_ceiling"], seen["latest_number"]) == (
        4,
        "SECRET",
        0,
    )
    assert seen["can_approve"] is True
    assert seen["portions"][0]["after_approval"] == "(S//REL TO USA, JPN)"

    response = officer.post(
        url,
        {"outcome": "approve", "seen_number": 0, "seen_product_version": seen["product_version"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    decision = response.json()
    assert (decision["number"], decision["outcome"]) == (1, "approve")
    assert decision["decided_by"] == "us.fdo"
    assert decision["marking"] == "SECRET//NOFORN"
    assert reload(portions[0]).marking.text == "SECRET//REL TO USA, JPN"
    assert AuditEntry.objects.filter(action="decision", object_id=str(decision["id"])).exists()
    listed = officer.get(DECISIONS).json()
    assert [d["id"] for d in listed["results"]] == [decision["id"]]


def test_a_stale_api_decision_is_a_conflict_and_writes_nothing(cast, product, japan):
    prod, portions = product
    req = ask(cast, prod, [portions[0]])
    officer = api_for(cast["us.fdo"])
    url = f"{REQUESTS}{req.pk}/decide/"
    assert (
        officer.post(
            url, {"outcome": "escalate", "reason": "ORCON.", "seen_number": 0}, format="json"
        ).status_code
        == 201
    )
    before = snapshot(prod)
    response = officer.post(url, {"outcome": "approve", "seen_number": 0}, format="json")
    assert response.status_code == 409
    assert "Nothing was saved" in response.json()["detail"]
    assert snapshot(prod) == before


def test_an_api_approval_of_a_blocked_portion_is_refused(cast, japan):
    prod, portions = make_product(cast["us.analyst"], ["SECRET//ORCON/NOFORN"])
    req = ask(cast, prod, portions)
    before = snapshot(prod)
    response = api_for(cast["us.fdo"]).post(
        f"{REQUESTS}{req.pk}/decide/", {"outcome": "approve", "seen_number": 0}, format="json"
    )
    assert response.status_code == 400
    assert "ORCON" in response.json()["non_field_errors"][0]
    assert snapshot(prod) == before


def test_deny_through_the_api_needs_a_reason(cast, product, japan):
    prod, portions = product
    req = ask(cast, prod, [portions[0]])
    url = f"{REQUESTS}{req.pk}/decide/"
    officer = api_for(cast["us.fdo"])
    response = officer.post(url, {"outcome": "deny", "seen_number": 0}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    assert (
        officer.post(
            url, {"outcome": "deny", "reason": "No.", "seen_number": 0}, format="json"
        ).status_code
        == 201
    )


def test_non_officers_cannot_decide_through_the_api(cast, product, japan):
    prod, portions = product
    req = ask(cast, prod, [portions[0]])
    url = f"{REQUESTS}{req.pk}/decide/"
    analyst = api_for(cast["us.analyst"])
    assert analyst.get(url).status_code == 403
    assert analyst.post(url, {"outcome": "approve", "seen_number": 0}).status_code == 403
    with system_access("tests: count decisions"):
        assert not DisclosureDecision.objects.exists()


def test_a_partner_sees_neither_requests_nor_decisions_about_noforn_content(cast, product, japan):
    prod, portions = product
    req = ask(cast, prod, [portions[0]])
    api_for(cast["us.fdo"]).post(
        f"{REQUESTS}{req.pk}/decide/", {"outcome": "approve", "seen_number": 0}, format="json"
    )
    partner = api_for(cast["jpn.liaison"])
    assert partner.get(REQUESTS).json() == {
        "next": None,
        "previous": None,
        "results": [],
    }
    assert partner.get(DECISIONS).json()["results"] == []
    assert partner.get(f"{REQUESTS}{req.pk}/").status_code == 404
    assert (
        partner.post(
            f"{REQUESTS}{req.pk}/decide/", {"outcome": "deny", "seen_number": 1}
        ).status_code
        == 404
    )
    # The portion itself was released: Japan sees it.
    viewer = cast["jpn.liaison"].principal.viewer()
    assert Portion.objects.visible_to(viewer).filter(pk=portions[0].pk).exists()


def test_the_schema_still_builds_with_the_disclosure_endpoints(cast):
    from django.test import Client

    client = Client()
    client.force_login(cast["us.fdo"])
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/intel/disclosure-requests/{id}/decide/" in paths
    assert set(paths["/api/intel/disclosure-requests/{id}/decide/"]) >= {"get", "post"}
    assert "/api/intel/disclosure-decisions/" in paths
