"""Coalition planning: partner capabilities and willingness, plans with allied roles, assumptions.

Every row that says anything about a partner or a plan is marked, so each planner reads only what
is releasable to its nation at its clearance:

* a partner's data about its own forces is its foreign government information and carries the
  marking it gave it;
* willingness is recorded apart from capability, per partner and contingency type, with who
  assessed it: a U.S. assessment of an ally is normally ``NOFORN`` and never reaches that ally;
* a contingency plan, its phases and tasks, the assignments of tasks to partners (the U.S.
  included) and what each partner's planners assume others will provide are marked row by row.

Capability types are the shared vocabulary every partner describes its forces in; they are public
(like NATO's capability codes) and so a plain table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from allied.core.models.marked import MarkedModel
from allied.planning.rules.model import (
    CONTINGENCY_TYPES,
    READINESS_LABELS,
    Stance,
)

CONTINGENCY_CHOICES = list(CONTINGENCY_TYPES.items())
READINESS_CHOICES = list(READINESS_LABELS.items())
STANCE_CHOICES = [(s.value, s.label) for s in Stance]


class CapabilityType(models.Model):
    """One entry of the shared capability vocabulary (public, unclassified)."""

    code = models.CharField(max_length=32, unique=True, help_text="Short code, e.g. AIR-LIFT.")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=60, help_text="What one unit of quantity is.")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.name})"


class PartnerCapability(MarkedModel):
    """What one partner holds of one capability type, when, where, and on whose word."""

    nation = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="+")
    capability_type = models.ForeignKey(
        CapabilityType, on_delete=models.PROTECT, related_name="holdings"
    )
    quantity = models.PositiveIntegerField()
    readiness = models.PositiveSmallIntegerField(choices=READINESS_CHOICES, default=2)
    available_from = models.DateField()
    available_to = models.DateField()
    location = models.CharField(max_length=200)
    source = models.CharField(
        max_length=300, blank=True, help_text="Who reported it (blank: unsourced)."
    )
    as_of = models.DateField(help_text="The date the figure was true.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["nation_id", "capability_type__code", "available_from", "pk"]
        base_manager_name = "objects"
        constraints = [
            models.CheckConstraint(
                condition=Q(available_to__gte=F("available_from")),
                name="planning_capability_window_order",
            ),
            models.CheckConstraint(
                condition=Q(readiness__gte=1, readiness__lte=4), name="planning_readiness_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nation_id} {self.capability_type.code} x{self.quantity}"


class Willingness(MarkedModel):
    """A partner's willingness to act in one type of contingency, as someone assessed it."""

    nation = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="+")
    contingency_type = models.CharField(max_length=32, choices=CONTINGENCY_CHOICES)
    stance = models.CharField(max_length=12, choices=STANCE_CHOICES)
    conditions = models.TextField(blank=True)
    assessed_by_nation = models.ForeignKey(
        "core.Nation",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Whose assessment: the partner itself, or the United States.",
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_on = models.DateField()
    basis = models.TextField(blank=True, help_text="What the assessment rests on.")

    class Meta:
        ordering = ["nation_id", "contingency_type", "-assessed_on", "pk"]
        base_manager_name = "objects"
        verbose_name_plural = "willingness assessments"
        constraints = [
            models.CheckConstraint(
                condition=~Q(stance="conditional") | ~Q(conditions=""),
                name="planning_conditional_names_conditions",
            )
        ]

    def __str__(self) -> str:
        return f"{self.nation_id} {self.contingency_type}: {self.stance}"


class Contingency(MarkedModel):
    """A contingency plan: what the coalition would do, in phases, from ``starts`` to ``ends``."""

    name = models.CharField(max_length=200)
    contingency_type = models.CharField(max_length=32, choices=CONTINGENCY_CHOICES)
    description = models.TextField(blank=True)
    starts = models.DateField()
    ends = models.DateField()
    owner = models.ForeignKey(
        "core.Nation",
        on_delete=models.PROTECT,
        related_name="+",
        default="USA",
        help_text="The nation whose planners write the plan and assign its tasks.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Counts edits, so two planners cannot overwrite each other."
    )
    validated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the owner's planner marked the plan validated by partners (every "
        "partner role accepted then).",
    )
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["starts", "name", "pk"]
        base_manager_name = "objects"
        verbose_name_plural = "contingencies"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gte=F("starts")), name="planning_contingency_window_order"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Phase(MarkedModel):
    contingency = models.ForeignKey(Contingency, on_delete=models.CASCADE, related_name="phases")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    starts = models.DateField()
    ends = models.DateField()

    class Meta:
        ordering = ["contingency", "order", "pk"]
        base_manager_name = "objects"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gte=F("starts")), name="planning_phase_window_order"
            )
        ]

    def __str__(self) -> str:
        return f"Phase {self.order}: {self.name}"


class Task(MarkedModel):
    """A task of a plan: a quantity of one capability type, in a window, at a place."""

    contingency = models.ForeignKey(Contingency, on_delete=models.CASCADE, related_name="tasks")
    phase = models.ForeignKey(
        Phase, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    name = models.CharField(max_length=200)
    capability_type = models.ForeignKey(
        CapabilityType, on_delete=models.PROTECT, related_name="tasks"
    )
    quantity = models.PositiveIntegerField()
    starts = models.DateField()
    ends = models.DateField()
    location = models.CharField(max_length=200)
    lead = models.ForeignKey(
        "core.Nation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The nation the plan wants to lead the task, if any.",
    )
    priority = models.PositiveSmallIntegerField(default=3)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["contingency", "starts", "-priority", "pk"]
        base_manager_name = "objects"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gte=F("starts")), name="planning_task_window_order"
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=5), name="planning_task_priority"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="planning_task_quantity"),
        ]

    def __str__(self) -> str:
        return self.name


class AssignmentOrigin(models.TextChoices):
    PLANNER = "planner", "Entered by a planner"
    OPTIMISER = "optimiser", "Applied from the optimiser's proposal"


class Assignment(MarkedModel):
    """A partner (the U.S. included) takes on a quantity of a task, as its lead or in support."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    nation = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    is_lead = models.BooleanField(default=False)
    origin = models.CharField(
        max_length=12, choices=AssignmentOrigin.choices, default=AssignmentOrigin.PLANNER
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task", "-is_lead", "nation_id", "pk"]
        base_manager_name = "objects"
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="planning_assignment_quantity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.nation_id} x{self.quantity} on {self.task_id}"


class RoleAnswerKind(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    CONDITIONAL = "conditional", "Accepted with conditions"
    DECLINED = "declined", "Declined"


class RoleAnswer(MarkedModel):
    """A partner's answer to its role on a task: accepted, accepted with conditions, declined.

    Every answer is a row and the latest of a (task, nation) counts (``rules.answers``): the
    history is the nation's willingness record for the role, and an answer is of the (task,
    nation), not of an assignment row, so it outlives them (a proposal applied again replaces
    them). Marked as the role it answers, so
    the answering nation reads it."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="answers")
    nation = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=12, choices=RoleAnswerKind.choices)
    conditions = models.TextField(blank=True, help_text="The partner's caveats, in its words.")
    reason = models.TextField(blank=True, help_text="Why the role is declined.")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["task", "nation_id", "-answered_at", "-pk"]
        base_manager_name = "objects"
        constraints = [
            models.CheckConstraint(
                condition=~Q(answer="conditional") | ~Q(conditions=""),
                name="planning_conditional_answer_names_conditions",
            ),
            models.CheckConstraint(
                condition=~Q(answer="declined") | ~Q(reason=""),
                name="planning_declined_answer_gives_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nation_id} {self.answer} on {self.task_id}"


class Assumption(MarkedModel):
    """What one partner's planners assume another partner (the U.S. included) will provide."""

    contingency = models.ForeignKey(
        Contingency, on_delete=models.CASCADE, related_name="assumptions"
    )
    holder = models.ForeignKey(
        "core.Nation", on_delete=models.PROTECT, related_name="+", help_text="Who assumes."
    )
    provider = models.ForeignKey(
        "core.Nation",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who is assumed to provide.",
    )
    capability_type = models.ForeignKey(
        CapabilityType, on_delete=models.PROTECT, related_name="assumptions"
    )
    quantity = models.PositiveIntegerField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contingency", "holder_id", "provider_id", "pk"]
        base_manager_name = "objects"
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="planning_assumption_quantity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.holder_id} assumes {self.provider_id} provides {self.quantity}"


class RequestKind(models.TextChoices):
    JOIN = "join", "Join the planning of a contingency"
    CONFIRM_ROLE = "confirm_role", "Confirm a role the partner assumes of the U.S."


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class PlanningRequest(MarkedModel):
    """A partner asks to join planning for a contingency, or asks the U.S. to confirm a role."""

    nation = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=RequestKind.choices)
    contingency = models.ForeignKey(
        Contingency, null=True, blank=True, on_delete=models.CASCADE, related_name="requests"
    )
    title = models.CharField(max_length=200)
    text = models.TextField()
    status = models.CharField(max_length=12, choices=RequestStatus.choices, default="open")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened = models.DateField()
    target = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField(null=True, blank=True)
    decision_note = models.TextField(
        blank=True, help_text="Why it was accepted or declined; the requesting partner reads it."
    )

    class Meta:
        ordering = ["status", "opened", "pk"]
        base_manager_name = "objects"

    def __str__(self) -> str:
        return self.title
