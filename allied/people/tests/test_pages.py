"""The people pages as the cast sees them: what each person is shown, and what it is not."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from allied.core.models import system_access
from allied.people.models import Billet, Contact, CrisisPair, Official

pytestmark = pytest.mark.django_db


def client_for(cast, username):
    client = Client()
    client.force_login(cast[username])
    return client


def page(cast, username, name, *args, **params):
    response = client_for(cast, username).get(reverse(name, args=args), params)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def record(model, **filters):
    with system_access("test: find a demo row"):
        return model.objects.get(**filters)


def test_the_us_planner_sees_every_partners_coverage_and_the_india_pair_covered(demo):
    body = page(demo, "us.planner", "people:coverage")
    for partner in ("JPN", "KOR", "PHL", "IND", "AUS"):
        assert f'id="partner-{partner}"' in body
    assert "IND: 1 of 1 pair covered" in body
    assert "JPN: 1 of 2 pairs covered" in body
    assert "Defence of the southwestern islands" in body  # the gap is listed


def test_the_indian_liaison_sees_its_pair_as_never_met_and_nothing_of_the_meeting(demo):
    body = page(demo, "ind.liaison", "people:coverage")
    assert "IND: 0 of 1 pair covered" in body
    assert "Never met" in body
    assert "Restricted consultation" not in body
    assert "JPN" not in re.sub(r"<header.*?</header>", "", body, flags=re.S)
    log = page(demo, "ind.liaison", "people:contact-list")
    assert "Restricted consultation" not in log


def test_the_banner_rolls_up_what_the_coverage_was_computed_from(demo):
    body = page(demo, "kor.liaison", "people:coverage")
    assert "SECRET//REL TO USA, KOR" in body
    us = page(demo, "us.planner", "people:coverage")
    assert "SECRET//NOFORN" in us  # the India figure stands on a NOFORN meeting


def test_rotation_shows_the_japan_break_with_its_overlap_and_introduction(demo):
    body = page(demo, "jpn.liaison", "people:rotation")
    assert "Maritime crisis in the East China Sea" in body
    assert "Introduce Robin Castell and Jun Liaison" in body
    assert "Overlap" in body
    assert "Crisis on the Korean Peninsula" not in body
    kor = page(demo, "kor.liaison", "people:rotation")
    assert "Empty for 4 days" in kor


def test_language_and_network_pages_show_their_charts_and_measures(demo):
    body = page(demo, "us.planner", "people:languages")
    assert 'id="languages-by-partner-spec"' in body and "ILR 2" in body
    net = page(demo, "us.planner", "people:network")
    assert "<svg" in net and "Dana Reyes" in net
    assert re.search(r"<strong>KOR</strong>: .*Dana Reyes", net)
    kor = page(demo, "kor.liaison", "people:network")
    assert "Parker Planner" not in kor


def test_records_of_another_partner_answer_404_to_a_liaison_officer(demo):
    parker = record(Official, name="Parker Planner")
    billet = record(Billet, code="J5-JPN-01")
    pair = record(CrisisPair, scenario__startswith="Maritime crisis")
    contact = record(Contact, title__startswith="Bilateral planning talks")
    client = client_for(demo, "kor.liaison")
    for name, pk in (
        ("people:official-detail", parker.pk),
        ("people:billet-detail", billet.pk),
        ("people:pair-detail", pair.pk),
        ("people:contact-detail", contact.pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404
    japanese = client_for(demo, "jpn.liaison")
    body = japanese.get(reverse("people:official-detail", args=[parker.pk])).content.decode()
    assert "Bilateral planning talks" in body and "Japanese: L2 R2 S1+" in body
    assert "Trilateral planners" in body  # released to Japan and Australia


def test_logging_a_contact_saves_it_with_its_participants(demo):
    parker = record(Official, name="Parker Planner")
    kenji = record(Official, name="Kenji Sato")
    client = client_for(demo, "us.planner")
    response = client.post(
        reverse("people:contact-create"),
        {
            "kind": "meeting",
            "title": "Introductory call",
            "starts": "2026-01-05",
            "setting": "Video call",
            "participants": [parker.pk, kenji.pk],
            "marking": "CONFIDENTIAL//REL TO USA, JPN",
        },
    )
    assert response.status_code == 302
    contact = record(Contact, title="Introductory call")
    assert client.get(response["Location"]).content.decode().count("Kenji Sato") >= 1
    assert contact.recorded_by == demo["us.planner"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"marking": "SECRET//NOFORN"}, "marking", "could not read"),
        ({"marking": "SECRET//BOGUS"}, "marking", ""),
        ({"ends": "2025-01-01"}, "ends", "ends on or after"),
        ({"participants": []}, "participants", ""),
        ({"starts": "yesterday"}, "starts", "valid date"),
    ],
)
def test_bad_contacts_are_refused_naming_the_field_and_nothing_is_saved(
    demo, change, field, message
):
    jun = record(Official, name="Jun Liaison")
    parker = record(Official, name="Parker Planner")
    data = {
        "kind": "meeting",
        "title": "Refused call",
        "starts": "2026-01-05",
        "setting": "Tokyo",
        "participants": [jun.pk, parker.pk],
        "marking": "CONFIDENTIAL//REL TO USA, JPN",
        **change,
    }
    response = client_for(demo, "jpn.liaison").post(reverse("people:contact-create"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    with system_access("test: nothing saved"):
        assert not Contact.objects.filter(title="Refused call").exists()


def test_a_hidden_official_cannot_be_chosen_as_a_participant(demo):
    dana = record(Official, name="Dana Reyes")  # not releasable to Japan
    jun = record(Official, name="Jun Liaison")
    response = client_for(demo, "jpn.liaison").post(
        reverse("people:contact-create"),
        {
            "kind": "meeting",
            "title": "Probe",
            "starts": "2026-01-05",
            "setting": "Tokyo",
            "participants": [jun.pk, dana.pk],
            "marking": "CONFIDENTIAL//REL TO USA, JPN",
        },
    )
    assert response.status_code == 400
    assert "participants" in response.context["form"].errors
    assert "Dana" not in response.content.decode()


def test_a_foreign_account_that_is_not_a_liaison_officer_is_refused(demo):
    principal = demo["phl.liaison"].principal
    principal.roles = ["purchaser"]
    principal.save()
    response = client_for(demo, "phl.liaison").get(reverse("people:coverage"))
    assert response.status_code == 403
