"""Time to decision on foreign-disclosure requests, in plain Python (no Django).

The brief behind Allied names slow disclosure procedures as a pain, so the time each request waits
for its decision is measured. One ``Timing`` per request (partner, officer of the decision in
force, requested at, decided at; no officer and no decision while it waits) is all this module
needs; ``cycle_times`` gives the median and 90th percentile time to decision overall, by partner
and by officer, and how many requests still wait and for how long.

Percentiles interpolate linearly between the closest ranks (the "inclusive" method of
``statistics.quantiles``, numpy's default), computed exactly and rounded to the microsecond, so a
percentile always lies between the shortest and the longest time it summarises.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Timing:
    """One request: to whom, decided by whom, when asked and when decided (None: still waiting)."""

    partner: str
    officer: str | None
    requested_at: datetime
    decided_at: datetime | None

    @property
    def decided(self) -> bool:
        return self.decided_at is not None

    def waited(self, now: datetime) -> timedelta:
        """Time from the request to its decision, or to ``now`` while it waits (never negative)."""
        end = self.decided_at if self.decided_at is not None else now
        return max(end - self.requested_at, timedelta(0))


@dataclass(frozen=True, slots=True)
class Summary:
    """The times of one group of requests (one partner, one officer, or all)."""

    key: str
    decided: int
    median: timedelta | None
    p90: timedelta | None
    waiting: int = 0
    longest_wait: timedelta | None = None


@dataclass(frozen=True, slots=True)
class CycleTimes:
    overall: Summary
    by_partner: tuple[Summary, ...]
    by_officer: tuple[Summary, ...]


def percentile(durations: Sequence[timedelta], q: float) -> timedelta:
    """The ``q``-th percentile (0 to 100) of ``durations``, interpolated between closest ranks."""
    if not durations:
        raise ValueError("no duration to take a percentile of")
    if not 0 <= q <= 100:
        raise ValueError(f"a percentile is between 0 and 100, not {q}")
    ordered = sorted(d // _MICROSECOND for d in durations)
    position = Fraction(len(ordered) - 1) * Fraction(q) / 100
    low, high = math.floor(position), math.ceil(position)
    value = ordered[low] + (ordered[high] - ordered[low]) * (position - low)
    return timedelta(microseconds=round(value))


def median(durations: Sequence[timedelta]) -> timedelta:
    """The median: the middle time, or the mean of the two middle ones."""
    return percentile(durations, 50)


def summarise(key: str, timings: Sequence[Timing], now: datetime) -> Summary:
    """Median and 90th percentile of the decided ``timings``; count and longest wait of the rest."""
    done = [t.waited(now) for t in timings if t.decided]
    open_ = [t.waited(now) for t in timings if not t.decided]
    return Summary(
        key=key,
        decided=len(done),
        median=median(done) if done else None,
        p90=percentile(done, 90) if done else None,
        waiting=len(open_),
        longest_wait=max(open_) if open_ else None,
    )


def cycle_times(timings: Iterable[Timing], now: datetime) -> CycleTimes:
    """Time to decision overall, by partner (decided and waiting) and by officer (decided only).

    Groups are sorted by their key, so the same records always give the same tables.
    """
    records = list(timings)
    partners: dict[str, list[Timing]] = {}
    officers: dict[str, list[Timing]] = {}
    for timing in records:
        partners.setdefault(timing.partner, []).append(timing)
        if timing.decided and timing.officer is not None:
            officers.setdefault(timing.officer, []).append(timing)
    return CycleTimes(
        overall=summarise("all", records, now),
        by_partner=tuple(summarise(k, v, now) for k, v in sorted(partners.items())),
        by_officer=tuple(summarise(k, v, now) for k, v in sorted(officers.items())),
    )


def format_duration(duration: timedelta | None) -> str:
    """A duration as a person reads it: ``3 d 4 h``, ``5 h 12 min``, ``7 min``, ``40 s``."""
    if duration is None:
        return "-"
    seconds = int(duration.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min"
    return f"{seconds} s"
