"""The answer when a request fails because the database cannot be reached: 503, not 500.

While PostgreSQL restarts or fails over, connecting fails and open connections are cut; the
request that meets it gets ``503 Service Unavailable`` with ``Retry-After``, a short message and
no traceback (JSON for the API and TAXII, plain HTML elsewhere, built without the database).
Nothing needs restarting afterwards: each request opens a connection, or checks a persistent one
(``CONN_HEALTH_CHECKS``) before using it, so the first request after the database is back works.

Django calls the 500 handler for any exception a view or middleware let through, inside the
``except`` block, which is how this handler sees what went wrong. With ``ALLIED_DEBUG=true``
Django shows its debug page instead, as it does for every error while developing.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

RETRY_AFTER_SECONDS = 5
MESSAGE = "The database cannot be reached just now. Nothing was changed; try again shortly."


def database_unavailable(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(("/api/", "/taxii2/")):
        response: HttpResponse = JsonResponse(
            {"title": "Service unavailable", "detail": MESSAGE, "http_status": "503"},
            status=503,
        )
    else:
        response = HttpResponse(
            "<!doctype html><title>Service unavailable</title>"
            f"<h1>Service unavailable</h1><p>{MESSAGE}</p>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a 503 when the database is out of reach, Django's 500 page otherwise."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        return database_unavailable(request)
    return defaults.server_error(request)
