"""A partner's users see only their own nation's cases, and within them only what is released.

U.S. users see every case their markings allow. A case a viewer may not see answers 404 exactly
like a missing one, on pages and in the API, and is never counted.
"""

from __future__ import annotations

import pytest
from django.test import Client

from allied.arms import access
from allied.arms.models import Blocker, Case
from allied.arms.queue import open_requests

from .factories import DAY, blocker, case, group

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def book(cast):
    phl = case("PHL", "CONFIDENTIAL//REL TO USA, PHL", title="Philippine coastal radars")
    jpn = case("JPN", "CONFIDENTIAL//REL TO USA, JPN", title="Japanese interceptors")
    # Marked so that Japan could read it: still not Japan's case, so not shown to Japan.
    shared = case("PHL", "UNCLASSIFIED", title="Philippine training ammunition")
    secret = case("PHL", "SECRET//NOFORN", title="Philippine case kept NOFORN")
    blocker(phl, "Partner to confirm the delivery address", "CONFIDENTIAL//REL TO USA, PHL")
    blocker(phl, "Exception to disclosure policy under review", "SECRET//NOFORN")
    return {"phl": phl, "jpn": jpn, "shared": shared, "secret": secret}


def test_the_philippine_purchaser_sees_only_philippine_cases_released_to_it(cast, book):
    titles = set(access.cases(cast["phl.liaison"]).values_list("title", flat=True))
    assert titles == {"Philippine coastal radars", "Philippine training ammunition"}


def test_the_japanese_liaison_does_not_see_a_philippine_case_even_if_unclassified(cast, book):
    titles = set(access.cases(cast["jpn.liaison"]).values_list("title", flat=True))
    assert titles == {"Japanese interceptors"}
    response = client_for(cast["jpn.liaison"]).get(f"/arms/cases/{book['shared'].pk}/")
    missing = client_for(cast["jpn.liaison"]).get("/arms/cases/987654321/")
    assert response.status_code == missing.status_code == 404
    assert response.content == missing.content


def test_a_us_case_manager_sees_every_case(cast, book):
    assert access.cases(cast["us.casemgr"]).count() == 4


def test_the_partner_list_shows_released_blockers_only(cast, book):
    body = client_for(cast["phl.liaison"]).get("/arms/").content.decode()
    assert "Partner to confirm the delivery address" in body
    assert "Exception to disclosure policy" not in body
    assert "Japanese interceptors" not in body
    us = client_for(cast["us.casemgr"]).get("/arms/").content.decode()
    assert "Exception to disclosure policy" in us and "Japanese interceptors" in us


def test_the_api_counts_only_the_partners_own_cases(cast, book):
    data = client_for(cast["phl.liaison"]).get("/api/arms/cases/").json()
    assert len(data["results"]) == 2 and data["next"] is None
    assert {r["title"] for r in data["results"]} == {
        "Philippine coastal radars",
        "Philippine training ammunition",
    }
    hidden = client_for(cast["phl.liaison"]).get(f"/api/arms/cases/{book['secret'].pk}/")
    assert hidden.status_code == 404


def test_the_case_detail_api_leaves_out_blockers_not_released(cast, book):
    data = client_for(cast["phl.liaison"]).get(f"/api/arms/cases/{book['phl'].pk}/").json()
    assert [b["text"] for b in data["blockers"]] == ["Partner to confirm the delivery address"]


def test_rows_of_a_case_follow_the_case(cast, book):
    """An UNCLASSIFIED blocker of a NOFORN case is hidden with its case."""
    blocker(book["secret"], "Visible marking, hidden case", "UNCLASSIFIED")
    texts = set(access.case_rows(Blocker, cast["phl.liaison"]).values_list("text", flat=True))
    assert "Visible marking, hidden case" not in texts


def test_a_coordinated_case_names_the_other_case_only_to_those_who_may_see_it(cast):
    g = group("Interceptor buy", "CONFIDENTIAL//REL TO USA, JPN, KOR")
    jpn = case("JPN", "CONFIDENTIAL//REL TO USA, JPN", title="Japan's interceptors", group=g)
    kor = case("KOR", "CONFIDENTIAL//REL TO USA, KOR", title="Korea's interceptors", group=g)
    blocker(
        jpn,
        "Waveform to be agreed with the other case",
        "CONFIDENTIAL//REL TO USA, JPN",
        waits_on=kor,
    )
    us = client_for(cast["us.casemgr"]).get(f"/arms/coordinated/{g.pk}/").content.decode()
    assert f"{jpn.identifier}</a> waits on" in us and kor.identifier in us
    japan = client_for(cast["jpn.liaison"]).get(f"/arms/coordinated/{g.pk}/").content.decode()
    assert "Waveform to be agreed" in japan
    assert kor.identifier not in japan and "Korea&#x27;s interceptors" not in japan
    # The Philippine purchaser has no case in the group: the group is not found.
    assert client_for(cast["phl.liaison"]).get(f"/arms/coordinated/{g.pk}/").status_code == 404


def test_the_queue_gives_a_foreign_viewer_only_its_releasable_items(cast, book):
    items = list(open_requests(cast["phl.liaison"], DAY))
    assert {i.title.split(" ", 1)[1] for i in items} == {
        "Philippine coastal radars",
        "Philippine training ammunition",
    }
    radar = next(i for i in items if "radars" in i.title)
    assert radar.blockers == ("Partner to confirm the delivery address",)
    assert radar.marking == "CONFIDENTIAL//REL TO USA, PHL"
    us_items = list(open_requests(cast["us.casemgr"], DAY))
    assert len(us_items) == 4
    assert any("Exception to disclosure" in b for i in us_items for b in i.blockers)


def test_the_queue_source_is_registered():
    from allied.core.queue import SOURCES

    assert {"arms.cases", "arms.licences"} <= set(SOURCES)


def test_an_unscoped_case_query_is_refused():
    from allied.core.models.marked import UnscopedQueryError

    with pytest.raises(UnscopedQueryError):
        list(Case.objects.all())
