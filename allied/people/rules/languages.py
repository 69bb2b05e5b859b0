"""Language coverage per partner: how many U.S. officials working with a partner have each ILR
level in its language (pure; computed only from the officials and proficiencies passed in)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from allied.people.rules.coverage import Key
from allied.people.rules.ilr import MAX_STEP, WORKING, Proficiency, partner_language


@dataclass
class PartnerLanguage:
    """U.S. officials working with ``partner``, counted by working level in its language."""

    partner: str
    language: str | None
    officials: int = 0
    #: working level (half steps 0..10) -> officials at it; officials with no recorded level
    #: of the language are counted in ``none``.
    by_level: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(MAX_STEP + 1), 0))
    none: int = 0
    #: officials per skill at or above level 2 (limited working proficiency)
    working_by_skill: dict[str, int] = field(
        default_factory=lambda: {"listening": 0, "reading": 0, "speaking": 0}
    )

    @property
    def english(self) -> bool:
        return self.language == "eng"

    @property
    def at_working(self) -> int:
        """Officials who can work face to face in the language (level 2 or more)."""
        return sum(n for step, n in self.by_level.items() if step >= WORKING)

    @property
    def share_working(self) -> float:
        return self.at_working / self.officials if self.officials else 0.0


def language_coverage(
    working_with: Mapping[Key, Iterable[str]], proficiencies: Mapping[Key, Iterable[Proficiency]]
) -> list[PartnerLanguage]:
    """For each partner named in ``working_with`` (official -> partners), the officials' levels.

    An official counts once per partner. A partner whose language the table does not know is
    listed with ``language=None`` and every official under ``none``.
    """
    result: dict[str, PartnerLanguage] = {}
    for official, partners in working_with.items():
        skills = {p.language: p for p in proficiencies.get(official, ())}
        for partner in set(partners):
            entry = result.get(partner)
            if entry is None:
                entry = result[partner] = PartnerLanguage(partner, partner_language(partner))
            entry.officials += 1
            skill = skills.get(entry.language) if entry.language else None
            if skill is None:
                entry.none += 1
                continue
            entry.by_level[skill.working_level] += 1
            for name in ("listening", "reading", "speaking"):
                if getattr(skill, name) >= WORKING:
                    entry.working_by_skill[name] += 1
    return sorted(result.values(), key=lambda e: (e.english, e.share_working, e.partner))
