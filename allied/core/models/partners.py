"""What the United States thinks of each partner: trust tiers, effective-dated and marked.

A U.S. assessment of an ally is normally NOFORN: it is a marked row like any other, so a partner's
liaison officer never sees the tier the United States gave its nation unless it is released.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from allied.core.models.marked import MarkedModel, MarkedQuerySet


class TrustTierQuerySet(MarkedQuerySet):
    def in_force_on(self, day: datetime.date) -> TrustTierQuerySet:
        """For each nation, the assessment in force on ``day`` (the latest that had started).

        Built on this queryset, so a viewer only ever sees the latest assessment it may see.
        """
        started = self.filter(effective_from__lte=day)
        newest = (
            started.filter(nation=models.OuterRef("nation"))
            .order_by("-effective_from", "-pk")
            .values("pk")[:1]
        )
        return started.filter(pk=models.Subquery(newest))


class TrustTier(MarkedModel):
    """A partner's trust tier from a date on, with who set it and why.

    Tiers run from 1 (limited sharing while counterintelligence practices mature) to 5 (the
    closest partners). Sharing starts limited and widens as a partner's tier rises.
    """

    nation = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="+")
    tier = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    effective_from = models.DateField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = TrustTierQuerySet.as_manager()

    class Meta:
        ordering = ["nation_id", "-effective_from", "-pk"]
        base_manager_name = "objects"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tier__gte=1, tier__lte=5), name="trust_tier_between_1_and_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.nation_id} tier {self.tier} from {self.effective_from}"
