"""Viewers that stand for a nation rather than a person (no Django model of their own)."""

from __future__ import annotations

from datetime import date

from allied.core.models import Membership
from allied.markings import Level
from allied.markings.access import Membership as ViewerMembership
from allied.markings.access import Viewer

__all__ = ["partner_viewer"]


def partner_viewer(iso3: str, clearance: Level, on: date) -> Viewer:
    """A partner nation as a viewer cleared to ``clearance``, with its communities on ``on``.

    Used to check that sanitised text is releasable to the partner within its ceiling; it holds
    no SCI, SAP or AEA access, since none is disclosed through this workflow.
    """
    rows = Membership.objects.current_on(on).filter(nation_id=iso3)
    return Viewer(
        nation=iso3,
        clearance=clearance,
        memberships=tuple(
            ViewerMembership(code, joined, left)
            for code, joined, left in rows.values_list("community__code", "joined", "left")
        ),
    )
