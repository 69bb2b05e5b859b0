"""The planning API under /api/planning/.

* ``plans/`` and ``plans/{id}/``: plans releasable to the caller; ``plans/{id}/readiness/`` the
  readiness report and ``plans/{id}/proposal/`` the optimiser's proposal, both computed from the
  rows releasable to the caller only.
* ``tasks/``, ``assignments/``, ``assumptions/`` (``?plan=`` narrows them), ``capabilities/``,
  ``willingness/``: read only.
* ``requests/``: planning requests; a partner may file one for its own nation.

Every list counts only what the caller may see; a hidden row answers 404 like a missing one.
"""

from __future__ import annotations

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
from allied.planning import models as m
from allied.planning.data import load, with_visible_plan
from allied.planning.rules.checks import run_checks
from allied.planning.rules.optimiser import propose

ID = [OpenApiParameter("id", int, OpenApiParameter.PATH)]
PLAN = [OpenApiParameter("plan", int, description="Only rows of this plan.")]


class PlanSerializer(serializers.ModelSerializer):
    marking = MarkingField(read_only=True)

    class Meta:
        model = m.Contingency
        fields = ["id", "marking", "name", "contingency_type", "description", "starts", "ends"]


class TaskSerializer(serializers.ModelSerializer):
    marking = MarkingField(read_only=True)
    plan = serializers.IntegerField(source="contingency_id", read_only=True)
    capability_type = serializers.CharField(source="capability_type.code", read_only=True)
    lead = serializers.CharField(source="lead_id", read_only=True, allow_null=True)

    class Meta:
        model = m.Task
        fields = [
            "id",
            "marking",
            "plan",
            "name",
            "capability_type",
            "quantity",
            "starts",
            "ends",
            "location",
            "lead",
            "priority",
        ]


class AssignmentSerializer(serializers.ModelSerializer):
    marking = MarkingField(read_only=True)
    nation = serializers.CharField(source="nation_id", read_only=True)

    class Meta:
        model = m.Assignment
        fields = ["id", "marking", "task", "nation", "quantity", "is_lead", "origin"]


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
    plan = serializers.PrimaryKeyRelatedField(
        source="contingency",
        queryset=m.Contingency.objects.none(),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = m.PlanningRequest
        fields = ["id", "marking", "nation", "kind", "plan", "title", "text", "status", "opened"]
        read_only_fields = ["id", "nation", "status", "opened"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            # The choices are the caller's visible plans: a hidden one reads as missing.
            field = self.fields["plan"]
            field.queryset = m.Contingency.objects.visible_to(viewer_of(request))


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


@extend_schema_view(retrieve=extend_schema(parameters=ID))
class PlanViewSet(_ReadOnly):
    """Plans releasable to the caller; ``readiness`` and ``proposal`` read only what the caller
    may see."""

    queryset_model = m.Contingency
    serializer_class = PlanSerializer

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("marking").order_by("starts", "pk")

    @extend_schema(parameters=ID, responses=dict)
    @action(detail=True)
    def readiness(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        loaded = load(viewer_of(request), focus=plan)
        report = run_checks(loaded.data, {plan.pk}, today=date.today())
        show(request, loaded.rows_of_plan(plan.pk))
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
class TaskViewSet(_ReadOnly):
    """Tasks releasable to the caller (of plans it may see)."""

    queryset_model = m.Task
    serializer_class = TaskSerializer

    def get_queryset(self) -> Any:
        rows = super().get_queryset().select_related("marking", "capability_type", "contingency")
        return _plan_filter(rows, self.request, "contingency_id").order_by("pk")


@extend_schema_view(list=extend_schema(parameters=PLAN), retrieve=extend_schema(parameters=ID))
class AssignmentViewSet(_ReadOnly):
    """Assignments releasable to the caller (of tasks it may see)."""

    queryset_model = m.Assignment
    serializer_class = AssignmentSerializer

    def get_queryset(self) -> Any:
        rows = super().get_queryset().select_related("marking", "task", "task__contingency")
        return _plan_filter(rows, self.request, "task__contingency_id").order_by("pk")


@extend_schema_view(list=extend_schema(parameters=PLAN), retrieve=extend_schema(parameters=ID))
class AssumptionViewSet(_ReadOnly):
    """What partners' planners assume others provide, as far as releasable to the caller."""

    queryset_model = m.Assumption
    serializer_class = AssumptionSerializer

    def get_queryset(self) -> Any:
        rows = super().get_queryset().select_related("marking", "capability_type", "contingency")
        return _plan_filter(rows, self.request, "contingency_id").order_by("pk")


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


router = DefaultRouter()
router.register("plans", PlanViewSet, basename="plan")
router.register("tasks", TaskViewSet, basename="task")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("assumptions", AssumptionViewSet, basename="assumption")
router.register("capabilities", CapabilityViewSet, basename="capability")
router.register("willingness", WillingnessViewSet, basename="willingness")
router.register("requests", RequestViewSet, basename="request")

urlpatterns = router.urls
