"""Response headers and session lifetime that Django's own settings do not cover.

* ``ContentSecurityPolicyMiddleware``: every response says that the page may load scripts,
  styles, images, fonts and connections from this site only, with no inline script or style, no
  plugin, no framing and forms posted only here. A chart page (``allow_eval``) also lets Vega
  compile its expressions (``'unsafe-eval'``); nothing else does.
* ``SessionTimeoutMiddleware``: a signed-in session ends ``SESSION_COOKIE_AGE`` seconds after
  sign-in (a working day by default) however active it is, and after
  ``ALLIED_SESSION_IDLE_SECONDS`` without a request. The time of the last request is written to
  the session at most once a minute, so a busy person costs one session write a minute.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy(*, allow_eval: bool = False) -> str:
    directives = dict(_DIRECTIVES)
    if allow_eval:
        directives["script-src"] += " 'unsafe-eval'"
    return "; ".join(f"{name} {value}" for name, value in directives.items())


POLICY = policy()
CHART_POLICY = policy(allow_eval=True)


def allow_eval(request: HttpRequest) -> None:
    """Let this response's scripts compile code (Vega's charts); called while the page renders."""
    request.allied_csp_eval = True


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            charts = getattr(request, "allied_csp_eval", False)
            response["Content-Security-Policy"] = CHART_POLICY if charts else POLICY
        return response


SIGNED_IN_AT = "allied_signed_in_at"
SEEN_AT = "allied_seen_at"
#: How stale the stored time of the last request may get before it is written again.
SEEN_RESOLUTION_SECONDS = 60


@receiver(user_logged_in, dispatch_uid="allied-session-signed-in-at")
def _note_sign_in(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[SEEN_AT] = now


def session_expired(session: Any, now: int) -> bool:
    """Whether a signed-in session is over: too long since sign-in, or idle too long."""
    signed_in = session.get(SIGNED_IN_AT)
    seen = session.get(SEEN_AT)
    if not isinstance(signed_in, int) or not isinstance(seen, int):
        return True  # a session from before these limits, or tampered with: sign in again
    if now - signed_in > settings.SESSION_COOKIE_AGE:
        return True
    return now - seen > settings.ALLIED_SESSION_IDLE_SECONDS


class SessionTimeoutMiddleware:
    """Sign out a session past its working day or idle too long (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            if session_expired(request.session, now):
                logout(request)  # the request goes on signed out: to the login page, or 401
            elif now - request.session[SEEN_AT] >= SEEN_RESOLUTION_SECONDS:
                request.session[SEEN_AT] = now
        return self.get_response(request)
