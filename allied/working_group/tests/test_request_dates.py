"""The dates and flags that order the working group's queue are the server's and the group's:
a partner opening a request can neither backdate it nor flag it, and its form offers no field
that would be dropped."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from allied.core.models import system_access
from allied.working_group.models import FreeformRequest
from allied.working_group.tests.test_pages import client_for, freeform

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def korean_request(**overrides):
    data = {
        "partner": "KOR",
        "kind": "training",
        "title": "Backdated exercise (fictional)",
        "owner": "INDOPACOM J3",
        "opened": "2023-01-01",
        "target": (TODAY + datetime.timedelta(days=1)).isoformat(),
        "flags": ["emergency", "strategic"],
        "marking": "UNCLASSIFIED//REL TO USA, KOR",
    }
    data.update(overrides)
    return data


def test_a_partner_cannot_backdate_a_request_to_the_head_of_the_queue(cast):
    freeform(cast, "PHL", "Older course (fictional)", "UNCLASSIFIED", days=150)
    client = client_for(cast["kor.liaison"])
    response = client.post("/working-group/requests/new/", korean_request())
    assert response.status_code == 302
    with system_access("tests: check"):
        row = FreeformRequest.objects.get(partner_id="KOR")
    # The day it was opened is the server's; target and flags are the working group's to set.
    assert (row.opened, row.target, row.flags) == (TODAY, None, "")
    html = client_for(cast["wg.member"]).get("/working-group/").content.decode()
    assert html.index("Older course") < html.index("Backdated exercise")


def test_a_partners_form_offers_only_the_fields_it_keeps(cast):
    html = client_for(cast["kor.liaison"]).get("/working-group/requests/new/").content.decode()
    for name in ("opened", "target", "flags"):
        assert f'name="{name}"' not in html
    assert 'name="title"' in html and 'name="blockers"' in html


def test_the_working_group_sets_target_and_flags_but_not_the_day_opened(cast):
    client = client_for(cast["wg.member"])
    html = client.get("/working-group/requests/new/").content.decode()
    assert 'name="opened"' not in html
    assert 'name="target"' in html and 'name="flags"' in html
    target = TODAY + datetime.timedelta(days=20)
    response = client.post(
        "/working-group/requests/new/",
        korean_request(target=target.isoformat(), marking="SECRET//REL TO USA, KOR"),
    )
    assert response.status_code == 302
    with system_access("tests: check"):
        row = FreeformRequest.objects.get(partner_id="KOR")
    assert (row.opened, row.target, row.flag_list) == (TODAY, target, ("emergency", "strategic"))


def test_a_target_before_the_day_opened_is_refused_by_name(cast):
    response = client_for(cast["wg.member"]).post(
        "/working-group/requests/new/",
        korean_request(target="2023-01-01", marking="SECRET//REL TO USA, KOR"),
    )
    assert response.status_code == 400
    assert "target" in response.context["form"].errors
    with system_access("tests: check"):
        assert not FreeformRequest.objects.exists()


def test_the_api_never_writes_the_day_a_request_was_opened(cast):
    row = freeform(cast, "KOR", "Korean course (fictional)", "UNCLASSIFIED", days=3)
    client = client_for(cast["kor.liaison"])
    url = "/api/working-group/requests/"
    created = client.post(url, korean_request(), content_type="application/json")
    patched = client.patch(f"{url}{row.pk}/", {"opened": "2023-01-01"}, "application/json")
    assert created.status_code == 405 and patched.status_code == 405
    with system_access("tests: check"):
        row.refresh_from_db()
        assert FreeformRequest.objects.count() == 1
    assert row.opened == TODAY - datetime.timedelta(days=3)
    schema = client.options(url).json()
    assert "POST" not in schema.get("actions", {})
