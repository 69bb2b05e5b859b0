"""How the working group ranks requests (pure): each part of the score, lateness, escalation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allied.working_group.rules.priority import (
    Weights,
    WeightSetting,
    partner_weights_on,
    score,
)

ON = date(2026, 11, 27)


def scored(*, partner="JPN", kind="disclosure", age=0, target=None, flags=(), weights=None):
    return score(
        partner=partner,
        kind=kind,
        opened=ON - timedelta(days=age),
        target=target,
        flags=flags,
        weights=weights or Weights(),
        on=ON,
    )


def test_a_request_within_its_target_scores_partner_times_type_weight():
    s = scored(partner="PHL", kind="fms_case", age=10, weights=Weights(partners={"PHL": 2.0}))
    assert (s.partner_weight, s.kind_weight, s.lateness) == (2.0, 1.5, 1.0)
    assert s.total == pytest.approx(3.0) and s.escalation == 0


def test_past_its_target_lateness_is_age_over_target_and_it_escalates():
    # Disclosure requests: 14-day target by default.
    late = scored(age=21)
    assert late.lateness == pytest.approx(21 / 14) and late.escalation == 1
    very_late = scored(age=29)
    assert very_late.escalation == 2 and very_late.days_past_target == 15


def test_a_request_own_target_date_overrides_its_type():
    # Opened 13 days ago with its own target 6 days after opening: more than twice as old.
    s = scored(age=13, target=ON - timedelta(days=7))
    assert s.target_days == 6 and s.escalation == 2


def test_flags_add_their_bonus_and_unknown_flags_add_nothing():
    s = scored(flags=("emergency", "coordinated", "made-up"))
    assert s.flags == ("coordinated", "emergency")
    assert s.total == pytest.approx(1.0 + 2.0 + 0.5)
    assert ("Flags", "+2.5 (coordinated, emergency)") in s.parts()


def test_an_unknown_type_gets_the_default_target_and_weight():
    s = scored(kind="something-new", age=31)
    assert (s.target_days, s.kind_weight, s.escalation) == (30, 1.0, 1)


def test_partner_weight_in_force_is_the_latest_that_has_started():
    settings_ = [
        WeightSetting("JPN", 1.5, date(2026, 1, 1)),
        WeightSetting("JPN", 3.0, date(2026, 6, 1)),
        WeightSetting("JPN", 9.0, date(2027, 1, 1)),  # not yet in force
        WeightSetting("KOR", 2.0, date(2026, 12, 1)),  # not yet in force
    ]
    assert partner_weights_on(settings_, ON) == {"JPN": 3.0}
    assert partner_weights_on(settings_, date(2026, 3, 1)) == {"JPN": 1.5}
    assert partner_weights_on(settings_, date(2027, 1, 1)) == {"JPN": 9.0, "KOR": 2.0}


@settings(max_examples=100, deadline=None)
@given(
    age=st.integers(0, 2000),
    more=st.integers(1, 400),
    weight=st.floats(0.1, 10),
    kind=st.sampled_from(["disclosure", "lor", "fms_case", "planning", "other"]),
)
def test_waiting_longer_never_lowers_a_score_and_a_weightier_partner_never_ranks_lower(
    age, more, weight, kind
):
    weights = Weights(partners={"AUS": weight})
    now = scored(partner="AUS", kind=kind, age=age, weights=weights)
    later = scored(partner="AUS", kind=kind, age=age + more, weights=weights)
    assert later.total >= now.total and later.escalation >= now.escalation
    heavier = scored(
        partner="AUS", kind=kind, age=age, weights=Weights(partners={"AUS": weight * 2})
    )
    assert heavier.total >= now.total
