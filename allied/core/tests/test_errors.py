"""A request that meets an unreachable database answers 503 with Retry-After, not a 500."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

from allied.arms.api.urls import CaseViewSet
from allied.arms.views import CaseList

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch, settings):
    settings.DEBUG = False

    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CaseViewSet, "list", unreachable)
    monkeypatch.setattr(CaseList, "get", unreachable)


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_the_api_answers_503_in_json_when_the_database_is_unreachable(cast, database_down):
    response = client_for(cast["us.casemgr"]).get("/api/arms/cases/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["detail"].startswith("The database cannot be reached")


def test_a_page_answers_503_without_a_traceback(cast, database_down):
    response = client_for(cast["us.casemgr"]).get("/arms/")
    assert response.status_code == 503
    assert b"Service unavailable" in response.content and b"Traceback" not in response.content


def test_any_other_error_is_still_a_500(cast, monkeypatch, settings):
    settings.DEBUG = False

    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(CaseViewSet, "list", broken)
    assert client_for(cast["us.casemgr"]).get("/api/arms/cases/").status_code == 500
