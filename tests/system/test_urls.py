"""Meta-tests: no route can be added without an access check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

# The only routes an anonymous visitor may reach.
PUBLIC_ROUTES = {"login"}


def all_patterns(
    patterns: list[Any] | None = None, prefix: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from all_patterns(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def test_every_page_requires_sign_in_except_the_public_ones() -> None:
    open_pages = {
        pattern.name or route
        for route, pattern in all_patterns()
        if not isinstance(getattr(pattern.callback, "cls", None), type)
        and not getattr(pattern.callback, "login_required", True)
        and not getattr(pattern.callback, "authenticates_itself", False)
    }
    assert open_pages == PUBLIC_ROUTES


@pytest.mark.django_db
def test_routes_that_authenticate_themselves_answer_401_to_an_anonymous_caller() -> None:
    """TAXII clients send Basic or token credentials, not a session: those views check them."""
    from django.test import Client

    from allied.intel.views.taxii import COLLECTIONS

    ids = {"collection_id": COLLECTIONS["imports"]["id"], "object_id": "indicator--x"}
    checked = 0
    for route, pattern in all_patterns():
        if getattr(pattern.callback, "authenticates_itself", False):
            path = "/" + route
            for name, value in ids.items():
                path = path.replace(f"<str:{name}>", value)
            assert Client().get(path).status_code == 401, route
            checked += 1
    assert checked >= 1


def test_every_api_view_requires_an_authenticated_user() -> None:
    api_views = [
        (route, view)
        for route, pattern in all_patterns()
        if isinstance(view := getattr(pattern.callback, "cls", None), type)
        and issubclass(view, APIView)
    ]
    assert api_views, "no API views found"
    for route, view in api_views:
        assert any(issubclass(p, IsAuthenticated) for p in view.permission_classes), route


def test_every_view_exempt_from_the_csrf_middleware_checks_session_writes_itself() -> None:
    """A signed-in browser's session must never write without the CSRF token, on any route.

    DRF views are exempt from the middleware and rely on ``SessionAuthentication``, which runs
    the same check; token and Basic authentication need none (a browser does not add them to a
    request another site makes). Other exempt views must say they run the check themselves.
    """
    from rest_framework import authentication

    # DRF's own: SessionAuthentication runs the CSRF check, the others need none. A custom
    # class that reads the session would not be checked, so any other class fails here.
    known = {
        authentication.SessionAuthentication,
        authentication.TokenAuthentication,
        authentication.BasicAuthentication,
    }
    exempt = [
        (route, pattern.callback)
        for route, pattern in all_patterns()
        if getattr(pattern.callback, "csrf_exempt", False)
    ]
    assert exempt, "no exempt views found"
    for route, callback in exempt:
        view = getattr(callback, "cls", None)
        if isinstance(view, type) and issubclass(view, APIView):
            assert set(view.authentication_classes) <= known, route
        else:
            assert getattr(callback, "checks_csrf_itself", False), route
