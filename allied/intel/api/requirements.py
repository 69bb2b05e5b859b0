"""The requirements API under /api/intel/: requirements, their overlaps, and search.

* ``requirements/``: needs and collections releasable to the caller (list, read, register).
  A caller registers for its own nation only; naming another nation is refused with 400.
* ``requirement-overlaps/``: pairs of visible requirements of different nations above a score,
  with the parts of each score; nothing involving a hidden requirement is computed or counted.
* ``search/``: products (metadata and visible portions) and requirements, visible hits only.
"""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from allied.core.api.fields import MarkingField
from allied.core.models.principals import principal_for
from allied.core.restricted import RestrictedViewSetMixin, show, viewer_of
from allied.intel.models import CollectionRequirement, RequirementKind
from allied.intel.search import KINDS, PAGE_SIZE, ProductHit, Snippet, search
from allied.intel.views.requirements import Pair, find_visible_overlaps, show_pairs

MAX_LIMIT = 100


class RequirementSerializer(serializers.ModelSerializer):
    marking = MarkingField()
    nation = serializers.CharField(source="nation_id", read_only=True)
    created_by = serializers.CharField(source="created_by.get_username", read_only=True)

    class Meta:
        model = CollectionRequirement
        fields = ["id", "marking", "nation", "kind", "topic", "region", "starts", "ends",
                  "priority", "description", "created_by", "created"]  # fmt: skip
        read_only_fields = ["id", "nation", "created_by", "created"]
        extra_kwargs = {"priority": {"min_value": 1, "max_value": 5}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        starts, ends = attrs.get("starts"), attrs.get("ends")
        if starts and ends and ends < starts:
            raise ValidationError({"ends": ["The window must end on or after the day it starts."]})
        return attrs


@extend_schema_view(
    retrieve=extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)])
)
class RequirementViewSet(
    RestrictedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Collection requirements releasable to the caller, highest priority first; a hidden one
    answers 404 like a missing one. ``?kind=need|collect`` and ``?nation=ISO3`` narrow the list.

    Registering one is for the caller's own nation (``nation`` may be left out; another nation
    is refused), and a marking the caller could not read back is refused: nothing is saved.
    """

    queryset_model = CollectionRequirement
    serializer_class = RequirementSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> Any:
        rows = super().get_queryset().select_related("marking", "created_by")
        kind = self.request.query_params.get("kind")
        if kind in RequirementKind.values:
            rows = rows.filter(kind=kind)
        nation = self.request.query_params.get("nation", "").upper()
        if len(nation) == 3 and nation.isalpha():
            rows = rows.filter(nation_id=nation)
        return rows.order_by("-priority", "starts", "pk")

    def perform_create(self, serializer: Any) -> None:
        own = principal_for(self.request.user).nation_id
        asked = self.request.data.get("nation") if hasattr(self.request.data, "get") else None
        if asked not in (None, "") and str(asked).upper() != own:
            raise ValidationError({"nation": [f"You register for your own nation ({own}) only."]})
        serializer.validated_data["nation_id"] = own
        serializer.validated_data["created_by"] = self.request.user
        super().perform_create(serializer)


class ScoreSerializer(serializers.Serializer):
    total = serializers.FloatField()
    topic = serializers.FloatField()
    region = serializers.FloatField()
    window = serializers.FloatField()
    text = serializers.FloatField()
    explanation = serializers.ListField(child=serializers.CharField())


class OverlapSerializer(serializers.Serializer):
    score = ScoreSerializer()
    advice = serializers.CharField()
    a = RequirementSerializer()
    b = RequirementSerializer()


# One object, though it answers a list action.
@extend_schema_serializer(many=False)
class OverlapPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    threshold = serializers.FloatField()
    results = OverlapSerializer(many=True)


def _overlap_data(pair: Pair) -> dict[str, Any]:
    s = pair.score
    return {
        "score": {
            "total": round(s.total, 4),
            **{part: round(getattr(s, part), 4) for part in ("topic", "region", "window", "text")},
            "explanation": s.explain(),
        },
        "advice": pair.advice,
        "a": RequirementSerializer(pair.a).data,
        "b": RequirementSerializer(pair.b).data,
    }


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(request.query_params.get(name, default))
    except (TypeError, ValueError):
        raise ValidationError({name: ["A whole number."]}) from None
    return max(low, min(high, value))


class OverlapViewSet(viewsets.ViewSet):
    """Pairs of requirements of different nations that overlap, among those releasable to the
    caller, best first. ``?min=`` is the lowest score (0.5 unless given, at least 0.1)."""

    # Restricted by construction: it reads requirements only through the caller's restricted
    # queryset and records every requirement it returns.
    allied_restricted = True

    @extend_schema(
        parameters=[
            OpenApiParameter("min", float, description="Lowest score, 0.1 to 1 (default 0.5)."),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses=OverlapPageSerializer,
    )
    def list(self, request: Request) -> Response:
        try:
            threshold = float(request.query_params.get("min", 0.5))
        except ValueError:
            raise ValidationError({"min": ["A number between 0.1 and 1."]}) from None
        if not 0.1 <= threshold <= 1.0:
            raise ValidationError({"min": ["A number between 0.1 and 1."]})
        limit = _int_param(request, "limit", 50, 1, MAX_LIMIT)
        offset = _int_param(request, "offset", 0, 0, 10**9)
        visible = CollectionRequirement.objects.visible_to(viewer_of(request))
        pairs = find_visible_overlaps(visible, threshold)
        page = show_pairs(request, pairs[offset : offset + limit])
        return Response(
            {
                "count": len(pairs),
                "threshold": threshold,
                "results": [_overlap_data(pair) for pair in page],
            }
        )


class SnippetSerializer(serializers.Serializer):
    portion_marking = serializers.CharField(allow_blank=True)
    text = serializers.CharField()
    highlights = serializers.ListField(child=serializers.CharField())


class ProductHitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    marking = serializers.CharField()
    title = serializers.CharField()
    originator_agency = serializers.CharField(allow_blank=True)
    topics = serializers.ListField(child=serializers.CharField())
    regions = serializers.ListField(child=serializers.CharField())
    rank = serializers.FloatField()
    url = serializers.CharField(allow_null=True)
    snippet = SnippetSerializer(allow_null=True)


class RequirementHitSerializer(serializers.Serializer):
    rank = serializers.FloatField()
    requirement = RequirementSerializer()
    snippet = SnippetSerializer(allow_null=True)


class HitsSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class ProductHitsSerializer(HitsSerializer):
    results = ProductHitSerializer(many=True)


class RequirementHitsSerializer(HitsSerializer):
    results = RequirementHitSerializer(many=True)


# One object, though it answers a list action.
@extend_schema_serializer(many=False)
class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField()
    products = ProductHitsSerializer()
    requirements = RequirementHitsSerializer()


def _snippet_data(snippet: Snippet, portion_marking: str = "") -> dict[str, Any]:
    return {
        "portion_marking": portion_marking,
        "text": str(snippet),
        "highlights": sorted({text for text, matched in snippet.parts if matched}),
    }


def _product_url(hit: ProductHit) -> str | None:
    try:
        return reverse("intel:product-detail", args=[hit.product.pk])
    except NoReverseMatch:
        return None


def _product_data(hit: ProductHit) -> dict[str, Any]:
    # Never the product's ``banner``: it rolls up every portion, withheld ones included.
    product = hit.product
    snippet = None
    if hit.snippet is not None and hit.portion is not None:
        snippet = _snippet_data(hit.snippet, hit.portion.marking.portion())
    return {
        "id": product.pk,
        "marking": product.marking.text,
        "title": product.title,
        "originator_agency": product.originator_agency,
        "topics": [str(t) for t in product.topics or []],
        "regions": [str(r) for r in product.regions or []],
        "rank": round(hit.rank, 6),
        "url": _product_url(hit),
        "snippet": snippet,
    }


class SearchViewSet(viewsets.ViewSet):
    """Search products and collection requirements releasable to the caller.

    ``?q=`` the words (all must match one visible portion or the product's metadata, or a
    requirement); ``?kind=products|requirements`` one kind only; ``?limit=`` and ``?offset=`` page
    each kind. Counts are of visible hits; snippets come only from portions the caller may see.
    """

    # Restricted by construction: allied.intel.search reads every table through the caller's
    # restricted querysets, and every row returned is recorded as shown.
    allied_restricted = True

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="The words to search for."),
            OpenApiParameter("kind", str, enum=list(KINDS)),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses=SearchResultsSerializer,
    )
    def list(self, request: Request) -> Response:
        query = str(request.query_params.get("q", ""))[:200]
        kind = request.query_params.get("kind", "")
        if kind and kind not in KINDS:
            raise ValidationError({"kind": [f"One of {', '.join(KINDS)}."]})
        limit = _int_param(request, "limit", PAGE_SIZE, 1, MAX_LIMIT)
        offset = _int_param(request, "offset", 0, 0, 10_000)
        results = search(
            viewer_of(request),
            query,
            kinds=(kind,) if kind else KINDS,
            offset=offset,
            limit=limit,
        )
        show(request, results.shown())
        return Response(
            {
                "query": query,
                "products": {
                    "count": results.product_count,
                    "results": [_product_data(hit) for hit in results.products],
                },
                "requirements": {
                    "count": results.requirement_count,
                    "results": [
                        {
                            "rank": round(hit.rank, 6),
                            "requirement": RequirementSerializer(hit.requirement).data,
                            "snippet": _snippet_data(hit.snippet) if hit.snippet else None,
                        }
                        for hit in results.requirements
                    ],
                },
            }
        )


router = DefaultRouter()
router.register("requirements", RequirementViewSet, basename="requirement")
router.register("requirement-overlaps", OverlapViewSet, basename="requirement-overlap")
router.register("search", SearchViewSet, basename="search")

urlpatterns = router.urls
