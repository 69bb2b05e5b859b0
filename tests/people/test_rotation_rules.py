"""Rotation risk: which postings break covered pairs, and the overlap and introduction advice."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from allied.people.rules.coverage import Meeting, Pair, met_index
from allied.people.rules.rotation import Posting, current_holders, holder_on, rotation_risks

TODAY = date(2026, 11, 1)
PAIR = Pair("p", "us-b", "jp-b", "JPN")


def d(n):
    return TODAY + timedelta(days=n)


def met(*names, day=-30):
    return Meeting(d(day), frozenset(names))


def test_the_latest_posting_to_start_holds_an_overlapping_billet():
    old = Posting(1, "ann", "us-b", d(-400), d(20))
    new = Posting(2, "bea", "us-b", d(-5), None)
    assert holder_on([old, new], TODAY) == new
    assert holder_on([old, new], d(-10)) == old
    assert current_holders([old, new], d(-10)) == {"us-b": "ann"}


def test_a_successor_who_never_met_the_counterpart_breaks_the_pair_with_an_overlap():
    postings = [
        Posting(1, "ann", "us-b", d(-700), d(60)),
        Posting(2, "bea", "us-b", d(40), None),
        Posting(3, "ken", "jp-b", d(-300), None),
    ]
    [risk] = rotation_risks([PAIR], postings, met_index([met("ann", "ken")]), TODAY)
    assert risk.breaks_on == d(40)  # the newcomer takes the billet on arrival
    assert risk.introduce == ("bea", "ken")
    [handover] = risk.handovers
    assert handover.overlap == (d(40), d(60))
    advice = " ".join(risk.advice({"ann": "Ann", "bea": "Bea", "ken": "Ken"}))
    assert "Ann and Bea overlap" in advice and "Introduce Bea and Ken" in advice


def test_no_risk_when_the_successor_already_knows_the_counterpart():
    postings = [
        Posting(1, "ann", "us-b", d(-700), d(60)),
        Posting(2, "bea", "us-b", d(61), None),
        Posting(3, "ken", "jp-b", d(-300), None),
    ]
    meetings = [met("ann", "ken"), met("bea", "ken", day=-200)]
    assert rotation_risks([PAIR], postings, met_index(meetings), TODAY) == []


def test_a_gap_between_holders_is_reported_with_its_length():
    postings = [
        Posting(1, "ann", "us-b", d(-700), d(30)),
        Posting(2, "bea", "us-b", d(51), None),
        Posting(3, "ken", "jp-b", d(-300), None),
    ]
    [risk] = rotation_risks([PAIR], postings, met_index([met("ann", "ken")]), TODAY)
    assert risk.breaks_on == d(31)
    assert risk.new_us is None  # nobody holds the billet in the gap
    assert risk.handovers[0].gap_days == 20
    assert risk.introduce is None
    assert any("empty for 20 days" in line for line in risk.advice())


def test_no_successor_posted_is_said_plainly():
    postings = [Posting(1, "ann", "us-b", d(-700), d(30)), Posting(3, "ken", "jp-b", d(-300), None)]
    [risk] = rotation_risks([PAIR], postings, met_index([met("ann", "ken")]), TODAY)
    assert risk.handovers[0].incoming is None
    assert "No successor" in risk.advice()[0]


def test_pairs_not_covered_today_and_departures_past_the_horizon_are_not_risks():
    far = [Posting(1, "ann", "us-b", d(-700), d(400)), Posting(3, "ken", "jp-b", d(-300), None)]
    assert rotation_risks([PAIR], far, met_index([met("ann", "ken")]), TODAY) == []
    soon = [Posting(1, "ann", "us-b", d(-700), d(10)), Posting(3, "ken", "jp-b", d(-300), None)]
    assert rotation_risks([PAIR], soon, met_index([]), TODAY) == []  # never met: a gap already


names = st.sampled_from(["ann", "bea", "cal", "ken", "yui"])
postings_st = st.lists(
    st.tuples(
        names,
        st.sampled_from(["us-b", "jp-b"]),
        st.integers(-800, 200),
        st.one_of(st.none(), st.integers(0, 600)),
    ),
    max_size=6,
).map(
    lambda rows: [
        Posting(i, who, b, d(s), None if e is None else d(s + e))
        for i, (who, b, s, e) in enumerate(rows)
    ]
)
meetings_st = st.lists(
    st.builds(Meeting, st.integers(-900, 0).map(d), st.frozensets(names, min_size=2, max_size=3)),
    max_size=8,
)


@given(postings_st, meetings_st)
@settings(max_examples=80, deadline=None)
def test_every_risk_is_a_covered_pair_whose_holders_differ_on_the_day_it_breaks(postings, meetings):
    index = met_index(meetings)
    for risk in rotation_risks([PAIR], postings, index, TODAY):
        now = current_holders(postings, TODAY)
        then = current_holders(postings, risk.breaks_on)
        assert TODAY < risk.breaks_on <= d(180)
        assert (now.get("us-b"), now.get("jp-b")) != (then.get("us-b"), then.get("jp-b"))
        assert risk.new_us == then.get("us-b") and risk.new_partner == then.get("jp-b")
        assert risk.handovers, "a break names at least one handover"
