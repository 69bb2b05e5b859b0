"""The dates the working group's queue ages an FMS case by (the day its letter of request was
received, the day its stage was entered) are facts a U.S. case manager records: no partner sets
them, and no one records a day that has not come yet, on the pages, the API or a case book."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from allied.arms.models import Case
from allied.arms.tests.test_editing import PHL, api_for, client_for, stored
from allied.core.models import system_access

from .factories import DAY, case

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TOMORROW = TODAY + datetime.timedelta(days=1)


def test_a_stage_cannot_be_completed_on_a_day_still_to_come_on_the_page(cast):
    obj = case("PHL", PHL, stage="lor_validated")
    response = client_for(cast["us.casemgr"]).post(
        f"/arms/cases/{obj.pk}/advance/",
        {"on": TOMORROW.isoformat(), "version": "1"},
        follow=True,
    )
    page = response.content.decode()
    assert "Nothing was changed" in page and "has not come yet" in page
    after = stored(obj)
    assert (after.stage, after.stage_entered, after.version) == ("lor_validated", DAY, 1)


def test_a_stage_cannot_be_completed_on_a_day_still_to_come_through_the_api(cast):
    obj = case("PHL", PHL, stage="lor_validated")
    api = api_for(cast["us.casemgr"])
    url = f"/api/arms/cases/{obj.pk}/advance/"
    ahead = api.post(url, {"version": 1, "on": TOMORROW.isoformat()}, format="json")
    assert ahead.status_code == 400
    assert "has not come yet" in ahead.json()["on"][0]
    assert stored(obj).version == 1
    # Today is a day that has come.
    done = api.post(url, {"version": 1, "on": TODAY.isoformat()}, format="json")
    assert done.status_code == 200, done.content
    assert stored(obj).stage_entered == TODAY


def test_no_one_but_the_case_manager_completes_a_stage_or_dates_it(cast):
    obj = case("PHL", PHL, stage="lor_validated")
    url = f"/api/arms/cases/{obj.pk}/advance/"
    refused = api_for(cast["phl.liaison"]).post(
        url, {"version": 1, "on": "2023-01-01"}, format="json"
    )
    assert refused.status_code == 403
    assert stored(obj).stage_entered == DAY


def book_row(n: int, **fields: object) -> dict[str, object]:
    return {
        "identifier": f"QD-{n:05d}",
        "partner": "PHL",
        "title": f"Coastal radar lot {n} (fictional)",
        "implementing_agency": "Navy (NIPO)",
        "stage": "reviews",
        "stage_entered": TODAY.isoformat(),
        "lor_received": (TODAY - datetime.timedelta(days=30)).isoformat(),
        "mde_value": 12_000_000,
        "total_value": 30_000_000,
        "marking": "SECRET//REL TO USA, PHL",
        **fields,
    }


def test_a_case_book_dated_ahead_is_refused_by_row_and_field(cast):
    rows = [
        book_row(1),
        book_row(2, lor_received=TOMORROW.isoformat()),
        book_row(3, stage_entered=TOMORROW.isoformat()),
    ]
    response = client_for(cast["us.casemgr"]).post(
        "/api/arms/cases/import/", json.dumps(rows), content_type="application/json"
    )
    assert response.status_code == 400
    errors = {(e["row"], e["field"]): e["message"] for e in response.json()["errors"]}
    assert set(errors) == {(2, "lor_received"), (3, "stage_entered")}
    assert all("has not come yet" in message for message in errors.values())
    with system_access("tests: nothing was imported"):
        assert not Case.objects.filter(identifier__startswith="QD-").exists()
