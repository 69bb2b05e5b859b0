"""Crisis-counterpart coverage: have the people now in each pair of billets met, and how lately?

A crisis pair is two billets (a U.S. one and a partner's) whose holders must work together in a
crisis. The pair is *covered* when the current holders have met (a meeting, exercise, dialogue,
exchange or course with both present) within ``recent_days``; *stale* when they have met, but
longer ago; *never met* when they have not; *vacant* when either billet has no holder known to
the viewer. Everything here is computed from the inputs alone: the caller passes only what its
viewer may see, so a contact the viewer may not see can never make a pair look covered.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations

Key = Hashable

#: Two years: a crisis counterpart met within it is still a working acquaintance.
RECENT_DAYS = 730


class Status(enum.Enum):
    COVERED = "covered"
    STALE = "stale"
    NEVER_MET = "never_met"
    VACANT = "vacant"

    @property
    def label(self) -> str:
        return {
            "covered": "Covered",
            "stale": "Met, but not recently",
            "never_met": "Never met",
            "vacant": "No holder known",
        }[self.value]

    @property
    def is_gap(self) -> bool:
        return self is not Status.COVERED


@dataclass(frozen=True)
class Pair:
    """Two billets that must work together; ``partner`` is the partner nation of the pair."""

    key: Key
    us_billet: Key
    partner_billet: Key
    partner: str


@dataclass(frozen=True)
class Meeting:
    """One contact: its day and the officials present (only those the viewer may see)."""

    day: date
    people: frozenset[Key]


@dataclass(frozen=True)
class Met:
    """What two people's visible contacts add up to: how often, first and last."""

    count: int
    first: date
    last: date


def pair_key(a: Key, b: Key) -> tuple[Key, Key]:
    """The unordered key of two people (ordered by their text, so any keys compare)."""
    return (a, b) if repr(a) <= repr(b) else (b, a)


def met_index(
    meetings: Iterable[Meeting], *, among: set[Key] | None = None, until: date | None = None
) -> dict[tuple[Key, Key], Met]:
    """For each pair of people who met, how often and when; only people in ``among`` if given,
    and only meetings on or before ``until`` if given."""
    index: dict[tuple[Key, Key], Met] = {}
    for meeting in meetings:
        if until is not None and meeting.day > until:
            continue
        people = meeting.people if among is None else meeting.people & among
        for a, b in combinations(sorted(people, key=repr), 2):
            key = pair_key(a, b)
            seen = index.get(key)
            if seen is None:
                index[key] = Met(1, meeting.day, meeting.day)
            else:
                index[key] = Met(
                    seen.count + 1, min(seen.first, meeting.day), max(seen.last, meeting.day)
                )
    return index


@dataclass(frozen=True)
class PairCoverage:
    pair: Pair
    status: Status
    us_holder: Key | None
    partner_holder: Key | None
    met: Met | None
    days_since: int | None


def classify(met: Met | None, today: date, recent_days: int = RECENT_DAYS) -> Status:
    if met is None:
        return Status.NEVER_MET
    return Status.COVERED if (today - met.last).days <= recent_days else Status.STALE


def cover(
    pairs: Iterable[Pair],
    holders: Mapping[Key, Key],
    met: Mapping[tuple[Key, Key], Met],
    today: date,
    recent_days: int = RECENT_DAYS,
) -> list[PairCoverage]:
    """Each pair's coverage from the current ``holders`` (billet -> official) and ``met``."""
    out = []
    for pair in pairs:
        a, b = holders.get(pair.us_billet), holders.get(pair.partner_billet)
        if a is None or b is None or a == b:
            out.append(PairCoverage(pair, Status.VACANT, a, b, None, None))
            continue
        seen = met.get(pair_key(a, b))
        if seen is not None and seen.last > today:
            seen = None  # a contact still to come has not happened
        status = classify(seen, today, recent_days)
        days = None if seen is None else (today - seen.last).days
        out.append(PairCoverage(pair, status, a, b, seen, days))
    return out


@dataclass
class PartnerSummary:
    """Coverage of one partner's pairs: counts by status and the gaps, worst first."""

    partner: str
    counts: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(Status, 0))
    gaps: list[PairCoverage] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def covered(self) -> int:
        return self.counts[Status.COVERED]

    @property
    def share(self) -> float:
        return self.covered / self.total if self.total else 0.0


_GAP_ORDER = {Status.VACANT: 0, Status.NEVER_MET: 1, Status.STALE: 2, Status.COVERED: 3}


def _gap_order(result: PairCoverage) -> tuple[int, int, str]:
    return (_GAP_ORDER[result.status], -(result.days_since or 0), repr(result.pair.key))


def by_partner(results: Iterable[PairCoverage]) -> list[PartnerSummary]:
    """Summaries per partner (lowest covered share first), each with its gaps worst first."""
    summaries: dict[str, PartnerSummary] = defaultdict(lambda: PartnerSummary(""))
    for result in results:
        summary = summaries[result.pair.partner]
        summary.partner = result.pair.partner
        summary.counts[result.status] += 1
        if result.status.is_gap:
            summary.gaps.append(result)
    for summary in summaries.values():
        summary.gaps.sort(key=_gap_order)
    return sorted(summaries.values(), key=lambda s: (s.share, s.partner))
