"""The read-only API: signed-in users and tokens only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.usefixtures("loaded_registry")

API_URLS = [
    "/api/",
    "/api/nations/",
    "/api/nations/USA/",
    "/api/communities/",
    "/api/communities/QUAD/",
]


@pytest.mark.parametrize("url", API_URLS)
def test_the_api_refuses_anonymous_requests(anonymous_client: Client, url: str) -> None:
    response = anonymous_client.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert b"UNCLASSIFIED" not in response.content
    assert b"Quadrilateral" not in response.content


def test_the_api_refuses_a_bad_token(anonymous_client: Client) -> None:
    response = anonymous_client.get("/api/nations/", HTTP_AUTHORIZATION="Token not-a-token")
    assert response.status_code == 401


def test_the_api_accepts_a_token(analyst: User, anonymous_client: Client) -> None:
    token = Token.objects.create(user=analyst)
    response = anonymous_client.get("/api/nations/JPN/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.json()["name"] == "Japan"


def test_the_api_accepts_a_signed_in_session(analyst_client: Client) -> None:
    response = analyst_client.get("/api/")
    assert response.status_code == 200
    assert set(response.json()) == {"nations", "communities", "bulletins"}


def test_a_community_lists_its_memberships_with_their_sources(analyst_client: Client) -> None:
    body = analyst_client.get("/api/communities/AUKUS/").json()
    assert body["kind"] == "other"
    assert {m["nation"] for m in body["memberships"]} == {"AUS", "GBR", "USA"}
    assert all(m["joined"] == "2021-09-15" and m["source"] for m in body["memberships"])


def test_the_nation_list_is_paginated(analyst_client: Client) -> None:
    body = analyst_client.get("/api/nations/?limit=10").json()
    # Next-only pages: a link to the next page, never a count (allied.core.api.pagination).
    assert len(body["results"]) == 10 and "count" not in body
    assert "offset=10" in body["next"] and body["previous"] is None
    second = analyst_client.get(body["next"]).json()
    assert {n["iso3"] for n in second["results"]}.isdisjoint(n["iso3"] for n in body["results"])
    assert {"iso3", "name", "source"} == set(body["results"][0])


def test_the_api_is_read_only(analyst_client: Client) -> None:
    response = analyst_client.post(
        "/api/nations/",
        {"iso3": "XXX", "name": "X", "source": "x"},
        content_type="application/json",
    )
    assert response.status_code == 405


def test_an_unknown_community_is_not_found(analyst_client: Client) -> None:
    assert analyst_client.get("/api/communities/NOPE/").status_code == 404


def test_the_schema_endpoint_renders_for_a_signed_in_user(analyst_client: Client) -> None:
    response = analyst_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Allied API"
    assert "/api/communities/{code}/" in schema["paths"]


def test_the_schema_is_not_served_to_anonymous_users(anonymous_client: Client) -> None:
    assert anonymous_client.get("/api/schema/").status_code == 401


def test_the_api_docs_are_served_from_local_static_files(analyst_client: Client) -> None:
    response = analyst_client.get("/api/docs/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in content
    assert "cdn." not in content
    assert "https://" not in content
