"""How much two collection requirements overlap, in plain Python (no Django).

Partners register what they need and what they already collect; two entries from different
nations that ask for the same thing, in the same place, at the same time are a chance to divide
the work. ``score`` compares two entries on four parts and explains each one:

* **topic** and **region**: 1 when the normalised texts are equal ("Maritime activity" and
  "maritime  activity"), else the Jaccard similarity of their word sets ("Luzon Strait" and
  "Luzon Strait and Bashi Channel": 2 of 5 words, 0.4);
* **window**: the share of the *shorter* window that lies inside the other one (1 when one window
  contains the other, 0 when they are disjoint), so that a two-week collection inside a year-long
  need reads as fully covered;
* **text**: the Jaccard similarity of the descriptions' word sets, stop words left out and plurals
  folded.

The total is ``window * (0.4 text + 0.3 topic + 0.3 region)``: symmetric, in [0, 1], exactly 1 for
identical entries and exactly 0 for disjoint windows (nothing can be divided that does not happen
at the same time).

``find_overlaps`` finds every pair of entries from different nations whose total reaches a
threshold. It never compares every pair: entries are grouped by the words of their topic and
region (and of their descriptions when the threshold is low enough for text alone to reach it),
each group is swept in order of start date so only overlapping windows meet, and the text is
compared only when topic, region and window leave the threshold within reach. The result is the
same as comparing every pair (a property test checks it).

Callers pass only the entries the viewer may see, so nothing here can involve another one.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from allied.wording import jaccard, normalise, similarity, words

#: Weights of the parts inside the window factor, in tenths so that they sum to exactly 1.
TEXT_TENTHS, TOPIC_TENTHS, REGION_TENTHS = 4, 3, 3
TEXT_WEIGHT = TEXT_TENTHS / 10

DEFAULT_THRESHOLD = 0.5


def window_overlap(a_starts: date, a_ends: date, b_starts: date, b_ends: date) -> float:
    """The share of the shorter window (whole days, both ends included) inside the other one."""
    overlap = (min(a_ends, b_ends) - max(a_starts, b_starts)).days + 1
    if overlap <= 0:
        return 0.0
    shorter = min((a_ends - a_starts).days, (b_ends - b_starts).days) + 1
    return min(1.0, overlap / shorter)


@dataclass(frozen=True)
class Entry:
    """One requirement as the rules see it. ``key`` identifies it to the caller (its id)."""

    key: Hashable
    nation: str
    topic: str
    region: str
    starts: date
    ends: date
    text: str
    kind: str = ""

    def __post_init__(self) -> None:
        if self.ends < self.starts:
            raise ValueError(f"{self.key!r}: the window ends before it starts")

    @cached_property
    def topic_key(self) -> str:
        return normalise(self.topic)

    @cached_property
    def region_key(self) -> str:
        return normalise(self.region)

    @cached_property
    def topic_words(self) -> frozenset[str]:
        return words(self.topic)

    @cached_property
    def region_words(self) -> frozenset[str]:
        return words(self.region)

    @cached_property
    def text_key(self) -> str:
        return normalise(self.text)

    @cached_property
    def text_words(self) -> frozenset[str]:
        return words(self.text)


@dataclass(frozen=True)
class Score:
    """The four parts of an overlap, each in [0, 1], and their combination."""

    topic: float
    region: float
    window: float
    text: float

    @property
    def total(self) -> float:
        content = TEXT_TENTHS * self.text + TOPIC_TENTHS * self.topic + REGION_TENTHS * self.region
        return max(0.0, min(1.0, self.window * content / 10))

    def explain(self) -> list[str]:
        """Each part in words, e.g. ``["same topic", "same region", "80% of the shorter window
        overlaps", "text 0.62"]``."""
        return [
            _label_part("topic", self.topic),
            _label_part("region", self.region),
            _window_part(self.window),
            f"text {self.text:.2f}",
        ]

    def __str__(self) -> str:
        return ", ".join(self.explain())


def _label_part(name: str, value: float) -> str:
    if value >= 1.0:
        return f"same {name}"
    if value <= 0.0:
        return f"different {name}"
    return f"related {name} ({value:.2f})"


def _window_part(value: float) -> str:
    if value >= 1.0:
        return "all of the shorter window overlaps"
    if value <= 0.0:
        return "the windows do not overlap"
    return f"{round(value * 100)}% of the shorter window overlaps"


def score(a: Entry, b: Entry) -> Score:
    """How much ``a`` and ``b`` overlap, part by part (symmetric in ``a`` and ``b``)."""
    return Score(
        topic=similarity(a.topic_key, b.topic_key, a.topic_words, b.topic_words),
        region=similarity(a.region_key, b.region_key, a.region_words, b.region_words),
        window=window_overlap(a.starts, a.ends, b.starts, b.ends),
        text=similarity(a.text_key, b.text_key, a.text_words, b.text_words),
    )


@dataclass(frozen=True)
class Overlap:
    """Two entries of different nations and how much they overlap (``a`` has the smaller key)."""

    a: Entry
    b: Entry
    score: Score = field(compare=False)

    @property
    def total(self) -> float:
        return self.score.total


def find_overlaps(
    entries: Iterable[Entry],
    threshold: float = DEFAULT_THRESHOLD,
    *,
    only_with: Hashable | None = None,
) -> list[Overlap]:
    """Every pair of entries from different nations scoring at least ``threshold``, best first.

    ``threshold`` is in (0, 1]. With ``only_with`` (an entry's key), only the pairs that include
    that entry. Pairs are ordered by total (highest first), then by their keys.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError("the threshold must be above 0 and at most 1")
    return _Finder(list(entries), threshold, only_with).run()


class _Finder:
    """The pre-filter of ``find_overlaps``: group, sweep by date, bound, then compare texts."""

    def __init__(self, items: list[Entry], threshold: float, only_with: Hashable | None) -> None:
        self.items = items
        self.threshold = threshold
        self.starts = [e.starts.toordinal() for e in items]
        self.ends = [e.ends.toordinal() for e in items]
        # Entries with the same topic and region share a label class: their topic and region
        # similarity to any other entry is computed once per pair of classes.
        classes: dict[tuple[str, str], int] = {}
        self.label_class = [
            classes.setdefault((e.topic_key, e.region_key), len(classes)) for e in items
        ]
        topics: dict[str, int] = {}
        regions: dict[str, int] = {}
        self.topic_id = [topics.setdefault(e.topic_key, len(topics)) for e in items]
        self.region_id = [regions.setdefault(e.region_key, len(regions)) for e in items]
        self.label_cache: dict[tuple[int, int], tuple[float, float]] = {}
        self.targets = (
            {n for n, e in enumerate(items) if e.key == only_with}
            if only_with is not None
            else None
        )
        self.seen: set[tuple[int, int]] = set()
        self.found: list[Overlap] = []

    def run(self) -> list[Overlap]:
        # Topic and region reach the threshold only through equal texts or a shared word; the
        # text alone reaches at most TEXT_WEIGHT, so descriptions join the grouping only below it.
        with_text = self.threshold <= TEXT_WEIGHT + 1e-9
        blocks: dict[str, list[int]] = {}
        for n, entry in enumerate(self.items):
            for key in _block_keys(entry, with_text):
                blocks.setdefault(key, []).append(n)
        # Each pair is met once: in the block of its whole topic when the topics are equal, else
        # in that of its whole region when the regions are; the blocks of single words, of equal
        # description words (W) and of description words add the rest, checked against the pairs
        # already met.
        for key, block in blocks.items():
            if len(block) < 2:
                continue
            if self.targets is not None and not self.targets.intersection(block):
                continue
            if key[0] in "tr":
                self._sweep_word_block(block)
            else:
                self._sweep(block, key[0])
        self.found.sort(key=lambda o: (-o.total, _sort_key(o.a.key), _sort_key(o.b.key)))
        return self.found

    def _sweep(self, block: list[int], kind: str) -> None:
        """Every pair of a block whose windows overlap: all of them in a whole topic's block (T);
        in a whole region's (R), those of different topics; in the others (words of labels with
        many classes, W, D, d), those of different topics and regions not met before."""
        starts, ends, topics, regions = self.starts, self.ends, self.topic_id, self.region_id
        block.sort(key=lambda n: (starts[n], ends[n]))
        for i, x in enumerate(block):
            x_ends = ends[x]
            for y in block[i + 1 :]:
                # Sorted by start: later entries overlap this window until one starts after it.
                if starts[y] > x_ends:
                    break
                if kind == "T":
                    self._consider(x, y)
                elif topics[x] != topics[y]:
                    if kind == "R":
                        self._consider(x, y)
                    elif regions[x] != regions[y]:
                        self._consider_once(x, y)

    def _sweep_word_block(self, block: list[int]) -> None:
        """The pairs of a topic or region word's block that differ in topic and region and could
        reach the threshold, each checked against those met before.

        With few label classes in the block, class against class (skipping the pairs of classes
        that cannot reach the threshold whatever their windows and texts); with many, entry
        against entry in order of start, like the other blocks.
        """
        groups: dict[int, list[int]] = {}
        for n in block:
            groups.setdefault(self.label_class[n], []).append(n)
        if len(groups) < 2:
            return  # one topic and region: every pair was met in the block of that topic
        if len(groups) * (len(groups) - 1) // 2 > self._overlapping_pairs(block):
            self._sweep(block, "w")
            return
        # Pairs whose descriptions have the same words are met in the block of those words (W);
        # two different word sets sharing i words have at most i / (i + 1) of them in common.
        longest = max(len(self.items[n].text_words) for n in block)
        text_bound = longest / (longest + 1)
        starts = self.starts
        for members in groups.values():
            members.sort(key=lambda n: starts[n])
        classes = list(groups.values())
        for i, first in enumerate(classes):
            x = first[0]
            for second in classes[i + 1 :]:
                y = second[0]
                if self.topic_id[x] == self.topic_id[y] or self.region_id[x] == self.region_id[y]:
                    continue  # met in the block of their topic or region
                topic, region = self._labels(x, y)
                labels = (TOPIC_TENTHS * topic + REGION_TENTHS * region) / 10
                if TEXT_WEIGHT * text_bound + labels + 1e-9 >= self.threshold:
                    self._sweep_between(first, second)

    def _overlapping_pairs(self, block: list[int]) -> int:
        """How many pairs of the block have overlapping windows (counted, not listed)."""
        starts = sorted(self.starts[n] for n in block)
        ends = sorted(self.ends[n] for n in block)
        # Pairs that overlap = all pairs - pairs where one ends before the other starts.
        disjoint = 0
        for start in starts:
            disjoint += bisect_left(ends, start)
        return len(block) * (len(block) - 1) // 2 - disjoint

    def _sweep_between(self, first: list[int], second: list[int]) -> None:
        """Pairs, one from each list (both sorted by start), whose windows overlap."""
        starts, ends = self.starts, self.ends
        first_starts = [starts[n] for n in first]
        second_starts = [starts[n] for n in second]
        # A pair overlaps when one starts within the other's window: count it from the side
        # that starts first (ties counted from ``first``).
        for x in first:
            lo = bisect_left(second_starts, starts[x])
            hi = bisect_right(second_starts, ends[x])
            for y in second[lo:hi]:
                self._consider_once(x, y)
        for y in second:
            lo = bisect_right(first_starts, starts[y])
            hi = bisect_right(first_starts, ends[y])
            for x in first[lo:hi]:
                self._consider_once(x, y)

    def _consider_once(self, x: int, y: int) -> None:
        pair = (x, y) if x < y else (y, x)
        if pair not in self.seen:
            self.seen.add(pair)
            self._consider(x, y)

    def _labels(self, x: int, y: int) -> tuple[float, float]:
        cx, cy = self.label_class[x], self.label_class[y]
        key = (cx, cy) if cx <= cy else (cy, cx)
        cached = self.label_cache.get(key)
        if cached is None:
            a, b = self.items[x], self.items[y]
            cached = (
                similarity(a.topic_key, b.topic_key, a.topic_words, b.topic_words),
                similarity(a.region_key, b.region_key, a.region_words, b.region_words),
            )
            self.label_cache[key] = cached
        return cached

    def _consider(self, x: int, y: int) -> None:
        if self.items[x].nation == self.items[y].nation:
            return
        if self.targets is not None and x not in self.targets and y not in self.targets:
            return
        topic, region = self._labels(x, y)
        # The most the text could add is a perfect match: skip the comparison when even that
        # falls short (loosened by a hair so that rounding never drops a pair at the limit).
        reach = (TEXT_TENTHS + TOPIC_TENTHS * topic + REGION_TENTHS * region) / 10 + 1e-9
        if reach < self.threshold:
            return
        overlap = min(self.ends[x], self.ends[y]) - max(self.starts[x], self.starts[y]) + 1
        shorter = min(self.ends[x] - self.starts[x], self.ends[y] - self.starts[y]) + 1
        window = min(1.0, overlap / shorter)
        if window * reach < self.threshold:
            return
        a, b = self.items[x], self.items[y]
        text = similarity(a.text_key, b.text_key, a.text_words, b.text_words)
        result = Score(topic=topic, region=region, window=window, text=text)
        if result.total >= self.threshold:
            self.found.append(_ordered(a, b, result))


def _block_keys(entry: Entry, with_text: bool) -> set[str]:
    keys = {
        f"T:{entry.topic_key}",
        f"R:{entry.region_key}",
        "W:" + " ".join(sorted(entry.text_words)),
    }
    keys.update(f"t:{w}" for w in entry.topic_words)
    keys.update(f"r:{w}" for w in entry.region_words)
    if with_text:
        keys.add(f"D:{entry.text_key}")
        keys.update(f"d:{w}" for w in entry.text_words)
    return keys


def _sort_key(key: Hashable) -> tuple[int, int, str]:
    if isinstance(key, int) and not isinstance(key, bool):
        return (0, key, "")
    return (1, 0, str(key))


def _ordered(a: Entry, b: Entry, result: Score) -> Overlap:
    return Overlap(a, b, result) if _sort_key(a.key) <= _sort_key(b.key) else Overlap(b, a, result)


__all__ = [
    "DEFAULT_THRESHOLD",
    "Entry",
    "Overlap",
    "Score",
    "find_overlaps",
    "jaccard",
    "normalise",
    "score",
    "similarity",
    "window_overlap",
    "words",
]
