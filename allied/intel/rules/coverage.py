"""The coverage matrix of collection requirements, in plain Python (no Django).

Rows are a topic and a region (compared as normalised text: "Maritime activity" and "maritime
activity" are one row), columns are nations, and each cell says, as of one day, how the nation's
live needs in that row are covered. A need, a collection or a split is *live* on a day inside its
window (both ends included). Only *accepted* splits count; offered and declined ones do not.

For a nation with a live need in a row, in this order:

* **agreed**: an accepted split for the row, in which this nation relies on another, is live;
* **lapsed**: no such split is live, but one has ended (its window closed before the day);
* **uncollected**: no live collection of any nation covers the row;
* **twice**: live collections of two or more nations cover it (and no split divides the work);
* **collected**: exactly one nation's live collection covers it.

A nation with no live need in the row but a live collection there (or a live split in which it
collects) **collects**. Every other cell is empty.

Callers pass only the rows the viewer may see, so a cell never reflects a hidden one.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date

from allied.wording import normalise


class State(enum.Enum):
    AGREED = "agreed"
    LAPSED = "lapsed"
    UNCOLLECTED = "uncollected"
    TWICE = "twice"
    COLLECTED = "collected"
    COLLECTS = "collects"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    State.AGREED: "Agreed split",
    State.LAPSED: "Split lapsed",
    State.UNCOLLECTED: "Needed, nobody collects",
    State.TWICE: "Collected twice",
    State.COLLECTED: "Collected",
    State.COLLECTS: "Collects",
}


@dataclass(frozen=True)
class Item:
    """A need or a collection of one nation, as the matrix sees it."""

    key: Hashable
    nation: str
    topic: str
    region: str
    starts: date
    ends: date

    def __post_init__(self) -> None:
        if self.ends < self.starts:
            raise ValueError(f"{self.key!r}: the window ends before it starts")

    def live(self, day: date) -> bool:
        return self.starts <= day <= self.ends

    @property
    def row(self) -> tuple[str, str]:
        return (normalise(self.topic), normalise(self.region))


@dataclass(frozen=True)
class Split(Item):
    """An agreement: ``nation`` collects the row for ``relying`` in the window, once accepted."""

    relying: str = ""
    accepted: bool = False

    def ended(self, day: date) -> bool:
        return self.ends < day


@dataclass(frozen=True)
class Cell:
    """One nation in one row: its state, its live needs there, who covers the row, and the
    accepted splits (live or ended) it relies on there."""

    state: State
    needs: tuple[Hashable, ...] = ()
    collectors: tuple[str, ...] = ()
    splits: tuple[Hashable, ...] = ()


@dataclass(frozen=True)
class Row:
    key: tuple[str, str]
    topic: str
    region: str
    cells: dict[str, Cell]


@dataclass(frozen=True)
class Matrix:
    day: date
    nations: tuple[str, ...]
    rows: tuple[Row, ...]

    def cell(self, topic: str, region: str, nation: str) -> Cell | None:
        key = (normalise(topic), normalise(region))
        for row in self.rows:
            if row.key == key:
                return row.cells.get(nation)
        return None

    def count(self, state: State) -> int:
        return sum(1 for row in self.rows for c in row.cells.values() if c.state is state)


def _need_state(live_splits: list[Split], ended: list[Split], collectors: set[str]) -> State:
    if live_splits:
        return State.AGREED
    if ended:
        return State.LAPSED
    if not collectors:
        return State.UNCOLLECTED
    return State.TWICE if len(collectors) >= 2 else State.COLLECTED


def _row_cells(
    needs: list[Item], collections: list[Item], splits: list[Split], day: date
) -> dict[str, Cell]:
    live_needs = [n for n in needs if n.live(day)]
    live_collections = [c for c in collections if c.live(day)]
    accepted = [s for s in splits if s.accepted]  # (``coverage`` passes only these)
    live_splits = [s for s in accepted if s.live(day)]
    collectors = {c.nation for c in live_collections}
    cells: dict[str, Cell] = {}
    for nation in sorted({n.nation for n in live_needs}):
        mine = [s for s in live_splits if s.relying == nation]
        ended = [s for s in accepted if s.relying == nation and s.ended(day)]
        cells[nation] = Cell(
            state=_need_state(mine, ended, collectors),
            needs=tuple(n.key for n in live_needs if n.nation == nation),
            collectors=tuple(sorted(collectors | {s.nation for s in mine})),
            splits=tuple(s.key for s in [*mine, *ended]),
        )
    for nation in sorted(collectors | {s.nation for s in live_splits}):
        cells.setdefault(nation, Cell(State.COLLECTS, collectors=(nation,)))
    return cells


def coverage(
    needs: Iterable[Item], collections: Iterable[Item], splits: Iterable[Split], day: date
) -> Matrix:
    """The matrix as of ``day``: one row per topic and region with at least one cell (a live
    need or a live collection or split there), nations in code order."""
    grouped: dict[tuple[str, str], tuple[list[Item], list[Item], list[Split]]] = {}
    labels: dict[tuple[str, str], tuple[str, str]] = {}
    accepted = [s for s in splits if s.accepted]
    for index, items in enumerate((needs, collections, accepted)):
        for item in items:
            group = grouped.setdefault(item.row, ([], [], []))
            group[index].append(item)  # type: ignore[arg-type]
            label = (item.topic.strip(), item.region.strip())
            labels[item.row] = min(labels.get(item.row, label), label)
    rows = []
    for key in sorted(grouped):
        cells = _row_cells(*grouped[key], day)
        if cells:
            rows.append(Row(key, labels[key][0], labels[key][1], cells))
    nations = sorted({nation for row in rows for nation in row.cells})
    return Matrix(day=day, nations=tuple(nations), rows=tuple(rows))


__all__ = ["LABELS", "Cell", "Item", "Matrix", "Row", "Split", "State", "coverage"]
