"""The working group's records API: free-form requests and the guidance log.

* ``requests/``: liaison, training, exercise and other requests the caller may see.
* ``guidance/``: the guidance log (working group only).
"""

from __future__ import annotations

from typing import Any

from rest_framework import mixins, serializers, viewsets

from allied.core.api.fields import MarkingField
from allied.core.models.principals import principal_for
from allied.core.restricted import RestrictedViewSetMixin
from allied.working_group.api.queue import GROUP_ONLY
from allied.working_group.models import FreeformRequest, GuidanceStatement


class FreeformRequestSerializer(serializers.ModelSerializer):
    marking = MarkingField()
    partner = serializers.CharField(source="partner_id", read_only=True)

    class Meta:
        model = FreeformRequest
        fields = ["id", "marking", "partner", "kind", "title", "description", "owner", "opened",
                  "target", "status", "blockers", "version"]  # fmt: skip
        read_only_fields = fields


class FreeformRequestViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Liaison, training, exercise and other requests, as far as each is releasable to you."""

    queryset_model = FreeformRequest
    serializer_class = FreeformRequestSerializer

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("marking").order_by("-opened", "-pk")


class GuidanceSerializer(serializers.ModelSerializer):
    marking = MarkingField()
    partner = serializers.CharField(source="partner_id", read_only=True)

    class Meta:
        model = GuidanceStatement
        fields = ["id", "marking", "partner", "body", "speaker", "topic", "position", "summary",
                  "said_on", "commitment_due", "commitment_met_on"]  # fmt: skip
        read_only_fields = fields


class GuidanceViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The guidance log (working group only): what U.S. bodies told partners."""

    queryset_model = GuidanceStatement
    serializer_class = GuidanceSerializer
    action_access = {"list": GROUP_ONLY}

    def get_queryset(self) -> Any:
        rows = super().get_queryset().select_related("marking").order_by("-said_on", "-pk")
        principal = principal_for(self.request.user)
        # Outside the group every statement is "not found", like a hidden one.
        return rows if GROUP_ONLY.allows(principal) else rows.none()
