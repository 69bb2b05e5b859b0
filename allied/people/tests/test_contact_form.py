"""The form to log a contact lists the officials its author may choose: each listed official is
an audited read, carries its portion mark, and the page's banner is the roll-up of them all."""

import re

import pytest
from django.urls import reverse

from allied.core import audit
from allied.core.models import AuditEntry, system_access
from allied.people.models import Official
from allied.people.tests.test_pages import client_for

pytestmark = pytest.mark.django_db


def banners(html):
    return re.findall(r'class="allied-banner allied-banner--(?:top|bottom)[^"]*">([^<]*)<', html)


def officials_for(cast, username):
    viewer = cast[username].principal.viewer()
    with system_access("tests: the officials a person may read"):
        return list(Official.objects.visible_to(viewer).select_related("marking"))


def reads_since(last_id):
    """(actor, official's id, marking) of each official read since entry ``last_id``: a page's
    one entry lists each row it shows (issue 15, point 6)."""
    return {
        (entry.actor_name, object_id, marking)
        for entry in AuditEntry.objects.filter(id__gt=last_id, action="read")
        for kind, object_id, marking in audit.objects_named([entry])
        if kind == "people.official"
    }


def last_id():
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.mark.parametrize(
    ("username", "banner"),
    [
        # Rules 18 and 24: CONFIDENTIAL portions released to different partners roll up to
        # CONFIDENTIAL with the REL TO list they share (USA alone: NOFORN).
        ("us.planner", "CONFIDENTIAL//NOFORN"),
        ("jpn.liaison", "CONFIDENTIAL//REL TO USA, JPN"),
    ],
)
def test_the_officials_the_form_lists_are_audited_and_rolled_up_in_its_banner(
    demo, username, banner
):
    listed = officials_for(demo, username)
    assert listed
    before = last_id()
    response = client_for(demo, username).get(reverse("people:contact-create"))
    assert response.status_code == 200
    html = response.content.decode()
    assert banners(html) == [banner, banner]
    assert reads_since(before) == {(username, str(o.pk), o.marking.text) for o in listed}
    for official in listed:
        # Rule 4: every marked row shown carries its portion mark.
        assert f">{official.marking.portion()} {official.name} ({official.nation_id})," in html


def test_a_refused_contact_shows_the_form_again_audited_under_the_same_banner(demo):
    before = last_id()
    response = client_for(demo, "jpn.liaison").post(
        reverse("people:contact-create"),
        {"kind": "meeting", "title": "", "starts": "2026-01-05", "setting": "Video call",
         "marking": "CONFIDENTIAL//REL TO USA, JPN"},
    )  # fmt: skip
    assert response.status_code == 400
    assert banners(response.content.decode()) == ["CONFIDENTIAL//REL TO USA, JPN"] * 2
    listed = officials_for(demo, "jpn.liaison")
    assert {row[1] for row in reads_since(before)} == {str(o.pk) for o in listed}
