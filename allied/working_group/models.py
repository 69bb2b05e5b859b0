"""The working group's own records: partner priorities, request types, free-form requests and the
guidance log. Requests of the other modules stay in their modules; the queue reads them there.

Partner priorities and the guidance log are marked like any other content: how the group ranks a
partner, or what one U.S. body told it, is normally NOFORN.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from allied.core.models.marked import (
    MarkedModel,
    MarkedQuerySet,
    OneOf,
    StoredMarking,
    visible_marking_ids,
)


class PartnerPriority(MarkedModel):
    """The weight the working group gives a partner's requests, from a date on."""

    nation = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(0.1), MaxValueValidator(10)],
        help_text="1 is ordinary; 2 counts a partner's requests twice as much.",
    )
    effective_from = models.DateField()
    reason = models.TextField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["nation_id", "-effective_from", "-pk"]
        base_manager_name = "objects"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=0.1, weight__lte=10),
                name="partner_priority_weight_range",
            )
        ]


class RequestKind(models.Model):
    """A request type's target (days from opening) and weight, as the working group sets them.

    Not marked: the table says how the group weighs kinds of request, not anything of a partner.
    Types without a row use the defaults of ``allied.working_group.rules.priority``.
    """

    code = models.CharField(max_length=32, primary_key=True)
    label = models.CharField(max_length=80)
    target_days = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    weight = models.DecimalField(
        max_digits=4, decimal_places=2, validators=[MinValueValidator(0.1), MaxValueValidator(10)]
    )

    class Meta:
        ordering = ["code"]


class FreeformKind(models.TextChoices):
    LIAISON = "liaison", "Liaison"
    TRAINING = "training", "Training"
    EXERCISE = "exercise", "Exercise"
    OTHER = "other", "Other"


class FreeformStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DECLINED = "declined", "Declined"


OPEN_STATUSES = (FreeformStatus.OPEN, FreeformStatus.IN_PROGRESS)


class FreeformRequest(MarkedModel):
    """A partner's request that belongs to no other module: liaison, training, an exercise."""

    partner = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=FreeformKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.CharField(max_length=120, help_text="The U.S. office that owns the next step.")
    opened = models.DateField()
    target = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=FreeformStatus.choices, default=FreeformStatus.OPEN
    )
    blockers = models.TextField(blank=True, help_text="One blocker a line.")
    #: Strategic flags as ``",emergency,strategic,"`` (so the queue can weigh them in SQL).
    flags = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["opened", "pk"]
        base_manager_name = "objects"

    def __str__(self) -> str:
        return self.title

    @property
    def flag_list(self) -> tuple[str, ...]:
        return tuple(f for f in self.flags.split(",") if f)

    @staticmethod
    def flags_text(flags: Iterable[str]) -> str:
        """``",a,b,"`` for the flags ``a`` and ``b`` (sorted); ``""`` for none."""
        names = sorted({f.strip() for f in flags if f.strip()})
        return f",{','.join(names)}," if names else ""

    @property
    def blocker_list(self) -> tuple[str, ...]:
        return tuple(line.strip() for line in self.blockers.splitlines() if line.strip())


class Body(models.TextChoices):
    WHITE_HOUSE = "white_house", "White House"
    STATE = "state", "Department of State"
    OSD = "osd", "Office of the Secretary of Defense"
    JOINT_STAFF = "joint_staff", "Joint Staff"
    INDOPACOM = "indopacom", "Indo-Pacific Command"
    EMBASSY = "embassy", "Embassy"


class Position(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    CONDITIONAL = "conditional", "Supports with conditions"
    OPPOSES = "opposes", "Opposes"
    UNDECIDED = "undecided", "No position yet"


class GuidanceStatement(MarkedModel):
    """What a U.S. body told a partner on a topic, and the position it took; maybe a commitment."""

    partner = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="+")
    body = models.CharField(max_length=16, choices=Body.choices)
    speaker = models.CharField(max_length=120, blank=True, help_text="Office or post, not a name.")
    topic = models.CharField(max_length=120)
    position = models.CharField(max_length=16, choices=Position.choices)
    summary = models.TextField()
    said_on = models.DateField()
    commitment_due = models.DateField(
        null=True, blank=True, help_text="For a commitment: when it is due."
    )
    commitment_met_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-said_on", "-pk"]
        base_manager_name = "objects"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(commitment_met_on__isnull=True)
                | models.Q(commitment_due__isnull=False),
                name="guidance_met_only_for_a_commitment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_body_display()} to {self.partner_id} on {self.topic}"

    @property
    def is_commitment(self) -> bool:
        return self.commitment_due is not None


class QueueEntryQuerySet(MarkedQuerySet):
    """Queue rows restricted exactly as their source rows are.

    The core restricts by the row's marking (and, on PostgreSQL, the row-level security policy
    does too). Two rules of the sources go beyond a row's own marking, and are applied here in
    ``visible_to`` itself so that no page or count can forget them:

    - arms cases and licences are shown to a partner only for its own nation (``own_nation``,
      the rule of ``allied.arms.models.OwnNationQuerySet``);
    - a planning request about a plan is shown only to those who may see the plan
      (``plan_marking``, the rule of ``allied.planning.data.with_visible_plan``).
    """

    def visible_to(self, who: Any, *, on: date | None = None, export: bool = False) -> Self:
        rows = super().visible_to(who, on=on, export=export)
        scope = rows.scope
        assert scope is not None
        plans = visible_marking_ids(scope.compiled, export=scope.export, using=rows.db)
        plan_visible = models.Q(plan_marking__isnull=True)
        if plans:
            plan_visible |= models.Q(OneOf(models.F("plan_marking_id"), plans))
        rows = rows.filter(plan_visible)
        if not scope.viewer.is_us:
            rows = rows.filter(
                models.Q(own_nation=False) | models.Q(partner_id=scope.viewer.nation)
            )
        rows._allied_scope = scope
        return rows


class QueueEntry(MarkedModel):
    """One request of a queue source, narrowed to what the queue ranks, filters and counts by.

    Kept by the sources (``allied.working_group.entries``): written in the same transaction as
    the source row, so the queue is read from one indexed table instead of being scored across
    every module's open requests on every view. Marked with its source row's marking, so the
    restricted querysets and the row-level security policies hide it exactly as they hide the
    source row. ``score`` and ``escalation`` are stored for the day and the group's weights in
    ``QueueScoring``; what a page shows is still read again from the source.
    """

    #: The ``allied.core.queue.Source`` name (``"arms.cases"``) and its row's primary key.
    source = models.CharField(max_length=40)
    source_id = models.BigIntegerField()
    #: The source's position in the registry: ties in score and age rank as they always have.
    source_rank = models.PositiveSmallIntegerField()
    partner = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32)
    opened = models.DateField()
    target = models.DateField(null=True, blank=True)
    #: ``",a,b,"`` or ``""``, as the sources give them.
    flags = models.CharField(max_length=200, blank=True, default="")
    title = models.CharField(max_length=200, blank=True, default="")
    is_open = models.BooleanField(default=True)
    #: A partner sees the entry only when it is its own nation's (arms cases and licences).
    own_nation = models.BooleanField(default=False)
    #: The marking of the plan a planning request is about: hidden with the plan.
    plan_marking = models.ForeignKey(
        StoredMarking, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    score = models.FloatField(null=True)
    escalation = models.SmallIntegerField(null=True)

    objects = QueueEntryQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="queue_entry_source_row")
        ]
        indexes = [
            models.Index(
                models.F("score").desc(),
                "opened",
                "source_rank",
                "source_id",
                name="queue_entry_ranked",
                condition=models.Q(is_open=True),
            ),
        ]


class QueueScoring(models.Model):
    """For which day and which weights the stored scores of ``QueueEntry`` were computed.

    One row. ``digest`` is that of the group's weights (every partner priority in force on
    ``day``, and the request types); a viewer whose own weights have another digest (one who may
    not see every priority) is scored on the fly instead, so no stored score tells anyone a
    weight it may not see.
    """

    day = models.DateField()
    digest = models.CharField(max_length=64, blank=True, default="")
