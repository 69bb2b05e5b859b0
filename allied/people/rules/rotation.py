"""Rotation risk: upcoming postings that will break a covered crisis pair, and what would keep it.

A covered pair breaks when a holder leaves and the person who takes the billet has not met the
counterpart (or nobody is posted in time). For each such break the result says who leaves, who
arrives, who stays, the overlap between the outgoing and incoming holders (the window in which
the outgoing one can introduce the incoming one), or the gap when there is none, and the
introduction that would keep the pair covered. Pure: computed from the inputs alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from allied.people.rules.coverage import (
    RECENT_DAYS,
    Key,
    Met,
    Pair,
    Status,
    classify,
    pair_key,
)

#: Look this far ahead for postings (a posting cycle is announced about six months out).
HORIZON_DAYS = 180


@dataclass(frozen=True)
class Posting:
    """One holder of one billet from ``starts`` to ``ends`` (inclusive; ``None`` = open)."""

    key: Key
    official: Key
    billet: Key
    starts: date
    ends: date | None

    def holds_on(self, day: date) -> bool:
        return self.starts <= day and (self.ends is None or day <= self.ends)


def holder_on(postings: Iterable[Posting], day: date) -> Posting | None:
    """The posting that holds its billet on ``day`` (the latest to start, if two overlap)."""
    best: Posting | None = None
    for posting in postings:
        if posting.holds_on(day) and (
            best is None or (posting.starts, repr(posting.key)) > (best.starts, repr(best.key))
        ):
            best = posting
    return best


def current_holders(postings: Iterable[Posting], day: date) -> dict[Key, Key]:
    """billet -> official holding it on ``day``."""
    by_billet: dict[Key, list[Posting]] = defaultdict(list)
    for posting in postings:
        by_billet[posting.billet].append(posting)
    out: dict[Key, Key] = {}
    for billet, rows in by_billet.items():
        held = holder_on(rows, day)
        if held is not None:
            out[billet] = held.official
    return out


@dataclass(frozen=True)
class Handover:
    """One side of a pair changing hands: who leaves, who arrives, and how they overlap."""

    billet: Key
    outgoing: Posting | None
    incoming: Posting | None

    @property
    def overlap(self) -> tuple[date, date] | None:
        """The days both hold the billet (when the outgoing one can introduce the incoming)."""
        if self.outgoing is None or self.incoming is None or self.outgoing.ends is None:
            return None
        start, end = self.incoming.starts, self.outgoing.ends
        return (start, end) if start <= end else None

    @property
    def gap_days(self) -> int:
        """Days with no holder between the outgoing one leaving and the incoming one arriving."""
        if self.outgoing is None or self.outgoing.ends is None:
            return 0
        if self.incoming is None:
            return -1  # open-ended: nobody is posted
        return max(0, (self.incoming.starts - self.outgoing.ends).days - 1)


@dataclass(frozen=True)
class Risk:
    """A covered pair that will break on ``breaks_on`` unless someone acts."""

    pair: Pair
    breaks_on: date
    handovers: tuple[Handover, ...]
    new_us: Key | None
    new_partner: Key | None
    met_now: Met

    @property
    def introduce(self) -> tuple[Key, Key] | None:
        """The two people who must meet to keep the pair covered (both known)."""
        if self.new_us is None or self.new_partner is None:
            return None
        return (self.new_us, self.new_partner)

    def advice(
        self, name: Mapping[Key, str] | None = None, billets: Mapping[Key, str] | None = None
    ) -> list[str]:
        """What would keep the pair covered, in sentences (``name`` maps officials to names,
        ``billets`` billets to their titles: a page never shows a billet's internal key)."""

        def post(key: Key) -> str:
            if billets is not None and key in billets:
                return billets[key]
            return str(key)

        def who(key: Key | None) -> str:
            if key is None:
                return "nobody"
            return name.get(key, str(key)) if name is not None else str(key)

        out: list[str] = []
        for handover in self.handovers:
            if handover.incoming is None:
                left = handover.outgoing.ends if handover.outgoing else None
                out.append(
                    f"No successor is posted to the billet {post(handover.billet)} after "
                    f"{left}: post one with an overlap, or the pair has nobody on that side."
                )
                continue
            overlap = handover.overlap
            if overlap is not None and handover.outgoing is not None:
                out.append(
                    f"{who(handover.outgoing.official)} and {who(handover.incoming.official)} "
                    f"overlap from {overlap[0]} to {overlap[1]}: a handover call with the "
                    f"counterpart in that window keeps the pair covered."
                )
            elif handover.gap_days > 0 and handover.outgoing is not None:
                out.append(
                    f"The billet {post(handover.billet)} is empty for {handover.gap_days} "
                    f"days: extend {who(handover.outgoing.official)} or bring "
                    f"{who(handover.incoming.official)} forward to overlap."
                )
        pair = self.introduce
        if pair is not None:
            out.append(
                f"Introduce {who(pair[0])} and {who(pair[1])} (a meeting, a dialogue or an "
                f"exercise together) by {self.breaks_on}."
            )
        return out


def _holders(
    by_billet: Mapping[Key, list[Posting]], pair: Pair, day: date
) -> tuple[Posting | None, Posting | None]:
    return (
        holder_on(by_billet.get(pair.us_billet, []), day),
        holder_on(by_billet.get(pair.partner_billet, []), day),
    )


def rotation_risks(
    pairs: Iterable[Pair],
    postings: Iterable[Posting],
    met: Mapping[tuple[Key, Key], Met],
    today: date,
    *,
    horizon_days: int = HORIZON_DAYS,
    recent_days: int = RECENT_DAYS,
) -> list[Risk]:
    """Pairs covered today that a posting within ``horizon_days`` will break, soonest first.

    A pair breaks on the first day within the horizon on which its holders are not two people
    who have met recently (as of today): a new holder who has not met the counterpart, or a
    billet left with no holder.
    """
    by_billet: dict[Key, list[Posting]] = defaultdict(list)
    for posting in postings:
        by_billet[posting.billet].append(posting)
    end = today + timedelta(days=horizon_days)
    risks: list[Risk] = []
    for pair in pairs:
        now_us, now_partner = _holders(by_billet, pair, today)
        if now_us is None or now_partner is None:
            continue
        met_now = met.get(pair_key(now_us.official, now_partner.official))
        if met_now is None or met_now.last > today:
            continue
        if classify(met_now, today, recent_days) is not Status.COVERED:
            continue
        days = sorted(
            {
                d
                for billet in (pair.us_billet, pair.partner_billet)
                for p in by_billet.get(billet, [])
                for d in (p.starts, (p.ends + timedelta(days=1)) if p.ends else None)
                if d is not None and today < d <= end
            }
        )
        for day in days:
            us, partner = _holders(by_billet, pair, day)
            if us is not None and partner is not None:
                seen = met.get(pair_key(us.official, partner.official))
                if (
                    seen is not None
                    and seen.last <= today
                    and (classify(seen, day, recent_days) is Status.COVERED)
                ):
                    continue
            handovers = []
            for billet, before, after in (
                (pair.us_billet, now_us, us),
                (pair.partner_billet, now_partner, partner),
            ):
                if after is None or after.official != before.official:
                    handovers.append(
                        Handover(billet, before, _successor(by_billet, billet, before))
                    )
            risks.append(
                Risk(
                    pair,
                    day,
                    tuple(handovers),
                    None if us is None else us.official,
                    None if partner is None else partner.official,
                    met_now,
                )
            )
            break
    return sorted(risks, key=lambda r: (r.breaks_on, repr(r.pair.key)))


def _successor(
    by_billet: Mapping[Key, list[Posting]], billet: Key, outgoing: Posting
) -> Posting | None:
    """The next posting to ``billet`` after ``outgoing`` (the one that starts first after it)."""
    later = [
        p for p in by_billet.get(billet, []) if p.key != outgoing.key and p.starts > outgoing.starts
    ]
    return min(later, key=lambda p: (p.starts, repr(p.key))) if later else None


# --- checks on a posting before it is stored ------------------------------------------------


@dataclass(frozen=True)
class Span:
    """The days of one posting (inclusive; ``ends`` ``None`` = open), and its holder's name."""

    starts: date
    ends: date | None
    holder: str = "another holder"

    def overlaps(self, other: Span) -> bool:
        return (self.ends is None or other.starts <= self.ends) and (
            other.ends is None or self.starts <= other.ends
        )


def posting_problems(new: Span, others: Iterable[Span]) -> dict[str, str]:
    """What is wrong with ``new`` beside the other postings of its billet, by field.

    The rotation and coverage rules read a billet's postings as a chain of holders: a posting
    ends on or after it starts, and two postings of one billet overlap only as a handover (the
    later one starts after the earlier one and ends after it, or stays open, while the earlier
    one has an end). Gaps are allowed: a billet may be vacant.
    """
    if new.ends is not None and new.ends < new.starts:
        return {"ends": "A posting ends on or after the day it starts."}
    for other in others:
        if not new.overlaps(other):
            continue
        if new.starts == other.starts:
            return {
                "starts": f"{other.holder} starts in this billet on the same day: one holder "
                "takes over from the other, so start one of them later."
            }
        earlier, later = (other, new) if other.starts < new.starts else (new, other)
        if earlier.ends is None:
            return {
                "ends" if earlier is new else "starts": (
                    f"The posting of {earlier.holder} from {earlier.starts} has no end, and "
                    f"{later.holder} would take over on {later.starts}: give the earlier posting "
                    "its end date first (the handover overlap is computed from it)."
                )
            }
        if later.ends is not None and later.ends <= earlier.ends:
            return {
                "ends": (
                    f"The posting of {later.holder} would lie within that of {earlier.holder} "
                    f"({earlier.starts} to {earlier.ends}): postings of one billet overlap only as "
                    "a handover, the later one ending after the earlier one."
                )
            }
    return {}


def vacant_since(postings: Iterable[Posting], day: date) -> date | None:
    """The first day without a holder before ``day``, for a billet nobody holds on ``day``:
    the day after its last holder left (``None`` when none has left, or someone holds it)."""
    rows = list(postings)
    if holder_on(rows, day) is not None:
        return None
    ended = [p.ends for p in rows if p.ends is not None and p.ends < day]
    return max(ended) + timedelta(days=1) if ended else None
