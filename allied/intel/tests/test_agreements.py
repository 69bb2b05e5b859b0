"""Collection divided: a nation offers to collect a partner's requirement, the partner answers,
and the coverage matrix shows what is uncollected, collected twice, agreed or lapsed, built only
from what each viewer may see (rule 24: a partner never sees what is not releasable to it)."""

# ruff: noqa: F811 (the ``strait`` fixture is imported, and then named by the tests)

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from allied.core.models import AuditEntry, StoredMarking, system_access
from allied.intel.models import AgreementStatus, CollectionAgreement
from allied.intel.tests.test_requirements import client_for, requirement, strait  # noqa: F401

pytestmark = pytest.mark.django_db

AGREEMENTS = "/api/intel/collection-agreements/"
COVERAGE = "/api/intel/requirement-coverage/"
LUZON = ("Maritime activity", "Luzon Strait")


def offer_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "starts": "2026-03-01",
        "ends": "2026-09-30",
        "terms": "SPLITTERMS Japan's patrol aircraft collect for both (fictional).",
        "marking": "CONFIDENTIAL//REL TO USA, JPN",
    }
    data.update(overrides)
    return data


def split(offerer: Any, need: Any, marking: str, *, status: str = "accepted",
          starts: str = "2026-03-01", ends: str = "2026-09-30") -> CollectionAgreement:  # fmt: skip
    with system_access("tests: a split"):
        row = CollectionAgreement(
            requirement=need,
            collector_id=offerer.principal.nation_id,
            relying_id=need.nation_id,
            topic=need.topic,
            region=need.region,
            starts=datetime.date.fromisoformat(starts),
            ends=datetime.date.fromisoformat(ends),
            terms="SPLITTERMS the offering nation collects for both (fictional).",
            status=status,
            offered_by=offerer,
            marking=StoredMarking.objects.intern(marking),
        )
        row.save()
    return row


def stored() -> list[CollectionAgreement]:
    with system_access("tests: read back"):
        return list(CollectionAgreement.objects.select_related("marking"))


def cell_state(client: Any, nation: str, on: str) -> str | None:
    data = client.get(COVERAGE, {"on": on}).json()
    for row in data["rows"]:
        if (row["topic"], row["region"]) == LUZON:
            for cell in row["cells"]:
                if cell["nation"] == nation:
                    return str(cell["state"])
    return None


# --- offering -------------------------------------------------------------------------------


def test_a_partner_offers_to_collect_a_need_releasable_to_both_by_default(cast, strait):
    client = client_for(cast["jpn.liaison"])
    url = reverse("intel:requirement-offer", args=[strait["us_need"].pk])
    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"].initial["marking"] == "CONFIDENTIAL//REL TO USA, JPN"
    response = client.post(url, offer_data())
    assert response.status_code == 302, response.content[:1000]
    (row,) = stored()
    assert (row.collector_id, row.relying_id, row.status) == ("JPN", "USA", "offered")
    assert (row.topic, row.region) == LUZON and row.offered_by == cast["jpn.liaison"]
    assert row.offered_at is not None and row.answered_at is None
    entry = AuditEntry.objects.filter(action="write").latest("id")
    assert entry.object_type == "intel.collectionagreement" and entry.nation == "JPN"


def test_the_offer_links_appear_on_a_partners_requirement_and_its_overlaps(cast, strait):
    client = client_for(cast["jpn.liaison"])
    offer = reverse("intel:requirement-offer", args=[strait["us_need"].pk])
    assert offer in client.get(reverse("intel:requirement-overlaps")).content.decode()
    detail = client.get(reverse("intel:requirement-detail", args=[strait["us_need"].pk]))
    assert offer in detail.content.decode()
    own = reverse("intel:requirement-offer", args=[strait["jpn_collect"].pk])
    assert own not in client.get(reverse("intel:requirement-overlaps")).content.decode()


def test_offering_to_collect_ones_own_requirement_is_refused_and_nothing_is_saved(cast, strait):
    client = client_for(cast["us.analyst"])
    url = reverse("intel:requirement-offer", args=[strait["us_need"].pk])
    response = client.post(url, offer_data(marking="CONFIDENTIAL//NOFORN"))
    assert response.status_code == 400
    assert b"your own nation" in response.content
    assert not stored()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("ends", "2026-02-01", b"end on or after"),
        ("marking", "SECRET//REL TO JPN, USA", b"USA must come first"),
        ("marking", "SECRET//REL TO USA, KOR", b"Nothing was saved"),
        ("terms", "", b"required"),
        ("starts", "2026-13-45", b"valid date"),
    ],
)
def test_bad_input_to_an_offer_names_the_field_and_writes_nothing(cast, strait, field, value,
                                                                  words):  # fmt: skip
    client = client_for(cast["jpn.liaison"])
    url = reverse("intel:requirement-offer", args=[strait["us_need"].pk])
    writes = AuditEntry.objects.filter(action="write").count()
    response = client.post(url, offer_data(**{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert words in response.content
    assert not stored()
    assert AuditEntry.objects.filter(action="write").count() == writes


def test_only_officers_may_offer(cast, strait):
    url = reverse("intel:requirement-offer", args=[strait["us_need"].pk])
    assert client_for(cast["us.planner"]).get(url).status_code == 403


def test_a_hidden_requirement_cannot_be_offered_for(cast, strait):
    client = client_for(cast["phl.liaison"])
    hidden = client.get(reverse("intel:requirement-offer", args=[strait["jpn_collect"].pk]))
    missing = client.get(reverse("intel:requirement-offer", args=[987654321]))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


# --- answering ------------------------------------------------------------------------------


@pytest.fixture
def offered(cast, strait):
    """Japan's offer to collect the U.S. need in the strait, not yet answered."""
    return split(cast["jpn.liaison"], strait["us_need"], "CONFIDENTIAL//REL TO USA, JPN",
                 status="offered")  # fmt: skip


def test_the_relying_nations_officer_accepts_once_and_it_is_dated(cast, offered):
    row = offered
    client = client_for(cast["us.analyst"])
    url = reverse("intel:agreement-detail", args=[row.pk])
    page = client.get(url)
    assert page.context["may_answer"] and b"Send the answer" in page.content
    answer = {"decision": "accept", "note": "Agreed.", "version": "1"}
    assert client.post(url, answer).status_code == 302
    (saved,) = stored()
    assert saved.status == AgreementStatus.ACCEPTED and saved.answered_by == cast["us.analyst"]
    assert saved.answered_at is not None and saved.answered_at >= saved.offered_at
    assert AuditEntry.objects.filter(action="decision").latest("id").nation == "USA"
    # A second answer from the version first opened is stale: nothing changes.
    again = client.post(url, {"decision": "decline", "note": "", "version": "1"})
    assert again.status_code == 400 and b"already accepted" in again.content
    assert stored()[0].status == AgreementStatus.ACCEPTED


def test_two_answers_from_one_version_let_exactly_one_through(cast, offered):
    row = offered
    client = client_for(cast["us.analyst"])
    url = reverse("intel:agreement-detail", args=[row.pk])
    with system_access("tests: another answer came first"):
        CollectionAgreement.objects.filter(pk=row.pk).update(version=2)
    response = client.post(url, {"decision": "accept", "note": "", "version": "1"})
    assert response.status_code == 409
    assert stored()[0].status == AgreementStatus.OFFERED


def test_the_offering_nation_cannot_answer_its_own_offer(cast, offered):
    row = offered
    client = client_for(cast["jpn.liaison"])
    url = reverse("intel:agreement-detail", args=[row.pk])
    assert not client.get(url).context["may_answer"]
    response = client.post(url, {"decision": "accept", "note": "", "version": "1"})
    assert response.status_code == 403
    assert stored()[0].status == AgreementStatus.OFFERED


# --- what a partner sees --------------------------------------------------------------------


def test_a_partner_never_sees_a_split_not_releasable_to_it(cast, strait):
    row = split(cast["jpn.liaison"], strait["us_need"], "SECRET//REL TO USA, JPN")
    phl = client_for(cast["phl.liaison"])
    listing = phl.get(reverse("intel:agreement-list"))
    assert b"SPLITTERMS" not in listing.content and not listing.context["object_list"]
    hidden = phl.get(reverse("intel:agreement-detail", args=[row.pk]))
    missing = phl.get(reverse("intel:agreement-detail", args=[987654321]))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert phl.get(f"{AGREEMENTS}{row.pk}/").status_code == 404
    assert phl.get(AGREEMENTS).json()["results"] == []
    # The matrix it sees is built without the split (nor Japan's collection, also hidden).
    assert cell_state(phl, "USA", "2026-06-01") == "uncollected"
    assert cell_state(phl, "USA", "2026-11-01") == "uncollected"
    page = phl.get(reverse("intel:requirement-coverage"), {"on": "2026-06-01"})
    assert f'href="{reverse("intel:agreement-detail", args=[row.pk])}"' not in page.content.decode()
    # Japan, to which it is releasable, sees it agreed, then lapsed.
    jpn = client_for(cast["jpn.liaison"])
    assert cell_state(jpn, "USA", "2026-06-01") == "agreed"
    assert cell_state(jpn, "USA", "2026-11-01") == "lapsed"


def test_the_coverage_page_shows_uncollected_twice_agreed_and_lapsed(cast, strait):
    us = client_for(cast["us.analyst"])
    # The U.S. analyst sees Japan's and its own (NOFORN) collection: the need is collected twice.
    assert cell_state(us, "USA", "2026-06-01") == "twice"
    assert cell_state(us, "PHL", "2026-06-01") == "twice"
    split(cast["jpn.liaison"], strait["us_need"], "SECRET//REL TO USA, JPN")
    page = us.get(reverse("intel:requirement-coverage"), {"on": "2026-11-01"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Split lapsed" in body and "Maritime activity" in body
    assert cell_state(us, "USA", "2026-06-01") == "agreed"
    assert cell_state(us, "JPN", "2026-06-01") == "collects"


def test_a_bad_day_is_refused_naming_it(cast):
    client = client_for(cast["us.analyst"])
    assert client.get(COVERAGE, {"on": "2026-13-45"}).json() == {"on": ["A day, as YYYY-MM-DD."]}
    page = client.get(reverse("intel:requirement-coverage"), {"on": "yesterday"})
    assert page.status_code == 400 and "on" in page.context["form"].errors


# --- the API --------------------------------------------------------------------------------


def test_the_api_offers_answers_and_lists(cast, strait):
    jpn = client_for(cast["jpn.liaison"])
    body = {"requirement": strait["us_need"].pk, "starts": "2026-03-01", "ends": "2026-09-30",
            "terms": "Patrol aircraft collect for both (fictional)."}  # fmt: skip
    made = jpn.post(AGREEMENTS, body, content_type="application/json")
    assert made.status_code == 201, made.content
    data = made.json()
    assert data["marking"] == "CONFIDENTIAL//REL TO USA, JPN"
    assert (data["collector"], data["relying"], data["status"]) == ("JPN", "USA", "offered")
    url = f"{AGREEMENTS}{data['id']}/answer/"
    refused = jpn.post(url, {"decision": "accept", "version": 1}, content_type="application/json")
    assert refused.status_code == 403
    us = client_for(cast["us.analyst"])
    bad = us.post(url, {"decision": "maybe", "version": 1}, content_type="application/json")
    assert bad.status_code == 400 and "decision" in bad.json()
    done = us.post(url, {"decision": "accept", "version": 1}, content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "accepted" and done.json()["answered_by"] == "us.analyst"
    stale = us.post(url, {"decision": "decline", "version": 1}, content_type="application/json")
    assert stale.status_code == 400 and "already accepted" in stale.json()["decision"][0]
    listed = us.get(AGREEMENTS, {"status": "accepted"}).json()["results"]
    assert [r["id"] for r in listed] == [data["id"]]


@pytest.mark.parametrize(
    ("field", "value"),
    [("requirement", 987654321), ("requirement", "x"), ("ends", "2026-01-01"),
     ("marking", "SECRET//REL TO USA, KOR"), ("marking", "TOP SEKRET"), ("terms", "")],
)  # fmt: skip
def test_bad_input_to_the_api_names_the_field_and_writes_nothing(cast, strait, field, value):
    body = {"requirement": strait["us_need"].pk, "starts": "2026-03-01", "ends": "2026-09-30",
            "terms": "Collect for both (fictional).", field: value}  # fmt: skip
    response = client_for(cast["jpn.liaison"]).post(
        AGREEMENTS, body, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not stored()


def test_offering_for_ones_own_requirement_through_the_api_is_refused(cast, strait):
    body = {"requirement": strait["jpn_collect"].pk, "starts": "2026-03-01",
            "ends": "2026-09-30", "terms": "Collect (fictional)."}  # fmt: skip
    response = client_for(cast["jpn.liaison"]).post(
        AGREEMENTS, body, content_type="application/json"
    )
    assert response.status_code == 400 and "own nation" in response.json()["requirement"][0]


# --- the demo -------------------------------------------------------------------------------


def test_the_demo_has_an_agreed_split_and_a_lapsed_one(cast):
    from allied.intel.demo import agreements, requirements

    requirements.seed()
    assert agreements.seed() == 2
    assert agreements.seed() == 0
    us = client_for(cast["us.analyst"])
    assert cell_state(us, "USA", "2026-11-01") == "lapsed"
    data = us.get(COVERAGE, {"on": "2026-11-01"}).json()
    (korea,) = [r for r in data["rows"] if r["topic"] == "Missile launches"
                and r["region"] == "Korean Peninsula"]  # fmt: skip
    assert {c["nation"]: c["state"] for c in korea["cells"]}["USA"] == "agreed"
    # The Philippine officer sees neither split.
    phl = client_for(cast["phl.liaison"])
    assert phl.get(AGREEMENTS).json()["results"] == []
    assert all("(Fictional demo content.)" in row.terms for row in stored())
