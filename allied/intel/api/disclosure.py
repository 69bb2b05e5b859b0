"""The foreign-disclosure API under /api/intel/: requests (list, retrieve, create) and decisions
(list, retrieve; made through the ``decide`` action of a request).

Both viewsets restrict before any handler runs: a request or decision the caller may not see is a
404 like a missing one, and lists and counts hold only what the caller may see. The role check
(a disclosure officer decides) comes after the record is found, so a 403 never tells anyone that
a hidden record exists.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from allied.core.access import Access, check
from allied.core.api.fields import MarkingField
from allied.core.models import Nation, Role
from allied.core.restricted import RestrictedViewSetMixin, show, viewer_of
from allied.intel import disclosure
from allied.intel.models import (
    DisclosureDecision,
    DisclosureRequest,
    Outcome,
    Portion,
    Product,
)
from allied.markings import Level

#: Who decides a request. Checked once the request is found, never before: a caller that may not
#: see the request is answered 404, as for a missing one, whatever its roles.
DECIDES = Access(
    allows=lambda principal: principal.has_role(Role.DISCLOSURE_OFFICER),
    reason="Only disclosure officers decide disclosure requests.",
)

# --- fields that only ever offer or accept what the caller may see ------------------------------


def _viewer(field: serializers.Field) -> Any:
    return viewer_of(field.context["request"])


class VisibleProductField(serializers.PrimaryKeyRelatedField):
    """A product the caller may see (with at least one portion it may see), by id."""

    def get_queryset(self) -> Any:
        return Product.objects.visible_to(_viewer(self)).with_visible_portions()


class VisiblePortions(serializers.ManyRelatedField):
    """A request's portions, read through the caller's restricted queryset."""

    def get_attribute(self, instance: Any) -> Any:
        cached = getattr(instance, "_prefetched_objects_cache", {}).get("portions")
        if cached is not None:
            return cached
        return Portion.objects.visible_to(_viewer(self)).filter(requests=instance)


class VisiblePortionField(serializers.PrimaryKeyRelatedField):
    """A portion the caller may see, by id."""

    def get_queryset(self) -> Any:
        return Portion.objects.visible_to(_viewer(self))

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> VisiblePortions:
        list_kwargs: dict[str, Any] = {"child_relation": cls(*args, **kwargs)}
        list_kwargs.update({k: v for k, v in kwargs.items() if k in MANY_RELATION_KWARGS})
        return VisiblePortions(**list_kwargs)


# --- serializers ---------------------------------------------------------------------------------


class DisclosureRequestSerializer(serializers.ModelSerializer):
    marking = MarkingField(read_only=True, help_text="The roll-up of the requested portions.")
    # Typed ids, not a list of choices: the browsable API's form would otherwise show the
    # caller every title and portion text it may see, unrecorded.
    product = VisibleProductField(
        queryset=Product.objects.all(), style={"base_template": "input.html"}
    )
    portions = VisiblePortionField(
        queryset=Portion.objects.all(),
        many=True,
        required=False,
        style={"base_template": "input.html"},
        help_text="U.S. askers: the portions to release. A partner names none: it asks for the "
        "rest of a product it reads in part.",
    )
    partner = serializers.SlugRelatedField(
        slug_field="iso3",
        queryset=Nation.objects.exclude(iso3="USA"),
        required=False,
        help_text="U.S. askers: the partner to release to. A partner asks for itself.",
    )
    requested_by = serializers.CharField(source="requested_by.get_username", read_only=True)

    class Meta:
        model = DisclosureRequest
        fields = [
            "id",
            "marking",
            "product",
            "portions",
            "partner",
            "purpose",
            "requested_by",
            "requested_at",
            "status",
            "decided_at",
            "scope",
        ]
        read_only_fields = ["id", "requested_by", "requested_at", "status", "decided_at", "scope"]


class DisclosureDecisionSerializer(serializers.ModelSerializer):
    marking = MarkingField(read_only=True)
    decided_by = serializers.CharField(source="decided_by.get_username", read_only=True)
    ceiling_title = serializers.SerializerMethodField(
        help_text="The partner's effective ceiling the officer saw, by name."
    )

    class Meta:
        model = DisclosureDecision
        fields = [
            "id",
            "marking",
            "request",
            "number",
            "outcome",
            "reason",
            "sanitised_text",
            "ceiling",
            "ceiling_title",
            "trust_tier",
            "product_version",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields

    def get_ceiling_title(self, obj: DisclosureDecision) -> str:
        return Level(obj.ceiling).title


class DecideSerializer(serializers.Serializer):
    """A decision. ``seen_number`` is the latest decision number the caller read (0 for none):
    if another decision came in since, nothing is written and the answer is 409."""

    outcome = serializers.ChoiceField(choices=Outcome.choices)
    seen_number = serializers.IntegerField(min_value=0)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    sanitised_text = serializers.CharField(required=False, allow_blank=True, default="")
    sanitised_marking = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The sanitised text's portion mark, e.g. (C//REL TO USA, JPN).",
    )
    release_metadata = serializers.BooleanField(required=False, default=False)
    seen_product_version = serializers.IntegerField(required=False, allow_null=True, default=None)


class PortionCheckSerializer(serializers.Serializer):
    portion = serializers.IntegerField(source="portion.pk")
    now = serializers.CharField(source="before")
    after_approval = serializers.CharField(source="after", allow_null=True)
    changes = serializers.BooleanField()
    blocked_by = serializers.CharField(source="widening.blocked_by", allow_null=True)
    rule = serializers.CharField(source="widening.rule", allow_null=True)


class DecisionContextSerializer(serializers.Serializer):
    """What a disclosure officer sees before deciding (read with GET on ``decide``)."""

    request = serializers.IntegerField(source="request.pk")
    partner = serializers.CharField()
    category = serializers.IntegerField(allow_null=True)
    recorded_ceiling = serializers.SerializerMethodField()
    trust_tier = serializers.SerializerMethodField()
    effective_ceiling = serializers.SerializerMethodField()
    latest_number = serializers.IntegerField()
    product_version = serializers.SerializerMethodField()
    portions = PortionCheckSerializer(many=True)
    hidden_portions = serializers.IntegerField()
    metadata_releasable = serializers.BooleanField()
    can_approve = serializers.BooleanField()
    blockers = serializers.ListField(child=serializers.CharField())

    def get_recorded_ceiling(self, ctx: disclosure.DecisionContext) -> str | None:
        return None if ctx.recorded is None else ctx.recorded.title

    def get_trust_tier(self, ctx: disclosure.DecisionContext) -> int | None:
        return None if ctx.tier is None else ctx.tier.tier

    def get_effective_ceiling(self, ctx: disclosure.DecisionContext) -> str:
        return ctx.effective.title

    def get_product_version(self, ctx: disclosure.DecisionContext) -> int | None:
        return None if ctx.product is None else ctx.product.version


# --- viewsets ------------------------------------------------------------------------------------


class DisclosureRequestViewSet(
    RestrictedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Requests that portions of a product be released to a partner, as far as each is visible
    to the caller. U.S. users name portions and a partner; a partner asks for the rest of a
    product it reads in part, naming none. Only disclosure officers decide them."""

    queryset_model = DisclosureRequest
    serializer_class = DisclosureRequestSerializer

    def get_queryset(self) -> Any:
        viewer = viewer_of(self.request)
        portions = Portion.objects.visible_to(viewer).order_by("section", "order", "pk")
        return (
            super()
            .get_queryset()
            .select_related("marking", "requested_by")
            .prefetch_related(Prefetch("portions", queryset=portions))
            .order_by("-requested_at", "-pk")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        viewer = viewer_of(request)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            made = disclosure.create_request(
                user=request.user,
                viewer=viewer,
                product=data["product"],
                portions=list(data.get("portions") or ()),
                partner=data.get("partner"),
                purpose=data["purpose"],
            )
        except disclosure.Refused as refused:
            raise ValidationError(_api_errors(refused.errors)) from refused
        out = self.get_serializer(made)
        return Response(out.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={200: DecisionContextSerializer},
        description="What a disclosure officer sees before deciding: the partner's ceiling for "
        "the product's category, its trust tier, the effective ceiling, and what approval "
        "would make of every requested portion.",
    )
    @extend_schema(
        methods=["POST"],
        request=DecideSerializer,
        responses={
            201: DisclosureDecisionSerializer,
            400: OpenApiResponse(description="The decision breaks a rule; nothing was written."),
            409: OpenApiResponse(
                description="Another decision or a product change came in since seen_number; "
                "nothing was written."
            ),
        },
        description="Record the next decision on this request (disclosure officers only).",
    )
    @action(detail=True, methods=["get", "post"], serializer_class=DecideSerializer)
    def decide(self, request: Request, pk: str | None = None) -> Response:
        req = self.get_object()
        check(request, DECIDES)
        viewer = viewer_of(request)
        if request.method == "GET":
            ctx = disclosure.decision_context(req, viewer)
            show(request, ctx.shown)
            return Response(DecisionContextSerializer(ctx).data)
        given = DecideSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            made = disclosure.decide_request(
                req.pk,
                user=request.user,
                viewer=viewer,
                given=disclosure.DecisionInput(**given.validated_data),
            )
        except disclosure.Refused as refused:
            raise ValidationError(_api_errors(refused.errors)) from refused
        show(request, [made])
        out = DisclosureDecisionSerializer(made, context=self.get_serializer_context())
        return Response(out.data, status=status.HTTP_201_CREATED)


class DisclosureDecisionViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Decisions on disclosure requests, numbered per request; a later one supersedes, none is
    changed. Each is marked with the roll-up of its request and of the partner's ceiling and
    trust tier the officer saw, so partners do not see them."""

    queryset_model = DisclosureDecision
    serializer_class = DisclosureDecisionSerializer

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .select_related("marking", "decided_by")
            .order_by("-decided_at", "-pk")
        )


def _api_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {("non_field_errors" if k == "__all__" else k): v for k, v in errors.items()}


router = DefaultRouter()
router.register("disclosure-requests", DisclosureRequestViewSet, basename="disclosure-request")
router.register("disclosure-decisions", DisclosureDecisionViewSet, basename="disclosure-decision")

urlpatterns = router.urls
