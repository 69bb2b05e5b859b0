"""Reads of marked records from a PostgreSQL streaming replica; every write to the primary.

With ``ALLIED_DB_REPLICA_URL`` set, settings add a ``replica`` database and this router. A request
with a safe method (GET, HEAD, OPTIONS) reads its marked records (``MarkedModel``: products,
bulletins, cases...) from the replica, where most of a request's database work is; everything
else stays on the primary:

* every write, and so every audit entry, including the entries that record what a replica read
  showed (the audit log is one chain, on one server);
* every unmarked table (sessions, users and principals, tokens, the audit chain's head), which
  a request needs fresh: a person who has just signed in must not be unknown to a lagging copy;
* reads inside a ``system_access`` context (its switch is set on the primary's transaction);
* reads after the request has written anything other than an audit entry: a write plans to read
  what it wrote (read your writes), and the replica may not have it yet;
* for a few seconds after a person's write (``ALLIED_DB_REPLICA_STICKY_SECONDS``, 5 by default),
  every read of theirs, so that the next page shows what they saved (``ReplicaMiddleware`` sets a
  cookie on the answer to an unsafe request). The cookie can only send its holder to the primary.

Row-level security holds on the replica as on the primary: a hot standby replays the same
policies and roles, and ``visibility.bind_viewer`` sets the viewer on the connection that runs
the restricted queryset (``queryset.db``). ``ATOMIC_REQUESTS`` is on for both databases, so the
viewer's transaction-local settings live for the whole request on each. Nothing can widen what
a viewer sees: a replica that lags shows a viewer an older state of what they may see, and a
read the replica cannot bind (no transaction) sees nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
STICKY_COOKIE = "allied_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Whether the current request (or block) may read marked records from the replica.
_replica_reads: ContextVar[bool] = ContextVar("allied_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.databases


@contextlib.contextmanager
def replica_reads(enabled: bool = True) -> Iterator[None]:
    """Within the block, marked reads go to the replica (when one is configured)."""
    token = _replica_reads.set(enabled and replica_configured())
    try:
        yield
    finally:
        _replica_reads.reset(token)


def _is_marked(model: type[Any]) -> bool:
    from allied.core.models.marked import MarkedModel

    return isinstance(model, type) and issubclass(model, MarkedModel)


def _system_access_open() -> bool:
    from allied.core.models import marked

    return marked._SYSTEM.get() is not None


class ReplicaRouter:
    """The router settings install when a replica is configured (see the module docstring)."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        if _replica_reads.get() and _is_marked(model) and not _system_access_open():
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        from allied.core.models.audit import AuditEntry

        if not (isinstance(model, type) and issubclass(model, AuditEntry)):
            # Read your writes: the rest of this request reads from the primary.
            _replica_reads.set(False)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica is a copy of the primary: a row read from one may point at a row of the
        # other.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # A hot standby is read-only: only the primary is migrated.
        return db == DEFAULT_DB_ALIAS


class ReplicaMiddleware:
    """Lets a safe request read marked records from the replica, unless its person wrote in the
    last few seconds; marks the answer to an unsafe request so that the next ones do not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        safe = request.method in SAFE_METHODS
        use_replica = safe and STICKY_COOKIE not in request.COOKIES
        with replica_reads(use_replica):
            response = self.get_response(request)
        if not safe:
            seconds = int(getattr(settings, "ALLIED_DB_REPLICA_STICKY_SECONDS", 5))
            if seconds > 0:
                response.set_cookie(
                    STICKY_COOKIE, "1", max_age=seconds, httponly=True, samesite="Lax",
                    secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
                )  # fmt: skip
        return response
