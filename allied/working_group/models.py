"""The working group's own records: partner priorities, request types, free-form requests and the
guidance log. Requests of the other modules stay in their modules; the queue reads them there.

Partner priorities and the guidance log are marked like any other content: how the group ranks a
partner, or what one U.S. body told it, is normally NOFORN.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from allied.core.models.marked import MarkedModel


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
