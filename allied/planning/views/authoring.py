"""Pages that write plans: new and edited plans, phases, tasks, manual assignments, and the
decision on a partner's planning request.

Each page reads the plan through the viewer's restricted queryset first (404 when hidden, the same
as missing) and only a planner of the plan's owning nation may write to it (``may_edit``); anyone
else who may see the plan gets 404 for the form too, so a page never tells a reader that a form
exists for a plan they cannot change. The writes themselves are in ``allied.planning.authoring``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from allied.core.access import access_required
from allied.core.edit import (
    not_found,
    posted,
    status_of,
    submit_form,
    visible,
    visible_or_404,
)
from allied.core.models.principals import principal_for
from allied.core.restricted import restricted_view, show, viewer_of
from allied.planning import authoring
from allied.planning import models as m
from allied.planning.data import with_visible_plan
from allied.planning.forms import (
    AssignmentForm,
    PhaseForm,
    PlanEditForm,
    PlanForm,
    RequestDecisionForm,
    TaskEditForm,
    TaskForm,
)
from allied.planning.views.plans import visible_plan

#: The words for a write refused because its author could not read it back.
UNREADABLE = "You could not read it back with this marking; nothing was saved."


def _editable_plan(request: HttpRequest, pk: int) -> m.Contingency:
    plan = visible_plan(request, pk)
    if not authoring.may_edit(principal_for(request.user), plan):
        not_found()
    return plan


def submit(request: HttpRequest, form: forms.Form, write: Callable[[dict[str, Any]], Any]) -> Any:
    """``submit_form`` with planning's words for a marking its author could not read back."""
    return submit_form(request, form, write, message=UNREADABLE)


def _page(
    request: HttpRequest, form: forms.Form, context: dict[str, Any], shown: list[Any]
) -> HttpResponse:
    show(request, shown)
    return render(
        request, "planning/edit_form.html", {"form": form, **context}, status=status_of(form)
    )


# --- plans --------------------------------------------------------------------------------------


@restricted_view
@access_required(authoring.STARTS_PLANS)
def plan_create(request: HttpRequest) -> HttpResponse:
    """A planner starts a plan owned by its own nation."""
    principal = principal_for(request.user)
    default = "SECRET//NOFORN" if principal.is_us else f"SECRET//REL TO USA, {principal.nation_id}"
    form = PlanForm(posted(request), initial={"marking": default})
    viewer = viewer_of(request)
    plan = submit(
        request, form, lambda d: authoring.create_plan(request.user, principal, viewer, d)
    )
    if plan is not None:
        messages.success(request, "Plan created. Add its phases and tasks.")
        return redirect("planning:plan-detail", pk=plan.pk)
    context = {
        "title": "New plan",
        "intro": f"The plan belongs to {principal.nation_id}: only its planners edit it.",
        "back": reverse("planning:plan-list"),
        "submit": "Create the plan",
    }
    return _page(request, form, context, [])


plan_create.allied_model = m.Contingency


@restricted_view
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    initial = {k: getattr(plan, k) for k in authoring.PLAN_FIELDS}
    form = PlanEditForm(
        posted(request),
        initial={**initial, "marking": plan.marking.text, "version": plan.version},
    )
    viewer = viewer_of(request)
    saved = submit(
        request,
        form,
        lambda d: authoring.edit_plan(request.user, viewer, plan, d["version"], d),
    )
    if saved is not None:
        messages.success(request, "Plan saved.")
        return redirect("planning:plan-detail", pk=plan.pk)
    context = {"title": f"Edit {plan.name}", "plan": plan, "back": _back(plan)}
    return _page(request, form, context, [plan])


plan_edit.allied_model = m.Contingency


def _back(plan: m.Contingency) -> str:
    return reverse("planning:plan-detail", kwargs={"pk": plan.pk})


# --- phases and tasks ---------------------------------------------------------------------------


@restricted_view
def phase_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    viewer = viewer_of(request)
    count = m.Phase.objects.visible_to(viewer).filter(contingency=plan).count()
    form = PhaseForm(
        posted(request),
        initial={
            "order": count + 1,
            "starts": plan.starts,
            "ends": plan.ends,
            "marking": plan.marking.text,
        },
    )
    phase = submit(request, form, lambda d: authoring.create_phase(request.user, viewer, plan, d))
    if phase is not None:
        messages.success(request, "Phase added.")
        return redirect("planning:plan-detail", pk=plan.pk)
    context = {"title": "Add a phase", "plan": plan, "back": _back(plan)}
    return _page(request, form, context, [plan])


phase_create.allied_model = m.Contingency


def _phases(request: HttpRequest, plan: m.Contingency) -> list[tuple[int, str]]:
    """The plan's phases as the form's choices: shown on the page, so recorded as shown."""
    rows = (
        m.Phase.objects.visible_to(viewer_of(request))
        .filter(contingency=plan)
        .select_related("marking")
        .order_by("order", "pk")
    )
    return [(p.pk, str(p)) for p in show(request, rows)]


@restricted_view
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    viewer = viewer_of(request)
    form = TaskForm(
        posted(request),
        phases=_phases(request, plan),
        initial={"starts": plan.starts, "ends": plan.ends, "marking": plan.marking.text},
    )
    task = submit(request, form, lambda d: authoring.create_task(request.user, viewer, plan, d))
    if task is not None:
        messages.success(request, f"Task {task.name!r} added. Assign it to partners below.")
        return redirect("planning:plan-detail", pk=plan.pk)
    context = {"title": "Add a task", "plan": plan, "back": _back(plan)}
    return _page(request, form, context, [plan])


task_create.allied_model = m.Contingency


def _editable_task(request: HttpRequest, pk: int) -> m.Task:
    task: m.Task = visible_or_404(visible(request, m.Task), pk=pk)
    task.contingency = _editable_plan(request, task.contingency_id)
    return task


@restricted_view
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _editable_task(request, pk)
    plan = task.contingency
    viewer = viewer_of(request)
    initial = {k: getattr(task, k) for k in authoring.TASK_FIELDS}
    initial.update(
        capability_type=task.capability_type.code,
        phase=task.phase_id,
        lead=task.lead_id or "",
        marking=task.marking.text,
        version=task.version,
    )
    form = TaskEditForm(posted(request), phases=_phases(request, plan), initial=initial)
    saved = submit(
        request, form, lambda d: authoring.edit_task(request.user, viewer, task, d["version"], d)
    )
    if saved is not None:
        messages.success(request, "Task saved.")
        return redirect("planning:plan-detail", pk=plan.pk)
    context = {"title": f"Edit task: {task.name}", "plan": plan, "back": _back(plan)}
    return _page(request, form, context, [plan, task])


task_edit.allied_model = m.Task


# --- assignments --------------------------------------------------------------------------------


@restricted_view
def assignment_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A planner of the plan's nation assigns the task to a partner (the U.S. included)."""
    task = _editable_task(request, pk)
    plan = task.contingency
    viewer = viewer_of(request)
    form = AssignmentForm(posted(request))

    row = submit(request, form, lambda d: authoring.assign(request.user, viewer, task, d))
    if row is not None:
        messages.success(request, f"{row.nation_id} assigned {row.quantity} to {task.name!r}.")
        return redirect("planning:plan-detail", pk=plan.pk)
    context = {
        "title": f"Assign: {task.name}",
        "intro": f"Needs {task.quantity} {task.capability_type.unit} of "
        f"{task.capability_type.code}, {task.starts:%Y-%m-%d} to {task.ends:%Y-%m-%d}.",
        "plan": plan,
        "back": _back(plan),
        "submit": "Assign",
    }
    return _page(request, form, context, [plan, task])


assignment_create.allied_model = m.Task


@restricted_view
def assignment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    row: m.Assignment = visible_or_404(visible(request, m.Assignment), pk=pk)
    task = _editable_task(request, row.task_id)
    plan = task.contingency
    if request.method == "POST":
        authoring.unassign(request.user, viewer_of(request), row)
        messages.success(request, f"Assignment of {row.nation_id} to {task.name!r} removed.")
        return redirect("planning:plan-detail", pk=plan.pk)
    show(request, [plan, task, row])
    return render(
        request,
        "planning/assignment_delete.html",
        {"plan": plan, "task": task, "row": row, "back": _back(plan)},
    )


assignment_delete.allied_model = m.Assignment


# --- planning requests --------------------------------------------------------------------------


@restricted_view
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A planning request; U.S. planners and the working group accept or decline it here."""
    viewer = viewer_of(request)
    row = visible_or_404(with_visible_plan(visible(request, m.PlanningRequest), viewer), pk=pk)
    # Read the plan through the viewer's queryset (with_visible_plan has checked it is visible);
    # a select_related through the nullable link would drop requests that name no plan.
    plan = (
        m.Contingency.objects.visible_to(viewer).filter(pk=row.contingency_id).first()
        if row.contingency_id
        else None
    )
    principal = principal_for(request.user)
    deciding = authoring.may_decide(principal) and row.status == m.RequestStatus.OPEN
    form = RequestDecisionForm(posted(request)) if deciding else None
    if request.method == "POST":
        if form is None:
            not_found()
        today = timezone.localdate()
        decided = submit(
            request,
            form,
            lambda d: authoring.decide_request(
                request.user, viewer, row, d["decision"], d["note"], on=today
            ),
        )
        if decided is not None:
            messages.success(request, f"Request {decided.get_status_display().lower()}.")
            return redirect("planning:request-detail", pk=row.pk)
    show(request, [row] + ([plan] if plan else []))
    return render(
        request,
        "planning/request_detail.html",
        {"row": row, "plan": plan, "form": form},
        status=200 if form is None else status_of(form),
    )


request_detail.allied_model = m.PlanningRequest
