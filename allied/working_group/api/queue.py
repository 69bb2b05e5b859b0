"""The working group's queue API: the ranked queue and each nation's status.

* ``queue/``: the ranked queue (working group only), each score with its parts; ``?partner=``,
  ``?kind=``, ``?escalated=true``, ``?limit=``, ``?offset=``.
* ``status/``: the caller's own nation's open requests (a U.S. caller names ``?partner=``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from allied.core.api.permissions import DeclaredAccess
from allied.core.models.principals import principal_for
from allied.core.queue import QueueItem, open_requests, show_items
from allied.core.restricted import viewer_of
from allied.working_group.ranking import KIND_LABELS, Filters, build
from allied.working_group.views import MEMBERS

MAX_LIMIT = 200

#: The queue (and the guidance log's list) is the working group's: declared on the viewsets and
#: checked before any handler runs.
GROUP_ONLY = replace(MEMBERS, reason="The queue is for the working group.")


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise ValidationError({name: ["A whole number."]}) from None
    if not low <= value <= high:
        raise ValidationError({name: [f"Between {low} and {high}."]})
    return value


def _item(item: QueueItem) -> dict[str, Any]:
    return {
        "key": item.key,
        "kind": item.kind,
        "partner": item.partner,
        "title": item.title,
        "owner": item.owner,
        "opened": item.opened.isoformat(),
        "target": item.target.isoformat() if item.target else None,
        "status": item.status,
        "blockers": list(item.blockers),
        "url": item.url,
        "marking": item.marking,
    }


class ItemSerializer(serializers.Serializer):
    """One open request, as ``_item`` writes it (the schema of the queue and status answers)."""

    key = serializers.CharField()
    kind = serializers.CharField()
    partner = serializers.CharField()
    title = serializers.CharField()
    owner = serializers.CharField()
    opened = serializers.DateField()
    target = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    blockers = serializers.ListField(child=serializers.CharField())
    url = serializers.CharField()
    marking = serializers.CharField()


class QueueScoreSerializer(serializers.Serializer):
    total = serializers.FloatField()
    partner_weight = serializers.FloatField()
    type_weight = serializers.FloatField()
    age_days = serializers.IntegerField()
    target_days = serializers.IntegerField()
    lateness = serializers.FloatField()
    flag_bonus = serializers.FloatField()
    flags = serializers.ListField(child=serializers.CharField())
    escalation = serializers.IntegerField()


class RankedItemSerializer(ItemSerializer):
    score = QueueScoreSerializer()


# One object each, though they answer list actions.
@extend_schema_serializer(many=False)
class QueuePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    escalated = serializers.IntegerField()
    results = RankedItemSerializer(many=True)


@extend_schema_serializer(many=False)
class StatusSerializer(serializers.Serializer):
    partner = serializers.CharField()
    results = ItemSerializer(many=True)


class QueueViewSet(viewsets.ViewSet):
    """The ranked queue of open allied requests the caller may see (working group only)."""

    # Restricted by construction: every source reads through the caller's restricted querysets,
    # and every item returned is recorded as shown.
    allied_restricted = True
    allied_access = GROUP_ONLY
    permission_classes = [IsAuthenticated, DeclaredAccess]

    @extend_schema(
        parameters=[
            OpenApiParameter("partner", str),
            OpenApiParameter("kind", str, enum=list(KIND_LABELS)),
            OpenApiParameter("escalated", bool),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses=QueuePageSerializer,
    )
    def list(self, request: Request) -> Response:
        partner = str(request.query_params.get("partner", "")).strip().upper()
        if partner and (len(partner) != 3 or not partner.isalpha()):
            raise ValidationError({"partner": ["A three-letter ISO code, such as JPN."]})
        kind = str(request.query_params.get("kind", ""))
        if kind and kind not in KIND_LABELS:
            raise ValidationError({"kind": [f"One of {', '.join(KIND_LABELS)}."]})
        escalated = str(request.query_params.get("escalated", "")).lower() in ("1", "true", "on")
        limit = _int(request, "limit", 50, 1, MAX_LIMIT)
        offset = _int(request, "offset", 0, 0, 100_000)
        page = build(
            viewer_of(request),
            timezone.localdate(),
            Filters(partner, kind, escalated),
            offset=offset,
            limit=limit,
        )
        show_items(request, [r.item for r in page.rows])
        return Response(
            {
                "count": page.total,
                "escalated": page.escalated,
                "results": [
                    {
                        **_item(r.item),
                        "score": {
                            "total": round(r.score.total, 4),
                            "partner_weight": r.score.partner_weight,
                            "type_weight": r.score.kind_weight,
                            "age_days": r.score.age_days,
                            "target_days": r.score.target_days,
                            "lateness": round(r.score.lateness, 4),
                            "flag_bonus": r.score.flag_bonus,
                            "flags": list(r.score.flags),
                            "escalation": r.score.escalation,
                        },
                    }
                    for r in page.rows
                ],
            }
        )


class StatusViewSet(viewsets.ViewSet):
    """The caller's nation's open requests, as far as each is releasable to the caller."""

    allied_restricted = True

    @extend_schema(parameters=[OpenApiParameter("partner", str)], responses=StatusSerializer)
    def list(self, request: Request) -> Response:
        principal = principal_for(request.user)
        nation = principal.nation_id
        if nation == "USA":
            nation = str(request.query_params.get("partner", "")).strip().upper()[:3]
        items = (
            sorted(
                open_requests(viewer_of(request), timezone.localdate(), partner=nation),
                key=lambda i: (i.opened, i.key),
            )
            if nation
            else []
        )
        show_items(request, items)
        return Response({"partner": nation, "results": [_item(i) for i in items]})
