"""Write operations of the planning API, on the same rules as the pages (``planning.authoring``).

* ``POST plans/`` starts a plan owned by the caller's nation; ``PATCH plans/{id}/`` edits it and
  must name the ``version`` it started from (409 with the current version when it changed:
  ``allied.core.edit.StaleVersion``, answered by the API's exception handler).
* ``POST phases/``, ``POST tasks/``, ``PATCH tasks/{id}/`` (with ``version``),
  ``POST assignments/`` and ``DELETE assignments/{id}/``: a planner of the plan's nation only.
* ``POST assumptions/``: any planner, for its own nation's planners.
* ``POST requests/{id}/decide/``: U.S. planners and the working group accept or decline.

A plan the caller may see but not edit answers 403 naming why; one it may not see, 404.

The area modules (``plans``, ``registry``, ``requests``) build on ``ReadOnlyViewSet`` and
``VersionedViewSet`` here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from allied.core.api.fields import MarkingField
from allied.core.api.schema import RECORD_ID
from allied.core.edit import visible, visible_or_404
from allied.core.models.principals import principal_for
from allied.core.restricted import RestrictedViewSetMixin, show, viewer_of
from allied.planning import authoring
from allied.planning import models as m
from allied.planning.rules.model import CONTINGENCY_TYPES

CONFLICT = OpenApiResponse(
    description="The row changed since the version given; nothing was saved. The body names "
    "the current version."
)
REFUSED = OpenApiResponse(description="You may see the plan but not write to it.")
ID = [RECORD_ID]


def run(write: Callable[[], Any]) -> Any:
    """Run a write, answering a broken rule as a 400 keyed by field. A marking its author could
    not read back (400) and a stale version (409) are answered by the API's exception handler
    (``allied.core.api.errors``)."""
    try:
        return write()
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


def editable(request: Request, plan: m.Contingency) -> None:
    if not authoring.may_edit(principal_for(request.user), plan):
        raise PermissionDenied(
            f"Only planners of {plan.owner_id}, which owns this plan, write to it."
        )


def visible_row(request: Request, model: type[Any], pk: Any, field: str) -> Any:
    """A row named in the body, if the caller may see it; a 400 on ``field`` otherwise (a row
    reached from the URL's record answers 404 instead: ``visible_or_404``)."""
    row = visible(request, model).filter(pk=pk).first()
    if row is None:
        raise ValidationError({field: ["No such record."]})
    return row


def _text(value: Any) -> Any:
    return value.text if hasattr(value, "text") else value


def as_data(validated: dict[str, Any]) -> dict[str, Any]:
    return {k: _text(v) for k, v in validated.items()}


# --- serializers of the bodies ------------------------------------------------------------------


class PlanWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    contingency_type = serializers.ChoiceField(choices=list(CONTINGENCY_TYPES.items()))
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    starts = serializers.DateField()
    ends = serializers.DateField()
    marking = MarkingField()


class PlanPatchSerializer(PlanWriteSerializer):
    version = serializers.IntegerField(min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "version" not in attrs:
            raise ValidationError({"version": ["Give the version you started from."]})
        return attrs


class PhaseWriteSerializer(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1)
    order = serializers.IntegerField(min_value=0, max_value=99)
    name = serializers.CharField(max_length=200)
    starts = serializers.DateField()
    ends = serializers.DateField()
    marking = MarkingField()


class TaskWriteSerializer(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1)
    phase = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    name = serializers.CharField(max_length=200)
    capability_type = serializers.SlugRelatedField(
        slug_field="code", queryset=m.CapabilityType.objects.all()
    )
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)
    starts = serializers.DateField()
    ends = serializers.DateField()
    location = serializers.CharField(max_length=200)
    lead = serializers.RegexField(r"^[A-Za-z]{3}$", required=False, allow_null=True)
    priority = serializers.IntegerField(min_value=1, max_value=5, default=3)
    marking = MarkingField()


class TaskPatchSerializer(TaskWriteSerializer):
    version = serializers.IntegerField(min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)
        self.fields.pop("plan")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "version" not in attrs:
            raise ValidationError({"version": ["Give the version you started from."]})
        return attrs


class AssignmentWriteSerializer(serializers.Serializer):
    task = serializers.IntegerField(min_value=1)
    nation = serializers.RegexField(r"^[A-Za-z]{3}$")
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)
    is_lead = serializers.BooleanField(default=False)
    marking = MarkingField(
        required=False,
        help_text="Leave out to mark it with the roll-up of what it relies on.",
    )


class AssumptionWriteSerializer(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1)
    provider = serializers.RegexField(r"^[A-Za-z]{3}$")
    capability_type = serializers.SlugRelatedField(
        slug_field="code", queryset=m.CapabilityType.objects.all()
    )
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    marking = MarkingField()


class PlanningDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "decline"])
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# --- the handlers the viewsets call -------------------------------------------------------------


def body(request: Request, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
    given = serializer_class(data=request.data)
    given.is_valid(raise_exception=True)
    return as_data(dict(given.validated_data))


def create_plan(request: Request) -> m.Contingency:
    principal = principal_for(request.user)
    data = body(request, PlanWriteSerializer)
    return run(lambda: authoring.create_plan(request.user, principal, viewer_of(request), data))


def edit_plan(request: Request, plan: m.Contingency) -> m.Contingency:
    data = body(request, PlanPatchSerializer)
    editable(request, plan)
    return run(
        lambda: authoring.edit_plan(request.user, viewer_of(request), plan, data["version"], data)
    )


def create_phase(request: Request) -> m.Phase:
    data = body(request, PhaseWriteSerializer)
    plan = visible_row(request, m.Contingency, data["plan"], "plan")
    editable(request, plan)
    return run(lambda: authoring.create_phase(request.user, viewer_of(request), plan, data))


def create_task(request: Request) -> m.Task:
    data = body(request, TaskWriteSerializer)
    plan = visible_row(request, m.Contingency, data["plan"], "plan")
    editable(request, plan)
    return run(lambda: authoring.create_task(request.user, viewer_of(request), plan, data))


def edit_task(request: Request, task: m.Task) -> m.Task:
    data = body(request, TaskPatchSerializer)
    plan = visible_or_404(visible(request, m.Contingency), pk=task.contingency_id)
    editable(request, plan)
    task.contingency = plan
    return run(
        lambda: authoring.edit_task(request.user, viewer_of(request), task, data["version"], data)
    )


def create_assignment(request: Request) -> m.Assignment:
    data = body(request, AssignmentWriteSerializer)
    viewer = viewer_of(request)
    task = visible_row(request, m.Task, data["task"], "task")
    plan = visible_row(request, m.Contingency, task.contingency_id, "task")
    editable(request, plan)
    task.contingency = plan
    return run(lambda: authoring.assign(request.user, viewer, task, data))


def delete_assignment(request: Request, row: m.Assignment) -> None:
    task = visible_or_404(visible(request, m.Task), pk=row.task_id)
    plan = visible_or_404(visible(request, m.Contingency), pk=task.contingency_id)
    editable(request, plan)
    authoring.unassign(request.user, viewer_of(request), row)


def create_assumption(request: Request) -> m.Assumption:
    principal = principal_for(request.user)
    data = body(request, AssumptionWriteSerializer)
    plan = visible_row(request, m.Contingency, data["plan"], "plan")
    provider = authoring.nation_code(data["provider"], "provider")

    def write() -> m.Assumption:
        row = m.Assumption(
            contingency=plan,
            holder_id=principal.nation_id,
            provider_id=provider,
            capability_type=data["capability_type"],
            quantity=data["quantity"],
            note=data["note"],
            recorded_by=request.user,
        )
        row.set_marking(data["marking"])
        return authoring.write(row, request.user, viewer_of(request), {"created": True})

    return run(write)


def decide(request: Request, row: m.PlanningRequest) -> m.PlanningRequest:
    data = body(request, PlanningDecisionSerializer)
    today = timezone.localdate()
    return run(
        lambda: authoring.decide_request(
            request.user, viewer_of(request), row, data["decision"], data["note"], on=today
        )
    )


def created(request: Request, row: Any, serializer_class: type[Any]) -> Response:
    show(request, [row])
    return Response(serializer_class(row).data, status=status.HTTP_201_CREATED)


class ReadOnlyViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    lookup_value_regex = "[0-9]+"


class VersionedViewSet(ReadOnlyViewSet):
    """``POST`` through ``create_with``; ``PATCH`` through ``edit_with``, 409 when stale."""

    create_with: Callable[[Request], Any]
    edit_with: Callable[[Request, Any], Any]

    def create(self, request: Request) -> Response:
        return created(request, type(self).create_with(request), self.serializer_class)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        row = type(self).edit_with(request, self.get_object())
        show(request, [row])
        return Response(self.serializer_class(row).data)


def versioned_schema(write: Any, patch: Any, shown: Any) -> dict[str, Any]:
    return {
        "create": extend_schema(request=write, responses={201: shown, 403: REFUSED}),
        "partial_update": extend_schema(
            parameters=ID, request=patch, responses={200: shown, 403: REFUSED, 409: CONFLICT}
        ),
    }
