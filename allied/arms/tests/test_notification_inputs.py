"""The notification page and the API read one query alike (``sale_of_query``): the same inputs
give the same decision on both, the page's checkbox (``emergency=1``) included."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

#: A sale over the thresholds, so that an emergency waiver shows in the decision.
SALE = {"partner": "PHL", "channel": "fms", "mde": "50M", "total": "60M", "date": "2026-06-01"}


@pytest.mark.parametrize(
    ("given", "emergency"),
    [
        *[("1", True), ("true", True), ("True", True), ("on", True)],
        *[("0", False), ("false", False), ("", False)],
    ],
)
def test_the_page_and_the_api_read_emergency_alike(cast, given: str, emergency: bool) -> None:
    client = Client()
    client.force_login(cast["us.analyst"])
    query = {**SALE, "emergency": given}
    page = client.get("/arms/notification/", query)
    api = client.get("/api/arms/notification/", query)
    assert (page.status_code, api.status_code) == (200, 200)
    assert page.context["decision"].as_dict() == api.json()
    assert api.json()["emergency_waiver"] is emergency
    assert page.context["sale"].emergency is emergency
    assert ('name="emergency" value="1" checked' in page.content.decode()) is emergency


def test_a_flag_that_is_neither_yes_nor_no_is_refused_alike(cast) -> None:
    client = Client()
    client.force_login(cast["us.analyst"])
    query = {**SALE, "emergency": "maybe"}
    page = client.get("/arms/notification/", query)
    api = client.get("/api/arms/notification/", query)
    assert (page.status_code, api.status_code) == (400, 400)
    assert "emergency" in api.json() and "emergency:" in page.content.decode()
