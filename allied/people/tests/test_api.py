"""The people API answers each caller with what the pages would show it, and nothing more."""

import pytest
from django.test import Client

from allied.core.models import system_access
from allied.people.models import Contact, Official

pytestmark = pytest.mark.django_db


def get(cast, username, url):
    client = Client()
    client.force_login(cast[username])
    return client.get(url)


def test_coverage_api_matches_the_viewers_pairs(demo):
    us = get(demo, "us.planner", "/api/people/coverage/").json()
    ind = get(demo, "ind.liaison", "/api/people/coverage/").json()
    india_us = next(p for p in us["pairs"] if p["partner"] == "IND")
    assert india_us["status"] == "covered" and india_us["contacts"] == 1
    assert [p["status"] for p in ind["pairs"]] == ["never_met"]
    assert [row["partner"] for row in ind["partners"]] == ["IND"]


def test_a_contact_lists_only_the_participants_releasable_to_the_caller(demo):
    with system_access("test: find the trilateral"):
        contact = Contact.objects.get(title__startswith="Trilateral")
    japan = get(demo, "jpn.liaison", f"/api/people/contacts/{contact.pk}/").json()
    assert {p["name"] for p in japan["participants"]} == {
        "Parker Planner",
        "Jun Liaison",
        "Jordan Pike",
        "Alex Liaison",
    } - {"Jordan Pike", "Alex Liaison"}  # the Australians' records are not released to Japan
    assert get(demo, "kor.liaison", f"/api/people/contacts/{contact.pk}/").status_code == 404


def test_official_languages_are_nested_and_hidden_officials_are_missing(demo):
    with system_access("test: find officials"):
        parker = Official.objects.get(name="Parker Planner")
    body = get(demo, "jpn.liaison", f"/api/people/officials/{parker.pk}/").json()
    assert body["languages"][0]["speaking"] == "1+"
    assert get(demo, "ind.liaison", f"/api/people/officials/{parker.pk}/").status_code == 404
    listed = get(demo, "ind.liaison", "/api/people/officials/").json()
    assert "count" not in listed and listed["results"]
    assert {o["nation"] for o in listed["results"]} <= {"USA", "IND"}


def test_rotation_languages_and_network_endpoints(demo):
    risks = get(demo, "jpn.liaison", "/api/people/rotation/").json()["risks"]
    assert [r["new_us_holder"]["name"] for r in risks] == ["Robin Castell"]
    assert risks[0]["handovers"][0]["overlap"]
    langs = get(demo, "kor.liaison", "/api/people/languages/").json()["partners"]
    assert [(p["partner"], p["at_working_level"]) for p in langs] == [("KOR", 1)]
    network = get(demo, "us.planner", "/api/people/network/").json()
    names = {p["id"]: p["name"] for p in network["people"]}
    assert [names[k] for k in network["measures"]["cut_off_by"]["KOR"]] == ["Dana Reyes"]


def test_a_posting_of_a_hidden_official_is_not_listed(demo):
    with system_access("test: hide an official's record"):
        from allied.core.models import StoredMarking

        Official.objects.filter(name="Kenji Sato").update(
            marking=StoredMarking.objects.intern("SECRET//NOFORN")
        )
        kenji = Official.objects.get(name="Kenji Sato")
    japan = get(demo, "jpn.liaison", "/api/people/postings/").json()
    assert kenji.pk not in {p["official"] for p in japan["results"]}
    us = get(demo, "us.planner", "/api/people/postings/").json()
    assert kenji.pk in {p["official"] for p in us["results"]}
