"""Meta-tests: no route can be added without an access check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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
    }
    assert open_pages == PUBLIC_ROUTES


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
