"""Marked models: every row carries a classification marking, and no query runs without a viewer.

* ``StoredMarking`` interns each distinct marking once, with its compiled form (level, required
  accesses, who may view and export) in columns the database can index and its row-level
  security policies can read.
* ``MarkedModel`` is the abstract base of every marked model. Its default (and base) manager
  returns ``MarkedQuerySet``s that refuse to run until they are restricted with
  ``.visible_to(viewer)``, or unless a named, logged ``system_access(reason)`` context is open.
* Which markings a viewer may see is decided by the pure core (``allied.markings``): the queryset
  filter is the list of stored markings the core allows, never a rule written again in SQL.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Self

from django.db import DEFAULT_DB_ALIAS, IntegrityError, models, transaction

from allied.markings import Marking, Vocabulary, parse, render
from allied.markings.access import (
    CompiledMarking,
    CompiledViewer,
    Viewer,
    compile_marking,
    compile_viewer,
    may_export,
    may_view,
)

if TYPE_CHECKING:
    from django.db.models.query import QuerySet


class UnscopedQueryError(RuntimeError):
    """A marked model was queried without a viewer and outside any system-access context."""


class NotVisibleAfterWrite(PermissionError):
    """A write produced a row its author could not see; the write was rolled back."""


# --- contexts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SystemAccess:
    """A named reason to read marked rows without a viewer (migrations, audit verification)."""

    reason: str


_SYSTEM: ContextVar[SystemAccess | None] = ContextVar("allied_system_access", default=None)
# The ORM's own bookkeeping (save by primary key, cascade collection, refresh) on rows the caller
# already holds. Never open it around application queries.
_ORM_INTERNAL: ContextVar[bool] = ContextVar("allied_orm_internal", default=False)


#: Called with each ``SystemAccess`` as it opens, after the database has been told; the core
#: app connects the audit log here at start-up (``allied.core.apps``).
SYSTEM_ACCESS_HOOKS: list[Callable[[SystemAccess], None]] = []


def current_system_access() -> SystemAccess | None:
    return _SYSTEM.get()


@contextmanager
def system_access(reason: str) -> Iterator[SystemAccess]:
    """Open a named, logged context in which marked querysets run without a viewer.

    The reason is written to the ``allied.visibility`` logger and, through
    ``SYSTEM_ACCESS_HOOKS``, to the audit log. On PostgreSQL the context also tells the row-level
    security policies, inside the current transaction, that this is system work.
    """
    if not reason or not reason.strip():
        raise ValueError("system_access needs a reason")
    from allied.core import visibility

    access = SystemAccess(reason.strip())
    token = _SYSTEM.set(access)
    try:
        visibility.on_system_access(access)
        for hook in SYSTEM_ACCESS_HOOKS:
            hook(access)
        yield access
    finally:
        _SYSTEM.reset(token)
        visibility.on_system_access_end(access)


@contextmanager
def _orm_internal() -> Iterator[None]:
    token = _ORM_INTERNAL.set(True)
    try:
        yield
    finally:
        _ORM_INTERNAL.reset(token)


# --- stored markings ----------------------------------------------------------------------------


def marking_key(text: str) -> int:
    """The primary key of a stored marking: 56 bits of the SHA-256 of its canonical text.

    A key that follows from the text can never come to mean another marking (an id freed by a
    rolled-back transaction and reused, say), so every process may cache what it has compiled.
    """
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:7], "big")


class StoredMarkingManager(models.Manager["StoredMarking"]):
    def intern(
        self, marking: Marking | str, *, vocabulary: Vocabulary | None = None
    ) -> StoredMarking:
        """The stored row of ``marking`` (a Marking, or its text), created on first use.

        Text is parsed strictly: an invalid marking raises ``MarkingError`` with every problem.
        """
        if isinstance(marking, str):
            from allied.core import vocabulary as registry_vocabulary

            marking = (
                registry_vocabulary.parse(marking)
                if vocabulary is None
                else parse(marking, vocabulary=vocabulary)
            )
        if marking.rel_short:
            raise ValueError("a (REL) portion is stored once resolved against its banner")
        text = render(marking, "banner")
        key = marking_key(text)
        row = self.filter(pk=key).first()
        if row is None:
            compiled = compile_marking(marking)
            row = StoredMarking(
                pk=key,
                text=text,
                level=compiled.level,
                view_all=compiled.view_codes is None,
                export_all=compiled.export_codes is None,
                view_codes=sorted(compiled.view_codes or ()),
                export_codes=sorted(compiled.export_codes or ()),
                required=sorted(compiled.required_codes),
            )
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:
                row = self.get(pk=key)  # another process stored it first
        if row.text != text:  # pragma: no cover - a 56-bit collision
            raise RuntimeError(f"marking key collision between {row.text!r} and {text!r}")
        _CACHE.remember(row)
        return row


class StoredMarking(models.Model):
    """One distinct marking, in canonical banner form, with its compiled form.

    Rows are immutable and keyed by their text's hash, so the compiled columns can be cached in
    every process and read by the database's row-level security policies.
    """

    id = models.BigIntegerField(primary_key=True)
    text = models.CharField(max_length=1000, unique=True)
    level = models.PositiveSmallIntegerField(db_index=True)
    view_all = models.BooleanField(
        help_text="Unclassified with no foreign-disclosure control: every viewer may see it."
    )
    export_all = models.BooleanField()
    view_codes = models.JSONField(help_text="Nations and communities that may view; USA always.")
    export_codes = models.JSONField(help_text="Nations and communities that may export.")
    required = models.JSONField(help_text="SCI, SAP and AEA accesses a viewer must hold.")

    objects = StoredMarkingManager()

    class Meta:
        db_table = "core_marking"

    def __str__(self) -> str:
        return self.text

    @property
    def marking(self) -> Marking:
        return _parse_stored(self.text)

    @property
    def compiled(self) -> CompiledMarking:
        return _CACHE.compiled(self)

    def portion(self) -> str:
        return render(self.marking, "portion")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not kwargs.get("force_insert"):
            raise ValueError("stored markings are immutable: use StoredMarking.objects.intern()")
        super().save(*args, **kwargs)


def _parse_stored(text: str) -> Marking:
    """A stored marking's text, parsed with the registry's community codes."""
    from allied.core import vocabulary

    return vocabulary.parse(text)


class _MarkingCache:
    """Every stored marking this process knows, compiled once (a key always means one text).

    Markings this process interns are known at once. Markings other processes store are picked
    up by ``refresh``, which asks the database at most once every ``REFRESH_SECONDS``: until then
    rows with such a marking stay hidden from everyone but system access, which is the safe side.
    """

    REFRESH_SECONDS = 2.0

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_id: dict[int, CompiledMarking] = {}
        self.checked_at: dict[str, float] = {}
        self.seen_count: dict[str, int] = {}

    def remember(self, row: StoredMarking) -> None:
        if row.pk not in self.by_id:
            with self.lock:
                self.by_id[row.pk] = compile_marking(_parse_stored(row.text))

    def compiled(self, row: StoredMarking) -> CompiledMarking:
        self.remember(row)
        return self.by_id[row.pk]

    def refresh(self, using: str | None = None) -> dict[int, CompiledMarking]:
        alias = using or DEFAULT_DB_ALIAS
        now = time.monotonic()
        if now - self.checked_at.get(alias, -1e9) < self.REFRESH_SECONDS:
            return self.by_id
        manager = StoredMarking.objects.db_manager(alias)
        from allied.core import vocabulary

        vocabulary.ensure()
        count = manager.count()
        if count != self.seen_count.get(alias):
            stored = set(manager.values_list("pk", flat=True))
            missing = stored - self.by_id.keys()
            if missing:
                for pk, text in manager.filter(pk__in=missing).values_list("pk", "text"):
                    compiled = compile_marking(_parse_stored(text))
                    with self.lock:
                        self.by_id[pk] = compiled
            self.seen_count[alias] = count
        self.checked_at[alias] = now
        return self.by_id

    def clear(self) -> None:
        with self.lock:
            self.by_id.clear()
            self.checked_at.clear()
            self.seen_count.clear()


_CACHE = _MarkingCache()


def visible_marking_ids(viewer: CompiledViewer, *, export: bool = False,
                        using: str | None = None) -> list[int]:  # fmt: skip
    """The stored markings ``viewer`` may see (or export), as decided by the pure core."""
    return split_marking_ids(viewer, export=export, using=using)[0]


def split_marking_ids(viewer: CompiledViewer, *, export: bool = False,
                      using: str | None = None) -> tuple[list[int], list[int]]:  # fmt: skip
    """(visible, hidden) stored markings for ``viewer``, as decided by the pure core."""
    decide = may_export if export else may_view
    visible: list[int] = []
    hidden: list[int] = []
    for pk, compiled in _CACHE.refresh(using).items():
        (visible if decide(viewer, compiled) else hidden).append(pk)
    return visible, hidden


def restrict_to(queryset: Any, path: str, viewer: CompiledViewer, *, export: bool = False) -> Any:
    """``queryset`` filtered to rows whose marking (at ``path``) ``viewer`` may see or export.

    The filter lists the visible markings, so a marking this process does not know yet stays
    hidden until the next refresh.
    """
    visible = visible_marking_ids(viewer, export=export, using=queryset.db)
    if not visible:
        return queryset.none()
    return queryset.filter(OneOf(models.F(path), visible))


class OneOf(models.Func):
    """``column = ANY(%s)`` with one array parameter on PostgreSQL, ``IN (...)`` elsewhere.

    One parameter instead of one per marking keeps a viewer with many visible markings (a U.S.
    analyst) as cheap to compile and plan as one with few.
    """

    output_field = models.BooleanField()

    def __init__(self, column: Any, ids: list[int]) -> None:
        super().__init__(column)
        self.ids = list(ids)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        lhs, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, self.ids]
        return f"{lhs} IN ({', '.join(['%s'] * len(self.ids))})", [*params, *self.ids]


# --- marked querysets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Who a queryset was restricted for: the viewer as the core sees it, and on which day."""

    viewer: Viewer
    compiled: CompiledViewer
    on: date
    export: bool = False


def as_viewer(who: Any, on: date | None = None) -> Viewer:
    """A core ``Viewer`` from a Viewer, a principal or a signed-in user (which must have one)."""
    if isinstance(who, Viewer):
        return who
    principal = getattr(who, "principal", who)
    make = getattr(principal, "viewer", None)
    if make is None:
        raise UnscopedQueryError(f"{who!r} is not a viewer: it has no principal")
    viewer = make(on)
    if not isinstance(viewer, Viewer):  # pragma: no cover - a programming error
        raise TypeError("principal.viewer() must return an allied.markings Viewer")
    return viewer


class MarkedQuerySet(models.QuerySet[Any]):
    """A queryset that runs only once restricted to a viewer, or inside ``system_access``."""

    _allied_scope: Scope | None = None

    def _clone(self) -> Self:
        clone = super()._clone()
        clone._allied_scope = self._allied_scope
        return clone

    # -- restriction --

    def visible_to(self, who: Any, *, on: date | None = None, export: bool = False) -> Self:
        """Only the rows ``who`` may see (or, with ``export=True``, export) on ``on``.

        An exporting viewer (``Viewer.exporting``) sees only what it may export, asked or not.
        """
        day = on or date.today()
        viewer = as_viewer(who, day)
        export = export or viewer.exporting
        compiled = compile_viewer(viewer, day)
        restricted = restrict_to(self, "marking_id", compiled, export=export)
        restricted._allied_scope = Scope(viewer, compiled, day, export)
        from allied.core import visibility

        visibility.bind_viewer(viewer, day, using=self.db)
        return restricted

    @property
    def scope(self) -> Scope | None:
        return self._allied_scope

    def _guard(self) -> None:
        if self._allied_scope is not None or _SYSTEM.get() is not None or _ORM_INTERNAL.get():
            return
        raise UnscopedQueryError(
            f"{self.model._meta.label} is a marked model: restrict the queryset with "
            ".visible_to(viewer) or open system_access(reason)"
        )

    def select_related(self, *fields: Any) -> Self:
        """Joined marked rows are restricted too: a hidden parent hides the row that joins it."""
        clone = super().select_related(*fields)
        scope = self._allied_scope
        if scope is None:
            return clone
        for path in fields:
            if path is None:
                continue
            model = self.model
            for part in path.split("__"):
                model = model._meta.get_field(part).related_model
            if isinstance(model, type) and issubclass(model, MarkedModel):
                clone = restrict_to(
                    clone, f"{path}__marking_id", scope.compiled, export=scope.export
                )
        return clone

    # -- every way a queryset reaches the database --

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._guard()
        super()._fetch_all()

    def iterator(self, chunk_size: int | None = None) -> Iterator[Any]:
        self._guard()
        return super().iterator(chunk_size=chunk_size)

    def count(self) -> int:
        if self._result_cache is None:
            self._guard()
        return super().count()

    def exists(self) -> bool:
        if self._result_cache is None:
            self._guard()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._guard()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        self._guard()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._guard()
        return super().delete()

    def explain(self, *, format: Any = None, **options: Any) -> str:
        self._guard()
        return super().explain(format=format, **options)

    def contains(self, obj: models.Model) -> bool:
        self._guard()
        return super().contains(obj)

    def in_bulk(self, id_list: Iterable[Any] | None = None, *, field_name: str = "pk") -> Any:
        self._guard()
        return super().in_bulk(id_list, field_name=field_name)

    def bulk_update(self, objs: Iterable[Any], fields: Any, batch_size: int | None = None) -> int:
        self._guard()
        return super().bulk_update(objs, fields, batch_size=batch_size)


class MarkedManager(models.Manager[Any]):
    """The default and base manager of marked models: its querysets are guarded."""

    use_in_migrations = False

    def get_queryset(self) -> MarkedQuerySet:
        return MarkedQuerySet(self.model, using=self._db)

    def visible_to(self, who: Any, *, on: date | None = None, export: bool = False) -> Any:
        return self.get_queryset().visible_to(who, on=on, export=export)


class MarkedModel(models.Model):
    """Abstract base of every model whose rows carry a classification marking."""

    marking = models.ForeignKey(
        StoredMarking, on_delete=models.PROTECT, related_name="+", db_index=True
    )

    objects = MarkedManager()

    class Meta:
        abstract = True
        base_manager_name = "objects"

    def set_marking(self, marking: Marking | str) -> None:
        """Mark this row (the text is parsed strictly; an invalid marking raises)."""
        self.marking = StoredMarking.objects.intern(marking)

    @property
    def marking_text(self) -> str:
        return self.marking.text

    def save(self, *args: Any, **kwargs: Any) -> None:
        with _orm_internal():
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        with _orm_internal():
            return super().delete(*args, **kwargs)

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        with _orm_internal():
            super().refresh_from_db(*args, **kwargs)


def marked_models() -> list[type[MarkedModel]]:
    """Every concrete marked model of the installed apps."""
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, MarkedModel) and not m._meta.abstract]


def save_visible(obj: MarkedModel, who: Any, *, on: date | None = None) -> MarkedModel:
    """Save ``obj`` and check, in the same transaction, that its author can still see it.

    A write whose result the author could not see is rolled back and raises
    ``NotVisibleAfterWrite``: nobody can create what they could not read back.
    """
    return write_visible(lambda: (obj.save(), obj)[1], who, on=on)


def write_visible(write: Callable[[], MarkedModel], who: Any, *, on: date | None = None) -> Any:
    """Run ``write`` (which returns the written object) in a transaction, then re-read it through
    the author's restricted queryset; roll everything back if the author could not see it."""
    from allied.core import visibility

    with transaction.atomic():
        # Tell the database who writes before the first statement: the row-level security
        # policies check inserts and updates against the viewer, as reads are.
        visibility.bind_viewer(as_viewer(who, on), on or date.today())
        obj = write()
        model = type(obj)
        if not model.objects.visible_to(who, on=on).filter(pk=obj.pk).exists():
            raise NotVisibleAfterWrite(
                f"the {model._meta.verbose_name} would not be visible to its author"
            )
    return obj


def restricted(queryset: QuerySet[Any]) -> bool:
    """Whether ``queryset`` is a restricted marked queryset (for meta-tests and base views)."""
    return isinstance(queryset, MarkedQuerySet) and queryset.scope is not None
