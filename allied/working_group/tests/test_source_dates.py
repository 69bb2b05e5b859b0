"""Every source of the working group's queue keeps the dates it is ranked by to the server: a
planning request is opened, and a disclosure request asked, on the day it is recorded, whatever
the page or the API is sent (the group's own requests: test_request_dates; FMS cases:
allied/arms/tests/test_queue_dates.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from allied.core.models import system_access
from allied.intel.models import DisclosureRequest
from allied.intel.tests import test_disclosure as disclosure_pages
from allied.planning import models as planning
from allied.planning.queue import open_requests

pytestmark = pytest.mark.django_db
product = disclosure_pages.product

BACKDATED = {"opened": "2023-01-01", "target": "2023-01-02", "status": "accepted"}


def api_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_partner_cannot_backdate_a_planning_request_through_the_api(cast):
    response = api_for(cast["jpn.liaison"]).post(
        "/api/planning/requests/",
        {
            "kind": "confirm_role",
            "title": "Confirm our role (fictional)",
            "text": "Please confirm.",
            "marking": "SECRET//REL TO USA, JPN",
            **BACKDATED,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["opened"] == date.today().isoformat()
    with system_access("tests: check"):
        row = planning.PlanningRequest.objects.get(pk=response.json()["id"])
    assert (row.opened, row.target, row.status) == (date.today(), None, "open")
    [item] = [
        i
        for i in open_requests(cast["wg.member"], date.today())
        if i.title.endswith("Confirm our role (fictional)")
    ]
    assert (item.opened, item.target) == (date.today(), None)


def test_the_planning_request_page_offers_no_date(cast):
    html = client_for(cast["jpn.liaison"]).get("/planning/requests/new/").content.decode()
    assert 'name="title"' in html
    for name in ("opened", "target", "status"):
        assert f'name="{name}"' not in html


def test_a_disclosure_request_is_asked_on_the_day_it_is_recorded(cast, product):
    prod, portions = product
    response = api_for(cast["us.analyst"]).post(
        "/api/intel/disclosure-requests/",
        {
            "product": prod.pk,
            "portions": [portions[0].pk],
            "partner": "JPN",
            "purpose": "Exercise planning (fictional).",
            "requested_at": "2023-01-01T00:00:00Z",
            "status": "escalated",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    with system_access("tests: check"):
        row = DisclosureRequest.objects.get(pk=response.json()["id"])
    assert timezone.localdate(row.requested_at) == timezone.localdate()
    assert row.status == "pending"
