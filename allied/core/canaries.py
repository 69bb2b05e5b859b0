"""Canary rows of the core's marked models, for the leak tests (``allied.core.testing.leaks``)."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model

from allied.core.models import Bulletin, Nation, StoredMarking, TrustTier
from allied.core.testing.leaks import canary_factory


def _author() -> object:
    user, _ = get_user_model().objects.get_or_create(username="canary.author")
    return user


@canary_factory(Bulletin)
def bulletin(marking: StoredMarking, text: str) -> Bulletin:
    obj = Bulletin(title=f"Bulletin {text}", body=f"Body {text}", author=_author(), marking=marking)
    obj.save()
    return obj


@canary_factory(TrustTier)
def trust_tier(marking: StoredMarking, text: str) -> TrustTier:
    nation, _ = Nation.objects.get_or_create(iso3="JPN", defaults={"name": "Japan", "source": "-"})
    obj = TrustTier(
        nation=nation,
        tier=3,
        effective_from=datetime.date(2026, 1, 1),
        set_by=_author(),
        reason=f"Assessment {text}",
        marking=marking,
    )
    obj.save()
    return obj
