"""Planning requests under /api/planning/requests/: a partner may file one for its own nation,
and ``requests/{id}/decide/`` accepts or declines it (see ``writing``).

Every list counts only what the caller may see; a hidden row answers 404 like a missing one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from allied.core.api.fields import MarkingField
from allied.core.models.principals import principal_for
from allied.core.restricted import show, viewer_of
from allied.planning import authoring
from allied.planning import models as m
from allied.planning.api import writing
from allied.planning.api.writing import ID, REFUSED, ReadOnlyViewSet
from allied.planning.data import with_visible_plan


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


@extend_schema_view(retrieve=extend_schema(parameters=ID))
class RequestViewSet(ReadOnlyViewSet, mixins.CreateModelMixin):
    """Planning requests releasable to the caller; a caller files one for its own nation."""

    queryset_model = m.PlanningRequest
    serializer_class = RequestSerializer
    # ``POST requests/{id}/decide/`` runs ``record_decision``; reading it is open to all.
    action_access = {"record_decision": authoring.DECIDES_REQUESTS}

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
        parameters=ID,
        request=None,
        responses={200: DecidableSerializer},
        description="The request, and whether the caller may decide it now.",
    )
    @action(detail=True, methods=["get"], serializer_class=writing.PlanningDecisionSerializer)
    def decide(self, request: Request, pk: str | None = None) -> Response:
        row = self.get_object()
        show(request, [row])
        return Response(DecidableSerializer(row, context={"request": request}).data)

    @extend_schema(
        parameters=ID,
        request=writing.PlanningDecisionSerializer,
        responses={200: RequestSerializer, 403: REFUSED},
        description="Accept or decline an open request (U.S. planners and the working group).",
    )
    @decide.mapping.post
    def record_decision(self, request: Request, pk: str | None = None) -> Response:
        row = writing.decide(request, self.get_object())
        show(request, [row])
        return Response(RequestSerializer(row, context={"request": request}).data)
