"""The export rule, decided once in the core (rule 24(f)): which responses are exports.

Every REST API response, every TAXII response and every download is an export, and its viewer is
an exporting one, who sees only what it may export; rendered pages are the only other kind.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.test import Client

from allied.core import restricted
from allied.core.models import Bulletin, StoredMarking, system_access

pytestmark = pytest.mark.django_db


def exporting_seen(client: Client, url: str) -> list[bool]:
    """For each viewer the weekly brief asked the core for: was it an exporting one?"""
    seen: list[bool] = []

    def spy(request: Any, on: Any = None) -> Any:
        viewer = restricted.viewer_of(request, on)
        seen.append(viewer.exporting)
        return viewer

    with mock.patch("allied.working_group.brief.viewer_of", spy):
        client.get(url)
    return seen


@pytest.fixture
def display_only_bulletin(cast: dict[str, Any]) -> Bulletin:
    with system_access("test: a bulletin Japan may be shown, never given"):
        bulletin = Bulletin(
            title="Hotline drill SHOWNTOJAPAN",
            body="Observations SHOWNTOJAPAN.",
            author=cast["us.analyst"],
            marking=StoredMarking.objects.intern("CONFIDENTIAL//DISPLAY ONLY JPN"),
        )
        bulletin.save()
    return bulletin


def test_rule_24f_a_page_shows_display_only_and_the_api_does_not(cast, display_only_bulletin):
    client = Client()
    client.force_login(cast["jpn.liaison"])
    page = client.get(f"/bulletins/{display_only_bulletin.pk}/")
    assert page.status_code == 200 and b"SHOWNTOJAPAN" in page.content
    for url in ("/api/bulletins/", "/api/bulletins/?format=api", "/api/bulletins/?format=csv"):
        assert b"SHOWNTOJAPAN" not in client.get(url).content, url
    missing = client.get("/api/bulletins/987654321/")
    hidden = client.get(f"/api/bulletins/{display_only_bulletin.pk}/")
    assert hidden.status_code == 404
    assert hidden.content.replace(str(display_only_bulletin.pk).encode(), b"") == (
        missing.content.replace(b"987654321", b"")
    )


def test_rule_24f_show_refuses_an_unexportable_row_on_an_export(cast, display_only_bulletin):
    """The last guard: a query that let DISPLAY ONLY through on an export answers 404."""
    from django.http import Http404
    from django.test import RequestFactory

    request = RequestFactory().get("/api/bulletins/")
    request.user = cast["jpn.liaison"]
    restricted.show(request, [display_only_bulletin])  # a page: shown
    restricted.mark_export(request)
    assert restricted.viewer_of(request).exporting
    with pytest.raises(Http404):
        restricted.show(request, [display_only_bulletin])


def test_the_weekly_briefs_pdf_is_an_export_and_its_page_is_not(cast):
    client = Client()
    client.force_login(cast["wg.member"])
    with mock.patch("allied.working_group.brief.render_pdf", return_value=b"%PDF-1.4"):
        as_pdf = exporting_seen(client, "/working-group/brief/?format=pdf")
    as_page = exporting_seen(client, "/working-group/brief/")
    assert as_pdf and all(as_pdf)
    assert as_page and not any(as_page)


def test_on_an_export_show_stops_a_row_the_queryset_let_through(cast, display_only_bulletin):
    """With the queryset guard broken (every marking visible), the API still shows Japan no
    DISPLAY ONLY row: show() answers 404 instead. Pages keep only the first wall."""
    from allied.core.models import marked

    everything = lambda viewer, *, export=False, using=None: list(marked._CACHE.refresh(using))  # noqa: E731
    client = Client()
    client.force_login(cast["jpn.liaison"])
    with mock.patch.object(marked, "visible_marking_ids", everything):
        response = client.get("/api/bulletins/")
    assert response.status_code == 404
    assert b"SHOWNTOJAPAN" not in response.content
