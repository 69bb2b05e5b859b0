"""Arms-sales case pages: the case list (the partner's SCIP-like view included), a case, and a
U.S. case manager's stage completion and corrections.

Every page starts from ``allied.arms.access``: the viewer's markings first, then, for a partner,
its own nation's cases only. Rows of a case are read with the case joined, so nothing of a hidden
case shows; a hidden case answers 404 exactly as a missing one.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import DetailView, ListView

from allied.arms import access, cases
from allied.arms.forms import AdvanceForm, CaseEditForm
from allied.arms.models import (
    Blocker,
    Case,
    CoordinationGroup,
    HistoryEntry,
    Item,
    Review,
    ReviewDecision,
    StageRecord,
)
from allied.arms.rules.lifecycle import (
    AOD_GOAL_SOURCE,
    AOD_SOURCE,
    STAGE_INFO,
    STAGES,
    Stage,
    completion_holds,
    next_stage,
)
from allied.core.access import check
from allied.core.edit import StaleVersion, explained_on, saved, status_of, visible_or_404
from allied.core.models.principals import principal_for
from allied.core.restricted import RestrictedMixin, restricted_view, show, viewer_of

# --- helpers ------------------------------------------------------------------------------------


def is_case_manager(request: HttpRequest) -> bool:
    return access.CASE_MANAGER.allows(principal_for(request.user))


def cases_of(request: HttpRequest) -> Any:
    """The cases the viewer may see, with what every case page shows of each."""
    return access.cases(viewer_of(request)).select_related("marking", "partner")


def open_blockers_by_case(request: HttpRequest, case_ids: list[int]) -> dict[int, list[Blocker]]:
    """Open blockers releasable to the viewer, for the given cases."""
    rows = (
        access.case_rows(Blocker, viewer_of(request))
        .filter(case_id__in=case_ids, resolved__isnull=True)
        .select_related("marking")
        .order_by("opened", "pk")
    )
    out: dict[int, list[Blocker]] = defaultdict(list)
    for row in show(request, rows):
        out[row.case_id].append(row)
    return out


def waiting_on(request: HttpRequest, blockers: list[Blocker]) -> dict[int, Case]:
    """The cases blockers wait on, among those the viewer may see (others are not named)."""
    ids = [b.waits_on_id for b in blockers if b.waits_on_id]
    if not ids:
        return {}
    rows = access.cases(viewer_of(request)).filter(pk__in=ids).select_related("marking")
    return {c.pk: c for c in show(request, rows)}


# --- cases --------------------------------------------------------------------------------------


class CaseList(RestrictedMixin, ListView):
    """The landing page: cases the viewer may see; for a partner, its own nation's (as SCIP)."""

    model = Case
    paginate_by = 50
    template_name = "arms/case_list.html"

    def get_queryset(self) -> Any:
        rows = cases_of(self.request)
        stage = self.request.GET.get("stage", "")
        if stage in {s.value for s in Stage}:
            rows = rows.filter(stage=stage)
        partner = self.request.GET.get("partner", "").upper()
        if len(partner) == 3 and partner.isalpha():
            rows = rows.filter(partner_id=partner)
        if self.request.GET.get("open") == "1":
            rows = rows.filter(delivered__isnull=True, closed__isnull=True)
        return rows.order_by("-lor_received", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        cases = context["object_list"]
        blockers = open_blockers_by_case(self.request, [c.pk for c in cases])
        context["rows"] = [(c, blockers.get(c.pk, [])) for c in cases]
        viewer = viewer_of(self.request)
        context["partner_view"] = not viewer.is_us
        context["nation"] = viewer.nation
        context["stages"] = [(s.stage.value, s.label) for s in STAGES]
        context["stage"] = self.request.GET.get("stage", "")
        context["partner"] = self.request.GET.get("partner", "").upper()
        context["case_manager"] = is_case_manager(self.request)
        return context


class CaseDetail(RestrictedMixin, DetailView):
    """One case: stage timeline, parallel reviews, blockers, items, history, forecast."""

    model = Case
    template_name = "arms/case_detail.html"

    def get_queryset(self) -> Any:
        return cases_of(self.request)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case: Case = self.object
        viewer = viewer_of(self.request)

        def rows(model: type[Any]) -> list[Any]:
            found = access.case_rows(model, viewer).filter(case=case).select_related("marking")
            return show(self.request, found)

        stages = rows(StageRecord)
        blockers = rows(Blocker)
        today = datetime.date.today()
        for record in stages:
            record.elapsed = (
                record.days if record.days is not None else (today - record.entered).days
            )
            record.late = record.target_days is not None and record.elapsed > record.target_days
        waits = waiting_on(self.request, blockers)
        for blocker in blockers:
            blocker.waits_case = waits.get(blocker.waits_on_id)
        reviews = rows(Review)
        holds = completion_holds(
            Stage(case.stage),
            [cases.review_name(r) for r in reviews if r.decision == ReviewDecision.PENDING],
            [cases.blocker_name(b) for b in blockers if b.resolved is None],
        )
        context.update(
            holds=holds,
            stages=stages,
            reviews=reviews,
            blockers=blockers,
            items=rows(Item),
            history=rows(HistoryEntry),
            decision=cases.decision_for(case),
            partner_view=not viewer.is_us,
            can_edit=is_case_manager(self.request),
            can_advance=is_case_manager(self.request) and next_stage(Stage(case.stage)) is not None,
            next_stage=(STAGE_INFO[s].label if (s := next_stage(Stage(case.stage))) else None),
            group=self.group_of(case),
            group_cases=self.group_cases(case),
        )
        return context

    def group_of(self, case: Case) -> CoordinationGroup | None:
        # Read through the viewer's groups: never the case's unrestricted foreign key.
        if case.group_id is None:
            return None
        rows = access.groups(viewer_of(self.request)).filter(pk=case.group_id)
        found = show(self.request, rows.select_related("marking"))
        return found[0] if found else None

    def group_cases(self, case: Case) -> list[Case]:
        if case.group_id is None:
            return []
        rows = (
            access.cases(viewer_of(self.request))
            .filter(group_id=case.group_id)
            .exclude(pk=case.pk)
            .select_related("marking", "partner")
        )
        return show(self.request, rows)


def stale_case(request: HttpRequest, pk: int, stale: StaleVersion) -> HttpResponse:
    """409: the case changed since the form was opened; what it is now, and nothing saved."""
    case = visible_or_404(cases_of(request), pk=pk)
    show(request, [case])
    context = {"object": case, "conflict": stale}
    return render(request, "arms/case_conflict.html", context, status=409)


@restricted_view
def case_advance(request: HttpRequest, pk: int) -> HttpResponse:
    """A U.S. case manager completes the case's current stage; the forecast is recomputed.

    The form carries the version it was opened at: a second submission of the same form, or one
    from before another change, completes nothing and answers 409.
    """
    case = visible_or_404(cases_of(request), pk=pk)
    if request.method != "POST" or not is_case_manager(request):
        if request.method == "POST":
            messages.error(request, "Only a U.S. case manager may complete a stage.")
        return redirect("arms:case-detail", pk=case.pk)
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items())
        messages.error(request, f"Nothing was changed. {errors}")
        return redirect("arms:case-detail", pk=case.pk)
    try:
        cases.advance(
            case,
            request.user,
            on=form.cleaned_data["on"],
            note=form.cleaned_data["note"],
            owner=form.cleaned_data["owner"],
            expected_version=form.cleaned_data["version"],
            override_reason=form.cleaned_data["override_reason"],
        )
    except StaleVersion as stale:
        return stale_case(request, pk, stale)
    except cases.StageError as exc:
        messages.error(request, f"Nothing was changed: {exc}.")
    else:
        done = (
            "Stage completed by your recorded override"
            if form.cleaned_data["override_reason"].strip()
            else "Stage completed"
        )
        messages.success(request, f"{done}; the case is now at {case.stage_label}.")
    return redirect("arms:case-detail", pk=case.pk)


case_advance.allied_model = Case


@restricted_view
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A U.S. case manager corrects a case's title, capability, agency, owner or LOR reference.

    An edit from an older version is refused whole (409) and the form is shown again with what
    was typed and the current version named, for the manager to redo on the current case.
    """
    case = visible_or_404(cases_of(request), pk=pk)
    check(request, access.EDITS_CASE)
    if request.method != "POST":
        initial = {name: getattr(case, name) for name in (*cases.EDITABLE, "version")}
        return case_form(request, case, CaseEditForm(initial=initial))
    form = CaseEditForm(request.POST)
    if form.is_valid():
        changes = {name: form.cleaned_data[name] for name in cases.EDITABLE}
        with explained_on(form, what="this case"):
            cases.edit_case(
                case, request.user, changes, expected_version=form.cleaned_data["version"]
            )
        if saved(form):
            messages.success(request, f"Case saved (version {case.version}).")
            return redirect("arms:case-detail", pk=case.pk)
        # Refused: the form is shown with the case as it is stored now.
        case = visible_or_404(cases_of(request), pk=pk)
    return case_form(request, case, form)


case_edit.allied_model = Case


def case_form(request: HttpRequest, case: Case, form: CaseEditForm) -> HttpResponse:
    """The edit form of ``case``: 200 when first shown, 400 with its errors, 409 when stale."""
    show(request, [case])
    context = {"object": case, "form": form, "conflict": getattr(form, "allied_stale", None)}
    return render(request, "arms/case_form.html", context, status=status_of(form))


__all__ = [
    "AOD_GOAL_SOURCE",
    "AOD_SOURCE",
    "CaseDetail",
    "CaseList",
    "case_advance",
    "case_edit",
]
