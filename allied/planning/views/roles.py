"""Partners' roles: the role page (its answers, and the answer form for its nation's planners and
liaison officers) and the plan's 'validated by partners' action (the owner's planners).

A role is read with its task and plan: a role whose task or plan the viewer may not see answers
404 like a missing one. Who answers is a rule of the record (the role's nation), checked after
the role is found; the pages declare that only planners and liaison officers write.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from allied.core.access import Access, access_required, check
from allied.core.edit import posted, status_of, visible, visible_or_404
from allied.core.models.principals import principal_for
from allied.core.restricted import restricted_view, show, viewer_of
from allied.planning import answers as service
from allied.planning import models as m
from allied.planning.authoring import may_edit
from allied.planning.data import load, pure_answer
from allied.planning.forms import RoleAnswerForm, ValidateForm
from allied.planning.rules import answers as rules
from allied.planning.views.authoring import submit
from allied.planning.views.plans import visible_plan


def _answering(nation: str) -> Access:
    return Access(
        allows=lambda p: service.may_answer(p, nation),
        reason=f"Only {nation}'s planners and liaison officers answer {nation}'s role.",
    )


@restricted_view
@access_required(writes=service.ANSWERS_ROLES)
def role_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One partner's role on a task: its state, every answer, and the answer form."""
    role = visible_or_404(visible(request, m.Assignment).select_related("marking"), pk=pk)
    task = visible_or_404(visible(request, m.Task).select_related("marking"), pk=role.task_id)
    plan = visible_plan(request, task.contingency_id)
    principal = principal_for(request.user)
    answering = role.nation_id != rules.US and service.may_answer(principal, role.nation_id)
    form = RoleAnswerForm(posted(request)) if answering else None
    if request.method == "POST":
        check(request, _answering(role.nation_id))
        viewer = viewer_of(request)
        done = submit(request, form, lambda d: service.answer_role(request.user, viewer, role, d))
        if done is not None:
            messages.success(request, f"Answer recorded: {done.get_answer_display().lower()}.")
            return redirect("planning:role-detail", pk=role.pk)
    history = list(
        visible(request, m.RoleAnswer)
        .select_related("marking")
        .filter(task_id=task.pk, nation_id=role.nation_id)
    )
    state = rules.role_states(
        [rules.Role(task.pk, role.nation_id, role.assigned_at, task.name)],
        [pure_answer(a) for a in history],
    )
    show(request, [plan, task, role, *history])
    return render(
        request,
        "planning/role_detail.html",
        {
            "plan": plan,
            "task": task,
            "role": role,
            "history": history,
            "status": state[0] if state else None,
            "form": form,
        },
        status=200 if form is None else status_of(form),
    )


role_detail.allied_model = m.Assignment


@restricted_view
def plan_validate(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the plan validated by partners (its owner's planners); refused, with the roles
    missing an acceptance, unless every partner role is accepted."""
    plan = visible_plan(request, pk)
    check(
        request,
        Access(
            allows=lambda p: may_edit(p, plan),
            reason=f"Only {plan.owner_id}'s planners mark the plan validated by partners.",
        ),
    )
    loaded = load(viewer_of(request), focus=plan)
    checked = rules.validation(service.statuses(loaded, plan))
    form = ValidateForm(posted(request), initial={"version": plan.version})
    viewer = viewer_of(request)
    done = submit(
        request,
        form,
        lambda d: service.validate_plan(request.user, viewer, plan, d["version"], loaded),
    )
    if done is not None:
        messages.success(request, "The plan is marked validated by partners.")
        return redirect("planning:plan-detail", pk=plan.pk)
    show(request, loaded.rows_of_plan(plan.pk))
    return render(
        request,
        "planning/plan_validate.html",
        {"plan": plan, "checked": checked, "form": form},
        status=status_of(form),
    )


plan_validate.allied_model = m.Contingency
