"""Planning pages: plans, the task x partner matrix, coverage, the readiness report, the proposal.

Every page reads through the viewer's restricted querysets (``allied.planning.data.load``), so the
matrix, the charts, the counts and the checks are computed from what the viewer may see and
nothing else: a partner's planner never sees a U.S. assessment of its nation, nor a finding that
rests on one. A plan the viewer may not see answers 404 like a missing one.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import ListView

from allied.core import audit
from allied.core.charts import Column, bar
from allied.core.edit import (
    explained_on,
    not_found,
    save_marked,
    saved,
    status_of,
    visible,
    visible_or_404,
)
from allied.core.models import StoredMarking
from allied.core.models.marked import save_visible
from allied.core.models.principals import Principal, Role, principal_for
from allied.core.restricted import RestrictedMixin, restricted_view, show, viewer_of
from allied.markings import render as render_marking
from allied.planning import models as m
from allied.planning.answers import statuses
from allied.planning.authoring import (
    RECORDS_ASSUMPTIONS,
    default_role_marking,
    may_create_plan,
    may_edit,
)
from allied.planning.data import Loaded, load
from allied.planning.forms import ApplyProposalForm, AssumptionForm
from allied.planning.rules.answers import validation
from allied.planning.rules.checks import ALL_CHECKS, Report, Severity, coverage, run_checks
from allied.planning.rules.model import CONTINGENCY_TYPES, US
from allied.planning.rules.optimiser import Proposal, propose

# --- helpers ------------------------------------------------------------------------------------


def may_apply(principal: Principal) -> bool:
    """Only a U.S. planner turns a proposal into the plan's assignments."""
    return principal.is_us and principal.has_role(Role.PLANNER)


def visible_plan(request: HttpRequest, pk: int) -> m.Contingency:
    """The plan ``pk`` with its marking if the viewer may see it; the one 404 otherwise."""
    return visible_or_404(visible(request, m.Contingency).select_related("marking"), pk=pk)


def report_for(loaded: Loaded, plan: m.Contingency, today: date | None = None) -> Report:
    return run_checks(loaded.data, {plan.pk}, today=today or date.today(), acceptance=True)


def matrix(loaded: Loaded, plan: m.Contingency) -> dict[str, Any]:
    """Tasks as rows, partners as columns; a cell is the quantity assigned (``L`` for the lead)."""
    tasks = sorted(
        (t for t in loaded.tasks.values() if t.contingency_id == plan.pk),
        key=lambda t: (t.starts, -t.priority, t.pk),
    )
    ctypes = {t.capability_type_id for t in tasks}
    holders = {c.nation_id for c in loaded.capabilities.values() if c.capability_type_id in ctypes}
    cells: dict[int, dict[str, tuple[int, bool]]] = defaultdict(dict)
    nations = set(holders)
    keys = {t.pk for t in tasks}
    for a in loaded.assignments.values():
        if a.task_id in keys:
            q, lead = cells[a.task_id].get(a.nation_id, (0, False))
            cells[a.task_id][a.nation_id] = (q + a.quantity, lead or a.is_lead)
            nations.add(a.nation_id)
    columns = sorted(nations, key=lambda n: (n != US, n))
    rows = []
    for t in tasks:
        row = []
        for n in columns:
            q, lead = cells[t.pk].get(n, (0, False))
            row.append({"nation": n, "quantity": q, "lead": lead})
        total = sum(q for q, _ in cells[t.pk].values())
        rows.append({"task": t, "cells": row, "assigned": total, "short": total < t.quantity})
    return {"columns": columns, "rows": rows}


def assignments_of(loaded: Loaded, plan: m.Contingency) -> list[tuple[m.Assignment, m.Task]]:
    """The plan's visible assignments with their tasks, by task start, leads first."""
    rows = [
        (a, loaded.tasks[a.task_id])
        for a in loaded.assignments.values()
        if a.task_id in loaded.tasks and loaded.tasks[a.task_id].contingency_id == plan.pk
    ]
    return sorted(rows, key=lambda r: (r[1].starts, r[1].pk, not r[0].is_lead, r[0].pk))


def coverage_charts(loaded: Loaded, plan: m.Contingency) -> list[Any]:
    cover = coverage(loaded.data, plan.pk)
    by_nation = [
        {"nation": n, "units": q} for n, q in sorted(cover.by_nation.items(), key=lambda i: -i[1])
    ]
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    given: dict[int, int] = defaultdict(int)
    for a in loaded.data.assignments:
        given[a.task] += a.quantity
    for t in loaded.data.tasks_of(plan.pk):
        covered = min(given[t.key], t.quantity)
        by_type[t.ctype][0] += covered
        by_type[t.ctype][1] += t.quantity - covered
    status_rows = []
    for ctype, (covered, missing) in sorted(by_type.items()):
        status_rows.append({"type": ctype, "status": "assigned", "units": covered})
        status_rows.append({"type": ctype, "status": "not assigned", "units": missing})
    return [
        bar(
            "plan-by-nation",
            "Units assigned by partner",
            "Units of capability each partner is assigned in this plan, from the assignments "
            "releasable to you.",
            by_nation,
            category=Column("nation", "Partner"),
            value=Column("units", "Units"),
        ),
        bar(
            "plan-by-type",
            "Requirement covered, by capability type",
            "For each capability type, the units the plan's tasks need that are assigned and "
            "those that are not.",
            status_rows,
            category=Column("type", "Capability type"),
            value=Column("units", "Units"),
            colour=Column("status", "Status"),
        ),
    ]


def partner_roles(loaded: Loaded, plan: m.Contingency) -> list[dict[str, Any]]:
    """Each partner role on the plan with its state since when, and an assignment to open it."""
    first: dict[tuple[int, str], int] = {}
    for a, task in assignments_of(loaded, plan):
        first.setdefault((task.pk, a.nation_id), a.pk)
    return [
        {"status": s, "pk": first[(s.role.task, s.role.nation)]} for s in statuses(loaded, plan)
    ]


# --- pages --------------------------------------------------------------------------------------


class PlanList(RestrictedMixin, ListView):
    """The plans releasable to the viewer: the planning landing page."""

    model = m.Contingency
    paginate_by = 50
    template_name = "planning/plan_list.html"

    def get_queryset(self) -> Any:
        return self.restricted_queryset().select_related("marking").order_by("starts", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["types"] = CONTINGENCY_TYPES
        context["may_create"] = may_create_plan(principal_for(self.request.user))
        return context


@restricted_view
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One plan: phases, the task x partner matrix, coverage, assumptions, check summary."""
    plan = visible_plan(request, pk)
    principal = principal_for(request.user)
    loaded = load(viewer_of(request), focus=plan)
    report = report_for(loaded, plan)
    show(request, loaded.rows_of_plan(plan.pk))
    phases = sorted(
        (p for p in loaded.phases.values() if p.contingency_id == plan.pk), key=lambda p: p.order
    )
    assumptions = sorted(
        (a for a in loaded.assumptions.values() if a.contingency_id == plan.pk),
        key=lambda a: (a.holder_id, a.provider_id, a.pk),
    )
    form = AssumptionForm(
        initial={
            "marking": f"SECRET//REL TO USA, {principal.nation_id}"
            if not principal.is_us
            else plan.marking.text
        }
    )
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "phases": phases,
            "matrix": matrix(loaded, plan),
            "charts": coverage_charts(loaded, plan),
            "cover": coverage(loaded.data, plan.pk),
            "report": report,
            "counts": [(ALL_CHECKS[k], v) for k, v in report.counts().items()],
            "assumptions": assumptions,
            "form": form if RECORDS_ASSUMPTIONS.allows(principal) else None,
            "may_apply": may_apply(principal),
            "may_edit": may_edit(principal, plan),
            "assignments": assignments_of(loaded, plan),
            "roles": partner_roles(loaded, plan),
            "validation": validation(statuses(loaded, plan)),
            "unseen_roles": [
                (a, task, loaded.unreadable[a.pk])
                for a, task in assignments_of(loaded, plan)
                if a.pk in loaded.unreadable
            ],
        },
    )


plan_detail.allied_model = m.Contingency


@restricted_view
def plan_readiness(request: HttpRequest, pk: int) -> HttpResponse:
    """The readiness report: every finding on the plan, most severe first, with its evidence."""
    plan = visible_plan(request, pk)
    loaded = load(viewer_of(request), focus=plan)
    report = report_for(loaded, plan)
    used = loaded.rows_of_findings(report.findings)
    show(request, [plan, *used])
    rows = [
        {"check": ALL_CHECKS[c], "severity": s.label, "findings": n}
        for c in ALL_CHECKS
        for s in sorted(Severity, reverse=True)
        if (n := sum(1 for f in report.findings if f.check == c and f.severity == s))
    ]
    chart = bar(
        "readiness",
        "Findings by check and severity",
        "How many findings each check raised on this plan, by severity, from the data "
        "releasable to you.",
        rows,
        category=Column("check", "Check"),
        value=Column("findings", "Findings"),
        colour=Column("severity", "Severity"),
    )
    return render(
        request,
        "planning/readiness.html",
        {"plan": plan, "report": report, "groups": report.by_severity(), "chart": chart},
    )


plan_readiness.allied_model = m.Contingency


@restricted_view
def plan_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    """The optimiser's proposal for the plan; a U.S. planner may apply it as the assignments."""
    plan = visible_plan(request, pk)
    principal = principal_for(request.user)
    viewer = viewer_of(request)
    loaded = load(viewer, focus=plan)
    proposal = propose(loaded.data, plan.pk, time_limit=5.0)
    show(request, [plan, *loaded.rows()])
    form = ApplyProposalForm(request.POST or None, initial={"fingerprint": proposal.fingerprint()})
    if request.method == "POST":
        if not may_apply(principal):
            not_found()
        if _applied(request, form, plan, loaded, proposal):
            return redirect("planning:plan-detail", pk=plan.pk)
    after = None
    if proposal.assignments:
        after = _report_after(loaded, plan, proposal)
    before = report_for(loaded, plan)
    tasks = {t.pk: t for t in loaded.tasks.values() if t.contingency_id == plan.pk}
    return render(
        request,
        "planning/proposal.html",
        {
            "plan": plan,
            "proposal": proposal,
            "tasks": tasks,
            "rows": [
                (tasks[a.task], a, default_role_marking(loaded, tasks[a.task], a.nation))
                for a in proposal.assignments
                if a.task in tasks
            ],
            "uncovered": [(tasks[u.task], u) for u in proposal.uncovered if u.task in tasks],
            "before": before.counts(),
            "after": after.counts() if after else None,
            "checks": ALL_CHECKS,
            "form": form,
            "may_apply": may_apply(principal),
        },
        status=400 if request.method == "POST" else 200,
    )


plan_proposal.allied_model = m.Contingency


def _applied(
    request: HttpRequest,
    form: ApplyProposalForm,
    plan: m.Contingency,
    loaded: Loaded,
    proposal: Proposal,
) -> bool:
    """Apply the proposal the planner saw, if it is still the proposal; else say why not."""
    if not form.is_valid():
        return False
    if form.cleaned_data["fingerprint"] != proposal.fingerprint():
        form.add_error(
            None,
            "The data changed since the proposal was shown; review the new proposal below. "
            "Nothing was saved.",
        )
        return False
    applied: tuple[int, list[str]] | None = None
    with explained_on(
        form,
        message="You could not read assignments with this marking; nothing was saved.",
    ):
        applied = apply_proposal(request, plan, loaded, proposal, form.cleaned_data["marking"])
    if applied is None or not saved(form):
        return False
    count, unseen = applied
    messages.success(request, f"{count} assignment(s) applied from the proposal.")
    for text in unseen:
        messages.warning(request, text)
    return True


def _report_after(loaded: Loaded, plan: m.Contingency, proposal: Proposal) -> Report:
    """The checks as they would read with the proposal in place of the plan's assignments."""
    from dataclasses import replace

    from allied.planning.rules.model import Assignment as PureAssignment

    own = {t.key for t in loaded.data.tasks_of(plan.pk)}
    kept = [a for a in loaded.data.assignments if a.task not in own]
    new = [
        PureAssignment(-(k + 1), a.task, a.nation, a.quantity, a.is_lead)
        for k, a in enumerate(proposal.assignments)
    ]
    data = replace(loaded.data, assignments=tuple(kept + new))
    return run_checks(data, {plan.pk}, today=date.today(), acceptance=True)


def apply_proposal(
    request: HttpRequest, plan: m.Contingency, loaded: Loaded, proposal: Proposal, marking: str
) -> tuple[int, list[str]]:
    """Replace the plan's assignments the planner can see with the proposal's; all or nothing.

    Assignments the planner cannot see are left as they are (they were never part of the data
    the proposal was built on). Without a chosen marking each role is marked so that its partner
    can read it where the rules allow (``default_role_marking``). The decision is audited with the
    proposal's figures. Returns how many were created and, in words, each role its partner cannot
    read.
    """
    from allied.planning.authoring import role_readable

    viewer = viewer_of(request)
    chosen = StoredMarking.objects.intern(marking) if marking else None
    unseen: list[str] = []
    with transaction.atomic():
        old = m.Assignment.objects.visible_to(viewer).filter(task__contingency=plan)
        removed = [a.pk for a in old]
        old.delete()
        created = []
        for p in proposal.assignments:
            task = loaded.tasks[p.task]
            if chosen is None:
                role = default_role_marking(loaded, task, p.nation)
                stored = StoredMarking.objects.intern(render_marking(role.marking, "banner"))
            else:
                stored = chosen
            row = m.Assignment(
                task=task,
                nation_id=p.nation,
                quantity=p.quantity,
                is_lead=p.is_lead,
                origin=m.AssignmentOrigin.OPTIMISER,
                assigned_by=request.user,
                marking=stored,
            )
            save_visible(row, viewer)
            created.append(row.pk)
            reads = role_readable(loaded, row)
            if not reads.readable:
                unseen.append(
                    f"{p.nation} cannot see its role on {task.name}: {reads.reason}. "
                    "Re-mark the assignment or ask a disclosure officer."
                )
        audit.record(
            "decision",
            actor=request.user,
            obj=plan,
            detail={
                "what": "applied the optimiser's proposal",
                "fingerprint": proposal.fingerprint(),
                "status": proposal.status,
                "gap_ppm": None if proposal.gap is None else round(proposal.gap * 1_000_000),
                "removed": removed,
                "created": created,
                "uncovered": [u.task for u in proposal.uncovered],
            },
        )
    return len(created), unseen


@restricted_view
def assumption_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A planner records what its nation's planners assume another partner provides.

    The role rule is checked after the plan is read, not declared: a plan the person may not
    see must answer 404 like a missing one, whoever asks (the leak crawl checks it); the form is
    not offered to anyone else who sees the plan, so it answers them 404 too."""
    plan = visible_plan(request, pk)
    principal = principal_for(request.user)
    if not RECORDS_ASSUMPTIONS.allows(principal):
        not_found()
    form = AssumptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        from allied.core.models import Nation

        if not Nation.objects.filter(pk=data["provider"]).exists():
            form.add_error("provider", "No nation has this code.")
        else:
            row = m.Assumption(
                contingency=plan,
                holder_id=principal.nation_id,
                provider_id=data["provider"],
                capability_type=data["capability_type"],
                quantity=data["quantity"],
                note=data["note"],
                recorded_by=request.user,
            )
            row.set_marking(data["marking"])
            with explained_on(
                form,
                message="You could not read an assumption with this marking; nothing was saved.",
            ):
                save_marked(request, row)
            if saved(form):
                messages.success(request, "Assumption recorded.")
                return redirect("planning:plan-detail", pk=plan.pk)
    show(request, [plan])
    return render(
        request,
        "planning/assumption_form.html",
        {"plan": plan, "form": form},
        status=status_of(form),
    )


assumption_create.allied_model = m.Contingency
