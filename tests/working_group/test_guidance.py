"""Conflicting guidance and overdue commitments (pure)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from allied.working_group.rules.guidance import (
    Commitment,
    Statement,
    conflicts,
    latest_by_body,
    overdue,
)

D = date(2026, 6, 1)


def st_(key, body, position, days=0, partner="PHL", topic="Coastal radar support"):
    return Statement(key, partner, topic, body, position, D + timedelta(days=days))


def test_two_bodies_taking_different_positions_within_the_window_conflict():
    found = conflicts([st_(1, "State", "supports"), st_(2, "INDOPACOM", "opposes", 30)])
    assert [(c.first.key, c.second.key, c.days_apart) for c in found] == [(1, 2, 30)]
    assert "State said 'supports'" in found[0].explanation


def test_the_same_position_or_a_body_changing_its_mind_is_no_conflict():
    assert conflicts([st_(1, "State", "supports"), st_(2, "OSD", "supports", 5)]) == []
    # State changed its own position: only its latest statement counts.
    assert conflicts([st_(1, "State", "supports"), st_(2, "State", "opposes", 5)]) == []


def test_a_later_statement_supersedes_the_earlier_one_of_the_same_body():
    statements = [
        st_(1, "State", "opposes"),
        st_(2, "OSD", "supports", 10),
        st_(3, "State", "supports", 20),  # State now agrees with OSD
    ]
    assert conflicts(statements) == []
    assert {s.key for s in latest_by_body(statements)} == {2, 3}


def test_statements_further_apart_than_the_window_do_not_conflict():
    assert conflicts([st_(1, "State", "supports"), st_(2, "OSD", "opposes", 181)]) == []
    assert len(conflicts([st_(1, "State", "supports"), st_(2, "OSD", "opposes", 180)])) == 1


def test_topics_compare_without_case_or_spacing_and_partners_apart():
    a = st_(1, "State", "supports", topic="Coastal  radar support")
    b = st_(2, "OSD", "opposes", 3, topic="coastal radar SUPPORT")
    c = st_(3, "OSD", "opposes", 3, partner="JPN")
    assert [(x.first.key, x.second.key) for x in conflicts([a, b, c])] == [(1, 2)]


def test_overdue_commitments_are_those_past_due_and_unmet_most_overdue_first():
    on = date(2026, 11, 27)
    commitments = [
        Commitment(1, "PHL", "osd", "Radar", on - timedelta(days=3), None),
        Commitment(2, "JPN", "state", "Visit", on - timedelta(days=40), None),
        Commitment(3, "KOR", "state", "Talks", on - timedelta(days=50), on - timedelta(days=1)),
        Commitment(4, "AUS", "state", "Lift", on, None),  # due today: not yet overdue
    ]
    assert [(c.key, days) for c, days in overdue(commitments, on)] == [(2, 40), (1, 3)]


bodies = st.sampled_from(["State", "OSD", "Joint Staff", "INDOPACOM", "Embassy"])
positions = st.sampled_from(["supports", "opposes", "conditional"])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(bodies, positions, st.integers(0, 400)), min_size=0, max_size=12))
def test_every_conflict_is_two_latest_statements_of_different_bodies_and_positions(rows):
    statements = [st_(i, b, p, d) for i, (b, p, d) in enumerate(rows)]
    latest = {s.key for s in latest_by_body(statements)}
    for c in conflicts(statements):
        assert c.first.key in latest and c.second.key in latest
        assert c.first.body != c.second.body and c.first.position != c.second.position
        assert c.days_apart <= 180
