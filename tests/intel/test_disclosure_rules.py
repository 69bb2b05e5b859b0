"""Time to decision (pure): median and 90th percentile, by partner and by officer."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allied.intel.rules.cycle_times import (
    Timing,
    cycle_times,
    format_duration,
    median,
    percentile,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
US = timedelta(microseconds=1)

durations = st.lists(
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)), min_size=1, max_size=60
)


def hours(*values: float) -> list[timedelta]:
    return [timedelta(hours=v) for v in values]


def timing(partner: str, officer: str | None, waited: timedelta | None) -> Timing:
    requested = NOW - timedelta(days=30)
    return Timing(partner, officer, requested, None if waited is None else requested + waited)


def test_the_median_of_an_odd_count_is_the_middle_time():
    assert median(hours(5, 1, 3)) == timedelta(hours=3)


def test_the_median_of_an_even_count_is_the_mean_of_the_two_middle_times():
    assert median(hours(1, 2, 4, 10)) == timedelta(hours=3)


def test_the_90th_percentile_interpolates_between_the_closest_ranks():
    # Ten times 1..10 h: rank 0.9 * 9 = 8.1, so 9 h + 0.1 * (10 h - 9 h).
    assert percentile(hours(*range(1, 11)), 90) == timedelta(hours=9, minutes=6)


def test_one_time_is_its_own_median_and_90th_percentile():
    assert median(hours(7)) == percentile(hours(7), 90) == timedelta(hours=7)


def test_no_time_has_no_percentile_and_a_percentile_is_between_0_and_100():
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile(hours(1), 101)


@settings(max_examples=300)
@given(durations)
def test_the_median_is_the_statistics_median_to_the_microsecond(values):
    expected = statistics.median([v // US for v in values])
    assert abs(median(values) // US - expected) <= 0.5


@settings(max_examples=300)
@given(durations)
def test_the_90th_percentile_is_the_inclusive_quantile_to_the_microsecond(values):
    micros = [v // US for v in values]
    expected = (
        micros[0] if len(micros) == 1 else statistics.quantiles(micros, n=10, method="inclusive")[8]
    )
    # statistics works in floats; ours is exact and rounded, so allow float error on large values.
    assert abs(percentile(values, 90) // US - expected) <= max(1, abs(expected) * 1e-12)


@settings(max_examples=300)
@given(durations, st.floats(0, 100), st.floats(0, 100))
def test_percentiles_lie_between_the_extremes_and_rise_with_q(values, q1, q2):
    low, high = sorted((q1, q2))
    assert min(values) <= percentile(values, low) <= percentile(values, high) <= max(values)


@settings(max_examples=200)
@given(durations, st.randoms())
def test_percentiles_do_not_depend_on_the_order_of_the_records(values, random):
    shuffled = list(values)
    random.shuffle(shuffled)
    assert percentile(shuffled, 90) == percentile(values, 90)
    assert median(shuffled) == median(values)


records = st.lists(
    st.tuples(
        st.sampled_from(["JPN", "KOR", "AUS", "PHL"]),
        st.sampled_from(["us.fdo", "us.fdo2"]),
        st.none() | st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)),
    ),
    max_size=40,
)


@settings(max_examples=200)
@given(records)
def test_every_request_counts_once_by_partner_and_every_decided_one_once_by_officer(rows):
    timings = [timing(p, None if w is None else o, w) for p, o, w in rows]
    result = cycle_times(timings, NOW)
    decided = sum(1 for *_, w in rows if w is not None)
    assert result.overall.decided == decided
    assert result.overall.waiting == len(rows) - decided
    assert sum(s.decided + s.waiting for s in result.by_partner) == len(rows)
    assert sum(s.decided for s in result.by_officer) == decided
    assert all(s.waiting == 0 for s in result.by_officer)
    assert [s.key for s in result.by_partner] == sorted({p for p, *_ in rows})


@settings(max_examples=200)
@given(records)
def test_each_group_summarises_exactly_its_own_decided_times(rows):
    timings = [timing(p, None if w is None else o, w) for p, o, w in rows]
    result = cycle_times(timings, NOW)
    for summary in result.by_partner:
        mine = [w for p, _, w in rows if p == summary.key and w is not None]
        assert summary.median == (median(mine) if mine else None)
        assert summary.p90 == (percentile(mine, 90) if mine else None)
    for summary in result.by_officer:
        mine = [w for _, o, w in rows if o == summary.key and w is not None]
        assert summary.median == median(mine)
        assert summary.median is not None and summary.p90 is not None
        assert summary.median <= summary.p90


def test_the_stats_of_a_known_set_by_partner_and_by_officer():
    timings = [
        timing("JPN", "us.fdo", timedelta(hours=2)),
        timing("JPN", "us.fdo", timedelta(hours=4)),
        timing("JPN", "us.fdo2", timedelta(hours=12)),
        timing("KOR", "us.fdo2", timedelta(days=3)),
        timing("KOR", None, None),
    ]
    result = cycle_times(timings, NOW)
    jpn, kor = result.by_partner
    assert (jpn.key, jpn.decided, jpn.median, jpn.p90) == (
        "JPN",
        3,
        timedelta(hours=4),
        timedelta(hours=10, minutes=24),
    )
    assert (kor.decided, kor.median, kor.waiting, kor.longest_wait) == (
        1,
        timedelta(days=3),
        1,
        timedelta(days=30),
    )
    fdo, fdo2 = result.by_officer
    assert (fdo.key, fdo.median, fdo.p90) == ("us.fdo", timedelta(hours=3), timedelta(hours=3.8))
    assert (fdo2.key, fdo2.median) == ("us.fdo2", timedelta(hours=42))
    assert result.overall.median == timedelta(hours=8)


def test_a_decision_recorded_before_its_request_counts_as_no_wait():
    early = Timing("JPN", "us.fdo", NOW, NOW - timedelta(hours=1))
    assert early.waited(NOW) == timedelta(0)


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (None, "-"),
        (timedelta(seconds=40), "40 s"),
        (timedelta(minutes=7, seconds=3), "7 min"),
        (timedelta(hours=5, minutes=12), "5 h 12 min"),
        (timedelta(hours=5), "5 h"),
        (timedelta(days=3, hours=4, minutes=1), "3 d 4 h"),
        (timedelta(days=2), "2 d"),
    ],
)
def test_durations_read_as_days_hours_minutes_or_seconds(duration, text):
    assert format_duration(duration) == text
