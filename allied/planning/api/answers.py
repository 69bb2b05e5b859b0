"""Partners' answers to their roles in the planning API, under /api/planning/.

* ``role-answers/`` (``?plan=`` narrows it): every answer releasable to the caller, of tasks and
  plans it may see; ``POST role-answers/`` answers a role (``assignment``: its id) for the
  caller's nation: ``accepted``, ``conditional`` (with ``conditions``) or ``declined`` (with a
  ``reason``); only planners and liaison officers of the role's nation (403 otherwise).
* ``plans/{id}/roles/``: the state of each partner role on the plan since when, and whether the
  plan can be marked validated by partners (with the roles missing an acceptance);
  ``POST plans/{id}/validate/`` marks it (the owner's planners; 400 naming what is missing).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from allied.core.api.fields import MarkingField
from allied.core.models.principals import principal_for
from allied.core.restricted import viewer_of
from allied.planning import answers as service
from allied.planning import models as m
from allied.planning.api import writing
from allied.planning.api.writing import ID, REFUSED, ReadOnlyViewSet
from allied.planning.data import Loaded
from allied.planning.rules import answers as rules


class RoleAnswerSerializer(serializers.ModelSerializer):
    marking = MarkingField(read_only=True)
    task = serializers.IntegerField(source="task_id", read_only=True)
    nation = serializers.CharField(source="nation_id", read_only=True)

    class Meta:
        model = m.RoleAnswer
        fields = [
            "id",
            "marking",
            "task",
            "nation",
            "answer",
            "conditions",
            "reason",
            "answered_at",
        ]
        read_only_fields = fields


class RoleAnswerWriteSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(min_value=1)
    answer = serializers.ChoiceField(choices=[a.value for a in rules.Answer])
    conditions = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ValidateSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)


def answer(request: Request) -> m.RoleAnswer:
    data = writing.body(request, RoleAnswerWriteSerializer)
    role = writing.visible_row(request, m.Assignment, data["assignment"], "assignment")
    task = writing.visible_row(request, m.Task, role.task_id, "assignment")
    writing.visible_row(request, m.Contingency, task.contingency_id, "assignment")
    if role.nation_id == rules.US or not service.may_answer(
        principal_for(request.user), role.nation_id
    ):
        raise PermissionDenied(
            f"Only {role.nation_id}'s planners and liaison officers answer {role.nation_id}'s role."
        )
    return writing.run(lambda: service.answer_role(request.user, viewer_of(request), role, data))


def roles_of(loaded: Loaded, plan: m.Contingency) -> dict[str, Any]:
    """The partner roles on ``plan`` with their states, and the plan's validation."""
    states = service.statuses(loaded, plan)
    checked = rules.validation(states)
    return {
        "plan": plan.pk,
        "validated_at": plan.validated_at,
        "validated_by_partners": checked.validated and plan.validated_at is not None,
        "may_be_validated": checked.validated,
        "roles": [
            {
                "task": s.role.task,
                "nation": s.role.nation,
                "state": s.state.value,
                "since": s.since,
                "answer": s.answer.key if s.answer else None,
                "conditions": s.answer.conditions if s.answer else "",
                "reason": s.answer.reason if s.answer else "",
            }
            for s in states
        ],
        "missing": [{"task": s.role.task, "nation": s.role.nation} for s in checked.missing],
    }


@extend_schema_view(retrieve=extend_schema(parameters=ID))
class RoleAnswerViewSet(ReadOnlyViewSet):
    """Partners' answers to their roles, as far as releasable to the caller."""

    queryset_model = m.RoleAnswer
    serializer_class = RoleAnswerSerializer
    action_access = {"create": service.ANSWERS_ROLES}

    def get_queryset(self) -> Any:
        viewer = viewer_of(self.request)
        plans = m.Contingency.objects.visible_to(viewer).values("pk")
        tasks = m.Task.objects.visible_to(viewer).filter(contingency__in=plans).values("pk")
        rows = super().get_queryset().filter(task__in=tasks).select_related("marking")
        from allied.planning.api.plans import plan_filter

        return plan_filter(rows, self.request, "task__contingency_id").order_by("pk")

    @extend_schema(
        request=RoleAnswerWriteSerializer, responses={201: RoleAnswerSerializer, 403: REFUSED}
    )
    def create(self, request: Request) -> Response:
        return writing.created(request, answer(request), RoleAnswerSerializer)
