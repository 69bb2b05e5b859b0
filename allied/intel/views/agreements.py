"""Collection divided: offers to collect a partner's requirement, their answers, and coverage.

Every page reads through restricted querysets: an agreement is listed, opened and answered only
by those its marking releases it to, and the coverage matrix is built from the requirements and
agreements the viewer may see (``allied.intel.agreements.visible_coverage``), so a cell never
reflects a hidden row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.generic import ListView

from allied.core import access
from allied.core.edit import explained_on, save_from_form, status_of, visible, visible_or_404
from allied.core.forms import AsOfForm
from allied.core.models.principals import principal_for
from allied.core.restricted import RestrictedMixin, restricted_view, show
from allied.intel import agreements
from allied.intel.forms.requirements import AnswerForm, OfferForm
from allied.intel.models import AgreementStatus, CollectionAgreement, CollectionRequirement
from allied.intel.rules.coverage import State


class AgreementList(RestrictedMixin, ListView):
    """Offers to collect and agreed splits releasable to the viewer, newest first."""

    model = CollectionAgreement
    paginate_by = 50
    template_name = "intel/requirements/agreements.html"

    def get_queryset(self) -> Any:
        rows = self.restricted_queryset().select_related("marking")
        status = self.request.GET.get("status")
        if status in AgreementStatus.values:
            rows = rows.filter(status=status)
        return rows.order_by("-offered_at", "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        return context


@restricted_view
def offer_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Offer to collect another nation's requirement (a need, or one side of an overlap): for
    liaison officers and authors, checked once the requirement is found (a hidden one is 404)."""
    requirement = visible_or_404(
        visible(request, CollectionRequirement).select_related("marking", "nation"), pk=pk
    )
    principal = access.check(request, agreements.OFFICERS)
    initial = {
        "starts": requirement.starts,
        "ends": requirement.ends,
        "marking": agreements.default_marking(requirement, principal.nation_id),
    }
    form = OfferForm(request.POST or None, initial=initial)
    problem = agreements.offer_problem(principal, requirement)
    if request.method == "POST" and problem:
        form.add_error(None, problem)
    elif request.method == "POST" and form.is_valid():
        offer = agreements.new_offer(request, requirement, form.cleaned_data)
        if save_from_form(request, form, offer, what="an offer"):
            messages.success(request, f"Offer sent to {requirement.nation_id}.")
            return redirect("intel:agreement-detail", pk=offer.pk)
    show(request, [requirement])
    return render(
        request,
        "intel/requirements/offer.html",
        {"form": form, "requirement": requirement, "problem": problem,
         "nation": principal.nation_id},
        status=status_of(form),
    )  # fmt: skip


@restricted_view
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One offer or split: who collects what, for which window, its marking and its dates; the
    officer of the nation it was offered to accepts or declines it here, once."""
    row = visible_or_404(
        visible(request, CollectionAgreement).select_related("marking", "offered_by"), pk=pk
    )
    principal = principal_for(request.user)
    may_answer = (
        row.status == AgreementStatus.OFFERED
        and agreements.OFFICERS.allows(principal)
        and agreements.relying_officer(row).allows(principal)
    )
    form = AnswerForm(request.POST or None, initial={"version": row.version})
    if request.method == "POST":
        access.check(request, agreements.OFFICERS)
        access.check(request, agreements.relying_officer(row))
        if form.is_valid():
            data = form.cleaned_data
            with explained_on(form, what="an offer"):
                try:
                    row = agreements.answer(
                        request, row, data["decision"], data["note"], data["version"]
                    )
                except ValidationError as refused:
                    form.add_error(None, refused)
            if not form.errors:
                messages.success(request, f"Offer {row.get_status_display().lower()}.")
                return redirect("intel:agreement-detail", pk=row.pk)
    show(request, [row])
    today = timezone.localdate()
    return render(
        request,
        "intel/requirements/agreement.html",
        {"row": row, "form": form, "may_answer": may_answer, "lapsed": row.lapsed_on(today)},
        status=status_of(form),
    )


@restricted_view
def coverage_page(request: HttpRequest) -> HttpResponse:
    """The coverage matrix (topic and region by nation) as of a day, from visible rows only."""
    form = AsOfForm(request.GET or None)
    day = timezone.localdate()
    if form.is_bound and form.is_valid() and form.cleaned_data.get("on"):
        day = form.cleaned_data["on"]
    matrix, rows = agreements.visible_coverage(request, day)
    show(request, rows)
    table = [(row, [row.cells.get(n) for n in matrix.nations]) for row in matrix.rows]
    counts = [(state.label, matrix.count(state)) for state in State]
    return render(
        request,
        "intel/requirements/coverage.html",
        {"form": form, "matrix": matrix, "table": table, "counts": counts, "day": day},
        status=status_of(form),
    )


# The models whose ids the routes take (the leak crawl fills them with canaries' ids).
offer_create.allied_model = CollectionRequirement
agreement_detail.allied_model = CollectionAgreement
