"""Arms sales: FMS cases with their stages, parallel reviews, blockers and items; DCS licences;
coordinated-case groups.

Every row that can hold sensitive content is marked: a case (its partner, values and schedule
are often NOFORN until notified), each stage record and history entry, each review (a TSFD
decision is rarely releasable), each blocker (some are releasable to the partner, some are not)
and each item. A partner's users see only their own nation's cases (``allied.arms.access``) and,
within them, only the rows releasable to them.

Dates are days (``DateField``): the lifecycle is measured in days, as the SAMM targets are.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models

from allied.arms.rules.lifecycle import REVIEW_LABELS, STAGE_INFO, AodGroup, DcsStep, Stage
from allied.arms.rules.notification import Channel
from allied.core.models.marked import MarkedModel, MarkedQuerySet, StoredMarking, restrict_to

STAGE_CHOICES = [(s.value, STAGE_INFO[s].label) for s in Stage]
REVIEW_CHOICES = [(r.value, label) for r, label in REVIEW_LABELS.items()]
AOD_CHOICES = [(g.value, f"Group {g.value}") for g in AodGroup]
DCS_CHOICES = [(s.value, s.value.replace("_", " ").capitalize()) for s in DcsStep]


class OwnNationQuerySet(MarkedQuerySet):
    """Marked rows that a partner's users see only for their own nation, as SCIP shows a
    purchaser its own cases: restricted by marking first (the core), then by nation.

    U.S. viewers see every row their markings allow. The nation filter is part of
    ``visible_to`` itself, so every page, API response, count, chart and queue item that reads
    these rows through the restricted queryset gets it; nothing can forget it.
    """

    nation_path: ClassVar[str] = "partner_id"

    def visible_to(self, who: Any, *, on: date | None = None, export: bool = False) -> Self:
        rows = super().visible_to(who, on=on, export=export)
        scope = rows.scope
        assert scope is not None
        if scope.viewer.is_us:
            return rows
        restricted = rows.filter(**{self.nation_path: scope.viewer.nation})
        restricted._allied_scope = scope
        return restricted


class CaseRowQuerySet(OwnNationQuerySet):
    nation_path = "case__partner_id"


class GroupQuerySet(MarkedQuerySet):
    """Coordination groups; a partner sees a group only when one of its own cases is in it."""

    def visible_to(self, who: Any, *, on: date | None = None, export: bool = False) -> Self:
        rows = super().visible_to(who, on=on, export=export)
        scope = rows.scope
        assert scope is not None
        if scope.viewer.is_us:
            return rows
        own = Case.objects.visible_to(scope.viewer, on=scope.on, export=export)
        return rows.filter(pk__in=own.filter(group__isnull=False).values("group_id"))


class CoordinationGroup(MarkedModel):
    """Cases of several partners for the same capability, meant to move together."""

    name = models.CharField(max_length=200)
    capability = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        base_manager_name = "objects"

    def __str__(self) -> str:
        return self.name


class Case(MarkedModel):
    """One FMS case, from the letter of request to closure."""

    identifier = models.CharField(max_length=20, unique=True, help_text="e.g. PH-D-SAB")
    partner = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    capability = models.CharField(max_length=200, blank=True)
    implementing_agency = models.CharField(max_length=40)
    aod_group = models.CharField(max_length=1, choices=AOD_CHOICES, default=AodGroup.B)
    stage = models.CharField(max_length=24, choices=STAGE_CHOICES, db_index=True)
    stage_entered = models.DateField()
    stage_owner = models.CharField(max_length=80, blank=True)
    lor_received = models.DateField(null=True, blank=True)
    lor_reference = models.CharField(max_length=60, blank=True)
    anticipated_offer = models.DateField(null=True, blank=True)
    offered = models.DateField(null=True, blank=True)
    offer_expires = models.DateField(null=True, blank=True)
    delivered = models.DateField(null=True, blank=True)
    closed = models.DateField(null=True, blank=True)
    mde_value = models.BigIntegerField(default=0)
    total_value = models.BigIntegerField(default=0)
    design_construction_value = models.BigIntegerField(default=0)
    usml_category = models.CharField(max_length=10, blank=True)
    emergency = models.BooleanField(default=False)
    sensitivity = models.JSONField(default=list, blank=True, help_text="e.g. ['MTCR', 'LO/CLO']")
    #: The engine's decision when the case was last saved (the page recomputes it live).
    notification_required = models.BooleanField(default=False)
    review_days = models.PositiveSmallIntegerField(default=0)
    notified = models.DateField(null=True, blank=True)
    group = models.ForeignKey(
        CoordinationGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: Monte Carlo forecasts (days are dates here), recomputed when a stage completes.
    offer_p10 = models.DateField(null=True, blank=True)
    offer_p50 = models.DateField(null=True, blank=True)
    offer_p90 = models.DateField(null=True, blank=True)
    delivery_p10 = models.DateField(null=True, blank=True)
    delivery_p50 = models.DateField(null=True, blank=True)
    delivery_p90 = models.DateField(null=True, blank=True)
    offer_on_time = models.FloatField(null=True, blank=True)
    forecast_on = models.DateField(null=True, blank=True)
    fictional = models.BooleanField(default=True)
    #: Bumped by every edit and stage change: a change made from an older version is refused.
    version = models.PositiveIntegerField(default=1)

    objects = OwnNationQuerySet.as_manager()

    class Meta:
        ordering = ["-lor_received", "-pk"]
        base_manager_name = "objects"
        indexes = [
            models.Index(fields=["partner", "stage"]),
            models.Index(fields=["-lor_received", "-id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    mde_value__gte=0, total_value__gte=0, design_construction_value__gte=0
                ),
                name="arms_case_values_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} {self.title}"

    @property
    def channel(self) -> Channel:
        return Channel.FMS

    @property
    def stage_label(self) -> str:
        return STAGE_INFO[Stage(self.stage)].label

    @property
    def is_open(self) -> bool:
        return self.stage not in (Stage.DELIVERED, Stage.CLOSED)


class StageRecord(MarkedModel):
    """One stage of one case: when it started and completed, who owned it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(max_length=24, choices=STAGE_CHOICES)
    entered = models.DateField()
    completed = models.DateField(null=True, blank=True)
    days = models.PositiveIntegerField(null=True, blank=True)
    owner = models.CharField(max_length=80)
    target_days = models.PositiveIntegerField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    objects = CaseRowQuerySet.as_manager()

    class Meta:
        ordering = ["case", "entered", "pk"]
        base_manager_name = "objects"
        indexes = [
            models.Index(fields=["stage", "owner"]),
            # Open stages past their target, for the analytics page.
            models.Index(
                fields=["target_days", "entered"],
                condition=models.Q(completed__isnull=True),
                name="arms_stage_open_target",
            ),
        ]

    @property
    def stage_label(self) -> str:
        return STAGE_INFO[Stage(self.stage)].label

    @property
    def past_target(self) -> bool:
        return self.target_days is not None and (self.days or 0) > self.target_days


class ReviewDecision(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    CONDITIONS = "conditions", "Approved with conditions"
    DENIED = "denied", "Denied"


class Review(MarkedModel):
    """A technology security or releasability review, run in parallel with the others."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    review_type = models.CharField(max_length=20, choices=REVIEW_CHOICES)
    owner = models.CharField(max_length=80)
    started = models.DateField()
    decided = models.DateField(null=True, blank=True)
    days = models.PositiveIntegerField(null=True, blank=True)
    decision = models.CharField(
        max_length=12, choices=ReviewDecision.choices, default=ReviewDecision.PENDING
    )
    note = models.TextField(blank=True)

    objects = CaseRowQuerySet.as_manager()

    class Meta:
        ordering = ["case", "started", "pk"]
        base_manager_name = "objects"


class Blocker(MarkedModel):
    """Why a case waits: on whom, since when; optionally on another case of its group."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="blockers")
    text = models.TextField()
    owner = models.CharField(max_length=80)
    opened = models.DateField()
    resolved = models.DateField(null=True, blank=True)
    waits_on = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="blocking"
    )

    objects = CaseRowQuerySet.as_manager()

    class Meta:
        ordering = ["case", "opened", "pk"]
        base_manager_name = "objects"


class Item(MarkedModel):
    """A line of a case: what is sold, whether it is MDE, its USML category and value."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="items")
    description = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField(default=1)
    mde = models.BooleanField(default=False)
    usml_category = models.CharField(max_length=10, blank=True)
    value = models.BigIntegerField(default=0)

    objects = CaseRowQuerySet.as_manager()

    class Meta:
        ordering = ["case", "pk"]
        base_manager_name = "objects"


class HistoryEntry(MarkedModel):
    """What happened to a case, by whom (stage completions, decisions, blockers)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField()

    objects = CaseRowQuerySet.as_manager()

    class Meta:
        ordering = ["case", "-at", "-pk"]
        base_manager_name = "objects"


class StatQuerySet(OwnNationQuerySet):
    """Roll-up rows are visible when both the rows and the cases they count are."""

    def visible_to(self, who: Any, *, on: date | None = None, export: bool = False) -> Self:
        rows = super().visible_to(who, on=on, export=export)
        scope = rows.scope
        assert scope is not None
        restricted = restrict_to(rows, "case_marking_id", scope.compiled, export=export)
        restricted._allied_scope = scope
        return restricted


class StatKind(models.TextChoices):
    STAGE = "stage", "Stage"
    REVIEW = "review", "Review"


class StageStat(MarkedModel):
    """Completed stages and reviews summed by partner, stage (or review type) and owner.

    A roll-up kept in the same transaction as every stage completion (``allied.arms.stats``),
    so the analytics page reads a few hundred rows instead of every stage record. Each row sums
    records of one marking whose cases have one marking (``case_marking``): a viewer sees the
    row only when it may see both, exactly as it would see the records themselves.
    """

    case_marking = models.ForeignKey(
        StoredMarking, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    partner = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=StatKind.choices)
    key = models.CharField(max_length=24)
    owner = models.CharField(max_length=80)
    total_days = models.BigIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0, help_text="Completed after their target.")

    objects = StatQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(
                fields=["marking", "case_marking", "partner", "kind", "key", "owner"],
                name="arms_stat_once",
            )
        ]


class Licence(MarkedModel):
    """A direct commercial sale licence application (DDTC), notified under AECA 36(c)."""

    reference = models.CharField(max_length=30, unique=True)
    partner = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="+")
    applicant = models.CharField(max_length=200, help_text="The U.S. exporter (fictional).")
    description = models.CharField(max_length=300)
    usml_category = models.CharField(max_length=10)
    mde_value = models.BigIntegerField(default=0)
    total_value = models.BigIntegerField(default=0)
    step = models.CharField(max_length=24, choices=DCS_CHOICES)
    submitted = models.DateField()
    decided = models.DateField(null=True, blank=True)
    notification_required = models.BooleanField(default=False)
    review_days = models.PositiveSmallIntegerField(default=0)
    owner = models.CharField(max_length=80, default="State DDTC")
    fictional = models.BooleanField(default=True)

    objects = OwnNationQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted", "-pk"]
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.reference} {self.description}"

    @property
    def is_open(self) -> bool:
        return DcsStep(self.step) in {DcsStep.SUBMITTED, DcsStep.STAFFING, DcsStep.NOTIFICATION}
