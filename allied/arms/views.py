"""Arms-sales pages: cases (the partner's SCIP-like view included), coordinated cases, DCS
licences, the LOR checker, the notification engine with its "what if" scenarios.

Every page starts from ``allied.arms.access``: the viewer's markings first, then, for a partner,
its own nation's cases only. Rows of a case are read with the case joined, so nothing of a hidden
case shows; a hidden case answers 404 exactly as a missing one.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import DetailView, ListView

from allied.arms import access, services
from allied.arms.models import (
    Blocker,
    Case,
    CoordinationGroup,
    HistoryEntry,
    Item,
    Licence,
    Review,
    ReviewDecision,
    StageRecord,
)
from allied.arms.rules import lor
from allied.arms.rules.lifecycle import (
    AOD_GOAL_SOURCE,
    AOD_SOURCE,
    ORDER,
    STAGE_INFO,
    STAGES,
    Stage,
    completion_holds,
    next_stage,
)
from allied.arms.rules.notification import (
    LAW,
    SCENARIOS,
    SCENARIOS_BY_KEY,
    NotificationInputError,
    Sale,
    UsmlCategory,
    channel_of,
    compare_all,
    decide,
    parse_day,
    parse_usd,
)
from allied.core.forms import not_after_today
from allied.core.models import StoredMarking
from allied.core.models.principals import Role, principal_for
from allied.core.restricted import RestrictedMixin, restricted_view, show, shown, viewer_of

# --- helpers ------------------------------------------------------------------------------------


def is_case_manager(request: HttpRequest) -> bool:
    principal = principal_for(request.user)
    return bool(principal.is_us and principal.has_role(Role.CASE_MANAGER))


def visible_case(request: HttpRequest, pk: int) -> Case:
    """The case ``pk`` if the viewer may see it; 404 (as for a missing one) otherwise."""
    case = (
        access.cases(viewer_of(request)).select_related("marking", "partner").filter(pk=pk).first()
    )
    if case is None:
        raise Http404("No record found.")
    return case  # type: ignore[no-any-return]


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
        out[row.case_id].append(row)  # type: ignore[attr-defined]
    return out


def waiting_on(request: HttpRequest, blockers: list[Blocker]) -> dict[int, Case]:
    """The cases blockers wait on, among those the viewer may see (others are not named)."""
    ids = [b.waits_on_id for b in blockers if b.waits_on_id]  # type: ignore[attr-defined]
    if not ids:
        return {}
    rows = access.cases(viewer_of(request)).filter(pk__in=ids).select_related("marking")
    return {c.pk: c for c in show(request, rows)}


# --- cases --------------------------------------------------------------------------------------


class CaseList(RestrictedMixin, ListView):  # type: ignore[type-arg]
    """The landing page: cases the viewer may see; for a partner, its own nation's (as SCIP)."""

    model = Case
    paginate_by = 50
    template_name = "arms/case_list.html"

    def get_queryset(self) -> Any:
        rows = access.cases(viewer_of(self.request)).select_related("marking", "partner")
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


class CaseDetail(RestrictedMixin, DetailView):  # type: ignore[type-arg]
    """One case: stage timeline, parallel reviews, blockers, items, history, forecast."""

    model = Case
    template_name = "arms/case_detail.html"

    def get_queryset(self) -> Any:
        return access.cases(viewer_of(self.request)).select_related("marking", "partner")

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
            [services.review_name(r) for r in reviews if r.decision == ReviewDecision.PENDING],
            [services.blocker_name(b) for b in blockers if b.resolved is None],
        )
        context.update(
            holds=holds,
            stages=stages,
            reviews=reviews,
            blockers=blockers,
            items=rows(Item),
            history=rows(HistoryEntry),
            decision=services.decision_for(case),
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
        if case.group_id is None:  # type: ignore[attr-defined]
            return None
        rows = access.groups(viewer_of(self.request)).filter(pk=case.group_id)  # type: ignore[attr-defined]
        found = show(self.request, rows.select_related("marking"))
        return found[0] if found else None  # type: ignore[return-value]

    def group_cases(self, case: Case) -> list[Case]:
        if case.group_id is None:  # type: ignore[attr-defined]
            return []
        rows = (
            access.cases(viewer_of(self.request))
            .filter(group_id=case.group_id)  # type: ignore[attr-defined]
            .exclude(pk=case.pk)
            .select_related("marking", "partner")
        )
        return show(self.request, rows)  # type: ignore[return-value]


def version_field() -> forms.IntegerField:
    """The version the form was opened at, sent back so that a change from an older one is
    refused rather than applied over a newer one."""
    return forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class AdvanceForm(forms.Form):
    on = forms.DateField(
        label="Completed on",
        required=False,
        help_text="YYYY-MM-DD; today if empty, never a day still to come.",
        validators=[not_after_today],
    )
    owner = forms.CharField(label="Owner of the next stage", max_length=80, required=False)
    note = forms.CharField(label="Note", max_length=500, required=False, widget=forms.Textarea)
    override_reason = forms.CharField(
        label="Override reason", max_length=500, required=False, widget=forms.Textarea
    )
    version = version_field()


def stale_case(request: HttpRequest, case: Case, stale: services.StaleCase) -> HttpResponse:
    """409: the case changed since the form was opened; what it is now, and nothing saved."""
    show(request, [case])
    context = {"object": case, "conflict": stale}
    return render(request, "arms/case_conflict.html", context, status=409)


@restricted_view
def case_advance(request: HttpRequest, pk: int) -> HttpResponse:
    """A U.S. case manager completes the case's current stage; the forecast is recomputed.

    The form carries the version it was opened at: a second submission of the same form, or one
    from before another change, completes nothing and answers 409.
    """
    case = visible_case(request, pk)
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
        services.advance(
            case,
            request.user,
            on=form.cleaned_data["on"],
            note=form.cleaned_data["note"],
            owner=form.cleaned_data["owner"],
            expected_version=form.cleaned_data["version"],
            override_reason=form.cleaned_data["override_reason"],
        )
    except services.StaleCase as stale:
        return stale_case(request, visible_case(request, pk), stale)
    except services.StageError as exc:
        messages.error(request, f"Nothing was changed: {exc}.")
    else:
        done = (
            "Stage completed by your recorded override"
            if form.cleaned_data["override_reason"].strip()
            else "Stage completed"
        )
        messages.success(request, f"{done}; the case is now at {case.stage_label}.")
    return redirect("arms:case-detail", pk=case.pk)


case_advance.allied_model = Case  # type: ignore[attr-defined]


class CaseEditForm(forms.Form):
    """What a case manager may correct on a case (``services.EDITABLE``), from one version."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(Case, fields=list(services.EDITABLE)))
        self.fields["version"] = version_field()


@restricted_view
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A U.S. case manager corrects a case's title, capability, agency, owner or LOR reference.

    An edit from an older version is refused whole (409) and the form is shown again with what
    was typed and the current version named, for the manager to redo on the current case.
    """
    case = visible_case(request, pk)
    if not is_case_manager(request):
        raise PermissionDenied("Only a U.S. case manager may edit a case.")
    if request.method != "POST":
        show(request, [case])
        initial = {name: getattr(case, name) for name in (*services.EDITABLE, "version")}
        form = CaseEditForm(initial=initial)
        return render(request, "arms/case_form.html", {"object": case, "form": form})
    form = CaseEditForm(request.POST)
    if not form.is_valid():
        show(request, [case])
        return render(request, "arms/case_form.html", {"object": case, "form": form}, status=400)
    changes = {name: form.cleaned_data[name] for name in services.EDITABLE}
    try:
        services.edit_case(
            case, request.user, changes, expected_version=form.cleaned_data["version"]
        )
    except services.StaleCase as stale:
        current = visible_case(request, pk)
        show(request, [current])
        context = {"object": current, "form": form, "conflict": stale}
        return render(request, "arms/case_form.html", context, status=409)
    messages.success(request, f"Case saved (version {case.version}).")
    return redirect("arms:case-detail", pk=case.pk)


case_edit.allied_model = Case  # type: ignore[attr-defined]


# --- coordinated cases ----------------------------------------------------------------------------


class GroupList(RestrictedMixin, ListView):  # type: ignore[type-arg]
    model = CoordinationGroup
    template_name = "arms/group_list.html"
    paginate_by = 50

    def get_queryset(self) -> Any:
        return access.groups(viewer_of(self.request)).select_related("marking")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        groups = context["object_list"]
        members = (
            access.cases(viewer_of(self.request))
            .filter(group__in=[g.pk for g in groups])
            .select_related("marking")
        )
        by_group: dict[int, list[Case]] = defaultdict(list)
        for case in show(self.request, members):
            by_group[case.group_id].append(case)  # type: ignore[attr-defined]
        context["rows"] = [(g, by_group.get(g.pk, [])) for g in groups]
        return context


class GroupDetail(RestrictedMixin, DetailView):  # type: ignore[type-arg]
    """Cases of one capability side by side, stage by stage, and where one waits on another."""

    model = CoordinationGroup
    template_name = "arms/group_detail.html"

    def get_queryset(self) -> Any:
        return access.groups(viewer_of(self.request)).select_related("marking")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        cases = list(
            show(
                self.request,
                access.cases(viewer_of(self.request))
                .filter(group=self.object)
                .select_related("marking", "partner")
                .order_by("partner_id"),
            )
        )
        blockers = open_blockers_by_case(self.request, [c.pk for c in cases])
        all_blockers = [b for found in blockers.values() for b in found]
        waits = waiting_on(self.request, all_blockers)
        furthest = max((ORDER[Stage(c.stage)] for c in cases), default=0)
        lanes = []
        for case in cases:
            position = ORDER[Stage(case.stage)]
            waiting = [
                (b, waits.get(b.waits_on_id))  # type: ignore[attr-defined]
                for b in blockers.get(case.pk, [])
                if b.waits_on_id  # type: ignore[attr-defined]
            ]
            lanes.append(
                {
                    "case": case,
                    "position": position,
                    "behind": furthest - position,
                    "waiting": waiting,
                    "blockers": blockers.get(case.pk, []),
                }
            )
        context["lanes"] = lanes
        context["stages"] = [s for s in STAGES if s.stage not in (Stage.PRE_LOR,)]
        return context


# --- DCS licences ---------------------------------------------------------------------------------


class LicenceList(RestrictedMixin, ListView):  # type: ignore[type-arg]
    model = Licence
    template_name = "arms/licence_list.html"
    paginate_by = 50

    def get_queryset(self) -> Any:
        return access.licences(viewer_of(self.request)).select_related("marking", "partner")


class LicenceDetail(RestrictedMixin, DetailView):  # type: ignore[type-arg]
    model = Licence
    template_name = "arms/licence_detail.html"

    def get_queryset(self) -> Any:
        return access.licences(viewer_of(self.request)).select_related("marking", "partner")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        from allied.arms.rules.notification import Channel

        context["decision"] = services.decision_for(self.object, Channel.DCS)
        return context


# --- the LOR checker --------------------------------------------------------------------------


class LorForm(forms.Form):
    originator = forms.CharField(label="Originator (name and address)", required=False)
    reference_number = forms.CharField(label="Reference number (letter serial)", required=False)
    request_kind = forms.ChoiceField(
        label="What is requested",
        required=False,
        choices=[("", "Not stated"), *list(lor.REQUEST_KIND_LABELS.items())],
    )
    articles = forms.CharField(label="Articles and services", required=False, widget=forms.Textarea)
    quantity = forms.IntegerField(label="Quantity", required=False, min_value=0)
    mde = forms.BooleanField(label="Includes major defense equipment", required=False)
    blanket_order = forms.BooleanField(label="Blanket order", required=False)
    blanket_value = forms.IntegerField(
        label="Blanket order value (USD)", required=False, min_value=0
    )
    financing = forms.ChoiceField(
        label="Financing",
        required=False,
        choices=[("", "Not stated"), *list(lor.FINANCING_LABELS.items())],
    )
    financing_text = forms.CharField(label="Financing wording", required=False)
    third_parties = forms.ChoiceField(
        label="Third parties (contractors, agents)",
        required=False,
        choices=[("", "Not stated"), ("none", "None"), ("declared", "Declared below")],
    )
    third_party_details = forms.CharField(label="Third-party details", required=False)
    addressees = forms.MultipleChoiceField(
        label="Addressed or copied to",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("DSCA", "DSCA"),
            ("IA", "Implementing agency"),
            ("SCO", "SCO"),
            ("CCMD", "Combatant command"),
            ("STATE_PM", "State PM"),
        ],
    )
    used_checklist = forms.BooleanField(
        label="Went through Figure C5.F14 with the SCO", required=False
    )
    first_time = forms.BooleanField(label="First-time or sensitive system", required=False)
    par = forms.BooleanField(label="A Pre-LOR Assessment Request was sent", required=False)
    delivery = forms.CharField(label="Delivery needs", required=False)
    training = forms.CharField(label="Training and sustainment needs", required=False)
    system = forms.ChoiceField(
        label="System-specific checklist",
        required=False,
        choices=[("", "None"), *list(lor.SYSTEMS.items())],
    )


SYSTEM_FIELDS = sorted({c.field.removeprefix("system.") for c in lor.SYSTEM_CHECKS})


@restricted_view
def lor_check(request: HttpRequest) -> HttpResponse:
    """A purchaser checks a draft LOR before submitting: each gap and why it delays a case.

    Nothing is stored: the draft stays with the purchaser.
    """
    form = LorForm(request.POST or None)
    gaps = None
    system_answers = {f: request.POST.get(f"system_{f}", "") for f in SYSTEM_FIELDS}
    if request.method == "POST" and form.is_valid():
        draft = dict(form.cleaned_data)
        draft["system_answers"] = system_answers
        gaps = lor.check(draft)
    status = 400 if form.errors else 200
    system_checks = [c for c in lor.SYSTEM_CHECKS if c.system == request.POST.get("system")]
    return render(
        request,
        "arms/lor_check.html",
        {
            "form": form,
            "gaps": gaps,
            "actionable": gaps is not None and all(g.severity < lor.Severity.BLOCKS for g in gaps),
            "checks": lor.COMMON,
            "system_checks": system_checks,
            "system_inputs": [(f, system_answers[f]) for f in SYSTEM_FIELDS],
        },
        status=status,
    )


# --- notification engine and what if ---------------------------------------------------------


def what_if(request: HttpRequest) -> tuple[list[Any], int]:
    """Each pending bill against the past cases the viewer may see, and how many there were."""
    visible = access.cases(viewer_of(request)).filter(lor_received__isnull=False)
    rows = list(
        visible.values(
            "identifier",
            "partner_id",
            "lor_received",
            "mde_value",
            "total_value",
            "design_construction_value",
            "emergency",
            "marking_id",
        )
    )
    # The counts are drawn from these cases: the banner rolls up their markings.
    collector = shown(request)
    ids = {row["marking_id"] for row in rows}
    for text in StoredMarking.objects.filter(pk__in=ids).values_list("text", flat=True):
        collector.add(text)
    past = services.past_sales(rows)
    return list(zip(SCENARIOS, compare_all(SCENARIOS, past), strict=True)), len(past)


@restricted_view
def notification(request: HttpRequest) -> HttpResponse:
    """The notification engine as a form, and what each pending bill would change for the
    past cases the viewer may see."""
    params = request.GET
    decision = error = None
    if params.get("partner"):
        try:
            sale = Sale(
                partner=params["partner"].strip().upper(),
                channel=channel_of(params.get("channel", "fms")),
                on=parse_day(params["date"]) if params.get("date") else datetime.date.today(),
                mde=parse_usd("mde", params.get("mde") or "0"),
                total=parse_usd("total", params.get("total") or "0"),
                design_construction=parse_usd(
                    "design_construction", params.get("design_construction") or "0"
                ),
                usml_category=UsmlCategory.parse(params["usml_category"])
                if params.get("usml_category")
                else None,
                emergency=params.get("emergency") == "1",
            )
            scenario = SCENARIOS_BY_KEY.get(params.get("what_if", ""))
            decision = decide(sale, scenario.apply(LAW) if scenario else LAW)
        except NotificationInputError as exc:
            error = exc
    comparisons: list[Any] = []
    past_count = None
    if params.get("compare") == "1":
        # Judging every visible past case (pure Python, about 1.5 s per 50,000 cases) is done on
        # request, not on every visit to the page.
        comparisons, past_count = what_if(request)
    return render(
        request,
        "arms/notification.html",
        {
            "decision": decision,
            "error": error,
            "params": params,
            "scenarios": SCENARIOS,
            "comparisons": comparisons,
            "past_count": past_count,
            "korea": LAW.group_history("KOR"),
        },
        status=400 if error else 200,
    )


__all__ = [
    "AOD_GOAL_SOURCE",
    "AOD_SOURCE",
    "CaseDetail",
    "CaseList",
    "GroupDetail",
    "GroupList",
    "LicenceDetail",
    "LicenceList",
    "case_advance",
    "case_edit",
    "lor_check",
    "notification",
]
