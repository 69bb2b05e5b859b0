"""The requirements API: register for your own nation, read what is released, compare overlaps."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from allied.core.models import system_access
from allied.intel.models import CollectionRequirement
from allied.intel.tests.test_requirements import client_for, requirement, strait  # noqa: F401

pytestmark = pytest.mark.django_db

REQUIREMENTS = "/api/intel/requirements/"
OVERLAPS = "/api/intel/requirement-overlaps/"


def payload(**overrides: Any) -> dict[str, Any]:
    data = {
        "marking": "SECRET//REL TO USA, KOR",
        "kind": "collect",
        "topic": "Missile launches",
        "region": "Korean Peninsula",
        "starts": "2026-01-01",
        "ends": "2026-12-31",
        "priority": 5,
        "description": "Ground radars record launches (fictional).",
    }
    data.update(overrides)
    return data


def post(client: Client, data: dict[str, Any]) -> Any:
    return client.post(REQUIREMENTS, data, content_type="application/json")


def test_a_partner_registers_through_the_api_for_its_own_nation(cast):
    response = post(client_for(cast["kor.liaison"]), payload())
    assert response.status_code == 201, response.content
    assert response.json()["nation"] == "KOR"
    assert response.json()["created_by"] == "kor.liaison"


def test_naming_another_nation_is_refused_and_nothing_is_saved(cast):
    response = post(client_for(cast["kor.liaison"]), payload(nation="JPN"))
    assert response.status_code == 400
    assert "own nation (KOR)" in response.json()["nation"][0]
    with system_access("tests: nothing saved"):
        assert not CollectionRequirement.objects.exists()


def test_naming_its_own_nation_is_accepted(cast):
    response = post(client_for(cast["kor.liaison"]), payload(nation="kor"))
    assert response.status_code == 201


def test_a_marking_the_author_could_not_read_back_is_refused(cast):
    response = post(client_for(cast["kor.liaison"]), payload(marking="SECRET//REL TO USA, JPN"))
    assert response.status_code == 400
    assert "nothing was saved" in response.json()["marking"][0]
    with system_access("tests: nothing saved"):
        assert not CollectionRequirement.objects.exists()


def test_a_window_out_of_order_and_a_priority_out_of_range_are_refused(cast):
    client = client_for(cast["kor.liaison"])
    assert post(client, payload(starts="2026-05-01", ends="2026-04-01")).status_code == 400
    assert post(client, payload(priority=9)).status_code == 400


def test_the_list_counts_only_what_is_released_to_the_caller(cast, strait):  # noqa: F811
    data = client_for(cast["phl.liaison"]).get(REQUIREMENTS).json()
    assert len(data["results"]) == 2 and data["next"] is None
    assert {r["nation"] for r in data["results"]} == {"USA", "PHL"}


def test_a_hidden_requirement_is_a_404_like_a_missing_one(cast, strait):  # noqa: F811
    client = client_for(cast["phl.liaison"])
    hidden = client.get(f"{REQUIREMENTS}{strait['us_only'].pk}/")
    missing = client.get(f"{REQUIREMENTS}987654321/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_overlaps_are_listed_and_counted_only_among_visible_requirements(cast, strait):  # noqa: F811
    data = client_for(cast["jpn.liaison"]).get(OVERLAPS).json()
    assert data["count"] == 1
    (pair,) = data["results"]
    assert {pair["a"]["id"], pair["b"]["id"]} == {strait["us_need"].pk, strait["jpn_collect"].pk}
    body = str(data)
    assert "PHLNEEDTEXT" not in body and "USONLYTEXT" not in body


def test_an_overlap_score_comes_with_its_parts_explained(cast, strait):  # noqa: F811
    (pair,) = client_for(cast["jpn.liaison"]).get(OVERLAPS).json()["results"]
    score = pair["score"]
    assert score["topic"] == score["region"] == score["window"] == 1.0
    assert 0 < score["text"] < 1
    assert score["total"] == pytest.approx(0.4 * score["text"] + 0.6, abs=1e-3)
    assert score["explanation"][:3] == [
        "same topic",
        "same region",
        "all of the shorter window overlaps",
    ]
    assert pair["advice"] == "JPN already collects what USA needs."


def test_an_overlap_threshold_out_of_range_is_refused(cast):
    client = client_for(cast["jpn.liaison"])
    assert client.get(OVERLAPS, {"min": "0"}).status_code == 400
    assert client.get(OVERLAPS, {"min": "x"}).status_code == 400


def test_the_api_needs_a_signed_in_caller():
    assert Client().get(REQUIREMENTS).status_code in (401, 403)
    assert Client().get(OVERLAPS).status_code in (401, 403)
