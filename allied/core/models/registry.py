"""The registry: nations, the communities they belong to, and when they joined or left.

Everything here is public, UNCLASSIFIED fact, and every row says where it comes from.
"""

from __future__ import annotations

import datetime

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q

from allied.core.models.identity import IdentityQuerySet


class MembershipQuerySet(IdentityQuerySet):
    def current_on(self, day: datetime.date) -> MembershipQuerySet:
        """Memberships in force on ``day``: joined on or before it and not yet left.

        A nation that left on ``day`` is no longer a member that day.
        """
        return self.filter(Q(joined__lte=day), Q(left__isnull=True) | Q(left__gt=day))


class NationQuerySet(models.QuerySet["Nation"]):
    def members_of(self, community: Community | str, on: datetime.date) -> NationQuerySet:
        """Nations that belong to ``community`` (a Community or its code) on the day ``on``."""
        memberships = Membership.objects.current_on(on)
        if isinstance(community, str):
            memberships = memberships.filter(community__code=community)
        else:
            memberships = memberships.filter(community=community)
        return self.filter(pk__in=memberships.values("nation"))

    def not_members_of(self, community: Community | str, on: datetime.date) -> NationQuerySet:
        """Nations that do not belong to ``community`` on the day ``on``."""
        return self.exclude(pk__in=Nation.objects.members_of(community, on).values("pk"))


class CommunityQuerySet(models.QuerySet["Community"]):
    def with_memberships(self) -> CommunityQuerySet:
        """Prefetch every membership with its nation, for pages and serializers that list them."""
        memberships = Membership.objects.select_related("nation").order_by("joined", "nation__name")
        return self.prefetch_related(models.Prefetch("memberships", queryset=memberships))


class Nation(models.Model):
    """A state, keyed by its ISO 3166-1 alpha-3 code (``USA``, ``JPN``, ``TWN``)."""

    iso3 = models.CharField(
        "ISO 3166-1 alpha-3",
        max_length=3,
        primary_key=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", "Three capital letters, e.g. USA.")],
    )
    name = models.CharField(max_length=100)
    source = models.TextField(help_text="Where the code and name come from.")

    objects = NationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.iso3})"


class CommunityKind(models.TextChoices):
    ALLIANCE = "alliance", "Alliance"
    INSTITUTION = "institution", "Institution"
    INTELLIGENCE = "intelligence", "Intelligence partnership"
    OTHER = "other", "Other"


class Community(models.Model):
    """A group of nations: an alliance, an institution, an intelligence partnership..."""

    code = models.CharField(max_length=32, unique=True, help_text="Short code, e.g. FVEY, NATO.")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=CommunityKind.choices)
    source = models.TextField(help_text="The treaty or public record that founds the community.")
    members = models.ManyToManyField(Nation, through="Membership", related_name="communities")

    objects = CommunityQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "communities"

    def __str__(self) -> str:
        return self.code


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    YEAR = "year", "Year only"
    # No public record gives the date (a locally configured community's first member, for
    # instance): the stored day is a placeholder and pages say the date is not published.
    UNPUBLISHED = "none", "Not published"


class Membership(models.Model):
    """One nation's membership of one community, from ``joined`` until ``left`` (if it left).

    Some public records give only the year a nation joined (the early UKUSA partners, for
    instance). Those rows store 1 January of that year with ``joined_precision = YEAR`` so pages
    show "1956", not a day nobody recorded.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    nation = models.ForeignKey(Nation, on_delete=models.CASCADE, related_name="memberships")
    joined = models.DateField()
    joined_precision = models.CharField(
        max_length=4, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    left = models.DateField(null=True, blank=True)
    source = models.TextField(help_text="The accession record, treaty or public page.")

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["community", "joined", "nation"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "nation", "joined"], name="membership_once_per_joining"
            ),
            models.CheckConstraint(
                condition=Q(left__isnull=True) | Q(left__gt=F("joined")),
                name="membership_leaves_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nation_id} in {self.community} from {self.joined_display}"

    @property
    def joined_display(self) -> str:
        """The join date as precisely as the record gives it."""
        if self.joined_precision == DatePrecision.YEAR:
            return str(self.joined.year)
        if self.joined_precision == DatePrecision.UNPUBLISHED:
            return "date not published"
        return self.joined.isoformat()


class AgreementKind(models.TextChoices):
    GSOMIA = "GSOMIA", "General Security of Military Information Agreement"
    GSOIA = "GSOIA", "General Security of Information Agreement"
    ISA = "ISA", "Industrial Security Agreement"
    OTHER = "other", "Other security agreement"


class SecurityAgreement(models.Model):
    """A security agreement between the United States and one partner, with its dates.

    A GSOMIA (or the wider GSOIA) sets the terms on which classified information passes between
    the two governments; an industrial security agreement extends them to contractors. Each row
    is a public fact and names its source; ``in_force`` and ``ended`` are blank when no public
    record at hand gives them, not because they are known to be empty.
    """

    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="security_agreements")
    kind = models.CharField(max_length=8, choices=AgreementKind.choices)
    title = models.CharField(max_length=300)
    signed = models.DateField()
    in_force = models.DateField(null=True, blank=True)
    ended = models.DateField(null=True, blank=True)
    source = models.TextField(help_text="The treaty series entry, text or public record.")

    class Meta:
        ordering = ["nation", "signed", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["nation", "kind", "signed"], name="security_agreement_once"
            ),
            models.CheckConstraint(
                condition=Q(in_force__isnull=True) | Q(in_force__gte=F("signed")),
                name="security_agreement_in_force_after_signing",
            ),
            models.CheckConstraint(
                condition=Q(ended__isnull=True) | Q(ended__gt=F("signed")),
                name="security_agreement_ends_after_signing",
            ),
        ]

    def __str__(self) -> str:
        return f"U.S.-{self.nation_id} {self.kind} signed {self.signed.isoformat()}"
