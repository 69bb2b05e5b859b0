"""Writing the audit log: ``record`` one event, ``record_reads`` for a page of marked objects.

Every entry is appended inside the caller's transaction (or a transaction of its own when there is
none), so a write that is rolled back leaves no entry and a write that was acknowledged always has
its entry. Appends are serialised so that the chain never forks: on PostgreSQL each append takes a
transaction-scoped advisory lock before it reads the last entry, and holds it until the
transaction ends (so record late in a long transaction, not early); on SQLite the database's
single-writer lock serialises them, and on any other database the last entry is read with
``SELECT ... FOR UPDATE``. The unique sequence number is the last line of defence: an append that
raced anyway fails instead of forking the chain. A write that locks rows takes the append lock
first (``lock_appends``), so that every writer takes the locks in one order and none deadlocks.

Entries are sealed with the ``ALLIED_AUDIT_KEY`` setting when it is set (HMAC-SHA-256), else with
plain SHA-256; see :mod:`allied.audit_chain` for what each protects against.

Refused attempts are recorded too (``DeniedAuditMiddleware``): a signed-in person's request
answered 403, or 404 at an address that names a record, or a refused export (409 to a read),
gives a ``denied`` entry naming the method, path and status, at most
``ALLIED_AUDIT_DENIED_PER_MINUTE`` a minute per person (``record_denied``), so that a crawl of
missing records cannot flood the log.

Sign-ins, failed sign-ins and sign-outs are recorded from Django's auth signals (connected by
``CoreConfig.ready``). A failed sign-in records the username tried and the client address
(``REMOTE_ADDR``); no password or other credential is ever written.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.cache import caches
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models, router, transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from allied.audit_chain import GENESIS, ChainEntry, entry_hash, plain
from allied.core.models.audit import CONTENT_FIELDS, AuditAction, AuditEntry

logger = logging.getLogger("allied.audit")

#: The PostgreSQL advisory lock every append takes: "AlliedAu" in ASCII, as a signed bigint.
ADVISORY_LOCK_KEY = 0x416C_6C69_6564_4175

_MAX_LENGTHS: dict[str, int | None] = {
    name: getattr(AuditEntry._meta.get_field(name), "max_length", None)
    for name in ("actor_name", "nation", "object_type", "object_id")
}


def audit_key() -> bytes | None:
    """The HMAC key from the ``ALLIED_AUDIT_KEY`` setting, or None for a plain hash chain."""
    key = getattr(settings, "ALLIED_AUDIT_KEY", None)
    if not key:
        return None
    return key.encode("utf-8") if isinstance(key, str) else bytes(key)


# --- who and what --------------------------------------------------------------------------------


def _actor_fields(actor: Any) -> dict[str, Any]:
    """The actor and the copies that outlive the account: its username and its nation."""
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.pk is None:
        return {"actor": None, "actor_name": "", "nation": ""}
    return {"actor": actor, "actor_name": actor.get_username(), "nation": _nation_of(actor)}


def _nation_of(user: Any) -> str:
    # The principal the request already read (``principal_of`` remembers it per transaction).
    from allied.core.models.principals import principal_of

    principal = principal_of(user, as_cached=True)
    nation = getattr(principal, "nation_id", None)
    return str(nation) if nation else ""


def _object_type(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def _marking_field(obj: models.Model) -> models.Field[Any, Any] | None:
    try:
        field = obj._meta.get_field("marking")
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _markings_of(objs: Sequence[models.Model]) -> list[str]:
    """The canonical marking text of each object ("" for unmarked ones), in few queries.

    A marking held as a foreign key (a stored marking) is read from the cache the object already
    has, else fetched for all the objects at once, one query per marking model.
    """
    texts = [""] * len(objs)
    wanted: dict[type[models.Model], dict[Any, list[int]]] = {}
    for index, obj in enumerate(objs):
        field = _marking_field(obj)
        if field is None:
            continue
        if not isinstance(field, models.ForeignKey):
            value = getattr(obj, field.attname)
            texts[index] = "" if value is None else str(value)
        elif field.is_cached(obj):
            value = field.get_cached_value(obj)
            texts[index] = "" if value is None else str(value)
        else:
            key = getattr(obj, field.attname)
            if key is not None:
                model = field.related_model
                assert isinstance(model, type)
                wanted.setdefault(model, {}).setdefault(key, []).append(index)
    for model, indexes in wanted.items():
        for row in model._default_manager.filter(pk__in=list(indexes)):
            for index in indexes.get(row.pk, []):
                texts[index] = str(row)
    return texts


def _check_lengths(fields: Mapping[str, Any]) -> None:
    for name, limit in _MAX_LENGTHS.items():
        if limit is not None and len(fields[name]) > limit:
            raise ValueError(f"audit {name} is longer than {limit} characters")


# --- appending -----------------------------------------------------------------------------------


def lock_appends(using: str | None = None) -> None:
    """Take the append lock now and hold it until the current transaction ends.

    A write that locks rows (``UPDATE``, ``SELECT ... FOR UPDATE``) and then audits calls this
    first, inside its transaction. Every writer then takes the append lock before any row lock:
    a writer that locked a row and waited for the append lock, while another held the append lock
    (it had already recorded a read) and waited for that row, would deadlock, and PostgreSQL
    would break the deadlock by failing one of them. Taking it again later costs nothing. On
    SQLite the database's single-writer lock already serialises writers, so nothing is done.
    """
    using = using or router.db_for_write(AuditEntry)
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("lock_appends() is called inside the transaction it serialises")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def _lock_and_read_head(using: str) -> tuple[int, str]:
    """Serialise appends for the rest of the transaction; return the last sequence and hash."""
    connection = connections[using]
    head = AuditEntry.objects.using(using).order_by("-sequence").values_list("sequence", "hash")
    if connection.vendor == "postgresql":
        # A statement of its own: the read below then takes a snapshot that includes the entry of
        # whichever transaction held the lock before us.
        lock_appends(using)
    elif connection.features.has_select_for_update:
        head = head.select_for_update()
    last = head.first()
    return (last[0], last[1]) if last is not None else (0, GENESIS)


def _append(rows: list[dict[str, Any]], using: str) -> list[AuditEntry]:
    """Seal ``rows`` (field values without sequence and hashes) after the last entry and insert."""
    key = audit_key()
    with transaction.atomic(using=using, savepoint=False):
        sequence, prev_hash = _lock_and_read_head(using)
        at = timezone.now()
        entries = []
        for fields in rows:
            sequence += 1
            entry = AuditEntry(sequence=sequence, at=at, prev_hash=prev_hash, **fields)
            entry.hash = entry_hash(prev_hash, sequence, entry.content(), key)
            entries.append(entry)
            prev_hash = entry.hash
        if len(entries) == 1:
            entries[0].save(using=using)
        else:
            AuditEntry.objects.using(using).bulk_create(entries)
    return entries


def record(
    action: AuditAction | str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    marking: str = "",
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the current transaction and return it.

    ``actor`` is the user who acted (None or an anonymous user for the system or nobody signed
    in); their username and nation are copied into the entry. ``obj`` fills ``object_type``
    (``app_label.model_name``), ``object_id`` and, when no ``marking`` is given, the object's
    marking. ``detail`` is JSON without floats (see :func:`allied.audit_chain.plain`); never put a
    password or token in it.
    """
    fields = _actor_fields(actor)
    fields["action"] = AuditAction(action).value
    if obj is not None:
        object_type = object_type or _object_type(obj)
        object_id = obj.pk if object_id is None else object_id
        marking = marking or _markings_of([obj])[0]
    fields["object_type"] = object_type or ""
    fields["object_id"] = "" if object_id is None else str(object_id)
    fields["marking"] = marking or ""
    fields["detail"] = plain(dict(detail or {}))
    _check_lengths(fields)
    using = router.db_for_write(AuditEntry)
    return _append([fields], using)[0]


def record_item_reads(actor: Any, items: Iterable[tuple[str, str, str]]) -> list[AuditEntry]:
    """Record that ``actor`` was shown rows read as values, not objects (a queue of requests
    from several modules): ``(object_type, object_id, marking)`` each, one entry per row."""
    rows = []
    seen: set[tuple[str, str]] = set()
    who = _actor_fields(actor)
    for object_type, object_id, marking in items:
        if (object_type, object_id) in seen:
            continue
        seen.add((object_type, object_id))
        fields = {
            **who,
            "action": AuditAction.READ.value,
            "object_type": object_type,
            "object_id": object_id,
            "marking": marking,
            "detail": {},
        }
        _check_lengths(fields)
        rows.append(fields)
    return _append(rows, router.db_for_write(AuditEntry)) if rows else []


def record_reads(actor: Any, objects: Iterable[models.Model]) -> list[AuditEntry]:
    """Record that ``actor`` was shown ``objects``: one ``read`` entry per distinct object.

    For a page or API response of many marked objects. The whole batch costs a fixed handful of
    queries, whatever its size: the actor's nation, the markings not already loaded, the lock and
    the last entry, and one INSERT (the chain is computed in Python).
    """
    seen: set[tuple[str, str]] = set()
    objs: list[models.Model] = []
    for obj in objects:
        identity = (_object_type(obj), str(obj.pk))
        if identity not in seen:
            seen.add(identity)
            objs.append(obj)
    if not objs:
        return []
    who = _actor_fields(actor)
    rows = [
        {
            **who,
            "action": AuditAction.READ.value,
            "object_type": _object_type(obj),
            "object_id": str(obj.pk),
            "marking": marking,
            "detail": {},
        }
        for obj, marking in zip(objs, _markings_of(objs), strict=True)
    ]
    for fields in rows:
        _check_lengths(fields)
    return _append(rows, router.db_for_write(AuditEntry))


def record_feed_read(actor: Any, object_type: str, items: Iterable[tuple[str, str]]) -> AuditEntry:
    """Record one page of a machine feed (TAXII) as a single ``read`` entry.

    ``items`` are (object id, marking) pairs. The entry lists every id under its marking, so it
    says who read what, marked how, and when, as one entry per object would, at the cost of one
    entry per page: a feed client paging through 100,000 objects writes 100 entries, not 100,000.
    """
    by_marking: dict[str, list[str]] = {}
    for object_id, marking in items:
        by_marking.setdefault(marking, []).append(object_id)
    count = sum(len(ids) for ids in by_marking.values())
    return record(
        AuditAction.READ,
        actor=actor,
        object_type=object_type,
        object_id=f"feed page of {count}",
        detail={"objects_by_marking": by_marking},
    )


# --- refused attempts ----------------------------------------------------------------------------

#: How long one rate-limit window of ``denied`` entries lasts.
DENIED_WINDOW_SECONDS = 60


def _denied_allowance(actor: Any) -> int:
    """How many ``denied`` entries ``actor`` has had in this window, this one included.

    Counted in Django's cache (per process with the default local-memory cache, shared with a
    shared cache), so no lock is taken and nothing is read from the audit table.
    """
    window = int(time.time()) // DENIED_WINDOW_SECONDS
    key = f"allied:audit-denied:{actor.pk}:{window}"
    cache = caches["default"]
    cache.add(key, 0, timeout=DENIED_WINDOW_SECONDS * 2)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=DENIED_WINDOW_SECONDS * 2)
        return 1


def record_denied(
    actor: Any,
    *,
    method: str,
    path: str,
    status: int,
    object_type: str = "",
    object_id: Any = None,
    reason: str = "",
) -> AuditEntry | None:
    """Record a refused attempt by a signed-in ``actor``, unless it is over this minute's limit.

    The entry carries no marking: a refusal says nothing about the record, which may not exist.
    The first attempt over the limit is recorded saying that the rest of the minute's are not.
    """
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.pk is None:
        return None
    limit = int(getattr(settings, "ALLIED_AUDIT_DENIED_PER_MINUTE", 30))
    count = _denied_allowance(actor)
    if count > limit + 1:
        return None
    detail: dict[str, Any] = {"method": method, "path": path[:500], "status": status}
    if reason:
        detail["reason"] = reason[:300]
    if count == limit + 1:
        detail["suppressed"] = f"over {limit} a minute: further refusals this minute not recorded"
    return record(
        AuditAction.DENIED,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


#: A 409 records a refusal only in answer to a read (a refused export); to a write it is a stale
#: version, not a refusal.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class DeniedAuditMiddleware:
    """Audit every refused attempt of a signed-in person (see ``record_denied``).

    Runs after the view's own transaction has ended, so the entry is kept even when the view's
    work was rolled back.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        status = response.status_code
        # A 404 counts when the address named a record (it matched a route): not a stray URL
        # such as the /favicon.ico a browser asks for on its own.
        routed = getattr(request, "resolver_match", None) is not None
        if (
            status == 403
            or (status == 404 and routed)
            or (status == 409 and request.method in READ_METHODS)
        ):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                object_type, object_id = _target(request)
                record_denied(
                    user,
                    method=request.method or "",
                    path=request.path,
                    status=status,
                    object_type=object_type,
                    object_id=object_id,
                )
        return response


def _target(request: HttpRequest) -> tuple[str, Any]:
    """The kind of record and the id a refused URL named, when its view says (``allied_model``)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "", None
    model = getattr(match.func, "allied_model", None) or getattr(
        getattr(match.func, "view_class", None), "model", None
    )
    if not (isinstance(model, type) and issubclass(model, models.Model)):
        return "", None
    return _object_type_of(model), match.kwargs.get("pk")


def _object_type_of(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


# --- reading the chain ----------------------------------------------------------------------


def walk(batch_size: int, using: str = "default") -> Iterator[ChainEntry]:
    """Every entry in sequence order, read ``batch_size`` rows at a time by keyset pagination."""
    columns = ("sequence", "prev_hash", "hash", *CONTENT_FIELDS)
    rows = AuditEntry.objects.using(using).order_by("sequence").values_list(*columns)
    last: int | None = None
    while True:
        batch = list((rows if last is None else rows.filter(sequence__gt=last))[:batch_size])
        for sequence, prev_hash, digest, *content in batch:
            yield ChainEntry(
                sequence, dict(zip(CONTENT_FIELDS, content, strict=True)), prev_hash, digest
            )
        if len(batch) < batch_size:
            return
        last = batch[-1][0]


# --- sign-in signals -----------------------------------------------------------------------------


def _client(request: HttpRequest | None) -> dict[str, str]:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client says (as for the lockout).
    if request is None:
        return {}
    return {"ip": str(request.META.get("REMOTE_ADDR", ""))}


@receiver(user_logged_in, dispatch_uid="allied-audit-login")
def _on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    record(AuditAction.LOGIN, actor=user, detail=_client(request))


@receiver(user_logged_out, dispatch_uid="allied-audit-logout")
def _on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None and getattr(user, "is_authenticated", False):
        record(AuditAction.LOGOUT, actor=user, detail=_client(request))


@receiver(user_login_failed, dispatch_uid="allied-audit-login-failed")
def _on_login_failed(
    sender: Any,
    credentials: Mapping[str, Any],
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    # Only the username is taken from the credentials: never the password or anything else.
    field = str(get_user_model().USERNAME_FIELD)
    tried = credentials.get(field, credentials.get("username", ""))
    detail = {"username": str(tried or "")[:150], **_client(request)}
    record(AuditAction.LOGIN_FAILED, detail=detail)
