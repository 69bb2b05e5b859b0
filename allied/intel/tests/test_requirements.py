"""Collection requirements: each nation registers its own, and sees partners' only as released.

Overlaps are found only among the requirements a viewer may see: a pair that involves one it may
not see is never shown to it, nor counted.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from allied.core import audit
from allied.core.models import AuditEntry, StoredMarking, system_access
from allied.intel.models import CollectionRequirement

pytestmark = pytest.mark.django_db

LUZON = {"topic": "Maritime activity", "region": "Luzon Strait"}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def requirement(
    author: Any,
    marking: str,
    description: str,
    *,
    kind: str = "need",
    starts: str = "2026-01-01",
    ends: str = "2026-12-31",
    **fields: Any,
) -> CollectionRequirement:
    """A requirement of the author's nation, stored as given (by default on the Luzon Strait)."""
    values = {**LUZON, **fields}
    with system_access("tests: a requirement"):
        obj = CollectionRequirement(
            nation_id=author.principal.nation_id,
            kind=kind,
            starts=datetime.date.fromisoformat(starts),
            ends=datetime.date.fromisoformat(ends),
            priority=3,
            description=description,
            created_by=author,
            marking=StoredMarking.objects.intern(marking),
            **values,
        )
        obj.save()
    return obj


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "need",
        "topic": "Maritime activity",
        "region": "Luzon Strait",
        "starts": "2026-01-01",
        "ends": "2026-06-30",
        "priority": "4",
        "description": "Tracks of survey ships transiting the strait (fictional).",
        "marking": "SECRET//REL TO USA, JPN",
    }
    data.update(overrides)
    return data


@pytest.fixture
def strait(cast: dict[str, Any]) -> dict[str, CollectionRequirement]:
    """Four requirements on the same strait, marked so each partner sees a different part:

    * ``us_need`` (USA, releasable to Japan and the Philippines),
    * ``jpn_collect`` (Japan, releasable to the U.S. only besides Japan),
    * ``phl_need`` (the Philippines, likewise),
    * ``us_only`` (USA, NOFORN).
    """
    return {
        "us_need": requirement(
            cast["us.analyst"],
            "CONFIDENTIAL//REL TO USA, JPN, PHL",
            "USNEEDTEXT tracks of survey ships transiting the strait at night.",
        ),
        "jpn_collect": requirement(
            cast["jpn.liaison"],
            "SECRET//REL TO USA, JPN",
            "JPNCOLLECTTEXT patrol aircraft track survey ships transiting the strait at night.",
            kind="collect",
            starts="2026-03-01",
            ends="2026-09-30",
        ),
        "phl_need": requirement(
            cast["phl.liaison"],
            "CONFIDENTIAL//REL TO USA, PHL",
            "PHLNEEDTEXT the coast guard needs tracks of survey ships transiting the strait.",
        ),
        "us_only": requirement(
            cast["us.analyst"],
            "SECRET//NOFORN",
            "USONLYTEXT collection already covers survey ships transiting the strait.",
            kind="collect",
        ),
    }


# --- registering --------------------------------------------------------------------------


def test_a_partner_registers_a_requirement_for_its_own_nation_only(cast):
    jpn = cast["jpn.liaison"]
    response = client_for(jpn).post(
        reverse("intel:requirement-create"), form_data(nation="KOR", nation_id="KOR")
    )
    assert response.status_code == 302
    with system_access("tests: read back"):
        saved = CollectionRequirement.objects.get()
    assert saved.nation_id == "JPN"
    assert saved.created_by == jpn
    assert response["Location"] == reverse("intel:requirement-detail", args=[saved.pk])


def test_a_us_user_registers_for_the_united_states(cast):
    client = client_for(cast["us.planner"])
    response = client.post(reverse("intel:requirement-create"), form_data(nation="JPN"))
    assert response.status_code == 302
    with system_access("tests: read back"):
        assert CollectionRequirement.objects.get().nation_id == "USA"


def test_the_form_says_for_which_nation_the_partner_registers(cast):
    body = client_for(cast["phl.liaison"]).get(reverse("intel:requirement-create")).content
    assert b"(PHL)" in body and b"REL TO USA, PHL" in body


def test_a_partner_cannot_register_a_requirement_it_could_not_read_back(cast):
    client = client_for(cast["jpn.liaison"])
    response = client.post(
        reverse("intel:requirement-create"), form_data(marking="SECRET//REL TO USA, KOR")
    )
    assert response.status_code == 400
    assert b"Nothing was saved" in response.content
    with system_access("tests: nothing saved"):
        assert not CollectionRequirement.objects.exists()


def test_an_invalid_marking_is_refused_with_the_rule_and_the_fix(cast):
    client = client_for(cast["jpn.liaison"])
    response = client.post(
        reverse("intel:requirement-create"), form_data(marking="SECRET//REL TO JPN, USA")
    )
    assert response.status_code == 400
    assert b"USA must come first" in response.content


def test_a_window_that_ends_before_it_starts_is_refused(cast):
    client = client_for(cast["jpn.liaison"])
    response = client.post(
        reverse("intel:requirement-create"), form_data(starts="2026-06-01", ends="2026-05-01")
    )
    assert response.status_code == 400
    assert b"end on or after" in response.content


def test_registering_a_requirement_is_audited(cast):
    client_for(cast["kor.liaison"]).post(
        reverse("intel:requirement-create"), form_data(marking="SECRET//REL TO USA, KOR")
    )
    entry = AuditEntry.objects.filter(action="write").latest("id")
    assert entry.object_type == "intel.collectionrequirement"
    assert (entry.actor_name, entry.nation) == ("kor.liaison", "KOR")
    assert entry.marking == "SECRET//REL TO USA, KOR"


# --- reading --------------------------------------------------------------------------------


def test_the_list_shows_each_viewer_only_what_is_released_to_it(cast, strait):
    body = client_for(cast["jpn.liaison"]).get(reverse("intel:requirement-list")).content
    assert b"CONFIDENTIAL//REL TO USA, JPN, PHL" in body
    assert b"SECRET//REL TO USA, JPN" in body
    assert b"REL TO USA, PHL</code>" not in body
    assert b"NOFORN" not in body


def test_the_list_can_be_narrowed_to_a_kind_and_a_nation(cast, strait):
    client = client_for(cast["us.analyst"])
    rows = client.get(reverse("intel:requirement-list"), {"kind": "collect", "nation": "jpn"})
    assert [r.pk for r in rows.context["object_list"]] == [strait["jpn_collect"].pk]


def test_a_hidden_requirement_answers_exactly_like_a_missing_one(cast, strait):
    client = client_for(cast["phl.liaison"])
    hidden = strait["jpn_collect"].pk
    response = client.get(reverse("intel:requirement-detail", args=[hidden]))
    missing = client.get(reverse("intel:requirement-detail", args=[987654321]))
    assert response.status_code == missing.status_code == 404
    assert response.content.replace(str(hidden).encode(), b"987654321") == missing.content


def test_each_requirement_shown_is_audited_and_joins_the_banner(cast, strait):
    client = client_for(cast["jpn.liaison"])
    response = client.get(reverse("intel:requirement-detail", args=[strait["jpn_collect"].pk]))
    assert b"SECRET//REL TO USA, JPN</div>" in response.content  # the banner
    reads = AuditEntry.objects.filter(action="read", actor_name="jpn.liaison")
    assert {e.object_id for e in reads} >= {str(strait["jpn_collect"].pk)}


# --- overlaps --------------------------------------------------------------------------------


def pairs_on_page(client: Client, **params: Any) -> list[tuple[int, int]]:
    response = client.get(reverse("intel:requirement-overlaps"), params)
    assert response.status_code == 200
    return [(p.a.pk, p.b.pk) for p in response.context["pairs"]]


def test_an_overlap_involving_a_requirement_a_viewer_may_not_see_is_never_shown_to_it(cast, strait):
    jpn = client_for(cast["jpn.liaison"])
    response = jpn.get(reverse("intel:requirement-overlaps"))
    pairs = [(p.a.pk, p.b.pk) for p in response.context["pairs"]]
    assert pairs == [(strait["us_need"].pk, strait["jpn_collect"].pk)]
    for hidden in (b"PHLNEEDTEXT", b"USONLYTEXT"):
        assert hidden not in response.content


def test_an_overlap_involving_a_hidden_requirement_is_not_counted_either(cast, strait):
    phl = client_for(cast["phl.liaison"])
    response = phl.get(reverse("intel:requirement-overlaps"))
    assert response.context["page_obj"].paginator.count == 1
    assert b"1 pair scoring" in response.content
    assert [(p.a.pk, p.b.pk) for p in response.context["pairs"]] == [
        (strait["us_need"].pk, strait["phl_need"].pk)
    ]
    assert b"JPNCOLLECTTEXT" not in response.content and b"USONLYTEXT" not in response.content


def test_a_us_analyst_sees_every_overlap_between_nations(cast, strait):
    pairs = set(pairs_on_page(client_for(cast["us.analyst"])))
    s = {name: r.pk for name, r in strait.items()}
    assert pairs == {
        (s["us_need"], s["jpn_collect"]),
        (s["us_need"], s["phl_need"]),
        (s["jpn_collect"], s["phl_need"]),
        (s["jpn_collect"], s["us_only"]),
        (s["phl_need"], s["us_only"]),
    }  # never two requirements of the same nation


def test_scores_explain_their_parts(cast, strait):
    response = client_for(cast["jpn.liaison"]).get(reverse("intel:requirement-overlaps"))
    body = response.content.decode()
    assert "same topic, same region, all of the shorter window overlaps, text 0." in body
    assert "JPN already collects what USA needs." in body


def test_a_higher_threshold_leaves_out_weaker_overlaps(cast, strait):
    requirement(
        cast["kor.liaison"],
        "SECRET//REL TO USA, KOR",
        "Ballistic launches seen by ground radars.",
        topic="Missile launches",
        starts="2026-01-01",
        ends="2026-01-31",
    )
    client = client_for(cast["us.analyst"])
    everything = pairs_on_page(client, min="0.5")
    strong = pairs_on_page(client, min="0.9")
    assert len(strong) < len(everything)


def test_only_pairs_with_my_nation_can_be_asked_for(cast, strait):
    pairs = pairs_on_page(client_for(cast["us.analyst"]), mine="1")
    us = {strait["us_need"].pk, strait["us_only"].pk}
    assert pairs and all(us & set(pair) for pair in pairs)


def test_a_requirement_page_lists_only_visible_overlaps_with_it(cast, strait):
    client = client_for(cast["phl.liaison"])
    response = client.get(reverse("intel:requirement-detail", args=[strait["phl_need"].pk]))
    assert [(p.a.pk, p.b.pk) for p in response.context["pairs"]] == [
        (strait["us_need"].pk, strait["phl_need"].pk)
    ]
    assert b"JPNCOLLECTTEXT" not in response.content


def test_requirements_in_overlaps_are_recorded_as_shown(cast, strait):
    response = client_for(cast["phl.liaison"]).get(reverse("intel:requirement-overlaps"))
    assert b"CONFIDENTIAL//REL TO USA, PHL</div>" in response.content  # roll-up of both
    entries = AuditEntry.objects.filter(action="read", actor_name="phl.liaison")
    reads = {i for _, i, _ in audit.objects_named(entries)}
    assert reads == {str(strait["us_need"].pk), str(strait["phl_need"].pk)}


# --- home and demo -----------------------------------------------------------------------------


def test_liaison_officers_authors_and_planners_find_requirements_on_their_home_page(cast):
    for username, heading in (
        ("kor.liaison", "Divide the collection work"),
        ("us.analyst", "Write to what partners need"),
        ("us.planner", "Who collects what"),
    ):
        body = client_for(cast[username]).get(reverse("home")).content.decode()
        assert heading in body, username
        assert reverse("intel:requirement-overlaps") in body and reverse("intel:search") in body


def test_the_demo_requirements_are_seeded_once_and_each_author_can_read_its_own(cast):
    from allied.intel.demo import requirements as demo

    first = demo.seed()
    assert first == len(demo.REQUIREMENTS)
    assert demo.seed() == 0
    for username in {entry.author for entry in demo.REQUIREMENTS}:
        user = cast[username]
        own = CollectionRequirement.objects.visible_to(user).filter(created_by=user)
        assert own.count() == sum(1 for e in demo.REQUIREMENTS if e.author == username)
        assert all("Fictional demo content" in r.description for r in own)


def test_in_the_demo_not_every_partner_sees_every_overlap(cast):
    from allied.intel.demo import requirements as demo

    demo.seed()
    seen = {
        username: set(pairs_on_page(client_for(cast[username])))
        for username in ("us.analyst", "jpn.liaison", "phl.liaison", "kor.liaison")
    }
    assert all(seen[username] for username in seen)
    for partner in ("jpn.liaison", "phl.liaison", "kor.liaison"):
        assert seen[partner] < seen["us.analyst"]
    assert seen["jpn.liaison"] != seen["phl.liaison"]
