"""Sign-in is required everywhere unless a view says otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest, HttpResponseBase
from rest_framework.views import APIView


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Django's LoginRequiredMiddleware, leaving API views to Django REST framework.

    A page that forgets its access check still redirects to the login page. API views are the
    one exception, and only because DRF authenticates them itself (session or token) and denies
    anonymous requests by default (``IsAuthenticated`` in ``REST_FRAMEWORK``) with a 401/403
    instead of a redirect that an API client could not follow.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        view_class = getattr(view_func, "cls", None)
        if isinstance(view_class, type) and issubclass(view_class, APIView):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
