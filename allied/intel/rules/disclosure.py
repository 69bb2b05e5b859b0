"""Foreign-disclosure rules in plain Python (no Django): categories, ceilings, widening a release.

* The eight categories of classified military information of the National Disclosure Policy
  (NDP-1, as DoD Directive 5230.11 describes it publicly). Each partner has, per category, a
  highest level that may be disclosed to it: its *ceiling*.
* Trust tiers raise ceilings as they rise: ``tier_ceiling`` is the floor that a partner's tier
  gives it in every category; a partner's own recorded ceiling can only add to it.
* ``widen_release`` (in the markings engine, ``allied.markings.release``) computes the marking of
  a portion once a disclosure officer has approved its release to one more partner, or says which
  rule forbids it.
"""

from __future__ import annotations

from enum import IntEnum

from allied.markings import Level
from allied.markings.release import Widening, widen_release


class Category(IntEnum):
    """NDP-1's categories of classified military information (DoDD 5230.11, public)."""

    ORGANISATION_TRAINING = 1
    MATERIEL_AND_MUNITIONS = 2
    APPLIED_RESEARCH = 3
    PRODUCTION = 4
    COMBINED_OPERATIONS = 5
    US_ORDER_OF_BATTLE = 6
    NORTH_AMERICAN_DEFENSE = 7
    MILITARY_INTELLIGENCE = 8

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.ORGANISATION_TRAINING: "1. Organisation, training and employment of military forces",
    Category.MATERIEL_AND_MUNITIONS: "2. Military materiel and munitions",
    Category.APPLIED_RESEARCH: "3. Applied research and development",
    Category.PRODUCTION: "4. Production information",
    Category.COMBINED_OPERATIONS: "5. Combined military operations, planning and readiness",
    Category.US_ORDER_OF_BATTLE: "6. U.S. order of battle",
    Category.NORTH_AMERICAN_DEFENSE: "7. North American defense",
    Category.MILITARY_INTELLIGENCE: "8. Military intelligence",
}

# The level each trust tier opens in every category, before any partner-specific ceiling. The
# project's policy, not a public table: tier 1 starts limited and each tier widens what may go.
TIER_CEILINGS: dict[int, Level] = {1: Level.U, 2: Level.C, 3: Level.S, 4: Level.S, 5: Level.TS}


def tier_ceiling(tier: int | None) -> Level:
    """The ceiling a trust tier gives in every category (no tier: nothing classified)."""
    if tier is None:
        return Level.U
    return TIER_CEILINGS[max(1, min(5, tier))]


def effective_ceiling(recorded: Level | None, tier: int | None) -> Level:
    """A partner's ceiling in one category: its recorded ceiling, raised by its trust tier."""
    floor = tier_ceiling(tier)
    return floor if recorded is None else max(recorded, floor)


__all__ = ["Category", "Widening", "effective_ceiling", "tier_ceiling", "widen_release"]
