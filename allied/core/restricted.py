"""Restrict once, at the base: the page views and API viewsets every marked surface builds on.

* ``RestrictedMixin`` (pages) and ``RestrictedViewSetMixin`` (API) restrict their queryset to the
  signed-in principal before any handler runs, so a record the viewer may not see answers 404
  exactly like a missing one.
* Every marked object a page or response shows is recorded: its marking joins the page's banner
  (the roll-up of what this viewer was actually shown) and its read goes to the audit log.
* Writes go through the edit kit (``allied.core.edit``): saved, re-read through the author's
  restricted queryset in the same transaction, and rolled back if the author could not see it.
* Exports are decided here, once: every response of the REST API, every TAXII response and every
  download (a view marked ``export_view``, or a request passed to ``mark_export``) is an export,
  and its viewer is an exporting one (``Viewer.exporting``), who sees only what it may export.
  DISPLAY ONLY content therefore appears on rendered pages and nowhere else (rule 24(f)).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import IsAuthenticated

from allied.core import vocabulary
from allied.core.api.permissions import DeclaredAccess
from allied.core.models.marked import (
    MarkedModel,
    MarkedQuerySet,
)
from allied.core.pagination import NextOnlyPaginator
from allied.markings import Marking, banner_colour, parse, render
from allied.markings.access import Viewer
from allied.markings.release import banner_for_viewer
from allied.markings.rollup import rollup_portions

if TYPE_CHECKING:
    from allied.core.access import Access

# --- what a page showed ---------------------------------------------------------------------


class ShownMarkings:
    """The markings of everything one response showed its viewer; the banner is their roll-up."""

    def __init__(self) -> None:
        self.markings: list[Marking] = []
        self._texts: set[str] = set()

    def add(self, marking: Marking | str) -> None:
        text = marking if isinstance(marking, str) else render(marking, "banner")
        if text not in self._texts:
            self._texts.add(text)
            self.markings.append(vocabulary.parse(text))

    def banner(self, viewer: Viewer | None = None) -> Marking:
        """The roll-up of what was shown, read as ``viewer`` may (``banner_for_viewer``)."""
        if not self.markings:
            return parse("UNCLASSIFIED")
        if viewer is None:
            return rollup_portions(self.markings)
        return banner_for_viewer(self.markings, viewer)


def shown(request: HttpRequest) -> ShownMarkings:
    collector = getattr(request, "allied_shown", None)
    if collector is None:
        collector = ShownMarkings()
        request.allied_shown = collector
    return collector


def show(request: HttpRequest, objects: Iterable[MarkedModel]) -> list[MarkedModel]:
    """Record that ``objects`` are shown on this response: banner roll-up and audit reads.

    On an export, an object its viewer may not export is never shown: the response is refused
    as not found (a query that let it through is a bug, and the answer fails closed).
    """
    objs = list(objects)
    if objs and is_export(request):
        _refuse_unexportable(request, objs)
    collector = shown(request)
    for obj in objs:
        collector.add(obj.marking.text)
    if objs:
        from allied.core import audit

        record_reads: Callable[..., Any] | None = getattr(audit, "record_reads", None)
        if record_reads is not None:
            record_reads(getattr(request, "user", None), objs)
    return objs


class PageBanner:
    """The classification banner of a page, computed when the template first asks for it."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self._marking: Marking | None = None

    @property
    def marking(self) -> Marking:
        if self._marking is None:
            viewer = getattr(self.request, "allied_viewer", None)
            self._marking = shown(self.request).banner(viewer)
        return self._marking

    @property
    def label(self) -> str:
        return render(self.marking, "banner")

    @property
    def colour(self) -> str:
        return banner_colour(self.marking)

    @property
    def css_class(self) -> str:
        return f"allied-banner--{self.colour}"

    def __str__(self) -> str:
        return self.label


# --- exports -------------------------------------------------------------------------------------


def export_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a function view whose every response is an export (a feed, a download)."""
    view.allied_export = True
    return view


def mark_export(request: HttpRequest) -> None:
    """Make this response an export (a view whose format decides: a page or its PDF).

    Call it before anything marked is read: the viewer is read again as an exporting one.
    """
    target = getattr(request, "_request", request)
    target.allied_export = True
    for holder in {id(target): target, id(request): request}.values():
        if getattr(holder, "allied_viewer", None) is not None:
            holder.allied_viewer = None


def is_export(request: HttpRequest) -> bool:
    """Whether this response leaves the system: the REST API, TAXII, a download.

    The one rule every surface follows. Rendered pages (and their htmx partials) are the only
    responses that are not exports.
    """
    target = getattr(request, "_request", request)
    if getattr(target, "allied_export", False):
        return True
    view = getattr(getattr(target, "resolver_match", None), "func", None)
    if view is None:
        return False
    if getattr(view, "allied_export", False):
        return True
    from rest_framework.views import APIView

    cls = getattr(view, "cls", None)
    return isinstance(cls, type) and issubclass(cls, APIView)


def _refuse_unexportable(request: HttpRequest, objs: list[MarkedModel]) -> None:
    from allied.core.edit import not_found
    from allied.markings.access import decide

    viewer = viewer_of(request).for_export()
    for obj in objs:
        if not decide(viewer, obj.marking.marking).view:
            not_found()


# --- the viewer of a request ------------------------------------------------------------------


def viewer_of(request: HttpRequest, on: date | None = None) -> Viewer:
    """The signed-in user's viewer, read fresh; a user without a principal may see nothing (403).

    On an export (``is_export``) the viewer is an exporting one: it sees only what it may export.
    """
    from allied.core.models.principals import principal_for

    cached = getattr(request, "allied_viewer", None)
    if cached is not None and on is None:
        return cached
    viewer = principal_for(request.user).viewer(on)
    if is_export(request):
        viewer = viewer.for_export()
    if on is None:
        request.allied_viewer = viewer
    return viewer


# --- pages --------------------------------------------------------------------------------------


class RestrictedMixin:
    """For class-based views of marked models: the queryset is the viewer's, always.

    Subclasses set ``model``; ``get_queryset`` may be extended but always starts from
    ``restricted_queryset()``. Objects in the context are recorded as shown.
    """

    model: ClassVar[type[MarkedModel]]
    request: HttpRequest
    allied_restricted: ClassVar[bool] = True
    #: Who may open the page, and who may write through it: checked before any handler runs
    #: (403 with the rule's reason), and read by the navigation (``allied.core.access``).
    allied_access: ClassVar[Access | None] = None
    write_access: ClassVar[Access | None] = None
    # Pages show "Page N" with Previous/Next, never a total: one row more than the page says
    # whether there is a next one, so no list counts every row its viewer may see.
    paginator_class: ClassVar[type[Any]] = NextOnlyPaginator

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from allied.core.access import check_declared

        check_declared(request, self)
        return super().dispatch(request, *args, **kwargs)

    def restricted_queryset(self) -> MarkedQuerySet:
        return self.model.objects.visible_to(viewer_of(self.request))

    def get_queryset(self) -> MarkedQuerySet:
        return self.restricted_queryset()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        obj = context.get("object")
        if isinstance(obj, MarkedModel):
            show(self.request, [obj])
        page = context.get("object_list")
        if page is not None:
            context["object_list"] = show(self.request, page)
        return context


def restricted_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a function view as reading marked content only through restricted querysets and
    ``allied.core.edit``/``show`` (the URL meta-test requires every view to say what it is)."""
    view.allied_restricted = True
    return view


# --- the API -----------------------------------------------------------------------------------


class RestrictedViewSetMixin:
    """For DRF viewsets of marked models: restricted before any handler runs (404 when hidden).

    Serialised objects are recorded as shown (audit reads) and writes go through
    ``save_visible``.
    """

    queryset_model: ClassVar[type[MarkedModel]]
    request: Any
    allied_restricted: ClassVar[bool] = True
    #: Who may call the viewset, who may write through it, and who may run each named action:
    #: declared here and checked by ``DeclaredAccess`` before any handler runs (403).
    allied_access: ClassVar[Access | None] = None
    write_access: ClassVar[Access | None] = None
    action_access: ClassVar[dict[str, Access]] = {}
    permission_classes: ClassVar[list[Any]] = [IsAuthenticated, DeclaredAccess]

    def get_queryset(self) -> MarkedQuerySet:
        return self.queryset_model.objects.visible_to(viewer_of(self.request))

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if args:
            instance = args[0]
            objs = instance if isinstance(instance, (list, models.QuerySet)) else [instance]
            marked = [o for o in objs if isinstance(o, MarkedModel)]
            if marked:
                show(self.request, marked)
        return super().get_serializer(*args, **kwargs)

    def perform_create(self, serializer: Any) -> None:
        self._save(serializer)

    def perform_update(self, serializer: Any) -> None:
        self._save(serializer)

    def _save(self, serializer: Any) -> None:
        """Save through the edit kit's ``write_marked`` (re-read, audited); a refusal is answered
        by the API's exception handler (``allied.core.api.errors``): 400 on the marking, or 409."""
        from allied.core.edit import write_marked

        created = serializer.instance is None
        write_marked(self.request, serializer.save, detail={"created": created})


__all__ = [
    "PageBanner",
    "RestrictedMixin",
    "RestrictedViewSetMixin",
    "ShownMarkings",
    "export_view",
    "is_export",
    "mark_export",
    "restricted_view",
    "show",
    "shown",
    "viewer_of",
]
