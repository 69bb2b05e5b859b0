"""Read-only API viewsets. Authentication and IsAuthenticated come from REST_FRAMEWORK settings."""

from __future__ import annotations

from typing import Any

from rest_framework import mixins, viewsets

from allied.core.api.serializers import BulletinSerializer, CommunitySerializer, NationSerializer
from allied.core.models import Bulletin, Community, Nation
from allied.core.restricted import RestrictedViewSetMixin


class NationViewSet(viewsets.ReadOnlyModelViewSet):
    """Nations in the registry, by ISO 3166-1 alpha-3 code."""

    queryset = Nation.objects.all()
    serializer_class = NationSerializer
    lookup_field = "iso3"
    lookup_value_regex = "[A-Za-z]{3}"


class CommunityViewSet(viewsets.ReadOnlyModelViewSet):
    """Communities with every membership, past and present."""

    queryset = Community.objects.with_memberships()
    serializer_class = CommunitySerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9-]+"


class BulletinViewSet(
    RestrictedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Coordination bulletins releasable to the caller; a hidden one answers 404 like a missing one.

    Writing one the caller could not read back (a marking above its clearance or not releasable
    to its nation) is refused with 400 and nothing is saved.
    """

    queryset_model = Bulletin
    serializer_class = BulletinSerializer

    def get_queryset(self) -> Any:
        return (
            super().get_queryset().select_related("marking", "author").order_by("-created", "-pk")
        )

    def perform_create(self, serializer: Any) -> None:
        serializer.validated_data["author"] = self.request.user
        super().perform_create(serializer)
