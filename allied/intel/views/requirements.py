"""Collection requirements: register, list and read them, and find where partners overlap.

Every page reads requirements through the restricted base (``RestrictedMixin``), so a viewer
lists, reads, counts and compares only the requirements releasable to it. Overlaps are computed
by the pure rules (``allied.intel.rules.overlap``) from the viewer's visible requirements alone:
a pair that involves a requirement the viewer may not see is never computed, shown or counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import DetailView, ListView, TemplateView

from allied.core.edit import save_from_form, status_of
from allied.core.models.principals import principal_for
from allied.core.restricted import RestrictedMixin, restricted_view, show
from allied.intel.agreements import OFFICERS
from allied.intel.forms.requirements import OverlapFilterForm, RequirementForm
from allied.intel.models import CollectionRequirement, RequirementKind
from allied.intel.rules.overlap import DEFAULT_THRESHOLD, Entry, Score, find_overlaps

OVERLAPS_PER_PAGE = 50


# --- overlaps, from the viewer's visible requirements -----------------------------------------


@dataclass(frozen=True)
class Pair:
    """Two visible requirements of different nations and how much they overlap."""

    a: CollectionRequirement
    b: CollectionRequirement
    score: Score

    @property
    def advice(self) -> str:
        """What the two nations could do about it, from what each registered."""
        kinds = {self.a.kind, self.b.kind}
        if kinds == {RequirementKind.NEED, RequirementKind.COLLECT}:
            need, have = (
                (self.a, self.b) if self.a.kind == RequirementKind.NEED else (self.b, self.a)
            )
            return f"{have.nation_id} already collects what {need.nation_id} needs."
        if kinds == {RequirementKind.COLLECT}:
            return "Both already collect this: one could stand down or cover another window."
        return "Both need this: one could collect it for both."


def entry_of(requirement: CollectionRequirement) -> Entry:
    """A requirement as the pure overlap rules see it."""
    return Entry(
        key=requirement.pk,
        nation=requirement.nation_id,
        topic=requirement.topic,
        region=requirement.region,
        starts=requirement.starts,
        ends=requirement.ends,
        text=requirement.description,
        kind=requirement.kind,
    )


def find_visible_overlaps(
    visible: Any, threshold: float = DEFAULT_THRESHOLD, *, with_requirement: Any = None
) -> list[Pair]:
    """Pairs above ``threshold`` among the requirements of ``visible`` (a restricted queryset).

    With ``with_requirement`` (a requirement from that queryset), only its pairs, and only the
    requirements whose window meets its window are read.
    """
    rows = visible.select_related("marking", "nation")
    if with_requirement is not None:
        rows = rows.filter(
            Q(pk=with_requirement.pk)
            | Q(starts__lte=with_requirement.ends, ends__gte=with_requirement.starts)
        )
    by_pk = {row.pk: row for row in rows}
    found = find_overlaps(
        (entry_of(row) for row in by_pk.values()),
        threshold,
        only_with=None if with_requirement is None else with_requirement.pk,
    )
    return [Pair(by_pk[o.a.key], by_pk[o.b.key], o.score) for o in found]


def show_pairs(request: HttpRequest, pairs: list[Pair]) -> list[Pair]:
    """Record both requirements of every pair shown (banner roll-up and audit reads)."""
    show(request, [row for pair in pairs for row in (pair.a, pair.b)])
    return pairs


def offering(request: HttpRequest) -> dict[str, Any]:
    """What the pages need to offer a link to collect for a partner: the viewer's nation, and
    whether it may offer (``allied.intel.agreements.OFFICERS``)."""
    principal = principal_for(request.user)
    return {"own_nation": principal.nation_id, "may_offer": OFFICERS.allows(principal)}


# --- pages ----------------------------------------------------------------------------------------


class RequirementList(RestrictedMixin, ListView):
    """Needs and collections releasable to the viewer, highest priority first."""

    model = CollectionRequirement
    paginate_by = 50
    template_name = "intel/requirements/list.html"

    def get_queryset(self) -> Any:
        rows = self.restricted_queryset().select_related("marking", "nation")
        kind = self.request.GET.get("kind")
        if kind in RequirementKind.values:
            rows = rows.filter(kind=kind)
        nation = self.request.GET.get("nation", "").upper()
        if len(nation) == 3 and nation.isalpha():
            rows = rows.filter(nation_id=nation)
        return rows.order_by("-priority", "starts", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["kinds"] = RequirementKind.choices
        context["kind"] = self.request.GET.get("kind", "")
        context["nation"] = self.request.GET.get("nation", "").upper()
        return context


class RequirementDetail(RestrictedMixin, DetailView):
    """One requirement, with the visible requirements of other nations it overlaps."""

    model = CollectionRequirement
    template_name = "intel/requirements/detail.html"

    def get_queryset(self) -> Any:
        return self.restricted_queryset().select_related("marking", "nation", "created_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        pairs = find_visible_overlaps(self.restricted_queryset(), with_requirement=self.object)
        context["pairs"] = show_pairs(self.request, pairs)
        context.update(offering(self.request))
        return context


class RequirementOverlaps(RestrictedMixin, TemplateView):
    """Pairs of requirements of different nations that overlap, among those the viewer may see."""

    model = CollectionRequirement
    template_name = "intel/requirements/overlaps.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = OverlapFilterForm(self.request.GET or None)
        threshold = form.threshold()
        pairs = find_visible_overlaps(self.restricted_queryset(), threshold)
        mine = self.request.GET.get("mine") == "1"
        if mine:
            own = principal_for(self.request.user).nation_id
            pairs = [p for p in pairs if own in (p.a.nation_id, p.b.nation_id)]
        page = Paginator(pairs, OVERLAPS_PER_PAGE).get_page(self.request.GET.get("page"))
        show_pairs(self.request, list(page.object_list))
        context.update(
            form=form, threshold=threshold, mine=mine, page_obj=page, pairs=page.object_list
        )
        context.update(offering(self.request))
        return context


@restricted_view
def requirement_create(request: HttpRequest) -> HttpResponse:
    """Register a need or a collection for the signed-in person's own nation.

    The nation is the principal's, never taken from the request. A marking its author could not
    read back is refused and nothing is saved.
    """
    principal = principal_for(request.user)
    form = RequirementForm(request.POST or None)
    form.fields["marking"].help_text = (
        f"The banner marking, e.g. SECRET//REL TO USA, {principal.nation_id}."
        if principal.nation_id != "USA"
        else "The banner marking, e.g. SECRET//REL TO USA, JPN, PHL."
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        requirement = CollectionRequirement(
            nation_id=principal.nation_id,
            kind=data["kind"],
            topic=data["topic"],
            region=data["region"],
            starts=data["starts"],
            ends=data["ends"],
            priority=data["priority"],
            description=data["description"],
            created_by=request.user,
        )
        if save_from_form(request, form, requirement, what="a requirement"):
            messages.success(request, f"Requirement registered for {principal.nation_id}.")
            return redirect("intel:requirement-detail", pk=requirement.pk)
    return render(
        request,
        "intel/requirements/form.html",
        {"form": form, "nation": principal.nation},
        status=status_of(form),
    )
