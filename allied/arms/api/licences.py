"""The arms-sales API for DCS licences, under /api/arms/licences/: the licences the caller may
see (a partner: its own nation's)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from allied.arms.models import Licence
from allied.core.api.fields import MarkingField
from allied.core.api.schema import RECORD_ID
from allied.core.restricted import RestrictedViewSetMixin


class LicenceSerializer(serializers.ModelSerializer):
    marking = MarkingField()
    partner = serializers.CharField(source="partner_id", read_only=True)

    class Meta:
        model = Licence
        fields = [
            "id",
            "marking",
            "reference",
            "partner",
            "applicant",
            "description",
            "usml_category",
            "mde_value",
            "total_value",
            "step",
            "submitted",
            "decided",
            "notification_required",
            "review_days",
            "owner",
            "fictional",
        ]
        read_only_fields = fields


@extend_schema_view(retrieve=extend_schema(parameters=[RECORD_ID]))
class LicenceViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """DCS licences releasable to the caller (a partner: its own nation's)."""

    queryset_model = Licence
    serializer_class = LicenceSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("marking").order_by("-submitted", "-id")
