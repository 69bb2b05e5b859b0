"""The planning registry API under /api/planning/: ``capabilities/`` (partner holdings) and
``willingness/``, as far as releasable to the caller; a hidden row answers 404 like a missing one.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from allied.core.api.fields import MarkingField
from allied.planning import models as m
from allied.planning.api.writing import ID, ReadOnlyViewSet


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


@extend_schema_view(retrieve=extend_schema(parameters=ID))
class CapabilityViewSet(ReadOnlyViewSet):
    """Partner holdings releasable to the caller."""

    queryset_model = m.PartnerCapability
    serializer_class = CapabilitySerializer

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("marking", "capability_type").order_by("pk")


@extend_schema_view(retrieve=extend_schema(parameters=ID))
class WillingnessViewSet(ReadOnlyViewSet):
    """Willingness assessments releasable to the caller."""

    queryset_model = m.Willingness
    serializer_class = WillingnessSerializer

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("marking").order_by("pk")
