"""Entering people records on pages: officials, billets, postings, crisis pairs, language results.

Each page is a ``RestrictedEditView`` with a ``PeopleRecordForm``: the record being edited is
read through the author's restricted queryset (404 when hidden), the records it may point to (an
official, a billet) are chosen from the author's restricted querysets, the write runs in one
transaction with its audit entry, and a marking the author could not read back is an error on
the marking field. Only the people writers (``access.WRITERS``) may send them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.urls import reverse

from allied.core.edit import RestrictedEditView
from allied.core.restricted import show, viewer_of
from allied.people import access, records, ties
from allied.people.forms import (
    BilletForm,
    CrisisPairForm,
    LanguageSkillForm,
    OfficialForm,
    PeopleRecordForm,
    PostingForm,
)
from allied.people.models import Billet, CrisisPair, LanguageSkill, Official, Posting


def _official_label(official: Official) -> str:
    mark = official.marking.portion()
    return f"{mark} {official.name} ({official.nation_id}), {official.organisation}"


class PeopleEdit(RestrictedEditView):
    """Create (no ``pk``) or edit one people record; the choices are the author's."""

    allied_access = access.PEOPLE
    write_access = access.WRITERS
    template_name = "people/record_form.html"
    #: The record's name on the page ("a posting"), and the page to open after saving.
    detail_url = ""

    def choices(self) -> dict[str, Any]:
        return {}

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.update(viewer=viewer_of(self.request), choices=self.choices())
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        for name in ("official", "billet"):
            value = self.request.GET.get(name, "")
            if value.isdigit():
                initial[name] = int(value)
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form: PeopleRecordForm = context["form"]
        # Every record the form offers is shown (an audited read; its marking joins the banner).
        for name in form.marked_choices:
            show(self.request, list(form.fields[name].queryset))
        context.update(what=self.what, creating=self.object is None)
        return context

    def get_success_url(self) -> str:
        messages.success(self.request, f"{self.what.capitalize()} saved.")
        return reverse(self.detail_url, kwargs={"pk": self.detail_pk()})

    def detail_pk(self) -> int:
        return int(self.object.pk)

    def officials(self) -> Any:
        rows = ties.visible(Official, viewer_of(self.request)).select_related("marking")
        return rows.order_by("nation_id", "name", "pk"), _official_label

    def billets(self, **narrow: Any) -> Any:
        viewer = viewer_of(self.request)
        rows = list(
            ties.visible(Billet, viewer)
            .select_related("marking")
            .filter(**narrow)
            .order_by("nation_id", "code", "pk")
        )
        held = records.holdings(viewer, [b.pk for b in rows])
        # The holders the labels name are shown too (audited, and in the banner).
        show(self.request, [h.holder for h in held.values() if h.holder is not None])
        queryset = ties.visible(Billet, viewer).select_related("marking").filter(**narrow)
        return queryset.order_by("nation_id", "code", "pk"), (
            lambda billet: records.billet_label(billet, held.get(billet.pk))
        )


class OfficialEdit(PeopleEdit):
    """Enter or edit an official: name, nation, organisation, grade."""

    model = Official
    form_class = OfficialForm
    what = "an official"
    detail_url = "people:official-detail"


class BilletEdit(PeopleEdit):
    """Enter or edit a billet; a U.S. billet may name the partner its holder works with."""

    model = Billet
    form_class = BilletForm
    what = "a billet"
    detail_url = "people:billet-detail"


class PostingEdit(PeopleEdit):
    """Post an official to a billet, or change a posting's dates (a handover overlap or a gap
    is fine; a posting within another of the same billet is refused)."""

    model = Posting
    form_class = PostingForm
    what = "a posting"
    detail_url = "people:billet-detail"

    def choices(self) -> dict[str, Any]:
        return {"official": self.officials(), "billet": self.billets()}

    def detail_pk(self) -> int:
        return int(self.object.billet_id)


class CrisisPairEdit(PeopleEdit):
    """Pair a U.S. billet with a partner's billet for a crisis."""

    model = CrisisPair
    form_class = CrisisPairForm
    what = "a crisis pair"
    detail_url = "people:pair-detail"

    def choices(self) -> dict[str, Any]:
        return {
            "us_billet": self.billets(nation_id="USA"),
            "partner_billet": self.billets(),
        }


class LanguageSkillEdit(PeopleEdit):
    """Record a language test result: the language, ILR levels per skill and the test date."""

    model = LanguageSkill
    form_class = LanguageSkillForm
    what = "a language result"
    detail_url = "people:official-detail"

    def choices(self) -> dict[str, Any]:
        return {"official": self.officials()}

    def detail_pk(self) -> int:
        return int(self.object.official_id)
