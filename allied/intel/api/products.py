"""The products API under /api/intel/: read what the caller may read, write, and export.

Everything goes through ``RestrictedViewSetMixin``: a product the caller may not see (its metadata
or every one of its portions) answers 404 like a missing one. The API is an export
(``allied.core.restricted.is_export``): a product's portions in the JSON are those its page shows
the caller (``allied.intel.products.reading.read_products``) less DISPLAY ONLY, numbered 1..n,
with no id, count or length of anything withheld.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from allied.core import audit
from allied.core.api.fields import MarkingField
from allied.core.edit import not_found
from allied.core.models import Nation, principal_for
from allied.core.restricted import RestrictedViewSetMixin, show, viewer_of
from allied.intel.models import CATEGORY_CHOICES, Originator, Product
from allied.intel.products.authoring import (
    AUTHORS,
    PortionDraft,
    ProductDraft,
    authority_problems,
    canonical_portion_mark,
    save_product,
    split_tags,
    tag_problems,
    validate_draft,
)
from allied.intel.products.reading import (
    EXPORT_FORMATS,
    Reading,
    export_product,
    originator_label,
    read_product,
    read_products,
    render_export,
    shown_authority,
)
from allied.markings.authority import Authority, declassify_line

# --- reading ------------------------------------------------------------------------------------


class ShownPortionSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="Its number as shown to you: 1..n, no gaps.")
    tearline = serializers.IntegerField(
        allow_null=True, help_text="null for the body; 1, 2... for the tearlines shown to you."
    )
    portion_mark = serializers.CharField()
    text = serializers.CharField()
    exportable = serializers.BooleanField(
        help_text="Always true: the API is an export, so what you may view but not export "
        "(DISPLAY ONLY) is shown on the product's page only."
    )


class TearlineSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    banner = serializers.CharField(help_text="The roll-up of this tearline's portions (P8).")


class AuthoritySerializer(serializers.Serializer):
    """The classification authority block (EO 13526 sec. 1.6; IC-ISM attributes, rule 32)."""

    classified_by = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Name and position (or personal identifier) of the classifier.",
    )
    derived_from = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text="Derivative classification: the source or guide, or Multiple Sources.",
    )
    classification_reason = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        help_text="Original classification: the EO 13526 sec. 1.4 category, e.g. 1.4(c).",
    )
    declassify_on = serializers.DateField(required=False, allow_null=True)
    declassify_event = serializers.CharField(max_length=200, required=False, allow_blank=True)
    declass_exemption = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        help_text="25X1..25X9 (with a date or event up to 50 years out), 50X1-HUM or 50X2-WMD.",
    )


class ShownAuthoritySerializer(AuthoritySerializer):
    declassify_line = serializers.CharField(help_text="As printed, e.g. 25X1, 20561231.")


class ProductSerializer(serializers.ModelSerializer):
    """A product as the caller may read it. ``banner`` is the roll-up of the portions shown."""

    marking = MarkingField(help_text="The marking of the title, originator and tags.")
    originator_nation = serializers.SlugRelatedField(
        slug_field="iso3", read_only=True, allow_null=True
    )
    originator_label = serializers.SerializerMethodField()
    author = serializers.CharField(source="author.get_username", read_only=True)
    banner = serializers.SerializerMethodField()
    portions = serializers.SerializerMethodField()
    tearlines = serializers.SerializerMethodField()
    classification_authority = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id",
            "marking",
            "title",
            "originator",
            "originator_agency",
            "originator_nation",
            "originator_label",
            "category",
            "topics",
            "regions",
            "author",
            "created",
            "banner",
            "classification_authority",
            "portions",
            "tearlines",
        ]
        read_only_fields = fields

    def _reading(self, product: Product) -> Reading | None:
        readings: dict[int, Reading] = self.context.get("readings", {})
        return readings.get(product.pk)

    def get_originator_label(self, product: Product) -> str:
        return originator_label(product)

    def get_banner(self, product: Product) -> str | None:
        reading = self._reading(product)
        return None if reading is None else reading.banner.render("banner")

    @extend_schema_field(ShownAuthoritySerializer(allow_null=True))
    def get_classification_authority(self, product: Product) -> dict[str, Any] | None:
        """The product's block when what the caller is shown is classified, else null."""
        reading = self._reading(product)
        authority = None if reading is None else shown_authority(product, reading.banner)
        if authority is None:
            return None
        return {
            "classified_by": authority.classified_by,
            "derived_from": authority.derived_from,
            "classification_reason": authority.classification_reason,
            "declassify_on": authority.declassify_on,
            "declassify_event": authority.declassify_event,
            "declass_exemption": authority.declass_exemption,
            "declassify_line": declassify_line(authority),
        }

    @extend_schema_field(ShownPortionSerializer(many=True))
    def get_portions(self, product: Product) -> list[dict[str, Any]]:
        reading = self._reading(product)
        if reading is None:
            return []
        return [
            {
                "number": shown.number,
                "tearline": block.tearline,
                "portion_mark": shown.mark,
                "text": shown.item.text,
                "exportable": shown.exportable,
            }
            for block in reading.blocks
            for shown in block.portions
        ]

    @extend_schema_field(TearlineSerializer(many=True))
    def get_tearlines(self, product: Product) -> list[dict[str, Any]]:
        reading = self._reading(product)
        if reading is None:
            return []
        return [
            {"number": block.tearline, "banner": block.banner.render("banner")}
            for block in reading.blocks
            if block.is_tearline
        ]


# --- writing ------------------------------------------------------------------------------------


class PortionInputSerializer(serializers.Serializer):
    section = serializers.IntegerField(
        min_value=0, max_value=99, default=0, help_text="0 is the body; 1, 2... are tearlines."
    )
    order = serializers.IntegerField(min_value=1, max_value=9999)
    portion_mark = serializers.CharField(
        max_length=1000, help_text="In parentheses, e.g. (S//REL TO USA, JPN)."
    )
    text = serializers.CharField()

    def validate_portion_mark(self, value: str) -> str:
        return canonical_portion_mark(value)


class ProductCreateSerializer(serializers.Serializer):
    """A new product with its portions. Every mark is checked; nothing is saved on any problem."""

    marking = MarkingField(help_text="The marking of the title, originator and tags.")
    title = serializers.CharField(max_length=300)
    originator = serializers.ChoiceField(choices=Originator.choices)
    originator_agency = serializers.CharField(max_length=120, required=False, allow_blank=True)
    originator_nation = serializers.SlugRelatedField(
        slug_field="iso3",
        queryset=Nation.objects.exclude(iso3="USA"),
        required=False,
        allow_null=True,
    )
    category = serializers.ChoiceField(choices=CATEGORY_CHOICES)
    topics = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    regions = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    portions = PortionInputSerializer(many=True)
    classification_authority = AuthoritySerializer(
        required=False,
        allow_null=True,
        help_text="Required when the title's marking or any portion is classified.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        viewer = viewer_of(self.context["request"])
        topics = split_tags(",".join(attrs.get("topics", [])))
        regions = split_tags(",".join(attrs.get("regions", [])))
        errors: dict[str, Any] = {}
        for name, tags in (("topics", topics), ("regions", regions)):
            problems = tag_problems(tags, name)
            if problems:
                errors[name] = problems
        draft = self.draft(attrs, topics, regions)
        portions = self.portion_drafts(attrs)
        general, per_portion = validate_draft(draft, portions, viewer)
        if general:
            errors["non_field_errors"] = general
        authority = authority_problems(draft, portions)
        if authority:
            errors["classification_authority"] = authority
        if per_portion:
            # Shaped like DRF's own errors of a nested list: by index, then by field.
            fields = {"mark": "portion_mark", None: "non_field_errors"}
            errors["portions"] = {
                str(index): {
                    fields.get(field, field or "non_field_errors"): [
                        message for f, message in problems if f == field
                    ]
                    for field, _ in problems
                }
                for index, problems in per_portion.items()
            }
        if errors:
            raise ValidationError(errors)
        attrs["draft"] = draft
        attrs["portion_drafts"] = portions
        return attrs

    @staticmethod
    def draft(attrs: dict[str, Any], topics: list[str], regions: list[str]) -> ProductDraft:
        nation = attrs.get("originator_nation")
        return ProductDraft(
            title=attrs["title"].strip(),
            originator=attrs["originator"],
            originator_agency=(attrs.get("originator_agency") or "").strip(),
            originator_nation=None if nation is None else nation.iso3,
            category=int(attrs["category"]),
            topics=topics,
            regions=regions,
            marking=attrs["marking"].text,
            authority=Authority(**(attrs.get("classification_authority") or {})),
        )

    @staticmethod
    def portion_drafts(attrs: dict[str, Any]) -> list[PortionDraft]:
        return [
            PortionDraft(
                section=row["section"],
                order=row["order"],
                mark=row["portion_mark"],
                text=row["text"],
            )
            for row in attrs["portions"]
        ]


# --- the viewset --------------------------------------------------------------------------------

PRODUCT_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The product's id."
)
EXPORT_AS = OpenApiParameter(
    "as",
    str,
    enum=["txt", "md"],
    required=False,
    description="txt (default) or md (Markdown).",
)


@extend_schema_view(retrieve=extend_schema(parameters=[PRODUCT_ID]))
class ProductViewSet(
    RestrictedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Intelligence products the caller may read: each with only the portions shown to it.

    A product the caller may not see answers 404 like a missing one. Writing one (authors only)
    that the caller could not read back is refused with 400 and nothing is saved (the API's
    exception handler answers it).
    """

    queryset_model = Product
    serializer_class = ProductSerializer
    write_access = AUTHORS

    def get_object(self) -> Any:
        """The product, or the one 404 whose words are the same for a missing product, a hidden
        one and one the caller reads none of."""
        try:
            return super().get_object()
        except Http404:
            not_found()

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .with_visible_portions()
            .select_related("marking", "author", "originator_nation")
            .order_by("-created", "-pk")
        )

    def get_serializer_class(self) -> Any:
        if self.action == "create":
            return ProductCreateSerializer
        return ProductSerializer

    def _readings(self, products: list[Product]) -> dict[int, Reading]:
        readings = read_products(products, viewer_of(self.request))
        show(self.request, [p for r in readings.values() for p in r.portions])
        return readings

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        viewer = viewer_of(request)
        readings: dict[int, Reading] = {}

        def exportable(batch: list[Product]) -> list[Product]:
            # A product whose version for this caller is all DISPLAY ONLY has nothing to
            # export: it is left out, and the page reads on so that it is not short for it.
            found = read_products(batch, viewer)
            readings.update(found)
            return [product for product in batch if product.pk in found]

        paginator = self.paginator
        page = (
            None
            if paginator is None
            else paginator.paginate_queryset(queryset, request, view=self, keep=exportable)
        )
        products = list(page) if page is not None else exportable(list(queryset))
        readings = {product.pk: readings[product.pk] for product in products}
        show(request, [p for r in readings.values() for p in r.portions])
        context = {**self.get_serializer_context(), "readings": readings}
        data = self.get_serializer(products, many=True, context=context).data
        if page is not None:
            return self.get_paginated_response(data)
        return Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        product = self.get_object()
        readings = self._readings([product])
        if product.pk not in readings:
            not_found()
        context = {**self.get_serializer_context(), "readings": readings}
        return Response(self.get_serializer(product, context=context).data)

    @extend_schema(request=ProductCreateSerializer, responses={201: ProductSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ProductCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        product = save_product(
            serializer.validated_data["draft"],
            serializer.validated_data["portion_drafts"],
            author=request.user,
            viewer=viewer_of(request),
        )
        product = self.get_queryset().get(pk=product.pk)
        context = {**self.get_serializer_context(), "readings": self._readings([product])}
        data = ProductSerializer(product, context=context).data
        show(request, [product])
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[PRODUCT_ID, EXPORT_AS],
        responses={
            (200, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="The export."),
            (200, "text/markdown"): OpenApiResponse(OpenApiTypes.STR, description="The export."),
            409: OpenApiResponse(description="Nothing in the product may be exported to you."),
        },
    )
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: Any = None) -> HttpResponse:
        """What the caller may export of the product, as a download (never DISPLAY ONLY)."""
        viewer = viewer_of(request)
        product = self.get_object()
        reading = read_product(product, viewer)
        export = None if reading is None else export_product(reading, viewer)
        if export is None:
            return Response(
                {"detail": "What you may read of this product is for display only: none of it "
                 "may be exported."},
                status=status.HTTP_409_CONFLICT,
            )  # fmt: skip
        fmt = "md" if request.query_params.get("as") == "md" else "txt"
        principal = principal_for(request.user)
        body = render_export(
            export,
            fmt,
            who=f"{request.user.get_username()} ({principal.nation_id})",
            on=timezone.localdate(),
        )
        audit.record(
            "export",
            actor=request.user,
            obj=product,
            marking=export.banner.render("banner"),
            detail={
                "format": fmt,
                "portions": [portion.pk for portion in export.portions],
                "with_metadata": export.with_metadata,
                "via": "api",
            },
        )
        response = HttpResponse(body, content_type=f"{EXPORT_FORMATS[fmt]}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="product-{product.pk}.{fmt}"'
        return response


router = DefaultRouter()
router.register("products", ProductViewSet, basename="product")

urlpatterns = router.urls
