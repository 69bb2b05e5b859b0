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
    LAW,
    SCENARIOS_BY_KEY,
    NotificationInputError,
    Sale,
    UsmlCategory,
    channel_of,
    decide,
    parse_day,
    parse_usd,
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
        q = request.query_params
        try:
            if not q.get("partner"):
                raise NotificationInputError("partner", "required (an ISO 3166-1 alpha-3 code)")
            what_if = q.get("what_if", "")
            if what_if and what_if not in SCENARIOS_BY_KEY:
                raise NotificationInputError("what_if", f"one of {', '.join(SCENARIOS_BY_KEY)}")
            sale = Sale(
                partner=q["partner"].strip().upper(),
                channel=channel_of(q.get("channel", "fms")),
                on=parse_day(q["date"]) if q.get("date") else datetime.date.today(),
                mde=parse_usd("mde", q.get("mde") or "0"),
                total=parse_usd("total", q.get("total") or "0"),
                design_construction=parse_usd(
                    "design_construction", q.get("design_construction") or "0"
                ),
                usml_category=UsmlCategory.parse(q["usml_category"])
                if q.get("usml_category")
                else None,
                emergency=q.get("emergency") in ("1", "true", "True"),
            )
            law = SCENARIOS_BY_KEY[what_if].apply(LAW) if what_if else LAW
            decision = decide(sale, law)
        except NotificationInputError as exc:
            raise ValidationError({exc.field: [exc.message]}) from None
        return Response(decision.as_dict())
