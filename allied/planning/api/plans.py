"""The planning API for plans and what they hold, under /api/planning/.

* ``plans/`` and ``plans/{id}/``: plans releasable to the caller; ``plans/{id}/readiness/`` the
  readiness report and ``plans/{id}/proposal/`` the optimiser's proposal, both computed from the
  rows releasable to the caller only.
* ``phases/``, ``tasks/``, ``assignments/``, ``assumptions/`` (``?plan=`` narrows them).
* ``plans/{id}/roles/``, ``POST plans/{id}/validate/``, ``role-answers/``: partners' answers to
  their roles and the plan's validation by partners: see ``answers``.
* Writes (plans, phases, tasks, assignments, assumptions): see ``writing``.

Every list counts only what the caller may see; a hidden row answers 404 like a missing one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from allied.core.api.fields import MarkingField
from allied.core.restricted import show, viewer_of
from allied.planning import authoring
from allied.planning import models as m
from allied.planning.answers import validate_plan
from allied.planning.api import answers, writing
from allied.planning.api.writing import (
    ID,
    REFUSED,
    ReadOnlyViewSet,
    VersionedViewSet,
    versioned_schema,
)
from allied.planning.authoring import default_role_marking
from allied.planning.data import load, unreadable_by_nation
from allied.planning.rules.checks import run_checks
from allied.planning.rules.optimiser import propose

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


def plan_filter(rows: Any, request: Request, path: str) -> Any:
    plan = request.query_params.get("plan")
    if plan in (None, ""):
        return rows
    if not str(plan).isdigit():
        raise ValidationError({"plan": ["A plan id (a whole number)."]})
    return rows.filter(**{path: int(plan)})


@extend_schema_view(
    retrieve=extend_schema(parameters=ID),
    **versioned_schema(writing.PlanWriteSerializer, writing.PlanPatchSerializer, PlanSerializer),
)
class PlanViewSet(VersionedViewSet):
    """Plans releasable to the caller; ``readiness`` and ``proposal`` read only what the caller
    may see."""

    queryset_model = m.Contingency
    serializer_class = PlanSerializer
    action_access = {"create": authoring.STARTS_PLANS}
    create_with = staticmethod(writing.create_plan)
    edit_with = staticmethod(writing.edit_plan)

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("marking").order_by("starts", "pk")

    @extend_schema(parameters=ID, responses=dict)
    @action(detail=True)
    def readiness(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        loaded = load(viewer_of(request), focus=plan)
        report = run_checks(loaded.data, {plan.pk}, today=date.today(), acceptance=True)
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
    def roles(self, request: Request, pk: str | None = None) -> Response:
        """Each partner role on the plan, its state since when, and the plan's validation."""
        plan = self.get_object()
        loaded = load(viewer_of(request), focus=plan)
        show(request, loaded.rows_of_plan(plan.pk))
        return Response(answers.roles_of(loaded, plan))

    @extend_schema(
        parameters=ID,
        request=None,
        responses=dict,
        description="Whether the plan may be marked validated by partners, and what is missing.",
    )
    @action(detail=True, methods=["get"], serializer_class=answers.ValidateSerializer)
    def validate(self, request: Request, pk: str | None = None) -> Response:
        return self.roles(request, pk)

    @extend_schema(
        parameters=ID,
        request=answers.ValidateSerializer,
        responses={200: dict, 403: REFUSED},
        description="Mark the plan validated by partners: its owner's planners, when every "
        "partner role is accepted (400 naming the roles missing an acceptance otherwise).",
    )
    @validate.mapping.post
    def record_validation(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        data = writing.body(request, answers.ValidateSerializer)
        writing.editable(request, plan)
        viewer = viewer_of(request)
        loaded = load(viewer, focus=plan)
        done = writing.run(
            lambda: validate_plan(request.user, viewer, plan, data["version"], loaded)
        )
        show(request, loaded.rows_of_plan(plan.pk))
        return Response(answers.roles_of(loaded, done))

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
class PhaseViewSet(ReadOnlyViewSet):
    """Phases releasable to the caller; a planner of the plan's nation adds one."""

    queryset_model = m.Phase
    serializer_class = PhaseSerializer

    def get_queryset(self) -> Any:
        rows = super().get_queryset().select_related("marking")
        return plan_filter(rows, self.request, "contingency_id").order_by("contingency_id", "order")

    @extend_schema(
        request=writing.PhaseWriteSerializer, responses={201: PhaseSerializer, 403: REFUSED}
    )
    def create(self, request: Request) -> Response:
        return writing.created(request, writing.create_phase(request), PhaseSerializer)


@extend_schema_view(
    list=extend_schema(parameters=PLAN),
    retrieve=extend_schema(parameters=ID),
    **versioned_schema(writing.TaskWriteSerializer, writing.TaskPatchSerializer, TaskSerializer),
)
class TaskViewSet(VersionedViewSet):
    """Tasks releasable to the caller (of plans it may see); planners of the plan's nation add
    and edit them."""

    queryset_model = m.Task
    serializer_class = TaskSerializer

    def get_queryset(self) -> Any:
        rows = super().get_queryset().select_related("marking", "capability_type", "contingency")
        return plan_filter(rows, self.request, "contingency_id").order_by("pk")

    create_with = staticmethod(writing.create_task)
    edit_with = staticmethod(writing.edit_task)


@extend_schema_view(list=extend_schema(parameters=PLAN), retrieve=extend_schema(parameters=ID))
class AssignmentViewSet(ReadOnlyViewSet):
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
        return plan_filter(rows, self.request, "task__contingency_id").order_by("pk")

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
class AssumptionViewSet(ReadOnlyViewSet):
    """What partners' planners assume others provide, as far as releasable to the caller."""

    queryset_model = m.Assumption
    serializer_class = AssumptionSerializer
    action_access = {"create": authoring.RECORDS_ASSUMPTIONS}

    def get_queryset(self) -> Any:
        rows = super().get_queryset().select_related("marking", "capability_type", "contingency")
        return plan_filter(rows, self.request, "contingency_id").order_by("pk")

    @extend_schema(
        request=writing.AssumptionWriteSerializer,
        responses={201: AssumptionSerializer, 403: REFUSED},
    )
    def create(self, request: Request) -> Response:
        return writing.created(request, writing.create_assumption(request), AssumptionSerializer)
