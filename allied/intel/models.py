"""Intelligence products, their portions, disclosure requests and decisions, and requirements.

Every row that holds content is marked. A product's own marking covers its metadata (title,
originator, tags); each portion carries its portion mark; a viewer sees a product when it may see
its metadata and at least one portion, and then only the portions it may see. ``banner`` keeps
the roll-up of all portions (tearlines included, P8) for authors and analytics.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from allied.core.models.marked import MarkedModel, MarkedQuerySet, StoredMarking
from allied.intel.rules import Category
from allied.markings.authority import Authority

CATEGORY_CHOICES = [(c.value, c.label) for c in Category]


class Originator(models.TextChoices):
    US_AGENCY = "us_agency", "U.S. agency"
    PARTNER = "partner", "Partner (foreign government information)"


class ProductQuerySet(MarkedQuerySet):
    def with_visible_portions(self) -> ProductQuerySet:
        """Only products with at least one portion this queryset's viewer may see.

        A product whose every portion is withheld is left out entirely: an empty product would
        tell its viewer that something was withheld.
        """
        scope = self.scope
        if scope is None:
            return self
        portions = Portion.objects.visible_to(scope.viewer, on=scope.on, export=scope.export)
        return self.filter(models.Exists(portions.filter(product=models.OuterRef("pk"))))


class Product(MarkedModel):
    title = models.CharField(max_length=300)
    originator = models.CharField(max_length=16, choices=Originator.choices)
    originator_agency = models.CharField(max_length=120, blank=True)
    originator_nation = models.ForeignKey(
        "core.Nation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.PositiveSmallIntegerField(choices=CATEGORY_CHOICES)
    topics = models.JSONField(default=list, blank=True)
    regions = models.JSONField(default=list, blank=True)
    banner = models.ForeignKey(
        StoredMarking, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    # The classification authority block (EO 13526 sec. 1.6; ``allied.markings.authority``),
    # required on a classified product when it is written. Covered by the product's own marking,
    # like the title: it is shown wherever the title is, on a classified view of the product.
    classified_by = models.CharField("Classified By", max_length=200, blank=True)
    derived_from = models.CharField("Derived From", max_length=300, blank=True)
    classification_reason = models.CharField("Reason", max_length=120, blank=True)
    declassify_on = models.DateField("Declassify On", null=True, blank=True)
    declassify_event = models.CharField("Declassification event", max_length=200, blank=True)
    declass_exemption = models.CharField("Exemption (25X, 50X)", max_length=16, blank=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        base_manager_name = "objects"

    def __str__(self) -> str:
        return self.title

    @property
    def authority(self) -> Authority:
        return Authority(
            classified_by=self.classified_by,
            derived_from=self.derived_from,
            classification_reason=self.classification_reason,
            declassify_on=self.declassify_on,
            declassify_event=self.declassify_event,
            declass_exemption=self.declass_exemption,
        )


class Portion(MarkedModel):
    """One paragraph with its portion mark. ``section`` 0 is the body; 1, 2... are tearlines."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="portions")
    section = models.PositiveSmallIntegerField(default=0)
    order = models.PositiveIntegerField()
    text = models.TextField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["product", "section", "order"]
        base_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(
                fields=["product", "section", "order"], name="portion_place_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.marking.portion()} {self.text[:40]}"

    @property
    def in_tearline(self) -> bool:
        return self.section > 0


class PortionRevision(MarkedModel):
    """A portion as it was before a change (its old marking marks the revision)."""

    portion = models.ForeignKey(Portion, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    text = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()

    class Meta:
        ordering = ["portion", "-version"]
        base_manager_name = "objects"


class DisclosureCeiling(MarkedModel):
    """A partner's highest disclosable level in one category, from a date (normally NOFORN)."""

    nation = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="+")
    category = models.PositiveSmallIntegerField(choices=CATEGORY_CHOICES)
    level = models.PositiveSmallIntegerField()
    effective_from = models.DateField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()

    class Meta:
        ordering = ["nation", "category", "-effective_from"]
        base_manager_name = "objects"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    APPROVED_SANITISED = "approved_sanitised", "Approved with sanitisation"
    DENIED = "denied", "Denied"
    ESCALATED = "escalated", "Escalated (exception to policy)"


class DisclosureRequest(MarkedModel):
    """A request that a product, or chosen portions, be released to a partner for a purpose.

    Marked with the roll-up of the portions it names: the request reveals that they exist.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="requests")
    portions = models.ManyToManyField(Portion, related_name="requests")
    partner = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="+")
    purpose = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=24, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        base_manager_name = "objects"


class Outcome(models.TextChoices):
    APPROVE = "approve", "Approve"
    APPROVE_SANITISED = "approve_sanitised", "Approve with sanitisation"
    DENY = "deny", "Deny"
    ESCALATE = "escalate", "Escalate as an exception to policy"


class DisclosureDecision(MarkedModel):
    """One decision on a request; decisions are versioned (a later one supersedes, none is lost)."""

    request = models.ForeignKey(
        DisclosureRequest, on_delete=models.CASCADE, related_name="decisions"
    )
    number = models.PositiveIntegerField()
    outcome = models.CharField(max_length=24, choices=Outcome.choices)
    reason = models.TextField(blank=True)
    sanitised_text = models.TextField(blank=True)
    ceiling = models.PositiveSmallIntegerField(help_text="The partner's ceiling the officer saw.")
    trust_tier = models.PositiveSmallIntegerField(null=True, blank=True)
    product_version = models.PositiveIntegerField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["request", "number"]
        base_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="decision_number_once")
        ]


class RequirementKind(models.TextChoices):
    NEED = "need", "We need"
    COLLECT = "collect", "We already collect"


class CollectionRequirement(MarkedModel):
    """What a nation needs, or already collects, so that partners can divide the work."""

    nation = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=RequirementKind.choices)
    topic = models.CharField(max_length=120)
    region = models.CharField(max_length=120)
    starts = models.DateField()
    ends = models.DateField()
    priority = models.PositiveSmallIntegerField(default=3)
    description = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-priority", "starts", "pk"]
        base_manager_name = "objects"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gte=models.F("starts")), name="requirement_window_order"
            ),
            models.CheckConstraint(
                condition=models.Q(priority__gte=1, priority__lte=5), name="requirement_priority"
            ),
        ]


from allied.intel.models_stix import StixObject  # noqa: E402  (registers the model)

__all__ = [
    "CollectionRequirement",
    "DisclosureCeiling",
    "DisclosureDecision",
    "DisclosureRequest",
    "Portion",
    "PortionRevision",
    "Product",
    "StixObject",
]
