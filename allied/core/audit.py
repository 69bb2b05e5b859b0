"""Writing the audit log: ``record`` one event, ``record_reads`` for a page of marked objects.

Every entry is inserted inside the caller's transaction (or a transaction of its own when there is
none), so a write that is rolled back leaves no entry and a write that was acknowledged always has
its entry. The insert is all a request does: it takes no lock shared with other requests, reads
no chain head and computes no hash. The entry is written *unsealed* (no sequence number, no
hashes); the one sealer (:mod:`allied.core.audit_sealer`, ``allied audit seal --follow``, or the
thread inside ``allied demo``) chains committed entries in batches, as a transparency log's
sequencer does. Until it has, ``allied audit verify`` lists an entry as committed but not yet
sealed, with its age. Requests therefore never wait for one another to audit, whatever they show.

A response that shows many objects records them as one ``read`` entry that lists each object's
id under its marking (``record_reads``), so that a product of 3,000 portions costs one entry, not
3,001, and verification still covers every row it names.

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
from django.db import models, router, transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from allied.audit_chain import ChainEntry, plain
from allied.core.models.audit import CONTENT_FIELDS, AuditAction, AuditEntry

logger = logging.getLogger("allied.audit")

#: The PostgreSQL advisory lock the sealer takes (one sealer at a time): "AlliedAu" in ASCII, as a
#: signed bigint. Requests never take it.
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


def _append(rows: list[dict[str, Any]], using: str) -> list[AuditEntry]:
    """Insert ``rows`` (field values without sequence and hashes) unsealed, in one INSERT."""
    at = timezone.now()
    entries = [AuditEntry(at=at, **fields) for fields in rows]
    with transaction.atomic(using=using, savepoint=False):
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


def _record_shown(who: dict[str, Any], shown: list[tuple[str, str, str]]) -> AuditEntry | None:
    """One ``read`` entry for ``shown``, distinct ``(object_type, object_id, marking)`` triples.

    A single object gets an entry of its own kind (its type, id and marking in their columns).
    Several get one entry that lists them in ``detail["objects_by_marking"]``: each marking with
    the ids shown under it, as a feed page's entry does. The ids are primary keys when every
    object is of one type (then ``object_type``), else ``app.model:pk``. The list is part of
    what the sealer hashes, so verification covers every row as it did one entry per row.
    """
    if not shown:
        return None
    if len(shown) == 1:
        object_type, object_id, marking = shown[0]
        fields = {**who, "action": AuditAction.READ.value, "object_type": object_type,
                  "object_id": object_id, "marking": marking, "detail": {}}  # fmt: skip
    else:
        types = {object_type for object_type, _, _ in shown}
        one_type = types.pop() if len(types) == 1 else ""
        by_marking: dict[str, list[str]] = {}
        for object_type, object_id, marking in shown:
            name = object_id if one_type else f"{object_type}:{object_id}"
            by_marking.setdefault(marking, []).append(name)
        fields = {**who, "action": AuditAction.READ.value, "object_type": one_type,
                  "object_id": "", "marking": "",
                  "detail": {"count": len(shown), "objects_by_marking": by_marking}}  # fmt: skip
    _check_lengths(fields)
    return _append([fields], router.db_for_write(AuditEntry))[0]


def listed(
    object_type: str, object_id: str, marking: str, detail: Any
) -> list[tuple[str, str, str]]:
    """Every ``(object_type, object_id, marking)`` an entry names: its own object, or each object
    its list (``objects_by_marking``, of a page, a feed page or a batch written) names."""
    by_marking = detail.get("objects_by_marking") if isinstance(detail, dict) else None
    if not isinstance(by_marking, dict):
        return [(object_type, object_id, marking)] if object_type else []
    named = []
    for listed_marking, ids in by_marking.items():
        for name in ids:
            name = str(name)
            if not object_type and ":" in name:
                kind, _, pk = name.partition(":")
                named.append((kind, pk, listed_marking))
            else:
                named.append((object_type, name, listed_marking))
    return named


def objects_named(entries: Iterable[AuditEntry]) -> list[tuple[str, str, str]]:
    """Every ``(object_type, object_id, marking)`` that ``entries`` name, in their order (see
    ``listed``): what a person was shown, whether one entry or a page's list recorded it."""
    return [
        named for e in entries for named in listed(e.object_type, e.object_id, e.marking, e.detail)
    ]


def record_item_reads(actor: Any, items: Iterable[tuple[str, str, str]]) -> AuditEntry | None:
    """Record that ``actor`` was shown rows read as values, not objects (a queue of requests
    from several modules): ``(object_type, object_id, marking)`` each, all in one entry."""
    seen: set[tuple[str, str]] = set()
    shown = []
    for object_type, object_id, marking in items:
        if (object_type, object_id) not in seen:
            seen.add((object_type, object_id))
            shown.append((object_type, str(object_id), marking))
    return _record_shown(_actor_fields(actor), shown)


def record_reads(actor: Any, objects: Iterable[models.Model]) -> AuditEntry | None:
    """Record that ``actor`` was shown ``objects``: one ``read`` entry listing each distinct one.

    For a page or API response of many marked objects. The whole batch costs a fixed handful of
    queries, whatever its size: the actor's nation, the markings not already loaded, and one
    INSERT of one row.
    """
    seen: set[tuple[str, str]] = set()
    objs: list[models.Model] = []
    for obj in objects:
        identity = (_object_type(obj), str(obj.pk))
        if identity not in seen:
            seen.add(identity)
            objs.append(obj)
    if not objs:
        return None
    shown = [
        (_object_type(obj), str(obj.pk), marking)
        for obj, marking in zip(objs, _markings_of(objs), strict=True)
    ]
    return _record_shown(_actor_fields(actor), shown)


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
    """Every sealed entry in sequence order, read ``batch_size`` rows at a time by keyset
    pagination. Unsealed entries have no place in the chain yet: see ``unsealed``."""
    columns = ("sequence", "prev_hash", "hash", *CONTENT_FIELDS)
    rows = (
        AuditEntry.objects.using(using)
        .filter(sequence__isnull=False)
        .order_by("sequence")
        .values_list(*columns)
    )
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
