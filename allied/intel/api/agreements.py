"""Collection divided, in the API under /api/intel/:

* ``collection-agreements/``: offers to collect and agreed splits releasable to the caller (list,
  read, offer); ``collection-agreements/N/answer/`` accepts or declines an offer, once, by an
  officer of the nation it was offered to.
* ``requirement-coverage/``: the coverage matrix (``?on=YYYY-MM-DD``, today by default), built
  from the requirements and agreements releasable to the caller only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from allied.core.access import check
from allied.core.api.fields import MarkingField
from allied.core.edit import visible_or_404
from allied.core.models import StoredMarking
from allied.core.models.principals import principal_for
from allied.core.restricted import RestrictedViewSetMixin, show, viewer_of
from allied.intel import agreements
from allied.intel.models import AgreementStatus, CollectionAgreement, CollectionRequirement
from allied.intel.rules.coverage import Cell


class AgreementSerializer(serializers.ModelSerializer):
    marking = MarkingField(required=False)
    requirement = serializers.IntegerField(source="requirement_id", min_value=1,
                                           max_value=2**63 - 1)  # fmt: skip
    collector = serializers.CharField(source="collector_id", read_only=True)
    relying = serializers.CharField(source="relying_id", read_only=True)
    offered_by = serializers.CharField(source="offered_by.get_username", read_only=True)
    answered_by = serializers.CharField(
        source="answered_by.get_username", read_only=True, allow_null=True, default=None
    )
    lapsed = serializers.SerializerMethodField()

    class Meta:
        model = CollectionAgreement
        fields = ["id", "marking", "requirement", "collector", "relying", "topic", "region",
                  "starts", "ends", "terms", "status", "lapsed", "offered_by", "offered_at",
                  "answered_by", "answered_at", "answer_note", "version"]  # fmt: skip
        read_only_fields = ["id", "collector", "relying", "topic", "region", "status", "lapsed",
                            "offered_by", "offered_at", "answered_by", "answered_at",
                            "answer_note", "version"]  # fmt: skip

    def get_lapsed(self, row: CollectionAgreement) -> bool:
        return row.lapsed_on(timezone.localdate())

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        starts, ends = attrs.get("starts"), attrs.get("ends")
        if starts and ends and ends < starts:
            raise ValidationError({"ends": ["The window must end on or after the day it starts."]})
        return attrs


class AnswerSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=list(agreements.ANSWERS))
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


@extend_schema_view(
    retrieve=extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)])
)
class AgreementViewSet(
    RestrictedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Offers to collect a partner's requirement, and their answers, releasable to the caller;
    a hidden one answers 404 like a missing one. ``?status=offered|accepted|declined``.

    An offer is made by the caller's nation for a visible requirement of another nation (its
    marking, releasable to both nations unless given, must be one the caller could read back).
    """

    queryset_model = CollectionAgreement
    serializer_class = AgreementSerializer
    lookup_value_regex = "[0-9]+"
    write_access = agreements.OFFICERS

    def get_queryset(self) -> Any:
        rows = super().get_queryset().select_related("marking", "offered_by", "answered_by")
        status = self.request.query_params.get("status")
        if status in AgreementStatus.values:
            rows = rows.filter(status=status)
        return rows.order_by("-offered_at", "-pk")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        requirement = CollectionRequirement.objects.visible_to(viewer_of(self.request)).filter(
            pk=data.pop("requirement_id")
        ).select_related("marking").first()  # fmt: skip
        if requirement is None:
            raise ValidationError({"requirement": ["No requirement found."]})
        principal = principal_for(self.request.user)
        problem = agreements.offer_problem(principal, requirement)
        if problem:
            raise ValidationError({"requirement": [problem]})
        if data.get("marking") is None:
            default = agreements.default_marking(requirement, principal.nation_id)
            data["marking"] = StoredMarking.objects.intern(default)
        data.update(
            requirement=requirement,
            collector_id=principal.nation_id,
            relying_id=requirement.nation_id,
            topic=requirement.topic,
            region=requirement.region,
            offered_by=self.request.user,
        )
        super().perform_create(serializer)

    @extend_schema(request=AnswerSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["get", "post"], serializer_class=AnswerSerializer)
    def answer(self, request: Request, pk: str | None = None) -> Response:
        """GET: the offer as it stands (to answer from its ``version``); POST: the answer."""
        row = visible_or_404(self.get_queryset(), pk=pk)
        if request.method == "GET":
            return Response(AgreementSerializer(show(request, [row])[0]).data)
        check(request, agreements.relying_officer(row))
        given = AnswerSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        try:
            row = agreements.answer(request, row, data["decision"], data["note"], data["version"])
        except DjangoValidationError as refused:
            raise ValidationError(refused.message_dict) from refused
        return Response(AgreementSerializer(show(request, [row])[0]).data)


class CellSerializer(serializers.Serializer):
    nation = serializers.CharField()
    state = serializers.CharField()
    needs = serializers.ListField(child=serializers.IntegerField())
    collectors = serializers.ListField(child=serializers.CharField())
    splits = serializers.ListField(child=serializers.IntegerField())


class CoverageRowSerializer(serializers.Serializer):
    topic = serializers.CharField()
    region = serializers.CharField()
    cells = CellSerializer(many=True)


# One object, though it answers a list action.
@extend_schema_serializer(many=False)
class CoverageSerializer(serializers.Serializer):
    on = serializers.DateField()
    nations = serializers.ListField(child=serializers.CharField())
    rows = CoverageRowSerializer(many=True)


def _day(request: Request) -> date:
    text = request.query_params.get("on", "")
    if not text:
        return timezone.localdate()
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise ValidationError({"on": ["A day, as YYYY-MM-DD."]}) from None


def _cell(nation: str, cell: Cell) -> dict[str, Any]:
    return {
        "nation": nation,
        "state": cell.state.value,
        "needs": list(cell.needs),
        "collectors": list(cell.collectors),
        "splits": list(cell.splits),
    }


class CoverageViewSet(viewsets.ViewSet):
    """The coverage matrix: topic and region by nation, as of ``?on=`` (today by default), from
    the requirements and accepted agreements releasable to the caller and nothing else."""

    # Restricted by construction: allied.intel.agreements.visible_coverage reads only through
    # the caller's restricted querysets, and every row it used is recorded as shown.
    allied_restricted = True

    @extend_schema(
        parameters=[OpenApiParameter("on", str, description="The day, YYYY-MM-DD.")],
        responses=CoverageSerializer,
    )
    def list(self, request: Request) -> Response:
        matrix, rows = agreements.visible_coverage(request, _day(request))
        show(request, rows)
        return Response(
            {
                "on": matrix.day.isoformat(),
                "nations": list(matrix.nations),
                "rows": [
                    {
                        "topic": row.topic,
                        "region": row.region,
                        "cells": [_cell(n, cell) for n, cell in sorted(row.cells.items())],
                    }
                    for row in matrix.rows
                ],
            }
        )


router = DefaultRouter()
router.register("collection-agreements", AgreementViewSet, basename="collection-agreement")
router.register("requirement-coverage", CoverageViewSet, basename="requirement-coverage")

urlpatterns = router.urls
