"""Who may open a page, declared once on its view: the view refuses by it, the navigation reads it.

``role_required(*roles)`` (or ``access_required(rule)`` for a rule that is not a list of roles)
decorates a view; a person it does not allow gets 403 with the rule's reason before the view
reads anything. ``may_open(request, url_name)`` asks the same rule of the view behind a URL, so a
link is offered only to people the page will answer (``allied.core.navigation``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, resolve, reverse

from allied.core.models.principals import Principal, Role, principal_for


@dataclass(frozen=True)
class Access:
    """Who may open a page (``allows``) and, in words, why anyone else is refused."""

    allows: Callable[[Principal], bool]
    reason: str


def for_roles(*roles: Role) -> Access:
    """A page for holders of any of ``roles``."""
    return Access(
        allows=lambda principal: any(principal.has_role(role) for role in roles),
        reason="This page is for " + " and ".join(role.label for role in roles) + ".",
    )


def check(request: HttpRequest, access: Access) -> Principal:
    """The signed-in principal, if ``access`` allows it; 403 with the reason otherwise."""
    principal = principal_for(request.user)
    if not access.allows(principal):
        raise PermissionDenied(access.reason)
    return principal


#: The methods that only read; every other method is a write.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def check_declared(request: Any, view: Any, action: str | None = None) -> None:
    """Refuse (403 with the rule's reason) unless the person may use ``view`` as ``request``
    does: its ``allied_access`` for every request, its ``write_access`` for a write, and, on an
    API viewset, the ``action_access`` of the action (``{"advance": for_roles(...)}``)."""
    declared = [getattr(view, "allied_access", None)]
    if request.method not in READ_METHODS:
        declared.append(getattr(view, "write_access", None))
    if action is not None:
        declared.append((getattr(view, "action_access", None) or {}).get(action))
    for access in declared:
        if access is not None:
            check(request, access)


def access_required(
    access: Access | None = None, *, writes: Access | None = None
) -> Callable[[Callable[..., HttpResponse]], Any]:
    """Decorate a function view: refused with 403 unless ``access`` allows the person, and a
    write (a POST) unless ``writes`` allows them too; both are checked before the view runs."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            check_declared(request, wrapped)
            return view(request, *args, **kwargs)

        wrapped.allied_access = access
        wrapped.write_access = writes
        return wrapped

    return decorate


def role_required(*roles: Role) -> Callable[[Callable[..., HttpResponse]], Any]:
    """Decorate a function view: refused with 403 unless the person holds one of ``roles``."""
    return access_required(for_roles(*roles))


def access_of(view: Any) -> Access | None:
    """The rule a view declared (function views, or a class view's ``allied_access``)."""
    declared = getattr(view, "allied_access", None)
    if declared is None:
        declared = getattr(getattr(view, "view_class", None), "allied_access", None)
    return declared


def may_open(request: HttpRequest, url_name: str) -> bool:
    """Whether the page named ``url_name`` would answer the signed-in person (not a 403)."""
    try:
        match = resolve(reverse(url_name))
    except NoReverseMatch:
        return False
    access = access_of(match.func)
    if access is None:
        return True
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    from allied.core.models.principals import principal_of

    # The principal the request already read: the page's header reads it too, at no further query.
    principal = principal_of(user, as_cached=True)
    if principal is None:
        return False
    return access.allows(principal)
