"""How the working group ranks allied requests, each score with its parts (pure).

A request's score is ``partner weight x type weight x lateness + flag bonuses``:

- the **partner weight** is the priority the working group gives the partner, in force on the day
  (effective-dated; 1.0 for a partner it has not weighted);
- the **type weight** is the weight of the request's type (an FMS case, a disclosure request...);
- **lateness** is 1 until the request reaches its target age, then its age over its target: a
  request twice as old as its target counts twice as much, so nothing waits forever behind newer
  requests from weightier partners;
- each **strategic flag** the group sets for the request (or its module reports, such as a case
  coordinated with another partner's) adds its bonus.

A request past its target is escalated: level 1 once it is late, level 2 once it is twice as old
as its target. The target is the request's own, if its module sets one, or its type's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

#: Default targets (days from opening) and weights per request type, until the group sets its own.
DEFAULT_TARGET_DAYS = 30
DEFAULT_KINDS: Mapping[str, tuple[int, float]] = {
    "disclosure": (14, 1.0),
    "lor": (30, 1.2),
    "fms_case": (120, 1.5),
    # A case the partner has accepted, in delivery: aged from the day it entered its stage.
    "fms_delivery": (365, 0.5),
    "dcs_licence": (60, 1.0),
    "planning": (30, 1.3),
    "liaison": (21, 0.8),
    "training": (60, 0.8),
    "exercise": (90, 1.0),
    "other": (30, 0.7),
}
DEFAULT_FLAG_BONUS: Mapping[str, float] = {
    "coordinated": 0.5,
    "emergency": 2.0,
    "strategic": 1.0,
    "leadership_interest": 1.0,
}


@dataclass(frozen=True, slots=True)
class Weights:
    """What the working group has set: partner weights, targets and weights per type, bonuses."""

    partners: Mapping[str, float] = field(default_factory=dict)
    kinds: Mapping[str, tuple[int, float]] = field(default_factory=lambda: dict(DEFAULT_KINDS))
    flags: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_FLAG_BONUS))

    def target_days(self, kind: str, own: date | None, opened: date) -> int:
        if own is not None:
            return max((own - opened).days, 1)
        return max(self.kinds.get(kind, (DEFAULT_TARGET_DAYS, 1.0))[0], 1)

    def kind_weight(self, kind: str) -> float:
        return self.kinds.get(kind, (DEFAULT_TARGET_DAYS, 1.0))[1]


@dataclass(frozen=True, slots=True)
class Score:
    partner_weight: float
    kind_weight: float
    age_days: int
    target_days: int
    lateness: float
    flag_bonus: float
    flags: tuple[str, ...]
    total: float
    escalation: int

    @property
    def days_past_target(self) -> int:
        return max(self.age_days - self.target_days, 0)

    def parts(self) -> list[tuple[str, str]]:
        """The score's parts as a person reads them."""
        parts = [
            ("Partner weight", f"{self.partner_weight:g}"),
            ("Type weight", f"{self.kind_weight:g}"),
            (
                "Lateness",
                f"{self.lateness:.2f} (age {self.age_days} d, target {self.target_days} d)",
            ),
        ]
        if self.flags:
            parts.append(("Flags", f"+{self.flag_bonus:g} ({', '.join(self.flags)})"))
        return parts


def score(
    *,
    partner: str,
    kind: str,
    opened: date,
    target: date | None,
    flags: Iterable[str],
    weights: Weights,
    on: date,
) -> Score:
    """The score of one request on day ``on`` (see the module's docstring)."""
    age = max((on - opened).days, 0)
    target_days = weights.target_days(kind, target, opened)
    lateness = max(1.0, age / target_days)
    partner_weight = weights.partners.get(partner, 1.0)
    kind_weight = weights.kind_weight(kind)
    known = tuple(sorted({f for f in flags if f in weights.flags}))
    bonus = sum(weights.flags[f] for f in known)
    escalation = 0 if age <= target_days else (1 if age <= 2 * target_days else 2)
    total = partner_weight * kind_weight * lateness + bonus
    return Score(
        partner_weight, kind_weight, age, target_days, lateness, bonus, known, total, escalation
    )


@dataclass(frozen=True, slots=True)
class WeightSetting:
    """One partner weight as recorded: from ``effective_from`` on (None: not yet in force)."""

    nation: str
    weight: float
    effective_from: date


def partner_weights_on(settings: Iterable[WeightSetting], on: date) -> dict[str, float]:
    """Each partner's weight in force on ``on``: the latest setting that had started."""
    latest: dict[str, WeightSetting] = {}
    for setting in settings:
        if setting.effective_from > on:
            continue
        held = latest.get(setting.nation)
        if held is None or setting.effective_from >= held.effective_from:
            latest[setting.nation] = setting
    return {nation: s.weight for nation, s in latest.items()}
