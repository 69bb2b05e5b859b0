"""People data entered on pages and through the API (issue 17, item 5): officials, billets,
postings, crisis pairs and language results, by the people writers, with the checks the analysis
relies on; a billet shown by its holder or "vacant since"."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.urls import reverse

from allied.core.models import AuditEntry, StoredMarking, system_access
from allied.core.models.marked import marked_models
from allied.people.models import Billet, CrisisPair, LanguageSkill, Official, Posting
from allied.people.tests.test_pages import client_for

pytestmark = pytest.mark.django_db

REL_JPN = "CONFIDENTIAL//REL TO USA, JPN"
TODAY = datetime.date.today()


def day(offset: int) -> str:
    return (TODAY + datetime.timedelta(days=offset)).isoformat()


def find(model: Any, **lookup: Any) -> Any:
    with system_access("tests: find a demo record"):
        return model.objects.select_related("marking").get(**lookup)


def written() -> tuple[int, int]:
    with system_access("tests: count what is stored"):
        rows = sum(model._default_manager.count() for model in marked_models())
    return rows, AuditEntry.objects.filter(action="write").count()


def api(client: Any, method: str, url: str, payload: dict[str, Any]) -> Any:
    send = getattr(client, method)
    return send(url, json.dumps(payload), content_type="application/json")


# --- pages --------------------------------------------------------------------------------


def test_a_planner_enters_an_official_and_edits_it(demo):
    client = client_for(demo, "us.planner")
    url = reverse("people:official-create")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Casey Harbour",
            "nation": "JPN",
            "organisation": "Maritime staff (fictional)",
            "grade": "Capt",
            "marking": REL_JPN,
        },
    )
    assert response.status_code == 302
    official = find(Official, name="Casey Harbour")
    assert official.marking.text == REL_JPN
    edit = reverse("people:official-edit", args=[official.pk])
    response = client.post(
        edit,
        {
            "name": "Casey Harbour",
            "nation": "JPN",
            "organisation": "Joint Staff (fictional)",
            "grade": "Capt",
            "marking": REL_JPN,
        },
    )
    assert response.status_code == 302
    assert find(Official, pk=official.pk).organisation == "Joint Staff (fictional)"


def test_a_billet_a_posting_a_pair_and_a_language_result_are_entered_on_pages(demo):
    client = client_for(demo, "us.planner")
    response = client.post(
        reverse("people:billet-create"),
        {
            "code": "J5-JPN-09",
            "title": "Japan maritime planner",
            "nation": "USA",
            "organisation": "Coalition plans (fictional)",
            "partner": "JPN",
            "marking": REL_JPN,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    billet = find(Billet, code="J5-JPN-09")
    robin = find(Official, name="Robin Castell")
    response = client.post(
        reverse("people:posting-create"),
        {
            "official": robin.pk,
            "billet": billet.pk,
            "starts": day(-10),
            "ends": day(300),
            "marking": REL_JPN,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == reverse("people:billet-detail", args=[billet.pk])
    partner = find(Billet, code="JS-J5-12")
    response = client.post(
        reverse("people:pair-create"),
        {
            "us_billet": billet.pk,
            "partner_billet": partner.pk,
            "scenario": "Port closure",
            "priority": "2",
            "marking": "SECRET//REL TO USA, JPN",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert find(CrisisPair, scenario="Port closure").us_billet_id == billet.pk
    for language, levels in (("jpn", ("5", "4", "5")), ("kor", ("1", "1", "0"))):
        response = client.post(
            reverse("people:language-create"),
            {
                "official": robin.pk,
                "language": language,
                "listening": levels[0],
                "reading": levels[1],
                "speaking": levels[2],
                "tested_on": day(-3),
                "marking": REL_JPN,
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    skill = find(LanguageSkill, official=robin, language="jpn")
    assert (skill.listening, skill.reading, skill.speaking) == (5, 4, 5)  # 2+, 2, 2+
    page = client.get(reverse("people:official-detail", args=[robin.pk])).content.decode()
    assert "Japanese: L2+ R2 S2+" in page and "Korean: L0+ R0+ S0" in page
    page = client.get(reverse("people:billet-detail", args=[billet.pk])).content.decode()
    assert "Robin Castell" in page and f"since {day(-10)}" in page


def test_a_liaison_officer_reads_but_may_not_write_people_records(demo):
    client = client_for(demo, "jpn.liaison")  # a liaison officer (and a planner of Japan)
    before = written()
    response = client.post(
        reverse("people:official-create"),
        {"name": "Anyone", "nation": "JPN", "organisation": "x", "marking": REL_JPN},
    )
    assert response.status_code == 403
    response = api(
        client,
        "post",
        "/api/people/officials/",
        {"name": "Anyone", "nation": "JPN", "organisation": "x", "marking": REL_JPN},
    )
    assert response.status_code == 403
    assert written() == before
    assert client.get(reverse("people:billet-list")).status_code == 200


def test_a_hidden_record_answers_404_on_its_edit_page_and_endpoint(demo):
    # Rule 1 (clearance): the planner holds SECRET, so a TOP SECRET record is hidden from them;
    # its edit page and endpoint answer 404 as for a missing record, and nothing is written.
    with system_access("tests: a record above the writer"):
        official = Official.objects.create(
            name="Hidden Person",
            nation_id="USA",
            organisation="x",
            marking=StoredMarking.objects.intern("TOP SECRET//NOFORN"),
        )
    client = client_for(demo, "us.planner")
    assert client.get(reverse("people:official-edit", args=[official.pk])).status_code == 404
    before = written()
    response = api(client, "patch", f"/api/people/officials/{official.pk}/", {"name": "x"})
    assert response.status_code == 404
    assert written() == before
    assert client.get(f"/api/people/officials/{official.pk}/").status_code == 404


PAGE_BAD = [
    ("people:posting-create", "ends", "a posting that ends before it starts"),
    ("people:posting-create", "starts", "a second holder from the same day"),
    ("people:posting-create", "ends", "a posting within the current holder's"),
    ("people:language-create", "listening", "a level off the ILR scale"),
    ("people:language-create", "tested_on", "a test date still to come"),
    ("people:language-create", "language", "a second result in the same language"),
    ("people:pair-create", "us_billet", "a partner's billet on the U.S. side"),
    ("people:billet-create", "partner", "a partner's billet naming a partner"),
    ("people:official-create", "marking", "a marking that is not one"),
]


def _bad_payload(demo: Any, url_name: str, case: str) -> dict[str, Any]:
    jun = find(Official, name__startswith="Jun")
    plans = find(Billet, code="JS-J5-12")  # Jun holds it from -500 to +300
    posting = {
        "official": find(Official, name="Robin Castell").pk,
        "billet": plans.pk,
        "starts": day(10),
        "ends": day(400),
        "marking": REL_JPN,
    }
    if url_name == "people:posting-create":
        held = find(Posting, billet=plans)
        return {
            "a posting that ends before it starts": {**posting, "ends": day(5)},
            "a second holder from the same day": {**posting, "starts": held.starts.isoformat()},
            "a posting within the current holder's": {**posting, "ends": day(200)},
        }[case]
    if url_name == "people:language-create":
        skill = {
            "official": jun.pk,
            "language": "kor",
            "listening": "4",
            "reading": "4",
            "speaking": "4",
            "tested_on": day(-1),
            "marking": REL_JPN,
        }
        existing = find(LanguageSkill, official__name="Parker Planner")
        return {
            "a level off the ILR scale": {**skill, "listening": "11"},
            "a test date still to come": {**skill, "tested_on": day(2)},
            "a second result in the same language": {
                **skill,
                "official": existing.official_id,
                "language": existing.language,
            },
        }[case]
    if url_name == "people:pair-create":
        return {
            "us_billet": plans.pk,
            "partner_billet": plans.pk,
            "scenario": "x",
            "priority": "1",
            "marking": REL_JPN,
        }
    if url_name == "people:billet-create":
        return {
            "code": "X-1",
            "title": "x",
            "nation": "JPN",
            "organisation": "x",
            "partner": "KOR",
            "marking": REL_JPN,
        }
    return {"name": "x", "nation": "JPN", "organisation": "x", "marking": "SECRET//REL JPN"}


@pytest.mark.parametrize(("url_name", "field", "case"), PAGE_BAD)
def test_bad_input_on_a_page_names_the_field_and_writes_nothing(demo, url_name, field, case):
    client = client_for(demo, "us.planner")
    before = written()
    response = client.post(reverse(url_name), _bad_payload(demo, url_name, case))
    assert response.status_code == 400, case
    assert field in response.context["form"].errors, (case, response.context["form"].errors)
    assert written() == before


API_URL = {
    "people:posting-create": "/api/people/postings/",
    "people:language-create": "/api/people/language-results/",
    "people:pair-create": "/api/people/pairs/",
    "people:billet-create": "/api/people/billets/",
    "people:official-create": "/api/people/officials/",
}


@pytest.mark.parametrize(("url_name", "field", "case"), PAGE_BAD)
def test_bad_input_to_the_api_names_the_same_field_and_writes_nothing(demo, url_name, field, case):
    client = client_for(demo, "us.planner")
    payload = _bad_payload(demo, url_name, case)
    if url_name == "people:language-create" and case == "a level off the ILR scale":
        payload["listening"] = "5+"
    before = written()
    response = api(client, "post", API_URL[url_name], payload)
    assert response.status_code == 400, case
    assert field in response.json(), (case, response.json())
    assert written() == before


def test_the_api_creates_and_edits_each_record(demo):
    client = client_for(demo, "wg.member")
    response = api(
        client,
        "post",
        "/api/people/officials/",
        {
            "name": "Noa Keel",
            "nation": "JPN",
            "organisation": "Maritime staff (fictional)",
            "marking": REL_JPN,
        },
    )
    assert response.status_code == 201, response.json()
    official = response.json()["id"]
    response = api(
        client,
        "post",
        "/api/people/billets/",
        {
            "code": "MS-3",
            "title": "Maritime staff desk",
            "nation": "JPN",
            "organisation": "Maritime staff (fictional)",
            "marking": REL_JPN,
        },
    )
    assert response.status_code == 201, response.json()
    billet = response.json()["id"]
    response = api(
        client,
        "post",
        "/api/people/postings/",
        {"official": official, "billet": billet, "starts": day(-30), "marking": REL_JPN},
    )
    assert response.status_code == 201, response.json()
    posting = response.json()["id"]
    response = api(client, "patch", f"/api/people/postings/{posting}/", {"ends": day(60)})
    assert response.status_code == 200, response.json()
    assert find(Posting, pk=posting).ends.isoformat() == day(60)
    us = find(Billet, code="J5-JPN-01").pk
    response = api(
        client,
        "post",
        "/api/people/pairs/",
        {
            "us_billet": us,
            "partner_billet": billet,
            "scenario": "Maritime incident",
            "priority": 3,
            "marking": "SECRET//REL TO USA, JPN",
        },
    )
    assert response.status_code == 201, response.json()
    pair = response.json()["id"]
    response = api(client, "patch", f"/api/people/pairs/{pair}/", {"priority": 1})
    assert response.status_code == 200 and find(CrisisPair, pk=pair).priority == 1
    for language in ("eng", "kor"):
        response = api(
            client,
            "post",
            "/api/people/language-results/",
            {
                "official": official,
                "language": language,
                "listening": "3",
                "reading": "2+",
                "speaking": "2",
                "tested_on": day(-7),
                "marking": REL_JPN,
            },
        )
        assert response.status_code == 201, response.json()
    result = response.json()
    assert (result["listening"], result["reading"], result["speaking"]) == ("3", "2+", "2")
    response = api(
        client, "patch", f"/api/people/language-results/{result['id']}/", {"speaking": "3+"}
    )
    assert response.status_code == 200 and find(LanguageSkill, pk=result["id"]).speaking == 7
    listed = client.get(f"/api/people/language-results/?official={official}").json()
    assert {row["language"] for row in listed["results"]} == {"eng", "kor"}
    response = api(client, "patch", f"/api/people/officials/{official}/", {"grade": "Cdr"})
    assert response.status_code == 200 and find(Official, pk=official).grade == "Cdr"
    response = api(client, "patch", f"/api/people/billets/{billet}/", {"title": "Desk 3"})
    assert response.status_code == 200 and find(Billet, pk=billet).title == "Desk 3"


def test_the_demo_has_a_vacant_billet_shown_vacant_since_the_day_after_its_holder_left(demo):
    client = client_for(demo, "us.planner")
    billet = find(Billet, code="DAO-MNL-2")
    since = day(-39)
    page = client.get(reverse("people:billet-detail", args=[billet.pk])).content.decode()
    assert f"Vacant since {since}" in page
    listing = client.get(reverse("people:billet-list")).content.decode()
    assert f"Vacant since {since}" in listing
    held = find(Billet, code="J5-JPN-01")
    page = client.get(reverse("people:billet-detail", args=[held.pk])).content.decode()
    holder = page.split("<dt>Holder</dt>")[1].split("</dd>")[0]
    assert "Parker Planner" in holder and " since " in holder


def test_no_people_page_shows_a_billet_by_its_internal_key(demo):
    client = client_for(demo, "us.planner")
    pages = [reverse("people:rotation"), reverse("people:billet-list")]
    with system_access("tests: the demo's pairs"):
        pages += [reverse("people:pair-detail", args=[p.pk]) for p in CrisisPair.objects.all()]
    for url in pages:
        body = client.get(url).content.decode()
        assert not __import__("re").search(r"[Bb]illet \d", body), url
    rotation = client.get("/api/people/rotation/").json()
    assert not any(
        __import__("re").search(r"[Bb]illet \d", line)
        for risk in rotation["risks"]
        for line in risk["advice"]
    )


def test_the_api_shows_a_billet_by_its_holder_or_vacant_since(demo):
    client = client_for(demo, "us.planner")
    vacant = find(Billet, code="DAO-MNL-2")
    held = find(Billet, code="J5-JPN-01")
    row = client.get(f"/api/people/billets/{vacant.pk}/").json()
    assert row["holder"] is None and row["vacant_since"] == day(-39)
    row = client.get(f"/api/people/billets/{held.pk}/").json()
    assert row["holder"]["name"] == "Parker Planner" and row["vacant_since"] is None


def test_the_posting_rule_allows_a_handover_and_a_gap_and_refuses_the_rest():
    from allied.people.rules.rotation import Posting as Held
    from allied.people.rules.rotation import Span, posting_problems, vacant_since

    d = datetime.date(2026, 1, 1)
    out = Span(d, d + datetime.timedelta(days=100), "Parker")
    later = d + datetime.timedelta(days=90)
    assert posting_problems(Span(later, None, "Robin"), [out]) == {}  # a handover overlap
    gap = d + datetime.timedelta(days=110)
    assert posting_problems(Span(gap, None, "Robin"), [out]) == {}  # a gap
    assert set(posting_problems(Span(d, None, "Robin"), [out])) == {"starts"}
    inside = Span(later, d + datetime.timedelta(days=95), "Robin")
    assert set(posting_problems(inside, [out])) == {"ends"}
    assert set(posting_problems(Span(later, None), [Span(d, None)])) == {"starts"}
    assert set(posting_problems(Span(later, d), [])) == {"ends"}
    rows = [Held(1, "p", "b", d, d + datetime.timedelta(days=100))]
    assert vacant_since(rows, d + datetime.timedelta(days=150)) == d + datetime.timedelta(days=101)
    assert vacant_since(rows, d + datetime.timedelta(days=50)) is None
    assert vacant_since([], d) is None


def test_each_record_is_edited_on_its_page(demo):
    client = client_for(demo, "us.admin")
    billet = find(Billet, code="DAO-MNL-2")
    response = client.post(
        reverse("people:billet-edit", args=[billet.pk]),
        {
            "code": "DAO-MNL-2",
            "title": "Defense attache, maritime affairs",
            "nation": "USA",
            "organisation": billet.organisation,
            "partner": "PHL",
            "marking": billet.marking.text,
        },
    )
    assert response.status_code == 302
    assert find(Billet, pk=billet.pk).title == "Defense attache, maritime affairs"
    posting = find(Posting, billet=billet)
    edit = reverse("people:posting-edit", args=[posting.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {
            "official": posting.official_id,
            "billet": billet.pk,
            "starts": posting.starts.isoformat(),
            "ends": day(-20),
            "marking": posting.marking.text,
        },
    )
    assert response.status_code == 302
    assert find(Posting, pk=posting.pk).ends.isoformat() == day(-20)
    pair = find(CrisisPair, scenario__startswith="Combined response")
    response = client.post(
        reverse("people:pair-edit", args=[pair.pk]),
        {
            "us_billet": pair.us_billet_id,
            "partner_billet": pair.partner_billet_id,
            "scenario": pair.scenario,
            "priority": "1",
            "marking": pair.marking.text,
        },
    )
    assert response.status_code == 302 and find(CrisisPair, pk=pair.pk).priority == 1
    skill = find(LanguageSkill, official__name="Parker Planner")
    response = client.post(
        reverse("people:language-edit", args=[skill.pk]),
        {
            "official": skill.official_id,
            "language": skill.language,
            "listening": "6",
            "reading": "6",
            "speaking": "5",
            "tested_on": day(-1),
            "marking": skill.marking.text,
        },
    )
    assert response.status_code == 302
    skill = find(LanguageSkill, pk=skill.pk)
    assert (skill.listening, skill.speaking, skill.tested_on.isoformat()) == (6, 5, day(-1))
