"""Foreign-disclosure rules in plain Python (no Django): categories, ceilings, widening a release.

* The eight categories of classified military information of the National Disclosure Policy
  (NDP-1, as DoD Directive 5230.11 describes it publicly). Each partner has, per category, a
  highest level that may be disclosed to it: its *ceiling*.
* Trust tiers raise ceilings as they rise: ``tier_ceiling`` is the floor that a partner's tier
  gives it in every category; a partner's own recorded ceiling can only add to it.
* ``widen_release`` computes the marking of a portion once a disclosure officer has approved its
  release to one more partner, or says which rule forbids it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum

from allied.markings import Level, Marking, render
from allied.markings.vocab import CUI_LDCS, DISSEM_ORDER, rel_sort_key


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


@dataclass(frozen=True)
class Widening:
    """The marking after approval, or why the release cannot be approved as it stands."""

    marking: Marking | None
    blocked_by: str | None = None
    rule: str | None = None

    @property
    def allowed(self) -> bool:
        return self.marking is not None


# Controls that only their originator or a special process may lift: approval needs escalation.
_NEEDS_ESCALATION = {
    "OC": "ORCON needs the originator's consent before any release",
    "OC-USGOV": "ORCON-USGOV may not leave the U.S. government",
    "FISA": "FISA-derived information needs the Attorney General's process",
    "RS": "RISK SENSITIVE information needs its originator's approval",
}


def widen_release(marking: Marking, partner: str, ceiling: Level) -> Widening:
    """The portion's marking once released to ``partner``, within ``ceiling``.

    NOFORN and RELIDO give way to ``REL TO USA, <partner>``; an existing REL TO list gains the
    partner; everything else stays. A portion above the partner's ceiling, with SCI that requires
    NOFORN, with non-IC NOFORN, or with a control only its originator may lift is not widened:
    the result says which rule stops it, so that the officer escalates instead.
    """
    if marking.level > ceiling:
        return Widening(
            None,
            f"{render(marking, 'portion')} is above {partner}'s ceiling "
            f"({ceiling.title}) for this category",
            "NDP",
        )
    for sci in marking.sci:
        if sci.system in ("HCS", "KDK"):
            return Widening(None, f"{sci.system} requires NOFORN", "15")
    if marking.is_foreign or marking.fgi is not None:
        return Widening(
            None,
            "foreign government information goes to a third country only with "
            "its originator's consent",
            "P3",
        )
    if marking.aea:
        return Widening(
            None, "Atomic Energy Act information is released only under its own agreements", "15"
        )
    for control, why in _NEEDS_ESCALATION.items():
        if control in marking.dissem:
            return Widening(None, why, "21")
    ldcs = CUI_LDCS.intersection(marking.dissem)
    if ldcs:
        return Widening(
            None,
            f"CUI {'/'.join(sorted(ldcs))} is lifted only by the CUI's designating agency",
            "30",
        )
    if set(marking.nonic) & {"SBU-NF", "LES-NF", "ND", "XD"}:
        return Widening(None, "non-IC NOFORN controls are lifted by their own originators", "23")
    if marking.level == Level.U and not marking.has_fdr:
        return Widening(marking)  # already releasable to every partner (rule 25)
    codes = set(marking.rel_to) if "REL" in marking.dissem else set()
    codes |= {"USA", partner}
    dissem = [c for c in marking.dissem if c not in ("NF", "DISPLAY")]
    if "REL" not in dissem:
        dissem.append("REL")
    # RELIDO stays only beside REL TO (rule 14): the officer's decision is now on record.
    ordered = tuple(c for c in DISSEM_ORDER if c in dissem)
    display = tuple(c for c in marking.display_to if c not in codes)
    if display:
        ordered = tuple(c for c in DISSEM_ORDER if c in (*ordered, "DISPLAY"))
    widened = replace(
        marking,
        dissem=ordered,
        rel_to=tuple(sorted(codes, key=rel_sort_key)),
        display_to=display,
        rel_short=False,
    )
    return Widening(widened)
