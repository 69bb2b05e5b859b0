"""Conflicting guidance and overdue commitments in the guidance log (pure).

Allies hear "different signals from military officers versus political leaders". The log records
what each U.S. body (State, OSD, the Joint Staff, INDOPACOM, an embassy, the White House) told a
partner on a topic, with the position taken. Two statements conflict when they are about the same
partner and topic, come from different bodies, take different positions and were made within the
window of each other. Only each body's latest statement on a partner and topic counts: a body that
changed its position has superseded itself, and that is not a conflict. A commitment is overdue
when its due date has passed and it has not been met.

Two topics are the same when their normalised texts are equal or their meaningful words are
similar enough: the Jaccard similarity of the topics' word sets, as the requirements' overlap
scoring computes it (``allied.wording.similarity``), reaches ``TOPIC_THRESHOLD``. So
"Maritime domain awareness data sharing" and "maritime domain awareness data" (4 of 5 words) are
one topic, and each conflict says why its two statements were matched (``Conflict.why``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from allied.wording import normalise, similarity, words

DEFAULT_WINDOW = timedelta(days=180)
#: Topics whose word sets are at least this similar (Jaccard) are one topic.
TOPIC_THRESHOLD = 0.75


def normalise_topic(topic: str) -> str:
    """Topics compare without case, punctuation, surrounding spaces or repeated spaces."""
    return normalise(topic)


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """Why two topics count as one: equal after normalisation, or similar enough."""

    score: float
    shared: tuple[str, ...]
    total: int
    same: bool

    @property
    def matches(self) -> bool:
        return self.same or self.score >= TOPIC_THRESHOLD

    def describe(self, a: str, b: str) -> str:
        if self.same:
            return f"the topics are the same after normalisation ('{normalise_topic(a)}')"
        return (
            f"the topics '{a}' and '{b}' share {len(self.shared)} of {self.total} words "
            f"({', '.join(self.shared)}): similarity {self.score:.2f}, at least "
            f"{TOPIC_THRESHOLD:.2f}"
        )


def topic_match(a: str, b: str) -> TopicMatch:
    """How alike two topics are (``allied.wording.similarity``)."""
    key_a, key_b = normalise_topic(a), normalise_topic(b)
    words_a, words_b = words(a), words(b)
    score = similarity(key_a, key_b, words_a, words_b)
    return TopicMatch(
        score, tuple(sorted(words_a & words_b)), len(words_a | words_b), key_a == key_b
    )


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
    def match(self) -> TopicMatch:
        return topic_match(self.first.topic, self.second.topic)

    @property
    def why(self) -> str:
        """Why the two statements were matched, in words."""
        return (
            f"Matched because both are about {self.partner}, "
            f"{self.match.describe(self.first.topic, self.second.topic)}, they come from "
            f"different bodies and take different positions within {self.days_apart} days."
        )

    @property
    def explanation(self) -> str:
        return (
            f"{self.first.body} said '{self.first.position}' on {self.first.said_on}, "
            f"{self.second.body} said '{self.second.position}' on {self.second.said_on} "
            f"({self.days_apart} days apart)"
        )


def latest_by_body(statements: Iterable[Statement]) -> list[Statement]:
    """Each body's latest statement per partner and topic (ties: the highest key); an earlier
    statement of the same body on a matching topic (``topic_match``) is superseded too."""
    by_body: dict[tuple[str, str], list[Statement]] = {}
    for s in statements:
        by_body.setdefault((s.partner, s.body), []).append(s)
    latest: list[Statement] = []
    for group in by_body.values():
        kept: list[Statement] = []
        for s in sorted(group, key=lambda s: (s.said_on, s.key), reverse=True):
            if not any(topic_match(k.topic, s.topic).matches for k in kept):
                kept.append(s)
        latest.extend(kept)
    return latest


def conflicts(
    statements: Iterable[Statement], *, window: timedelta = DEFAULT_WINDOW
) -> list[Conflict]:
    """Every pair of conflicting statements, oldest pair first (see the module's docstring)."""
    by_partner: dict[str, list[Statement]] = {}
    for s in latest_by_body(statements):
        by_partner.setdefault(s.partner, []).append(s)
    found: list[Conflict] = []
    for partner, group in sorted(by_partner.items()):
        ordered: Sequence[Statement] = sorted(group, key=lambda s: (s.said_on, s.key))
        for i, first in enumerate(ordered):
            for second in ordered[i + 1 :]:
                if second.said_on - first.said_on > window:
                    break
                if first.body == second.body:
                    continue
                if normalise_topic(first.position) == normalise_topic(second.position):
                    continue
                if topic_match(first.topic, second.topic).matches:
                    found.append(Conflict(partner, normalise_topic(first.topic), first, second))
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
