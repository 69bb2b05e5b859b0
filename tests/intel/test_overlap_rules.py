"""Overlap of collection requirements (pure): each part, the combined score, and the pre-filter."""

from __future__ import annotations

import ast
import inspect
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allied.intel.rules import overlap as overlap_rules
from allied.intel.rules.overlap import (
    Entry,
    Score,
    find_overlaps,
    normalise,
    score,
    window_overlap,
    words,
)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DAY = date(2026, 1, 1)

TOPICS = ["Maritime activity", "maritime  activity", "Missile launches", "Maritime launches",
          "Port construction", "the", ""]  # fmt: skip
REGIONS = ["Luzon Strait", "Luzon Strait and Bashi Channel", "South China Sea", "East China Sea",
           "Sea of Japan", "of", ""]  # fmt: skip
TEXTS = ["Track vessels transiting the strait at night.", "Vessels transiting the strait.",
         "Survey ships near the islands", "Radar sensor coverage", "", "the a",
         "Imagery of dredging and piers"]  # fmt: skip


@st.composite
def entries(draw: st.DrawFn, key: int = 0) -> Entry:
    starts = DAY + timedelta(days=draw(st.integers(0, 120)))
    return Entry(
        key=key,
        nation=draw(st.sampled_from(["USA", "JPN", "PHL"])),
        topic=draw(st.sampled_from(TOPICS)),
        region=draw(st.sampled_from(REGIONS)),
        starts=starts,
        ends=starts + timedelta(days=draw(st.integers(0, 90))),
        text=draw(st.sampled_from(TEXTS)),
    )


@st.composite
def entry_lists(draw: st.DrawFn) -> list[Entry]:
    count = draw(st.integers(0, 25))
    return [draw(entries(key=n)) for n in range(count)]


def entry(key: int = 1, nation: str = "USA", topic: str = "Maritime activity",
          region: str = "Luzon Strait", starts: date = DAY, days: int = 364,
          text: str = "Track vessels transiting the Luzon Strait at night.") -> Entry:  # fmt: skip
    return Entry(key, nation, topic, region, starts, starts + timedelta(days=days), text)


# --- properties ----------------------------------------------------------------------------


@SETTINGS
@given(entries(key=1), entries(key=2))
def test_the_score_is_symmetric(a, b):
    assert score(a, b) == score(b, a)
    assert score(a, b).total == score(b, a).total


@SETTINGS
@given(entries(key=1), entries(key=2))
def test_the_score_and_every_part_lie_between_0_and_1(a, b):
    result = score(a, b)
    for value in (result.total, result.topic, result.region, result.window, result.text):
        assert 0.0 <= value <= 1.0


@SETTINGS
@given(entries())
def test_identical_entries_score_1(a):
    assert score(a, a).total == 1.0


@SETTINGS
@given(entries(key=1), entries(key=2))
def test_disjoint_windows_score_0(a, b):
    if a.ends < b.starts or b.ends < a.starts:
        assert score(a, b).total == 0.0
        assert score(a, b).window == 0.0


@SETTINGS
@given(entry_lists(), st.sampled_from([0.05, 0.2, 0.3, 0.4, 0.41, 0.5, 0.6, 0.7, 0.71, 0.9, 1.0]))
def test_the_pre_filter_finds_exactly_what_comparing_every_pair_finds(items, threshold):
    found = {(o.a.key, o.b.key): o.total for o in find_overlaps(items, threshold)}
    every = {
        (a.key, b.key): score(a, b).total
        for i, a in enumerate(items)
        for b in items[i + 1 :]
        if a.nation != b.nation and score(a, b).total >= threshold
    }
    assert found == every


@SETTINGS
@given(entry_lists(), st.sampled_from([0.3, 0.5, 0.8]), st.integers(0, 24))
def test_pairs_with_one_entry_are_the_pairs_that_include_it(items, threshold, key):
    everything = find_overlaps(items, threshold)
    assert find_overlaps(items, threshold, only_with=key) == [
        o for o in everything if key in (o.a.key, o.b.key)
    ]


@SETTINGS
@given(entry_lists())
def test_pairs_are_best_first_and_never_of_one_nation(items):
    found = find_overlaps(items, 0.3)
    totals = [o.total for o in found]
    assert totals == sorted(totals, reverse=True)
    assert all(o.a.nation != o.b.nation for o in found)


# --- examples ------------------------------------------------------------------------------


def test_a_score_explains_each_of_its_parts():
    need = entry(1, "USA")
    patrol = entry(
        2,
        "JPN",
        topic="maritime  activity",
        starts=date(2026, 3, 1),
        days=182,
        text="Patrol aircraft track vessels transiting the strait at night.",
    )
    result = score(need, patrol)
    assert result.explain() == [
        "same topic",
        "same region",
        "all of the shorter window overlaps",
        f"text {result.text:.2f}",
    ]
    assert str(result).startswith("same topic, same region, all of the shorter window overlaps")


def test_a_partly_overlapping_window_says_how_much():
    early = entry(1, starts=date(2026, 1, 1), days=99)  # 100 days
    late = entry(2, "JPN", starts=date(2026, 3, 22), days=99)  # the last 20 days of it, and more
    assert window_overlap(early.starts, early.ends, late.starts, late.ends) == pytest.approx(0.2)
    assert "20% of the shorter window overlaps" in score(early, late).explain()


def test_related_and_different_labels_are_named_with_their_share():
    result = Score(topic=0.4, region=0.0, window=1.0, text=0.5)
    assert result.explain()[:2] == ["related topic (0.40)", "different region"]
    assert result.total == pytest.approx(0.4 * 0.5 + 0.3 * 0.4)


def test_a_region_within_a_wider_one_is_related():
    strait = entry(1, region="Luzon Strait")
    wider = entry(2, "PHL", region="Luzon Strait and Bashi Channel")
    assert score(strait, wider).region == pytest.approx(2 / 4)  # luzon, strait / + bashi, channel


def test_labels_compare_without_case_punctuation_or_extra_spaces():
    assert normalise("  Maritime,  ACTIVITY ") == "maritime activity"
    assert words("The vessels of the strait") == {"vessel", "strait"}


def test_the_same_nation_never_overlaps_itself():
    assert find_overlaps([entry(1, "JPN"), entry(2, "JPN")]) == []


def test_a_threshold_outside_0_and_1_is_refused():
    with pytest.raises(ValueError):
        find_overlaps([], 0.0)
    with pytest.raises(ValueError):
        find_overlaps([], 1.5)


def test_a_window_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        Entry(1, "USA", "t", "r", date(2026, 2, 1), date(2026, 1, 1), "x")


def test_the_rules_import_no_framework():
    """The overlap rules and the wording they share with the guidance conflicts import only the
    standard library (and the rules import the wording)."""
    import allied.wording

    allowed = {"__future__", "re", "bisect", "collections", "dataclasses", "datetime", "functools"}
    for module, extra in ((overlap_rules, {"allied.wording"}), (allied.wording, set())):
        tree = ast.parse(inspect.getsource(module))
        imported = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert {name for name in imported if name not in extra} <= {
            name for name in imported if name.split(".")[0] in allowed
        }, module.__name__


def test_a_few_thousand_requirements_are_compared_without_comparing_every_pair():
    """3,000 entries on 40 topics and 40 places over three years: the texts of only a small
    share of the 4.5 million pairs are compared."""
    import random

    rng = random.Random(7)
    subjects = ("maritime", "missile", "air", "cyber", "port", "submarine", "space", "naval")
    activities = ("activity", "launches", "defence", "operations", "construction", "movements")
    topics = [f"{rng.choice(subjects)} {rng.choice(activities)}" for _ in range(40)]
    places = ["Luzon Strait", "Taiwan Strait", "South China Sea", "East China Sea", "Yellow Sea",
              "Sea of Japan", "Bay of Bengal", "Strait of Malacca", "Philippine Sea", "Guam",
              "Korean Peninsula", "Spratly Islands", "Senkaku Islands"]  # fmt: skip
    items = []
    for n in range(3000):
        starts = DAY + timedelta(days=rng.randint(0, 1100))
        text = " ".join(rng.sample(TEXTS[0].split() + TEXTS[2].split() + TEXTS[6].split(), 6))
        nation = rng.choice(["USA", "JPN", "KOR", "AUS", "PHL", "IND"])
        ends = starts + timedelta(days=rng.randint(10, 180))
        items.append(Entry(n, nation, rng.choice(topics), rng.choice(places), starts, ends, text))
    texts_compared = 0
    original = overlap_rules.similarity

    def counting(a_key, b_key, a_words, b_words):
        nonlocal texts_compared
        texts_compared += a_key in TEXT_KEYS
        return original(a_key, b_key, a_words, b_words)

    TEXT_KEYS = {e.text_key for e in items}
    overlap_rules.similarity = counting
    try:
        found = find_overlaps(items, 0.5)
    finally:
        overlap_rules.similarity = original
    assert found
    assert texts_compared < 3000 * 2999 // 2 // 20
