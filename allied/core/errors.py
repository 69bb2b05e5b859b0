"""Every error answer: a page of the site for people, JSON for the API, TAXII's format for TAXII.

A refusal or failure is shown as the site shows anything (``error.html``: banner, navigation,
the reason in words and a way back) under every status Allied answers with an error of its own
(400, 403, 404, 405, 500, 503, a failed CSRF check), and in every mode: Django's debug pages appear
only when a developer asks for them (``ALLIED_DJANGO_DEBUG``), never in the demo. Under
``/api/`` the answer is ``{"detail": "..."}`` as the README documents, under ``/taxii2/`` a TAXII
error message. A missing record and one the viewer may not see answer the same fixed words.

A request that fails because the database cannot be reached answers 503, not 500: while
PostgreSQL restarts or fails over, connecting fails and open connections are cut; the request
that meets it gets ``503 Service Unavailable`` with ``Retry-After`` and a short message, built
without the database. Nothing needs restarting afterwards: each request opens a connection, or
checks a persistent one (``CONN_HEALTH_CHECKS``) before using it, so the first request after the
database is back works.

Django calls the 500 handler for any exception a view or middleware let through, inside the
``except`` block, which is how this handler sees what went wrong.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
MESSAGE = "The database cannot be reached just now. Nothing was changed; try again shortly."

TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed here",
    409: "Conflict",
    413: "Too large",
    500: "Something went wrong",
    503: "Service unavailable",
}
REASONS = {
    400: "The request could not be understood. Nothing was saved.",
    403: "You may not open this page.",
    # One answer for a record that does not exist and one the viewer may not see.
    404: "No record found at this address.",
    500: "The server met an error and nothing was changed. It has been logged; try again later.",
}
CSRF_REASON = (
    "The form could not be accepted: it came without this site's security token, or from "
    "another site. Nothing was saved. Reload the page you came from and send it again."
)


def _back(request: HttpRequest) -> str:
    """The page the person came from, if it is on this site; "" otherwise."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return str(referer)
    return ""


def error_response(
    request: HttpRequest, status: int, reason: str = "", *, offline: bool = False
) -> HttpResponse:
    """The answer for ``status``: JSON under /api/ and /taxii2/, a page of the site otherwise."""
    reason = reason or REASONS.get(status, TITLES.get(status, "Error"))
    title = TITLES.get(status, "Error")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": reason}, status=status)
    if request.path.startswith("/taxii2/"):
        return JsonResponse(
            {"title": title, "description": reason, "http_status": str(status)},
            status=status,
            content_type="application/taxii+json;version=2.1",
        )
    from allied.core.restricted import ShownMarkings

    # The error page shows none of what the view read before it failed: its banner is its own.
    request.allied_shown = ShownMarkings()
    context = {
        "status": status,
        "title": title,
        "reason": reason,
        "back": _back(request),
        "offline": offline,
    }
    try:
        body: str = render_to_string("error.html", context, request=request)
    except Exception:
        logger.exception("The error page could not be rendered; answering a plain one.")
        body = (
            f'<!doctype html><html lang="en"><title>{escape(title)}</title>'
            f'<div class="allied-banner">UNCLASSIFIED</div><main><h1>{escape(title)}</h1>'
            f'<p>{escape(reason)}</p><p><a href="/">Go to your home page</a></p></main>'
            '<div class="allied-banner">UNCLASSIFIED</div></html>'
        )
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def database_unavailable(request: HttpRequest) -> HttpResponse:
    response = error_response(request, 503, MESSAGE, offline=True)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _message(exception: Exception | None) -> str:
    """The words a refusal was raised with (a view's own reason), or ""."""
    if exception is None or not exception.args:
        return ""
    text = exception.args[0]
    return text if isinstance(text, str) else ""


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler400``: a malformed request (or one Django found suspicious)."""
    return error_response(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler403``: the view's reason for the refusal ("This page is for ...")."""
    return error_response(request, 403, _message(exception))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``: always the same words, whether the record is missing or hidden."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return error_response(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a 503 when the database is out of reach, the site's 500 page otherwise."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        return database_unavailable(request)
    return error_response(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a page saying what to do (Django's own reason goes to the log)."""
    logger.warning("CSRF check failed for %s: %s", request.path, reason)
    return error_response(request, 403, CSRF_REASON)


class ErrorPagesMiddleware:
    """A view's ``Http404`` or ``PermissionDenied`` answers the site's page in every mode.

    Django answers these through ``handler404``/``handler403`` unless its debug mode is on, when
    it shows the technical 404 page (every URL pattern). Catching them here, as the view raises
    them, makes the answer the same whatever the mode.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not request.path.startswith("/api/"):
            # Django's own 405 (a view limited to some methods) is a bare, empty answer.
            allowed = response.get("Allow", "")
            page = error_response(
                request,
                405,
                f"This address does not take a {request.method} request"
                + (f" (it takes {allowed})." if allowed else "."),
            )
            page["Allow"] = allowed
            return page
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return permission_denied(request, exception)
        return None
