"""Crisis-pair coverage: table-driven cases and properties."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allied.people.rules.coverage import (
    RECENT_DAYS,
    Meeting,
    Pair,
    Status,
    by_partner,
    cover,
    met_index,
    pair_key,
)

TODAY = date(2026, 11, 1)
PAIR = Pair("p1", "us-b", "jp-b", "JPN")


def days_ago(n):
    return TODAY - timedelta(days=n)


@pytest.mark.parametrize(
    ("holders", "meetings", "status", "days"),
    [
        (
            {"us-b": "ann", "jp-b": "ken"},
            [Meeting(days_ago(10), frozenset({"ann", "ken"}))],
            Status.COVERED,
            10,
        ),
        (
            {"us-b": "ann", "jp-b": "ken"},
            [Meeting(days_ago(RECENT_DAYS), frozenset({"ann", "ken"}))],
            Status.COVERED,
            RECENT_DAYS,
        ),
        (
            {"us-b": "ann", "jp-b": "ken"},
            [Meeting(days_ago(RECENT_DAYS + 1), frozenset({"ann", "ken"}))],
            Status.STALE,
            RECENT_DAYS + 1,
        ),
        # Met others, never each other.
        (
            {"us-b": "ann", "jp-b": "ken"},
            [
                Meeting(days_ago(5), frozenset({"ann", "bob"})),
                Meeting(days_ago(5), frozenset({"ken", "bob"})),
            ],
            Status.NEVER_MET,
            None,
        ),
        ({"us-b": "ann"}, [Meeting(days_ago(5), frozenset({"ann", "ken"}))], Status.VACANT, None),
        ({}, [], Status.VACANT, None),
        # A contact still to come has not happened yet.
        (
            {"us-b": "ann", "jp-b": "ken"},
            [Meeting(TODAY + timedelta(days=3), frozenset({"ann", "ken"}))],
            Status.NEVER_MET,
            None,
        ),
    ],
)
def test_coverage_of_one_pair(holders, meetings, status, days):
    [result] = cover([PAIR], holders, met_index(meetings), TODAY)
    assert result.status is status
    assert result.days_since == days


def test_the_latest_of_several_meetings_counts():
    meetings = [Meeting(days_ago(d), frozenset({"ann", "ken", "bob"})) for d in (900, 40, 300)]
    index = met_index(meetings)
    met = index[pair_key("ann", "ken")]
    assert (met.count, met.first, met.last) == (3, days_ago(900), days_ago(40))


def test_gaps_are_listed_by_partner_worst_first():
    pairs = [
        Pair("a", "u1", "j1", "JPN"),
        Pair("b", "u2", "j2", "JPN"),
        Pair("c", "u3", "k1", "KOR"),
        Pair("d", "u4", "j3", "JPN"),
    ]
    holders = {
        "u1": "ann",
        "j1": "ken",
        "u2": "bea",
        "j2": "yui",
        "u3": "cal",
        "k1": "min",
        "u4": "dan",
    }
    meetings = [
        Meeting(days_ago(30), frozenset({"ann", "ken"})),
        Meeting(days_ago(1000), frozenset({"bea", "yui"})),
        Meeting(days_ago(10), frozenset({"cal", "min"})),
    ]
    summaries = by_partner(cover(pairs, holders, met_index(meetings), TODAY))
    assert [s.partner for s in summaries] == ["JPN", "KOR"]
    jpn = summaries[0]
    assert jpn.total == 3 and jpn.covered == 1
    assert [g.pair.key for g in jpn.gaps] == ["d", "b"]  # vacant before stale
    assert summaries[1].gaps == []


people = st.sampled_from(["ann", "bea", "cal", "ken", "yui", "min"])
meetings_st = st.lists(
    st.builds(
        Meeting,
        st.integers(0, 2000).map(days_ago),
        st.frozensets(people, min_size=1, max_size=4),
    ),
    max_size=12,
)


@given(meetings_st, meetings_st)
@settings(max_examples=60, deadline=None)
def test_removing_contacts_never_improves_coverage(visible, hidden):
    """What a viewer may not see can only be missing, so it can never make a pair look better.

    Coverage from the visible contacts alone is never better than from visible plus hidden ones;
    equivalently, adding contacts never turns a covered pair into a gap.
    """
    pairs = [Pair("p", "us-b", "jp-b", "JPN"), Pair("q", "us-c", "jp-c", "JPN")]
    holders = {"us-b": "ann", "jp-b": "ken", "us-c": "bea", "jp-c": "yui"}
    rank = {Status.VACANT: 0, Status.NEVER_MET: 1, Status.STALE: 2, Status.COVERED: 3}
    seen = cover(pairs, holders, met_index(visible), TODAY)
    everything = cover(pairs, holders, met_index(visible + hidden), TODAY)
    for few, all_ in zip(seen, everything, strict=True):
        assert rank[few.status] <= rank[all_.status]
        if few.met is not None:
            assert all_.met is not None and all_.met.last >= few.met.last


@given(meetings_st)
@settings(max_examples=60, deadline=None)
def test_a_pair_is_covered_exactly_when_a_recent_meeting_had_both(meetings):
    [result] = cover([PAIR], {"us-b": "ann", "jp-b": "ken"}, met_index(meetings), TODAY)
    both = [m for m in meetings if {"ann", "ken"} <= m.people and m.day <= TODAY]
    recent = [m for m in both if (TODAY - m.day).days <= RECENT_DAYS]
    assert (result.status is Status.COVERED) == bool(recent)
    assert (result.status is Status.NEVER_MET) == (not both)
