"""People and ties: officials, their languages, billets and postings, contacts, crisis pairs.

Every model here is marked, because each can be sensitive on its own: an official's record (a
name beside an organisation), a billet of a sensitive unit, who held it when, who met whom
(a contact and each person's part in it) and which billets must work together in a crisis. A
row is visible only when its own marking is, and pages read joined rows through restricted
querysets, so a visible posting of a hidden official is not shown either.

A participation (one official's part in one contact) carries its own marking, normally the
contact's: a contact may be releasable while one participant's presence is not.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from allied.core.models.marked import MarkedModel
from allied.people.rules.ilr import LANGUAGES, LEVEL_CHOICES, MAX_STEP, format_level

LANGUAGE_CHOICES = sorted(LANGUAGES.items(), key=lambda item: item[1])
_ILR = [MinValueValidator(0), MaxValueValidator(MAX_STEP)]


class Official(MarkedModel):
    """A U.S. or allied official: who they are, for which nation and organisation."""

    name = models.CharField(max_length=200)
    nation = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="+")
    organisation = models.CharField(max_length=200)
    grade = models.CharField(max_length=80, blank=True, help_text="Rank or civilian grade.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The Allied account of the same person, when they have one.",
    )
    notes = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["nation_id", "name", "pk"]
        base_manager_name = "objects"
        indexes = [models.Index(fields=["nation", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.nation_id})"


class LanguageSkill(MarkedModel):
    """An official's ILR levels in one language, in half steps (``2 * level + plus``)."""

    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(max_length=3, choices=LANGUAGE_CHOICES)
    listening = models.PositiveSmallIntegerField(choices=LEVEL_CHOICES, validators=_ILR)
    reading = models.PositiveSmallIntegerField(choices=LEVEL_CHOICES, validators=_ILR)
    speaking = models.PositiveSmallIntegerField(choices=LEVEL_CHOICES, validators=_ILR)
    tested_on = models.DateField(null=True, blank=True)
    source = models.CharField(
        max_length=200, blank=True, help_text="Where the levels come from (a test, a board)."
    )

    class Meta:
        ordering = ["official", "language"]
        base_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(fields=["official", "language"], name="one_level_per_language"),
            models.CheckConstraint(
                condition=models.Q(
                    listening__lte=MAX_STEP, reading__lte=MAX_STEP, speaking__lte=MAX_STEP
                ),
                name="ilr_levels_on_the_scale",
            ),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def summary(self) -> str:
        return (
            f"{self.get_language_display()}: L{format_level(self.listening)} "
            f"R{format_level(self.reading)} S{format_level(self.speaking)}"
        )


class Billet(MarkedModel):
    """A position that people hold in turn (a U.S. operational planner, a Joint Staff desk)."""

    code = models.CharField(max_length=40, help_text="The owning nation's billet number.")
    title = models.CharField(max_length=200)
    nation = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="+")
    organisation = models.CharField(max_length=200)
    partner = models.ForeignKey(
        "core.Nation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For a U.S. billet, the partner its holder works with.",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["nation_id", "code", "pk"]
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.title} ({self.nation_id} {self.code})"


class Posting(MarkedModel):
    """One official holding one billet from ``starts`` to ``ends`` (inclusive; open if null)."""

    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="postings")
    billet = models.ForeignKey(Billet, on_delete=models.CASCADE, related_name="postings")
    starts = models.DateField()
    ends = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["billet", "-starts", "pk"]
        base_manager_name = "objects"
        indexes = [models.Index(fields=["billet", "starts"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__isnull=True) | models.Q(ends__gte=models.F("starts")),
                name="posting_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.official_id} in {self.billet_id} from {self.starts}"

    def clean(self) -> None:
        if self.ends is not None and self.starts is not None and self.ends < self.starts:
            raise ValidationError({"ends": "A posting ends on or after the day it starts."})


class ContactKind(models.TextChoices):
    MEETING = "meeting", "Meeting"
    EXERCISE = "exercise", "Exercise"
    DIALOGUE = "dialogue", "Dialogue"
    EXCHANGE = "exchange", "Exchange"
    COURSE = "course", "Course"


class Contact(MarkedModel):
    """A meeting, exercise, dialogue, exchange or course at which officials met."""

    kind = models.CharField(max_length=16, choices=ContactKind.choices)
    title = models.CharField(max_length=200)
    starts = models.DateField()
    ends = models.DateField(null=True, blank=True)
    setting = models.CharField(max_length=200, help_text="Where, and in what forum.")
    summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts", "-pk"]
        base_manager_name = "objects"
        indexes = [models.Index(fields=["starts"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__isnull=True) | models.Q(ends__gte=models.F("starts")),
                name="contact_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts})"


class Participation(MarkedModel):
    """One official's part in one contact (marked: who was there can be sensitive)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="participations")
    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="participations")
    role = models.CharField(max_length=120, blank=True, help_text="e.g. head of delegation.")

    class Meta:
        ordering = ["contact", "pk"]
        base_manager_name = "objects"
        # Covers the coverage query's scan of the holders' participations (index-only).
        indexes = [models.Index(fields=["official", "contact", "marking"])]
        constraints = [
            models.UniqueConstraint(fields=["contact", "official"], name="present_once_per_contact")
        ]

    def __str__(self) -> str:
        return f"{self.official_id} at {self.contact_id}"


class CrisisPair(MarkedModel):
    """A U.S. billet and a partner's billet whose holders must work together in a crisis."""

    us_billet = models.ForeignKey(Billet, on_delete=models.CASCADE, related_name="pairs_as_us")
    partner_billet = models.ForeignKey(
        Billet, on_delete=models.CASCADE, related_name="pairs_as_partner"
    )
    scenario = models.CharField(max_length=200, help_text="The crisis in which they must work.")
    priority = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text="1 is the highest.",
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["priority", "pk"]
        base_manager_name = "objects"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(us_billet=models.F("partner_billet")),
                name="crisis_pair_of_two_billets",
            )
        ]

    def __str__(self) -> str:
        return f"{self.us_billet_id} with {self.partner_billet_id}: {self.scenario}"


class PairContact(MarkedModel):
    """Derived: two officials present at one contact (one row per pair of participants).

    Kept in step with contacts and participations by ``allied.people.derived`` (signals), so
    that whether the holders of 1,000 crisis pairs have met is 1,000 index look-ups rather than a
    join of their whole contact histories. Marked with the contact's marking, and carrying the
    markings of both participations: a viewer counts the row only if it may see all three.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    official_a = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="+")
    official_b = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=41, help_text="'<lower id>-<higher id>' of the two.")
    day = models.DateField()
    marking_a = models.ForeignKey("core.StoredMarking", on_delete=models.PROTECT, related_name="+")
    marking_b = models.ForeignKey("core.StoredMarking", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["key", "day", "pk"]
        base_manager_name = "objects"
        indexes = [models.Index(fields=["key", "day"])]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "official_a", "official_b"], name="pair_once_per_contact"
            )
        ]


def pair_contact_key(a: int, b: int) -> str:
    low, high = sorted((int(a), int(b)))
    return f"{low}-{high}"
