"""Guidance conflicts (pure): topics compared after normalisation, with a similarity threshold."""

from __future__ import annotations

from datetime import date

from allied.working_group.rules.guidance import Statement, conflicts, topic_match

DAY = date(2026, 11, 1)


def said(key, body, topic, position, day=DAY, partner="JPN"):
    return Statement(key, partner, topic, body, position, day)


def test_topics_equal_after_normalisation_match():
    match = topic_match("Host-nation logistics data", "host nation  logistics DATA")
    assert match.same and match.matches
    assert "the same after normalisation" in match.describe("a", "b")


def test_near_identical_topics_match_and_the_conflict_says_why():
    found = conflicts(
        [
            said(1, "Joint Staff", "Maritime domain awareness data sharing", "opposes"),
            said(2, "OSD", "Maritime domain awareness data", "supports", date(2026, 11, 20)),
        ]
    )
    assert [(c.first.key, c.second.key) for c in found] == [(1, 2)]
    assert "share 4 of 5 words" in found[0].why and "similarity 0.80" in found[0].why


def test_topics_below_the_threshold_do_not_match():
    assert not topic_match("Maritime domain awareness", "Maritime patrol aircraft").matches
    assert conflicts(
        [said(1, "OSD", "Maritime domain awareness", "opposes"),
         said(2, "State", "Maritime patrol aircraft", "supports")]
    ) == []  # fmt: skip


def test_a_body_that_changed_its_position_on_a_near_identical_topic_superseded_itself():
    found = conflicts(
        [
            said(1, "OSD", "Maritime domain awareness data sharing", "opposes"),
            said(2, "OSD", "Maritime domain awareness data", "supports", date(2026, 11, 5)),
            said(3, "State", "maritime domain awareness data", "supports", date(2026, 11, 9)),
        ]
    )
    assert found == []
