"""The planning API under /api/planning/.

* ``plans/`` and ``plans/{id}/``: plans releasable to the caller; ``plans/{id}/readiness/`` the
  readiness report and ``plans/{id}/proposal/`` the optimiser's proposal, both computed from the
  rows releasable to the caller only.
* ``phases/``, ``tasks/``, ``assignments/``, ``assumptions/`` (``?plan=`` narrows them),
  ``capabilities/``, ``willingness/``.
* ``requests/``: planning requests; a partner may file one for its own nation, and
  ``requests/{id}/decide/`` accepts or declines it.
* Writes (plans, phases, tasks, assignments, assumptions, decisions): see ``writing``.

Every list counts only what the caller may see; a hidden row answers 404 like a missing one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from allied.core.api.fields import MarkingField
from allied.core.models.principals import principal_for
from allied.core.restricted import RestrictedViewSetMixin, show, viewer_of
from allied.planning import authoring
from allied.planning import models as m
from allied.planning.api import writing
from allied.planning.api.writing import CONFLICT, REFUSED
from allied.planning.authoring import default_role_marking
from allied.planning.data import load, unreadable_by_nation, with_visible_plan
from allied.planning.rules.checks import run_checks
from allied.planning.rules.optimiser import propose

ID = [OpenApiParameter("id", int, OpenApiParameter.PATH)]
PLAN = [OpenApiParameter("plan", int, description="Only rows of this plan.")]


class PlanSerializer(serializers.ModelSerializer):
    marking = MarkingField(read_only=True)

    class Meta:
        model = m.Contingency
        fields = [
            "id",
            "marking",
            "owner",
            "name",
            "contingency_type",
            "description",
            "starts",
            "ends",
            "version",
        ]


class PhaseSerializer(serializers.ModelSerializer):
    marking = MarkingField(read_only=True)
    plan = serializers.IntegerField(source="contingency_id", read_only=True)

    class Meta:
        model = m.Phase
        fields = ["id", "marking", "plan", "order", "name", "starts", "ends"]


class TaskSerializer(serializers.ModelSerializer):
    marking = MarkingField(read_only=True)
    plan = serializers.IntegerField(source="contingency_id", read_only=True)
    capability_type = serializers.CharField(source="capability_type.code", read_only=True)
    lead = serializers.CharField(source="lead_id", read_only=True, allow_null=True)
    phase = serializers.IntegerField(source="phase_id", read_only=True, allow_null=True)

    class Meta:
        model = m.Task
        fields = [
            "id",
            "marking",
            "plan",
            "phase",
            "name",
            "capability_type",
            "quantity",
            "starts",
            "ends",
            "location",
            "lead",
            "priority",
            "version",
        ]


class AssignmentSerializer(serializers.ModelSerializer):
    marking = MarkingField(read_only=True)
    task = serializers.IntegerField(source="task_id", read_only=True)
    nation = serializers.CharField(source="nation_id", read_only=True)

    partner_can_read = serializers.SerializerMethodField(
        help_text="Whether the assigned nation may read this assignment as it is marked."
    )
    partner_reason = serializers.SerializerMethodField(
        help_text="Why the assigned nation cannot read it (empty when it can)."
    )

    class Meta:
        model = m.Assignment
        fields = [
            "id",
            "marking",
            "task",
            "nation",
            "quantity",
            "is_lead",
            "origin",
            "partner_can_read",
            "partner_reason",
        ]

    def _reason(self, row: m.Assignment) -> str:
        reasons = self.context.setdefault("allied_reasons", {})
        if row.pk not in reasons:
            nations = self.context.setdefault("allied_nations", {})
            reasons[row.pk] = unreadable_by_nation([row], cache=nations).get(row.pk, "")
        return str(reasons[row.pk])

    def get_partner_can_read(self, row: m.Assignment) -> bool:
        return not self._reason(row)

    def get_partner_reason(self, row: m.Assignment) -> str:
        return self._reason(row)


class AssumptionSerializer(serializers.ModelSerializer):
    marking = MarkingField(read_only=True)
    plan = serializers.IntegerField(source="contingency_id", read_only=True)
    holder = serializers.CharField(source="holder_id", read_only=True)
    provider = serializers.CharField(source="provider_id", read_only=True)
    capability_type = serializers.CharField(source="capability_type.code", read_only=True)

    class Meta:
        model = m.Assumption
        fields = [
            "id",
            "marking",
            "plan",
            "holder",
            "provider",
            "capability_type",
            "quantity",
            "note",
        ]


class CapabilitySerializer(serializers.ModelSerializer):
    marking = MarkingField(read_only=True)
    nation = serializers.CharField(source="nation_id", read_only=True)
    capability_type = serializers.CharField(source="capability_type.code", read_only=True)

    class Meta:
        model = m.PartnerCapability
        fields = [
            "id",
            "marking",
            "nation",
            "capability_type",
            "quantity",
            "readiness",
            "available_from",
            "available_to",
            "location",
            "source",
            "as_of",
        ]


class WillingnessSerializer(serializers.ModelSerializer):
    marking = MarkingField(read_only=True)
    nation = serializers.CharField(source="nation_id", read_only=True)
    assessed_by = serializers.CharField(source="assessed_by_nation_id", read_only=True)

    class Meta:
        model = m.Willingness
        fields = [
            "id",
            "marking",
            "nation",
            "contingency_type",
            "stance",
            "conditions",
            "assessed_by",
            "assessed_on",
            "basis",
        ]


class RequestSerializer(serializers.ModelSerializer):
    marking = MarkingField()
    nation = serializers.CharField(source="nation_id", read_only=True)
    # A typed id, not a list of choices: the browsable API's form would otherwise list the name
    # of every plan the caller may see, unrecorded.
    plan = serializers.PrimaryKeyRelatedField(
        source="contingency",
        queryset=m.Contingency.objects.none(),
        required=False,
        allow_null=True,
        style={"base_template": "input.html"},
    )

    class Meta:
        model = m.PlanningRequest
        fields = [
            "id",
            "marking",
            "nation",
            "kind",
            "plan",
            "title",
            "text",
            "status",
            "opened",
            "decided_on",
            "decision_note",
        ]
        read_only_fields = ["id", "nation", "status", "opened", "decided_on", "decision_note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            # The choices are the caller's visible plans: a hidden one reads as missing.
            field = self.fields["plan"]
            field.queryset = m.Contingency.objects.visible_to(viewer_of(request))


class DecidableSerializer(RequestSerializer):
    may_decide = serializers.SerializerMethodField()

    class Meta(RequestSerializer.Meta):
        fields = [*RequestSerializer.Meta.fields, "may_decide"]

    def get_may_decide(self, row: m.PlanningRequest) -> bool:
        request = self.context["request"]
        return row.status == m.RequestStatus.OPEN and authoring.may_decide(
            principal_for(request.user)
        )


def _plan_filter(rows: Any, request: Request, path: str) -> Any:
    plan = request.query_params.get("plan")
    if plan in (None, ""):
        return rows
    if not str(plan).isdigit():
        raise ValidationError({"plan": ["A plan id (a whole number)."]})
    return rows.filter(**{path: int(plan)})


class _ReadOnly(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    lookup_value_regex = "[0-9]+"


class _Versioned(_ReadOnly):
    """``POST`` through ``create_with``; ``PATCH`` through ``edit_with``, 409 when stale."""

    create_with: Callable[[Request], Any]
    edit_with: Callable[[Request, Any], Any]

    def create(self, request: Request) -> Response:
        return writing.created(request, type(self).create_with(request), self.serializer_class)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        try:
            row = type(self).edit_with(request, self.get_object())
        except authoring.Conflict as exc:
            return writing.conflict_response(exc)
        show(request, [row])
        return Response(self.serializer_class(row).data)


def _versioned(write: Any, patch: Any, shown: Any) -> dict[str, Any]:
    return {
        "create": extend_schema(request=write, responses={201: shown, 403: REFUSED}),
        "partial_update": extend_schema(
            parameters=ID, request=patch, responses={200: shown, 403: REFUSED, 409: CONFLICT}
        ),
    }


@extend_schema_view(
    retrieve=extend_schema(parameters=ID),
    **_versioned(writing.PlanWriteSerializer, writing.PlanPatchSerializer, PlanSerializer),
)
class PlanViewSet(_Versioned):
    """Plans releasable to the caller; ``readiness`` and ``proposal`` read only what the caller
    may see."""

    queryset_model = m.Contingency
    serializer_class = PlanSerializer
    create_with = staticmethod(writing.create_plan)
    edit_with = staticmethod(writing.edit_plan)

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("marking").order_by("starts", "pk")

    @extend_schema(parameters=ID, responses=dict)
    @action(detail=True)
    def readiness(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        loaded = load(viewer_of(request), focus=plan)
        report = run_checks(loaded.data, {plan.pk}, today=date.today())
        # The rows the findings quote (willingness, capabilities) are shown too.
        show(request, [*loaded.rows_of_plan(plan.pk), *loaded.rows_of_findings(report.findings)])
        return Response(
            {
                "plan": plan.pk,
                "counts": report.counts(),
                "findings": [
                    {
                        "check": f.check,
                        "severity": f.severity.label.lower(),
                        "title": f.title,
                        "explanation": f.explanation,
                        "evidence": [
                            {"kind": e.kind, "id": e.key, "text": e.text} for e in f.evidence
                        ],
                    }
                    for f in report.findings
                ],
            }
        )

    @extend_schema(parameters=ID, responses=dict)
    @action(detail=True)
    def proposal(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        loaded = load(viewer_of(request), focus=plan)
        p = propose(loaded.data, plan.pk, time_limit=5.0)
        show(request, loaded.rows())
        return Response(
            {
                "plan": plan.pk,
                "status": p.status,
                "objective": p.objective,
                "bound": p.bound,
                "gap": p.gap,
                "seconds": round(p.seconds, 3),
                "fingerprint": p.fingerprint(),
                "covered": p.covered,
                "tasks": p.tasks,
                "us_units": p.us_units,
                "allied_units": p.allied_units,
                "allied_leads": p.allied_leads,
                "assignments": [
                    {
                        "task": a.task,
                        "nation": a.nation,
                        "quantity": a.quantity,
                        "is_lead": a.is_lead,
                        "default_marking": default_role_marking(
                            loaded, loaded.tasks[a.task], a.nation
                        ).as_dict(),
                    }
                    for a in p.assignments
                ],
                "uncovered": [
                    {"task": u.task, "reason": u.reason.value, "explanation": u.explanation}
                    for u in p.uncovered
                ],
            }
        )


@extend_schema_view(list=extend_schema(parameters=PLAN), retrieve=extend_schema(parameters=ID))
class PhaseViewSet(_ReadOnly):
    """Phases releasable to the caller; a planner of the plan's nation adds one."""

    queryset_model = m.Phase
    serializer_class = PhaseSerializer

    def get_queryset(self) -> Any:
        rows = super().get_queryset().select_related("marking")
        return _plan_filter(rows, self.request, "contingency_id").order_by(
            "contingency_id", "order"
        )

    @extend_schema(
        request=writing.PhaseWriteSerializer, responses={201: PhaseSerializer, 403: REFUSED}
    )
    def create(self, request: Request) -> Response:
        return writing.created(request, writing.create_phase(request), PhaseSerializer)


@extend_schema_view(
    list=extend_schema(parameters=PLAN),
    retrieve=extend_schema(parameters=ID),
    **_versioned(writing.TaskWriteSerializer, writing.TaskPatchSerializer, TaskSerializer),
)
class TaskViewSet(_Versioned):
    """Tasks releasable to the caller (of plans it may see); planners of the plan's nation add
    and edit them."""

    queryset_model = m.Task
    serializer_class = TaskSerializer

    def get_queryset(self) -> Any:
        rows = super().get_queryset().select_related("marking", "capability_type", "contingency")
        return _plan_filter(rows, self.request, "contingency_id").order_by("pk")

    create_with = staticmethod(writing.create_task)
    edit_with = staticmethod(writing.edit_task)


@extend_schema_view(list=extend_schema(parameters=PLAN), retrieve=extend_schema(parameters=ID))
class AssignmentViewSet(_ReadOnly):
    """Assignments releasable to the caller (of tasks it may see)."""

    queryset_model = m.Assignment
    serializer_class = AssignmentSerializer

    def get_queryset(self) -> Any:
        viewer = viewer_of(self.request)
        # Only assignments of tasks of plans the caller may see: an assignment is read in its
        # task and plan, and says whether its nation sees those (``partner_can_read``).
        plans = m.Contingency.objects.visible_to(viewer).values("pk")
        tasks = m.Task.objects.visible_to(viewer).filter(contingency__in=plans).values("pk")
        rows = (
            super()
            .get_queryset()
            .filter(task__in=tasks)
            .select_related("marking", "task__marking", "task__contingency__marking")
        )
        return _plan_filter(rows, self.request, "task__contingency_id").order_by("pk")

    @extend_schema(
        request=writing.AssignmentWriteSerializer,
        responses={201: AssignmentSerializer, 403: REFUSED},
    )
    def create(self, request: Request) -> Response:
        return writing.created(request, writing.create_assignment(request), AssignmentSerializer)

    @extend_schema(parameters=ID, responses={204: None, 403: REFUSED})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        writing.delete_assignment(request, self.get_object())
        return Response(status=204)


@extend_schema_view(list=extend_schema(parameters=PLAN), retrieve=extend_schema(parameters=ID))
class AssumptionViewSet(_ReadOnly):
    """What partners' planners assume others provide, as far as releasable to the caller."""

    queryset_model = m.Assumption
    serializer_class = AssumptionSerializer

    def get_queryset(self) -> Any:
        rows = super().get_queryset().select_related("marking", "capability_type", "contingency")
        return _plan_filter(rows, self.request, "contingency_id").order_by("pk")

    @extend_schema(
        request=writing.AssumptionWriteSerializer,
        responses={201: AssumptionSerializer, 403: REFUSED},
    )
    def create(self, request: Request) -> Response:
        return writing.created(request, writing.create_assumption(request), AssumptionSerializer)


@extend_schema_view(retrieve=extend_schema(parameters=ID))
class CapabilityViewSet(_ReadOnly):
    """Partner holdings releasable to the caller."""

    queryset_model = m.PartnerCapability
    serializer_class = CapabilitySerializer

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("marking", "capability_type").order_by("pk")


@extend_schema_view(retrieve=extend_schema(parameters=ID))
class WillingnessViewSet(_ReadOnly):
    """Willingness assessments releasable to the caller."""

    queryset_model = m.Willingness
    serializer_class = WillingnessSerializer

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("marking").order_by("pk")


@extend_schema_view(retrieve=extend_schema(parameters=ID))
class RequestViewSet(_ReadOnly, mixins.CreateModelMixin):
    """Planning requests releasable to the caller; a caller files one for its own nation."""

    queryset_model = m.PlanningRequest
    serializer_class = RequestSerializer

    def get_queryset(self) -> Any:
        return with_visible_plan(super().get_queryset(), viewer_of(self.request)).order_by("pk")

    def perform_create(self, serializer: Any) -> None:
        own = principal_for(self.request.user).nation_id
        asked = self.request.data.get("nation") if hasattr(self.request.data, "get") else None
        if asked not in (None, "") and str(asked).upper() != own:
            raise ValidationError({"nation": [f"You file requests for your own nation ({own})."]})
        serializer.validated_data["nation_id"] = own
        serializer.validated_data["requested_by"] = self.request.user
        serializer.validated_data["opened"] = date.today()
        super().perform_create(serializer)

    @extend_schema(
        methods=["GET"],
        parameters=ID,
        request=None,
        responses={200: DecidableSerializer},
        description="The request, and whether the caller may decide it now.",
    )
    @extend_schema(
        methods=["POST"],
        parameters=ID,
        request=writing.PlanningDecisionSerializer,
        responses={200: RequestSerializer, 403: REFUSED},
        description="Accept or decline an open request (U.S. planners and the working group).",
    )
    @action(
        detail=True, methods=["get", "post"], serializer_class=writing.PlanningDecisionSerializer
    )
    def decide(self, request: Request, pk: str | None = None) -> Response:
        row = self.get_object()
        if request.method == "GET":
            show(request, [row])
            return Response(DecidableSerializer(row, context={"request": request}).data)
        row = writing.decide(request, row)
        show(request, [row])
        return Response(RequestSerializer(row, context={"request": request}).data)


router = DefaultRouter()
router.register("plans", PlanViewSet, basename="plan")
router.register("phases", PhaseViewSet, basename="phase")
router.register("tasks", TaskViewSet, basename="task")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("assumptions", AssumptionViewSet, basename="assumption")
router.register("capabilities", CapabilityViewSet, basename="capability")
router.register("willingness", WillingnessViewSet, basename="willingness")
router.register("requests", RequestViewSet, basename="request")

urlpatterns = router.urls
