"""The statutory notification engine under /api/arms/notification/ (``?partner=&channel=&mde=
&total=&design_construction=&usml_category=&date=&emergency=&what_if=``); bad input is a 400
naming the field.
"""

from __future__ import annotations

import datetime

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from allied.arms.rules.notification import (
    SCENARIOS_BY_KEY,
    NotificationInputError,
    decide,
    sale_of_query,
)


class DecisionSerializer(serializers.Serializer):
    required = serializers.BooleanField()
    review_days = serializers.IntegerField()
    basis = serializers.ListField(child=serializers.CharField())
    group = serializers.CharField()
    section = serializers.CharField()
    informal_review_days = serializers.IntegerField()
    emergency_waiver = serializers.BooleanField()
    triggers = serializers.ListField(child=serializers.CharField())
    law = serializers.CharField()


class NotificationViewSet(viewsets.ViewSet):
    """Whether a sale needs formal notification to Congress, the review period and the basis."""

    # Pure: it reads no marked row, only public statute and the query's own values.
    allied_restricted = True

    @extend_schema(
        parameters=[
            OpenApiParameter("partner", str, required=True),
            OpenApiParameter("channel", str, enum=["fms", "dcs"]),
            OpenApiParameter("mde", str),
            OpenApiParameter("total", str),
            OpenApiParameter("design_construction", str),
            OpenApiParameter("usml_category", str),
            OpenApiParameter("date", str),
            OpenApiParameter("emergency", bool),
            OpenApiParameter("what_if", str, enum=sorted(SCENARIOS_BY_KEY)),
        ],
        responses=DecisionSerializer,
    )
    def list(self, request: Request) -> Response:
        try:
            sale, law = sale_of_query(request.query_params, datetime.date.today())
            decision = decide(sale, law)
        except NotificationInputError as exc:
            raise ValidationError({exc.field: [exc.message]}) from None
        return Response(decision.as_dict())
