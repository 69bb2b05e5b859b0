"""Intelligence products, their portions, disclosure requests and decisions, and requirements.

Every row that holds content is marked. A product's own marking covers its metadata (title,
originator, tags); each portion carries its portion mark; a viewer sees a product when it may see
its metadata and at least one portion, and then only the portions it may see. ``banner`` keeps
the roll-up of all portions (tearlines included, P8) for authors and analytics. Imported STIX
2.1 objects (``StixObject``) are marked rows too.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.conf import settings
from django.db import models

from allied.core.models.marked import (
    MarkedModel,
    MarkedQuerySet,
    StoredMarking,
    visible_marking_ids,
)
from allied.intel.rules.disclosure import Category
from allied.markings.authority import Authority

CATEGORY_CHOICES = [(c.value, c.label) for c in Category]


class Originator(models.TextChoices):
    US_AGENCY = "us_agency", "U.S. agency"
    PARTNER = "partner", "Partner (foreign government information)"


class MarkingIdsField(models.Field):
    """The distinct stored-marking ids of a product's portions, kept by the database.

    ``bigint[]`` on PostgreSQL (so that ``&&`` can compare it with a viewer's visible markings),
    a JSON list in a text column on SQLite. Triggers written by migration 0007 recompute it from
    ``intel_portion`` whenever a portion is inserted, changed or deleted and whenever the product
    row is updated, so the value the ORM sends is never the one stored: a stale copy held in
    Python cannot overwrite it, and every writer (authoring, imports, the demo, raw SQL in the
    benchmarks) keeps it without doing anything.
    """

    def db_type(self, connection: Any) -> str:
        return "bigint[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        ids = sorted(int(v) for v in (value or []))
        return ids if connection.vendor == "postgresql" else json.dumps(ids)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> list[int]:
        if value is None:
            return []
        if isinstance(value, str):
            return [int(v) for v in json.loads(value)]
        return [int(v) for v in value]

    def to_python(self, value: Any) -> list[int]:
        if isinstance(value, str):
            return [int(v) for v in json.loads(value)]
        return [int(v) for v in (value or [])]


class Overlaps(models.Func):
    """``column && ids`` on PostgreSQL; an ``EXISTS`` over ``json_each`` on SQLite.

    True when the product has at least one portion whose marking is among ``ids``.
    """

    output_field = models.BooleanField()

    def __init__(self, column: Any, ids: list[int]) -> None:
        super().__init__(column)
        self.ids = sorted(int(i) for i in ids)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        lhs, params = compiler.compile(self.source_expressions[0])
        if not self.ids:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            return f"{lhs} && %s::bigint[]", [*params, self.ids]
        marks = ", ".join(["%s"] * len(self.ids))
        sql = f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value IN ({marks}))"
        return sql, [*params, *self.ids]


class ProductQuerySet(MarkedQuerySet):
    def with_visible_portions(self) -> ProductQuerySet:
        """Only products with at least one portion this queryset's viewer may see.

        A product whose every portion is withheld is left out entirely: an empty product would
        tell its viewer that something was withheld. Decided on the product row, from the
        markings its portions carry (``portion_markings``), so a list never scans portions:
        visibility depends only on the marking, and the viewer's visible markings are the ones
        its portion querysets would be restricted to (``visible_marking_ids``). What a page then
        shows is still read through the portions' own restricted queryset (``read_products``)
        and the portions' row-level security policy.
        """
        scope = self.scope
        if scope is None:
            return self
        visible = visible_marking_ids(scope.compiled, export=scope.export, using=self.db)
        return self.filter(Overlaps(models.F("portion_markings"), visible))

    def with_visible_portions_by_scan(self) -> ProductQuerySet:
        """The same filter as ``with_visible_portions``, by an ``EXISTS`` over the portions.

        The definition the array must agree with; kept for tests that compare the two.
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
    # Kept by the database from the portions (``MarkingIdsField``); never shown or serialised:
    # it is what lists filter on, so that they need not scan every portion.
    portion_markings = MarkingIdsField(default=list, editable=False)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        base_manager_name = "objects"
        indexes = [models.Index(fields=["-created", "-id"], name="intel_product_newest")]

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


class RequestScope(models.TextChoices):
    #: A U.S. user names the portions to release: the request is marked with their roll-up.
    PORTIONS = "portions", "Chosen portions"
    #: A partner that reads part of a product (its tearline) asks for more of it. It names no
    #: portion, since it may not know of any: the officer sees what the partner cannot read yet.
    REST = "rest", "The rest of the product"


class DisclosureRequest(MarkedModel):
    """A request that a product, or chosen portions, be released to a partner for a purpose.

    Marked with the roll-up of the portions it names: the request reveals that they exist. A
    partner's request for the rest of a product names none, and is marked so that the partner
    (and no other partner) may read it.
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
    scope = models.CharField(
        max_length=16, choices=RequestScope.choices, default=RequestScope.PORTIONS
    )

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


class AgreementStatus(models.TextChoices):
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class CollectionAgreement(MarkedModel):
    """An offer by one nation to collect a requirement of another, and the other's answer.

    ``collector`` (the offering nation) collects the requirement's topic and region in the window
    (``starts`` to ``ends``); ``relying`` (the requirement's nation) relies on it once it accepts.
    An accepted split whose window has ended has lapsed (``allied.intel.rules.coverage``). Marked
    (by default releasable to both nations) and dated: offered, then answered, once (``version``
    moves from 1 to 2 with the answer, so of two answers exactly one goes through).
    """

    requirement = models.ForeignKey(
        CollectionRequirement, on_delete=models.CASCADE, related_name="agreements"
    )
    collector = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="+")
    relying = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(max_length=120)
    region = models.CharField(max_length=120)
    starts = models.DateField()
    ends = models.DateField()
    terms = models.TextField(help_text="Who collects what, and how the other receives it.")
    status = models.CharField(
        max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.OFFERED
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    offered_at = models.DateTimeField(auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-offered_at", "-pk"]
        base_manager_name = "objects"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gte=models.F("starts")), name="agreement_window_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.collector_id} collects {self.topic}, {self.region} for {self.relying_id}"

    def lapsed_on(self, day: datetime.date) -> bool:
        return self.status == AgreementStatus.ACCEPTED and self.ends < day


# STIX 2.1 objects imported into Allied (from MISP, OpenCTI or a partner's TAXII server). Each
# object is stored whole, as JSON, and marked: with the marking its own Allied extension carries,
# or with the marking the importer gave the bundle. TAXII serves each principal only the objects
# whose marking it may see.
class StixObject(MarkedModel):
    collection = models.CharField(max_length=64, db_index=True)
    stix_id = models.CharField(max_length=100)
    stix_type = models.CharField(max_length=64)
    modified = models.DateTimeField()
    date_added = models.DateTimeField(db_index=True)
    body = models.JSONField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        app_label = "intel"
        ordering = ["date_added", "pk"]
        base_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "stix_id", "modified"], name="stix_version_once"
            )
        ]
        indexes = [models.Index(fields=["collection", "date_added", "id"])]

    def __str__(self) -> str:
        return self.stix_id


__all__ = [
    "AgreementStatus",
    "CollectionAgreement",
    "CollectionRequirement",
    "DisclosureCeiling",
    "DisclosureDecision",
    "DisclosureRequest",
    "Portion",
    "PortionRevision",
    "Product",
    "StixObject",
]
