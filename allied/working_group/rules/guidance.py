"""Conflicting guidance and overdue commitments in the guidance log (pure).

Allies hear "different signals from military officers versus political leaders". The log records
what each U.S. body (State, OSD, the Joint Staff, INDOPACOM, an embassy, the White House) told a
partner on a topic, with the position taken. Two statements conflict when they are about the same
partner and topic, come from different bodies, take different positions and were made within the
window of each other. Only each body's latest statement on a partner and topic counts: a body that
changed its position has superseded itself, and that is not a conflict. A commitment is overdue
when its due date has passed and it has not been met.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_WINDOW = timedelta(days=180)


def normalise_topic(topic: str) -> str:
    """Topics compare without case, surrounding spaces or repeated spaces."""
    return " ".join(topic.lower().split())


@dataclass(frozen=True, slots=True)
class Statement:
    key: int
    partner: str
    topic: str
    body: str
    position: str
    said_on: date


@dataclass(frozen=True, slots=True)
class Conflict:
    partner: str
    topic: str
    first: Statement
    second: Statement

    @property
    def days_apart(self) -> int:
        return abs((self.second.said_on - self.first.said_on).days)

    @property
    def explanation(self) -> str:
        return (
            f"{self.first.body} said '{self.first.position}' on {self.first.said_on}, "
            f"{self.second.body} said '{self.second.position}' on {self.second.said_on} "
            f"({self.days_apart} days apart)"
        )


def latest_by_body(statements: Iterable[Statement]) -> list[Statement]:
    """Each body's latest statement per partner and topic (ties: the highest key)."""
    latest: dict[tuple[str, str, str], Statement] = {}
    for s in statements:
        slot = (s.partner, normalise_topic(s.topic), s.body)
        held = latest.get(slot)
        if held is None or (s.said_on, s.key) > (held.said_on, held.key):
            latest[slot] = s
    return list(latest.values())


def conflicts(
    statements: Iterable[Statement], *, window: timedelta = DEFAULT_WINDOW
) -> list[Conflict]:
    """Every pair of conflicting statements, oldest pair first (see the module's docstring)."""
    groups: dict[tuple[str, str], list[Statement]] = {}
    for s in latest_by_body(statements):
        groups.setdefault((s.partner, normalise_topic(s.topic)), []).append(s)
    found: list[Conflict] = []
    for (partner, topic), group in sorted(groups.items()):
        ordered: Sequence[Statement] = sorted(group, key=lambda s: (s.said_on, s.key))
        for i, first in enumerate(ordered):
            for second in ordered[i + 1 :]:
                if second.said_on - first.said_on > window:
                    break
                if normalise_topic(first.position) != normalise_topic(second.position):
                    found.append(Conflict(partner, topic, first, second))
    return sorted(found, key=lambda c: (c.first.said_on, c.second.said_on, c.partner, c.topic))


@dataclass(frozen=True, slots=True)
class Commitment:
    key: int
    partner: str
    body: str
    topic: str
    due: date
    met_on: date | None


def overdue(commitments: Iterable[Commitment], on: date) -> list[tuple[Commitment, int]]:
    """Commitments past due and not met by ``on``, with days overdue, most overdue first."""
    late = [(c, (on - c.due).days) for c in commitments if c.due < on and c.met_on is None]
    return sorted(late, key=lambda pair: (-pair[1], pair[0].key))
