"""Errors are the site's pages (JSON in the API, TAXII's format under /taxii2/); a request that
meets an unreachable database answers 503 with Retry-After, not a 500."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import BadRequest
from django.db import OperationalError
from django.test import Client

from allied.arms.api.cases import CaseViewSet
from allied.arms.views.cases import CaseList

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


# --- errors are pages of the site ---------------------------------------------------------------

BANNERS = re.compile(r'<div class="allied-banner [^"]*">([^<]*)</div>')
NAV_LINKS = re.compile(r'<ul class="allied-nav__list">(.*?)</ul>', re.S)


def nav_hrefs(content: str) -> list[str]:
    found = NAV_LINKS.search(content)
    assert found, "no navigation on the page"
    return re.findall(r'href="([^"]+)"', found.group(1))


def assert_site_page(response, status: int, reason: str) -> str:
    content = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert BANNERS.findall(content) == ["UNCLASSIFIED", "UNCLASSIFIED"], content[:2000]
    assert reason in content
    assert 'href="/"' in content  # a way back
    assert "Traceback" not in content and "URLconf" not in content
    return content


def test_a_refusal_is_a_page_with_banner_navigation_and_the_reason(cast):
    response = client_for(cast["kor.liaison"]).get("/working-group/")
    content = assert_site_page(response, 403, "This page is for Working group member")
    assert "/working-group/status/" in nav_hrefs(content)


def test_a_missing_record_is_the_sites_page_even_with_djangos_debug_mode(cast, settings):
    settings.DEBUG = True
    response = client_for(cast["jpn.liaison"]).get("/intel/products/987654/")
    assert_site_page(response, 404, "No record found at this address.")


def test_an_unmatched_address_is_the_sites_404_page(cast):
    response = client_for(cast["jpn.liaison"]).get("/no-such-page/")
    assert_site_page(response, 404, "No record found at this address.")


def test_a_server_error_is_the_sites_page_without_debug_details(cast, monkeypatch, settings):
    settings.DEBUG = False

    def broken(*args, **kwargs):
        raise ValueError("a bug with SELECT secrets")

    monkeypatch.setattr(CaseList, "get", broken)
    content = assert_site_page(
        client_for(cast["jpn.liaison"]).get("/arms/"), 500, "The server met an error"
    )
    assert "SELECT secrets" not in content and "ValueError" not in content


def test_a_bad_request_is_the_sites_page(cast, monkeypatch):
    def bad(*args, **kwargs):
        raise BadRequest("malformed")

    monkeypatch.setattr(CaseList, "get", bad)
    assert_site_page(client_for(cast["jpn.liaison"]).get("/arms/"), 400, "could not be understood")


def test_a_failed_csrf_check_is_the_sites_page_naming_what_to_do(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["kor.liaison"])
    response = client.post("/working-group/requests/new/", {"title": "x"})
    assert_site_page(response, 403, "Reload the page you came from and send it again.")


def test_the_api_and_taxii_answer_their_own_error_formats(cast):
    client = client_for(cast["jpn.liaison"])
    api = client.get("/api/no-such-thing/")
    assert api.status_code == 404 and api.json() == {"detail": "Not found."}
    taxii = client.get("/taxii2/no-such-thing/")
    assert taxii.status_code == 404
    assert taxii["Content-Type"].startswith("application/taxii+json")
    assert taxii.json()["http_status"] == "404" and taxii.json()["title"] == "Not found"


def test_the_navigation_offers_the_queue_only_to_the_working_group(cast):
    for username, offered in [("wg.member", True), ("us.admin", True), ("kor.liaison", False)]:
        hrefs = nav_hrefs(client_for(cast[username]).get("/").content.decode())
        assert ("/working-group/" in hrefs) is offered, username


@pytest.mark.usefixtures("loaded_registry")
def test_every_link_of_the_navigation_opens_for_every_person(cast):
    """The navigation reads the rule each page's view declares: no link answers 403."""
    for username, user in cast.items():
        client = client_for(user)
        for href in nav_hrefs(client.get("/").content.decode()):
            status = client.get(href).status_code
            assert status == 200, f"{username}: {href} answers {status}"


def test_a_body_too_large_is_the_sites_page_naming_the_limit(cast, settings):
    settings.ALLIED_MAX_INPUT_BYTES = 1000
    response = client_for(cast["kor.liaison"]).post(
        "/working-group/requests/new/", {"title": "x" * 2000}
    )
    content = assert_site_page(response, 413, "At most 1,000 bytes")
    assert nav_hrefs(content)


def test_a_refused_export_is_the_sites_page_with_the_reason(cast):
    from allied.intel.tests.test_products import make_product

    product = make_product(
        cast["us.analyst"], [(0, "(C//DISPLAY ONLY KOR)", "Shown, never given (fictional).")]
    )
    response = client_for(cast["kor.liaison"]).get(f"/intel/products/{product.pk}/export/")
    content = response.content.decode()
    assert response.status_code == 409 and "none of it may be exported" in content
    assert len(BANNERS.findall(content)) == 2 and nav_hrefs(content)


@pytest.mark.usefixtures("loaded_registry")
def test_every_link_of_the_home_page_opens_for_every_person(cast):
    """The home page's sections offer only pages that answer the person, as the navigation."""
    for username, user in cast.items():
        client = client_for(user)
        home = client.get("/")
        for section in home.context["sections"]:
            for link in section.links:
                status = client.get(link.url).status_code
                assert status == 200, f"{username}: {section.heading}: {link.url} answers {status}"


def test_a_method_an_address_does_not_take_is_the_sites_page_naming_those_it_does(cast):
    # Django's LogoutView takes POST only; its own 405 is an empty answer.
    response = client_for(cast["jpn.liaison"]).get("/logout/")
    assert_site_page(response, 405, "This address does not take a GET request (it takes POST")
    assert "POST" in response["Allow"]
