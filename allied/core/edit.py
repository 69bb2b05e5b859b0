"""The edit kit: every page and API write of marked content goes through these few pieces.

The read path was already uniform (a restricted queryset, ``show``); this makes the write path
so, after NetBox's generic edit view and Healthchecks' access helpers:

* ``visible_or_404(rows, **lookup)``: the record through a restricted queryset, or the one 404
  whose words are the same for a missing record and a hidden one (``not_found``).
* ``write_marked(request, write)``: run a write in one transaction with the author bound as the
  database's viewer, re-read what it wrote through the author's restricted queryset, audit it,
  and roll everything back if the author could not read it back (``NotVisibleAfterWrite``).
* ``claim_version(rows, pk, opened)``: compare-and-set on a row's ``version`` in one UPDATE, so
  of two edits from the same version exactly one goes through; the other raises ``StaleVersion``
  and writes nothing. ``StaleVersion`` answers 409 on every page and API.
* ``explained_on(form)``: turn the two refusals of a write into the form's errors (the marking
  field's, or the whole form's) and the page's status (400 or 409). The API's exception handler
  (``allied.core.api.errors``) does the same for serializers. These are the only places that
  catch ``NotVisibleAfterWrite``.
* ``RestrictedEditView`` with ``allied.core.forms.MarkedModelForm`` (a model form with a checked
  marking field): the view binds the form to a restricted instance, saves it through
  ``write_marked`` and shows a refusal on the form.

Markings typed by people are checked and explained by ``allied.core.vocabulary.explain`` (the
marking fields of forms and serializers use it), so a page and the API accept the same texts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, ClassVar, NoReturn, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.generic.detail import SingleObjectTemplateResponseMixin
from django.views.generic.edit import ModelFormMixin, ProcessFormView

from allied.core.models.marked import MarkedModel, NotVisibleAfterWrite, write_visible
from allied.core.restricted import RestrictedMixin, viewer_of

T = TypeVar("T")
M = TypeVar("M", bound=MarkedModel)

#: The words of the one 404: a record that does not exist and one its viewer may not see.
NOT_FOUND = "No record found."


def not_found() -> NoReturn:
    """Answer 404 with the same words whether the record is missing or hidden."""
    raise Http404(NOT_FOUND)


def visible_or_404(rows: QuerySet[Any], /, **lookup: Any) -> Any:
    """The one record of the restricted queryset ``rows`` that matches ``lookup``, or 404.

    ``rows`` must already be restricted (``Model.objects.visible_to(viewer)``, or a view's
    ``restricted_queryset()``): a marked model's unrestricted queryset refuses to run.
    """
    found = rows.filter(**lookup).first()
    if found is None:
        not_found()
    return found


def visible(request: HttpRequest, model: type[M]) -> QuerySet[M]:
    """``model``'s rows as the signed-in person may see them (an exporting viewer on an export)."""
    return model.objects.visible_to(viewer_of(request))


# --- one version check ------------------------------------------------------------------------


class StaleVersion(Exception):
    """The record changed since the person acting opened it: nothing was written (409).

    ``opened`` is the version the change started from; ``current`` the version stored now and
    ``updated`` when it was stored, as far as known. ``message`` replaces the standard words
    where the version is not a number the person saw (a disclosure decision's sequence).
    """

    status_code = 409

    def __init__(
        self,
        what: str,
        opened: int | None,
        current: int | None,
        *,
        updated: datetime | None = None,
        also: str = "",
        message: str = "",
    ) -> None:
        self.what, self.opened, self.current, self.updated = what, opened, current, updated
        if not message:
            now = f"it is now at version {current}"
            if updated is not None:
                now += f", saved {updated:%Y-%m-%d %H:%M} UTC"
            if also:
                now += f", {also}"
            message = (
                f"This {what} was changed after you opened it (you opened version {opened}; "
                f"{now}), so nothing was saved. Open it again to see the current version, then "
                "make your change there."
            )
        super().__init__(message)


def claim_version(rows: QuerySet[Any], pk: Any, opened: int, *, what: str, **changes: Any) -> int:
    """Move the row ``pk`` of ``rows`` from version ``opened`` to the next in one UPDATE (with
    ``changes`` written in the same statement) and return the new version.

    ``rows`` is a restricted queryset, so a row the person may not see answers 404 as a missing
    one. When the stored version is no longer ``opened``, nothing is written and
    ``StaleVersion`` names the version stored now. Call it inside the write's transaction.
    """
    mine = rows.filter(pk=pk)
    if mine.filter(version=opened).update(version=F("version") + 1, **changes) == 1:
        return opened + 1
    current = mine.values_list("version", flat=True).first()
    if current is None:
        not_found()
    raise StaleVersion(what, opened, current)


# --- one write ------------------------------------------------------------------------------


def write_marked(
    request: HttpRequest,
    write: Callable[[], M],
    *,
    detail: dict[str, Any] | None = None,
    on: date | None = None,
) -> M:
    """Run ``write`` (which saves and returns one marked row) for the signed-in person, in one
    transaction with its audit entry (``detail`` joins it); refuse, rolling everything back, a
    row its author could not read back (``NotVisibleAfterWrite``)."""
    from allied.core import audit

    with transaction.atomic():
        obj: M = write_visible(write, viewer_of(request, on), on=on)
        audit.record("write", actor=request.user, obj=obj, detail=detail or {})
    return obj


def save_marked(request: HttpRequest, obj: M, *, detail: dict[str, Any] | None = None) -> M:
    """Save ``obj`` through ``write_marked``; the audit entry says whether it was created."""
    created = obj.pk is None

    def write() -> M:
        obj.save()
        return obj

    return write_marked(request, write, detail={"created": created, **(detail or {})})


# --- refusals, explained ----------------------------------------------------------------------


def unreadable(what: str) -> str:
    """Why a write whose result its author could not read back was refused."""
    return (
        f"You could not read {what} with this marking, so you cannot write it. Nothing was saved."
    )


@contextmanager
def explained_on(
    form: forms.BaseForm, *, what: str = "a record", field: str = "marking", message: str = ""
) -> Iterator[None]:
    """Run a write; turn its refusal into ``form``'s error instead of an exception.

    A row its author could not read back becomes an error on ``field`` (the marking), in the
    words of ``unreadable(what)`` or ``message``; a stale version becomes an error on the whole
    form and marks it stale (``status_of`` answers 409). Anything written before the refusal was
    rolled back by the write's own transaction.
    """
    try:
        yield
    except NotVisibleAfterWrite:
        form.add_error(field if field in form.fields else None, message or unreadable(what))
    except StaleVersion as stale:
        form.add_error(None, str(stale))
        form.allied_stale = stale


def saved(form: forms.BaseForm) -> bool:
    """Whether the write run under ``explained_on(form)`` went through."""
    return not form.errors


def status_of(form: forms.BaseForm) -> int:
    """The status a page answers with after ``form`` was sent: 409 when it was stale, 400 when
    it has errors, 200 otherwise (a form shown for the first time)."""
    if getattr(form, "allied_stale", None) is not None:
        return 409
    return 400 if form.is_bound and form.errors else 200


def save_from_form(request: HttpRequest, form: forms.BaseForm, obj: MarkedModel, *,
                   what: str = "a record") -> bool:  # fmt: skip
    """Save ``obj`` under the marking ``form`` was given, for the signed-in person; or say on
    ``form`` why not (``explained_on``). Whether it was saved."""
    obj.set_marking(form.cleaned_data["marking"])
    with explained_on(form, what=what):
        save_marked(request, obj)
    return saved(form)


def posted(request: HttpRequest) -> Any:
    """A form's data: what was sent on a POST (even nothing, which the form then refuses field
    by field), or None for an unbound form on any other method."""
    return request.POST if request.method == "POST" else None


def submit_form(
    request: HttpRequest,
    form: forms.BaseForm,
    write: Callable[[dict[str, Any]], T],
    *,
    what: str = "a record",
    message: str = "",
) -> T | None:
    """On a POST of a valid ``form``, run the service ``write`` with its data and return what it
    returns; put any refusal on the form instead (``explained_on``, and a service's
    ``ValidationError`` on the fields it names). None when nothing was written."""
    if request.method != "POST" or not form.is_valid():
        return None
    with explained_on(form, what=what, message=message):
        try:
            return write(form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    return None


# --- the generic edit view ---------------------------------------------------------------------


class RestrictedEditView(
    RestrictedMixin, SingleObjectTemplateResponseMixin, ModelFormMixin, ProcessFormView
):
    """Create (no ``pk`` in the URL) or edit a marked record, as NetBox's ``ObjectEditView``:

    the instance is read through the restricted queryset (404 when hidden), the form is bound to
    it, the write runs through ``write_marked`` in one transaction with its audit entry, and a
    refusal (a marking its author could not read back, a stale version) is shown on the form
    with the status 400 or 409. Subclasses set ``model``, ``form_class``, ``template_name`` and,
    where the record has one, ``success_url`` or ``get_success_url``; ``prepare(obj)`` fills in
    what the form does not (the author, the owning record) before the write.
    """

    #: The words for the record in a refusal ("a bulletin").
    what: ClassVar[str] = "a record"

    def get_object(self, queryset: Any = None) -> Any:
        if "pk" not in self.kwargs and self.slug_url_kwarg not in self.kwargs:
            return None
        return visible_or_404(self.restricted_queryset(), pk=self.kwargs.get("pk"))

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def prepare(self, obj: Any) -> None:
        """Fill in what the form does not set, before the write (the author, say)."""

    def form_valid(self, form: Any) -> HttpResponse:
        obj = form.save(commit=False)
        self.prepare(obj)
        created = obj.pk is None

        def write() -> Any:
            obj.save()
            form.save_m2m()
            return obj

        with explained_on(form, what=self.what):
            self.object = write_marked(self.request, write, detail={"created": created})
        if not saved(form):
            return self.form_invalid(form)
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=status_of(form))


__all__ = [
    "NOT_FOUND",
    "RestrictedEditView",
    "StaleVersion",
    "claim_version",
    "explained_on",
    "not_found",
    "posted",
    "save_from_form",
    "save_marked",
    "saved",
    "status_of",
    "submit_form",
    "unreadable",
    "visible",
    "visible_or_404",
    "write_marked",
]
