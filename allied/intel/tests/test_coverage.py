"""The coverage matrix as a pure rule (``allied.intel.rules.coverage``), checked by properties.

Each property restates one definition of the matrix in plain terms, over random needs,
collections and splits, and the matrix must agree with it on every cell.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allied.intel.rules.coverage import Item, Split, State, coverage

NATIONS = ["USA", "JPN", "PHL", "KOR"]
ROWS = [("Maritime activity", "Luzon Strait"), ("Missile launches", "Korean Peninsula")]
BASE = date(2026, 1, 1)
DAY = BASE + timedelta(days=30)


@st.composite
def windows(draw: st.DrawFn) -> tuple[date, date]:
    starts = BASE + timedelta(days=draw(st.integers(0, 60)))
    return starts, starts + timedelta(days=draw(st.integers(0, 40)))


@st.composite
def items(draw: st.DrawFn, key: int) -> Item:
    topic, region = draw(st.sampled_from(ROWS))
    starts, ends = draw(windows())
    # The same row written differently is the same row.
    if draw(st.booleans()):
        topic, region = f"  {topic.lower()} ", region.upper()
    return Item(key, draw(st.sampled_from(NATIONS)), topic, region, starts, ends)


@st.composite
def splits(draw: st.DrawFn, key: int) -> Split:
    base = draw(items(key))
    relying = draw(st.sampled_from([n for n in NATIONS if n != base.nation]))
    return Split(base.key, base.nation, base.topic, base.region, base.starts, base.ends,
                 relying=relying, accepted=draw(st.booleans()))  # fmt: skip


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[Item], list[Item], list[Split]]:
    n_needs, n_collections, n_splits = (draw(st.integers(0, 6)) for _ in range(3))
    keys = iter(range(1, 100))
    return (
        [draw(items(next(keys))) for _ in range(n_needs)],
        [draw(items(next(keys))) for _ in range(n_collections)],
        [draw(splits(next(keys))) for _ in range(n_splits)],
    )


def _in_row(item: Item, row: tuple[str, str]) -> bool:
    return item.row == row


def _expected_facts(world, row, nation):  # type: ignore[no-untyped-def]
    needs, collections, splits_ = world
    live_need = any(_in_row(n, row) and n.nation == nation and n.live(DAY) for n in needs)
    collectors = {c.nation for c in collections if _in_row(c, row) and c.live(DAY)}
    mine = [s for s in splits_ if _in_row(s, row) and s.accepted and s.relying == nation]
    live_split = any(s.live(DAY) for s in mine)
    ended_split = any(s.ends < DAY for s in mine)
    return live_need, collectors, live_split, ended_split


PROPERTY = settings(max_examples=300, deadline=None, derandomize=True, database=None)


@PROPERTY
@given(worlds())
def test_each_need_cell_follows_its_definition(world):
    matrix = coverage(*world, DAY)
    for row in matrix.rows:
        for nation in NATIONS:
            cell = row.cells.get(nation)
            live_need, collectors, live_split, ended = _expected_facts(world, row.key, nation)
            if not live_need:
                assert cell is None or cell.state is State.COLLECTS
                continue
            assert cell is not None
            # Agreed exactly while an accepted split it relies on is live.
            assert (cell.state is State.AGREED) == live_split
            # Lapsed exactly when such a split has ended and none is live.
            assert (cell.state is State.LAPSED) == (ended and not live_split)
            no_split = not live_split and not ended
            # Uncollected exactly when no live collection covers it (and no split applies).
            assert (cell.state is State.UNCOLLECTED) == (no_split and not collectors)
            # Twice exactly when two nations' live collections cover it without a split.
            assert (cell.state is State.TWICE) == (no_split and len(collectors) >= 2)
            assert (cell.state is State.COLLECTED) == (no_split and len(collectors) == 1)


@PROPERTY
@given(worlds())
def test_every_live_need_has_a_cell_and_nothing_else_is_a_need_cell(world):
    needs = world[0]
    matrix = coverage(*world, DAY)
    for need in needs:
        cell = matrix.cell(need.topic, need.region, need.nation)
        if need.live(DAY):
            assert cell is not None and need.key in cell.needs
            assert cell.state is not State.COLLECTS
    assert matrix.nations == tuple(sorted(matrix.nations))


@PROPERTY
@given(worlds())
def test_offered_and_declined_splits_change_nothing(world):
    needs, collections, splits_ = world
    unanswered = [s for s in splits_ if not s.accepted]
    assert coverage(needs, collections, unanswered, DAY) == coverage(needs, collections, [], DAY)


@PROPERTY
@given(worlds())
def test_the_matrix_does_not_depend_on_the_order_of_its_inputs(world):
    needs, collections, splits_ = world
    forward = coverage(needs, collections, splits_, DAY)
    backward = coverage(needs[::-1], collections[::-1], splits_[::-1], DAY)
    assert forward.nations == backward.nations
    assert [(r.key, {n: c.state for n, c in r.cells.items()}) for r in forward.rows] == [
        (r.key, {n: c.state for n, c in r.cells.items()}) for r in backward.rows
    ]


def test_a_split_lapses_the_day_after_its_window_ends():
    need = Item(1, "USA", "Maritime activity", "Luzon Strait", BASE, date(2026, 12, 31))
    split = Split(2, "JPN", "Maritime activity", "Luzon Strait", BASE, date(2026, 9, 30),
                  relying="USA", accepted=True)  # fmt: skip
    on_last_day = coverage([need], [], [split], date(2026, 9, 30))
    after = coverage([need], [], [split], date(2026, 10, 1))
    assert on_last_day.cell("maritime activity", "luzon strait", "USA").state is State.AGREED
    assert after.cell("Maritime activity", "Luzon Strait", "USA").state is State.LAPSED
    # The collector's column shows it collects only while the split is live.
    assert on_last_day.cell("Maritime activity", "Luzon Strait", "JPN").state is State.COLLECTS
    assert after.cell("Maritime activity", "Luzon Strait", "JPN") is None


def test_a_window_out_of_order_is_refused():
    with pytest.raises(ValueError, match="ends before it starts"):
        Item(1, "USA", "t", "r", date(2026, 2, 1), date(2026, 1, 1))
