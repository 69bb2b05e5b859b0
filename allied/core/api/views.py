"""Read-only API viewsets. Authentication and IsAuthenticated come from REST_FRAMEWORK settings."""

from __future__ import annotations

from rest_framework import viewsets

from allied.core.api.serializers import CommunitySerializer, NationSerializer
from allied.core.models import Community, Nation


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
