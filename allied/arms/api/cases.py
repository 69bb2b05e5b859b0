"""The arms-sales API for FMS cases, under /api/arms/cases/.

* ``cases/``: FMS cases the caller may see (a partner: its own nation's), with the stages,
  reviews and blockers of a case releasable to it on ``cases/{id}/``.
* ``cases/import/`` (POST, U.S. case managers): a case book, JSON or CSV
  (``allied.arms.casebook``), stored whole or not at all; a refused book is a 400 listing every
  problem by row and field.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from allied.arms import access, casebook, cases
from allied.arms.models import Blocker, Case, Review, StageRecord
from allied.core.access import check
from allied.core.api.fields import MarkingField
from allied.core.api.schema import RECORD_ID
from allied.core.forms import not_after_today
from allied.core.restricted import RestrictedViewSetMixin, show, viewer_of


class StageSerializer(serializers.ModelSerializer):
    marking = MarkingField()

    class Meta:
        model = StageRecord
        fields = ["marking", "stage", "owner", "entered", "completed", "days", "target_days"]


class ReviewSerializer(serializers.ModelSerializer):
    marking = MarkingField()

    class Meta:
        model = Review
        fields = ["marking", "review_type", "owner", "started", "decided", "decision"]


class BlockerSerializer(serializers.ModelSerializer):
    marking = MarkingField()

    class Meta:
        model = Blocker
        fields = ["marking", "text", "owner", "opened", "resolved"]


class CaseSerializer(serializers.ModelSerializer):
    marking = MarkingField()
    partner = serializers.CharField(source="partner_id", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "marking",
            "identifier",
            "partner",
            "title",
            "capability",
            "implementing_agency",
            "aod_group",
            "stage",
            "stage_entered",
            "stage_owner",
            "lor_received",
            "anticipated_offer",
            "offered",
            "offer_expires",
            "delivered",
            "closed",
            "notification_required",
            "review_days",
            "offer_p10",
            "offer_p50",
            "offer_p90",
            "delivery_p10",
            "delivery_p50",
            "delivery_p90",
            "fictional",
            "version",
        ]
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    stages = serializers.SerializerMethodField()
    reviews = serializers.SerializerMethodField()
    blockers = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "stages", "reviews", "blockers"]
        read_only_fields = fields

    def _rows(self, model: type[Any], case: Case) -> list[Any]:
        request = self.context["request"]
        rows = access.case_rows(model, viewer_of(request)).filter(case=case)
        return show(request, rows.select_related("marking"))

    def get_stages(self, case: Case) -> list[dict[str, Any]]:
        return StageSerializer(self._rows(StageRecord, case), many=True).data

    def get_reviews(self, case: Case) -> list[dict[str, Any]]:
        return ReviewSerializer(self._rows(Review, case), many=True).data

    def get_blockers(self, case: Case) -> list[dict[str, Any]]:
        return BlockerSerializer(self._rows(Blocker, case), many=True).data


_VERSION_HELP = "The version you read: a change from an older version is refused with 409."


class CaseEditSerializer(serializers.Serializer):
    """A correction of the fields a case manager may edit, from the version the caller read."""

    version = serializers.IntegerField(min_value=1, help_text=_VERSION_HELP)
    title = serializers.CharField(max_length=200, required=False)
    capability = serializers.CharField(max_length=200, required=False, allow_blank=True)
    implementing_agency = serializers.CharField(max_length=40, required=False)
    stage_owner = serializers.CharField(max_length=80, required=False, allow_blank=True)
    lor_reference = serializers.CharField(max_length=60, required=False, allow_blank=True)


class AdvanceSerializer(serializers.Serializer):
    """Complete the case's current stage, from the version the caller read."""

    version = serializers.IntegerField(min_value=1, help_text=_VERSION_HELP)
    on = serializers.DateField(
        required=False,
        allow_null=True,
        validators=[not_after_today],
        help_text="The day it was completed: today if absent, never a day still to come.",
    )
    owner = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="A case manager completes a review stage while a required review is pending "
        "or a blocker is open only by giving the reason: a recorded, audited decision.",
    )


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    version = serializers.IntegerField(allow_null=True, help_text="The version stored now.")


class HeldSerializer(serializers.Serializer):
    detail = serializers.CharField()
    pending_reviews = serializers.ListField(child=serializers.CharField())
    open_blockers = serializers.ListField(child=serializers.CharField())


_CHANGE_RESPONSES = {
    200: CaseDetailSerializer,
    400: OpenApiResponse(description="A field is wrong (named); nothing was saved."),
    403: OpenApiResponse(description="Only U.S. case managers change cases."),
    409: OpenApiResponse(
        PolymorphicProxySerializer(
            "ChangeRefused", [ConflictSerializer, HeldSerializer], resource_type_field_name=None
        ),
        description="The case changed since `version`, or (advance) a review stage is held by "
        "pending reviews or open blockers, named; nothing was saved.",
    ),
}


class CsvParser(BaseParser):
    """A CSV case book, handed on as text."""

    media_type = "text/csv"

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> str:
        try:
            return str(stream.read().decode("utf-8-sig"))
        except UnicodeDecodeError as error:
            raise ValidationError({"file": [f"the CSV is not UTF-8: {error}"]}) from None


class CaseBookResultSerializer(serializers.Serializer):
    imported = serializers.IntegerField()
    identifiers = serializers.ListField(child=serializers.CharField())


@extend_schema_view(retrieve=extend_schema(parameters=[RECORD_ID]))
class CaseViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """FMS cases releasable to the caller (a partner: its own nation's), newest LOR first; a
    hidden case answers 404 like a missing one. ``?stage=`` and ``?partner=`` narrow the list.

    A U.S. case manager corrects a case (PATCH) or completes its stage (``advance``), each from
    the ``version`` it read: a change from an older version answers 409, naming the version and
    stage stored now, and writes nothing."""

    queryset_model = Case
    lookup_value_regex = "[0-9]+"
    # Importing reads no case first, so it is declared; changing a case is checked once the case
    # is found (``_manageable``), for a hidden case to answer 404 before anything else.
    action_access = {"import_book": access.IMPORTS_CASES}

    def get_serializer_class(self) -> Any:
        if self.action == "partial_update":
            return CaseEditSerializer
        if self.action == "advance":
            return AdvanceSerializer
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def _manageable(self, request: Request) -> Case:
        """The visible case (404 if hidden, like a missing one), then who may change it (403).

        The role is checked after the case is found, not declared on the action: a hidden case
        answers 404 to everyone, as a missing one does, before anyone is told they may not act.
        """
        case = self.get_object()
        check(request, access.CASE_MANAGER)
        return case

    def _change(self, request: Request, serializer_class: type[Any]) -> tuple[Case, dict[str, Any]]:
        """The case as ``_manageable`` finds it, and valid input."""
        case = self._manageable(request)
        given = serializer_class(data=request.data)
        given.is_valid(raise_exception=True)
        return case, dict(given.validated_data)

    def _answer(self, request: Request, pk: Any) -> Response:
        case = self.get_queryset().get(pk=pk)
        show(request, [case])
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)

    @extend_schema(parameters=[RECORD_ID], request=CaseEditSerializer, responses=_CHANGE_RESPONSES)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        case, given = self._change(request, CaseEditSerializer)
        version = given.pop("version")
        # A stale version is answered by the API's exception handler (409, ``ConflictSerializer``).
        cases.edit_case(case, request.user, given, expected_version=version)
        return self._answer(request, case.pk)

    @extend_schema(
        methods=["GET"],
        parameters=[RECORD_ID],
        request=None,
        responses={200: CaseDetailSerializer},
        description="The case a stage completion would start from: its version and stage.",
    )
    @extend_schema(
        methods=["POST"],
        parameters=[RECORD_ID],
        request=AdvanceSerializer,
        responses=_CHANGE_RESPONSES,
        description="Complete the case's current stage and start the next (the forecast is "
        "recomputed), from the version read.",
    )
    @action(detail=True, methods=["get", "post"])
    def advance(self, request: Request, pk: Any = None) -> Response:
        if request.method == "GET":
            return self._answer(request, self._manageable(request).pk)
        case, given = self._change(request, AdvanceSerializer)
        try:
            cases.advance(
                case,
                request.user,
                on=given.get("on"),
                note=given["note"],
                owner=given["owner"],
                expected_version=given["version"],
                override_reason=given["override_reason"],
            )
        except cases.StageHeld as held:
            # Not a stale version (the exception handler answers that): the holds are named.
            show(request, [*held.reviews, *held.blockers])
            body = {
                "detail": f"Nothing was changed: {held}.",
                "pending_reviews": list(held.holds.pending_reviews),
                "open_blockers": list(held.holds.open_blockers),
            }
            return Response(body, status=409)
        except cases.StageError as exc:
            raise ValidationError({"on": [f"Nothing was changed: {exc}"]}) from exc
        return self._answer(request, case.pk)

    def get_queryset(self) -> Any:
        rows = super().get_queryset().select_related("marking")
        stage = self.request.query_params.get("stage")
        if stage:
            rows = rows.filter(stage=stage)
        partner = self.request.query_params.get("partner", "").upper()
        if len(partner) == 3 and partner.isalpha():
            rows = rows.filter(partner_id=partner)
        return rows.order_by("-lor_received", "-id")

    @extend_schema(
        request={"application/json": dict, "text/csv": str},
        responses={201: CaseBookResultSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[JSONParser, CsvParser],
    )
    def import_book(self, request: Request) -> Response:
        """Import a case book (U.S. case managers): every case or none; a refused book lists
        every problem by row (from 1) and field."""
        try:
            data = request.data
            rows = casebook.parse_text(data) if isinstance(data, str) else casebook.rows_of(data)
            cases = casebook.import_cases(rows, user=request.user, viewer=viewer_of(request))
        except casebook.CaseBookError as error:
            return Response(error.as_dict(), status=status.HTTP_400_BAD_REQUEST)
        body = {"imported": len(cases), "identifiers": [c.identifier for c in cases]}
        return Response(body, status=status.HTTP_201_CREATED)
