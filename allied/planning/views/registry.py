"""The capability registry, willingness assessments and planning requests.

Lists read through the restricted base (``RestrictedMixin``): a partner's liaison or planner sees
the holdings, assessments and requests releasable to its nation, and never a U.S. assessment of
its own nation marked NOFORN, nor a count that includes one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import ListView

from allied.core.edit import explained_on, save_marked, saved, status_of
from allied.core.models import Nation
from allied.core.models.principals import principal_for
from allied.core.restricted import RestrictedMixin, restricted_view, show, viewer_of
from allied.planning import models as m
from allied.planning.data import with_visible_plan
from allied.planning.forms import CapabilityForm, PlanningRequestForm, WillingnessForm
from allied.planning.rules.model import CONTINGENCY_TYPES


class CapabilityList(RestrictedMixin, ListView):
    """Partner holdings in the shared vocabulary, as far as each is releasable to the viewer."""

    model = m.PartnerCapability
    paginate_by = 100
    template_name = "planning/capability_list.html"

    def get_queryset(self) -> Any:
        rows = self.restricted_queryset().select_related("marking", "capability_type")
        nation = self.request.GET.get("nation", "").upper()
        if len(nation) == 3 and nation.isalpha():
            rows = rows.filter(nation_id=nation)
        return rows.order_by("nation_id", "capability_type__code", "available_from", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["types"] = m.CapabilityType.objects.all()
        context["nation"] = self.request.GET.get("nation", "").upper()
        context["today"] = date.today()
        return context


class WillingnessList(RestrictedMixin, ListView):
    """Willingness per partner and contingency type, with who assessed it and when."""

    model = m.Willingness
    paginate_by = 100
    template_name = "planning/willingness_list.html"

    def get_queryset(self) -> Any:
        rows = self.restricted_queryset().select_related("marking")
        kind = self.request.GET.get("type", "")
        if kind in CONTINGENCY_TYPES:
            rows = rows.filter(contingency_type=kind)
        return rows.order_by("nation_id", "contingency_type", "-assessed_on", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["types"] = CONTINGENCY_TYPES
        context["type"] = self.request.GET.get("type", "")
        context["answers"] = role_answers(self.request, context["type"])
        return context


def role_answers(request: Any, kind: str) -> list[Any]:
    """Partners' answers to their roles, part of their willingness record: those releasable to
    the viewer, of tasks and plans it may see (latest first), shown and so audited."""
    viewer = viewer_of(request)
    plans = m.Contingency.objects.visible_to(viewer)
    if kind in CONTINGENCY_TYPES:
        plans = plans.filter(contingency_type=kind)
    tasks = m.Task.objects.visible_to(viewer).filter(contingency__in=plans.values("pk"))
    task_names = {t.pk: t for t in tasks.select_related("marking")}
    rows = list(
        m.RoleAnswer.objects.visible_to(viewer)
        .select_related("marking")
        .filter(task_id__in=list(task_names))
        .order_by("nation_id", "-answered_at", "-pk")[:200]
    )
    show(request, [*(task_names[r.task_id] for r in rows), *rows])
    return [(r, task_names[r.task_id]) for r in rows]


class RequestList(RestrictedMixin, ListView):
    """Planning requests releasable to the viewer, open ones first."""

    model = m.PlanningRequest
    paginate_by = 50
    template_name = "planning/request_list.html"

    def get_queryset(self) -> Any:
        rows = with_visible_plan(self.restricted_queryset(), viewer_of(self.request))
        return rows.order_by("status", "opened", "pk")


@restricted_view
def request_create(request: HttpRequest) -> HttpResponse:
    """A partner asks to join planning for a contingency, or asks the U.S. to confirm a role."""
    principal = principal_for(request.user)
    viewer = viewer_of(request)
    plans = list(m.Contingency.objects.visible_to(viewer).select_related("marking"))
    form = PlanningRequestForm(request.POST or None)
    choice = request.POST.get("contingency", "") if request.method == "POST" else ""
    plan = next((p for p in plans if str(p.pk) == choice), None)
    if request.method == "POST" and choice and plan is None:
        form.add_error(None, "Choose a plan from the list, or none.")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        row = m.PlanningRequest(
            nation_id=principal.nation_id,
            kind=data["kind"],
            contingency=plan,
            title=data["title"],
            text=data["text"],
            requested_by=request.user,
            opened=date.today(),
        )
        row.set_marking(data["marking"])
        if _saved_or_refused(
            request, form, row, "Request sent to the allied requests working group.", "a request"
        ):
            return redirect("planning:request-list")
    show(request, plans)
    return render(
        request,
        "planning/request_form.html",
        {"form": form, "plans": plans, "nation": principal.nation_id},
        status=status_of(form),
    )


def _saved_or_refused(request: HttpRequest, form: Any, row: Any, done: str, what: str) -> bool:
    """Save ``row`` for the signed-in person and say ``done``; or, when its author could not
    read it back, say so on ``form``'s marking (nothing is written)."""
    with explained_on(
        form, message=f"You could not read {what} with this marking; nothing was saved."
    ):
        save_marked(request, row)
    if saved(form):
        messages.success(request, done)
    return saved(form)


@restricted_view
def capability_create(request: HttpRequest) -> HttpResponse:
    """A planner or liaison officer reports a holding of its own nation (its own information)."""
    principal = principal_for(request.user)
    form = CapabilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        row = m.PartnerCapability(
            nation_id=principal.nation_id,
            capability_type=data["capability_type"],
            quantity=data["quantity"],
            readiness=data["readiness"],
            available_from=data["available_from"],
            available_to=data["available_to"],
            location=data["location"],
            source=data["source"],
            as_of=data["as_of"],
            recorded_by=request.user,
        )
        row.set_marking(data["marking"])
        if _saved_or_refused(request, form, row, "Holding recorded.", "a holding"):
            return redirect("planning:capability-list")
    return render(
        request,
        "planning/registry_form.html",
        {
            "form": form,
            "title": f"Report a holding of {principal.nation_id}",
            "back": "planning:capability-list",
        },
        status=status_of(form),
    )


@restricted_view
def willingness_create(request: HttpRequest) -> HttpResponse:
    """A partner's planner states its own nation's willingness; a U.S. planner may assess any
    partner (normally NOFORN). Who assessed it is the signed-in person's nation, always."""
    principal = principal_for(request.user)
    form = WillingnessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        nation = data["nation"]
        if not principal.is_us and nation != principal.nation_id:
            form.add_error(
                "nation",
                f"You state the willingness of your own nation ({principal.nation_id}) only.",
            )
        elif not Nation.objects.filter(pk=nation).exists():
            form.add_error("nation", "No nation has this code.")
        else:
            row = m.Willingness(
                nation_id=nation,
                contingency_type=data["contingency_type"],
                stance=data["stance"],
                conditions=data["conditions"],
                assessed_by_nation_id=principal.nation_id,
                assessed_by=request.user,
                assessed_on=date.today(),
                basis=data["basis"],
            )
            row.set_marking(data["marking"])
            if _saved_or_refused(request, form, row, "Assessment recorded.", "an assessment"):
                return redirect("planning:willingness-list")
    return render(
        request,
        "planning/registry_form.html",
        {"form": form, "title": "Record willingness", "back": "planning:willingness-list"},
        status=status_of(form),
    )
