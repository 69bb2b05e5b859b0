"""The statutory notification engine against the statute, as the reference states it.

Each row cites where its expected answer comes from (``arms-sales.md`` section 2: CRS RL31675,
22 CFR 123.15, DSCA 08-40 for the Republic of Korea).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allied.arms.rules.notification import (
    LAW,
    SCENARIOS_BY_KEY,
    Channel,
    Group,
    M,
    NotificationInputError,
    PastSale,
    Sale,
    UsmlCategory,
    compare,
    decide,
    outcome,
    parse_usd,
)

DAY = date(2025, 6, 1)
FMS, DCS = Channel.FMS, Channel.DCS

# (partner, channel, mde, total, d&c, usml, day, required, review days, source)
TABLE = [
    # 36(b)(1), ordinary partners: $14M MDE / $50M articles / $200M D&C, 30 days (CRS RL31675).
    ("PHL", FMS, 14 * M, 14 * M, 0, None, DAY, True, 30, "36(b)(1) MDE $14M, at the threshold"),
    ("PHL", FMS, 14 * M - 1, 14 * M - 1, 0, None, DAY, False, 0, "36(b)(1) MDE below $14M"),
    ("IND", FMS, 0, 50 * M, 0, None, DAY, True, 30, "36(b)(1) articles $50M"),
    ("IND", FMS, 0, 49_999_999, 0, None, DAY, False, 0, "36(b)(1) articles below $50M"),
    ("VNM", FMS, 0, 0, 200 * M, None, DAY, True, 30, "36(b)(1) D&C $200M"),
    ("VNM", FMS, 0, 0, 199 * M, None, DAY, False, 0, "36(b)(1) D&C below $200M"),
    # Taiwan is not NATO+ (reference section 2; ECD 23 May 2025).
    ("TWN", FMS, 20 * M, 40 * M, 0, None, DAY, True, 30, "Taiwan uses ordinary thresholds"),
    # NATO+5: $25M / $100M / $300M, 15 days (CRS RL31675; ECD 8 Feb 2024).
    ("JPN", FMS, 20 * M, 40 * M, 0, None, DAY, False, 0, "Japan below NATO+ MDE $25M"),
    ("JPN", FMS, 25 * M, 25 * M, 0, None, DAY, True, 15, "Japan MDE $25M"),
    ("AUS", FMS, 0, 100 * M, 0, None, DAY, True, 15, "Australia articles $100M"),
    ("AUS", FMS, 0, 99 * M, 0, None, DAY, False, 0, "Australia articles below $100M"),
    ("NZL", FMS, 0, 0, 300 * M, None, DAY, True, 15, "NZ D&C $300M"),
    ("NZL", FMS, 0, 0, 299 * M, None, DAY, False, 0, "NZ D&C below $300M"),
    # NATO members, by accession date (NATO member countries page).
    ("POL", FMS, 20 * M, 20 * M, 0, None, date(1999, 3, 12), None, None, "before coverage"),
    ("ALB", FMS, 20 * M, 20 * M, 0, None, date(2009, 3, 31), True, 30, "Albania before NATO"),
    ("ALB", FMS, 20 * M, 20 * M, 0, None, date(2009, 4, 1), False, 0, "Albania in NATO"),
    ("SWE", FMS, 20 * M, 20 * M, 0, None, date(2024, 3, 6), True, 30, "Sweden before NATO"),
    ("SWE", FMS, 20 * M, 20 * M, 0, None, date(2024, 3, 7), False, 0, "Sweden in NATO"),
    ("FIN", FMS, 30 * M, 30 * M, 0, None, date(2023, 4, 4), True, 15, "Finland in NATO"),
    # Republic of Korea: NATO+ from P.L. 110-429 section 3, 15 Oct 2008 (DSCA 08-40).
    ("KOR", FMS, 20 * M, 30 * M, 0, None, date(2008, 10, 14), True, 30, "ROK before P.L. 110-429"),
    ("KOR", FMS, 20 * M, 30 * M, 0, None, date(2008, 10, 15), False, 0, "ROK from P.L. 110-429"),
    ("KOR", FMS, 30 * M, 30 * M, 0, None, date(2008, 10, 15), True, 15, "ROK, 15 days"),
    # 36(c) DCS (22 CFR 123.15): $14M / $50M, 30 days; NATO+ $25M / $100M, 15 days; no D&C.
    ("PHL", DCS, 14 * M, 14 * M, 0, None, DAY, True, 30, "36(c) MDE $14M"),
    ("PHL", DCS, 0, 49 * M, 0, None, DAY, False, 0, "36(c) below $50M"),
    ("KOR", DCS, 0, 100 * M, 0, None, DAY, True, 15, "36(c) ROK $100M"),
    ("JPN", DCS, 24 * M, 24 * M, 0, None, DAY, False, 0, "36(c) Japan below $25M"),
    # 36(c) firearms: USML Category I(a)-(g) at $1M or more, 30 days (22 CFR 123.15).
    ("PHL", DCS, 0, 1 * M, 0, "I(a)", DAY, True, 30, "firearms $1M"),
    ("PHL", DCS, 0, 999_999, 0, "I(a)", DAY, False, 0, "firearms below $1M"),
    ("JPN", DCS, 0, 2 * M, 0, "I(g)", DAY, True, 30, "firearms, NATO+ partner"),
    ("PHL", DCS, 0, 5 * M, 0, "I(h)", DAY, False, 0, "Category I(h) is not I(a)-(g)"),
    ("PHL", DCS, 0, 5 * M, 0, "XI", DAY, False, 0, "not firearms"),
]


@pytest.mark.parametrize(
    "partner,channel,mde,total,dc,usml,day,required,review,why",
    TABLE,
    ids=[row[-1] for row in TABLE],
)
def test_the_engine_follows_the_statute(
    partner, channel, mde, total, dc, usml, day, required, review, why
):
    sale = Sale(partner, channel, day, mde, total, dc, UsmlCategory.parse(usml) if usml else None)
    if required is None:
        with pytest.raises(NotificationInputError) as caught:
            decide(sale)
        assert caught.value.field == "date"
        return
    decision = decide(sale)
    assert (decision.required, decision.review_days) == (required, review), why
    assert decision.basis and decision.basis[0].startswith(
        "Formal notification" if required else "No formal notification"
    )


def test_a_decision_cites_the_partner_group_and_the_statute():
    decision = decide(Sale("KOR", FMS, date(2008, 10, 15), 30 * M, 30 * M))
    text = " ".join(decision.basis)
    assert "P.L. 110-429" in text and "DSCA 08-40" in text and "36(b)(1)" in text
    assert decision.group is Group.NATO_PLUS


def test_the_korea_decision_before_the_change_says_when_the_group_changes():
    decision = decide(Sale("KOR", FMS, date(2008, 10, 14), 20 * M, 30 * M))
    assert "joins the group on 2008-10-15" in decision.basis[1]


def test_an_emergency_waiver_keeps_the_notification_but_waives_the_review():
    decision = decide(Sale("PHL", FMS, DAY, 50 * M, 60 * M, emergency=True))
    assert decision.required and decision.emergency_waiver and decision.review_days == 0
    assert any("emergency exists" in line for line in decision.basis)


def test_an_emergency_waiver_on_a_sale_below_thresholds_changes_nothing():
    decision = decide(Sale("PHL", FMS, DAY, 1 * M, 2 * M, emergency=True))
    assert not decision.required and not decision.emergency_waiver


def test_informal_review_days_follow_the_group():
    assert decide(Sale("PHL", FMS, DAY, 20 * M, 20 * M)).informal_days == 40
    assert decide(Sale("JPN", FMS, DAY, 30 * M, 30 * M)).informal_days == 20
    assert decide(Sale("PHL", DCS, DAY, 20 * M, 20 * M)).informal_days == 0


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"partner": "JP"}, "partner"),
        ({"partner": "XYZ"}, "partner"),
        ({"partner": "USA"}, "partner"),
        ({"mde": -1}, "mde"),
        ({"mde": 10 * M, "total": 5 * M}, "mde"),
        ({"channel": DCS, "design_construction": 1 * M}, "design_construction"),
    ],
)
def test_bad_input_names_its_field(kwargs, field):
    args = {"partner": "PHL", "channel": FMS, "on": DAY, **kwargs}
    with pytest.raises(NotificationInputError) as caught:
        Sale(**args)
    assert caught.value.field == field


@pytest.mark.parametrize("text", ["", "XXII", "I(a", "7", "Cat I"])
def test_unknown_usml_categories_are_refused(text):
    with pytest.raises(NotificationInputError):
        UsmlCategory.parse(text)


@pytest.mark.parametrize(
    "text,value",
    [
        ("25000000", 25 * M),
        ("$25,000,000", 25 * M),
        ("25M", 25 * M),
        ("1.5b", 1_500 * M),
        ("250k", 250_000),
    ],
)
def test_amounts_parse_in_the_usual_forms(text, value):
    assert parse_usd("mde", text) == value


# --- what if ---------------------------------------------------------------------------------


def test_taiwan_plus_gives_taiwan_the_nato_plus_treatment_only_as_a_scenario():
    sale = Sale("TWN", FMS, DAY, 20 * M, 40 * M)
    assert decide(sale).required
    assert not decide(sale, SCENARIOS_BY_KEY["taiwan-plus"].apply(LAW)).required


def test_the_tiger_act_counts_sales_that_would_no_longer_need_notification():
    past = [
        PastSale("a", Sale("PHL", FMS, DAY, 20 * M, 20 * M)),  # 14 <= 20 < 23: dropped
        PastSale("b", Sale("PHL", FMS, DAY, 30 * M, 30 * M)),  # still required (>= 23)
        PastSale("c", Sale("JPN", FMS, DAY, 30 * M, 30 * M)),  # 25 <= 30 < 42: dropped
        PastSale("d", Sale("JPN", FMS, DAY, 1 * M, 1 * M)),  # never required
    ]
    result = compare(SCENARIOS_BY_KEY["tiger"], past)
    assert result.no_longer_required == ("a", "c")
    assert (result.required_now, result.required_then) == (3, 1)
    # 30 formal + 40 informal for PHL, 15 + 20 for JPN.
    assert result.days_saved == 70 + 35
    assert result.per_partner["PHL"] == (1, 70)


def test_hr3998_raises_the_firearms_threshold_to_four_million():
    sale = Sale("PHL", DCS, DAY, 0, 3 * M, usml_category=UsmlCategory.parse("I(a)"))
    assert decide(sale).required
    assert not decide(sale, SCENARIOS_BY_KEY["hr3998"].apply(LAW)).required


# --- properties ------------------------------------------------------------------------------

partners = st.sampled_from(["JPN", "KOR", "AUS", "PHL", "IND", "TWN", "VNM", "SWE", "FIN", "NZL"])
days = st.dates(min_value=date(2002, 9, 30), max_value=date(2030, 12, 31))
money = st.integers(min_value=0, max_value=600 * M)


@st.composite
def sales(draw):
    channel = draw(st.sampled_from([FMS, DCS]))
    total = draw(money)
    mde = draw(st.integers(min_value=0, max_value=total))
    dc = draw(money) if channel is FMS else 0
    usml = draw(st.sampled_from([None, "I(a)", "XI"])) if channel is DCS else None
    return Sale(
        draw(partners),
        channel,
        draw(days),
        mde,
        total,
        dc,
        UsmlCategory.parse(usml) if usml else None,
    )


@settings(max_examples=150, deadline=None)
@given(sales(), st.sampled_from(["mde", "total", "design_construction"]), money)
def test_raising_a_value_never_makes_a_required_notification_not_required(sale, name, extra):
    if name == "design_construction" and sale.channel is DCS:
        return
    changes = {name: getattr(sale, name) + extra}
    if name == "mde":
        changes["total"] = max(sale.total, changes["mde"])
    bigger = Sale(**{**sale.__dict__, **changes})
    if decide(sale).required:
        assert decide(bigger).required


@settings(max_examples=100, deadline=None)
@given(sales())
def test_a_higher_threshold_scenario_never_adds_a_notification(sale):
    for key in ("tiger", "hr3998", "taiwan-plus"):
        if decide(sale, SCENARIOS_BY_KEY[key].apply(LAW)).required:
            assert decide(sale).required


@settings(max_examples=100, deadline=None)
@given(sales())
def test_the_review_period_is_15_or_30_days_when_required_and_0_otherwise(sale):
    decision = decide(sale)
    assert decision.review_days in ((15, 30) if decision.required else (0,))
    assert (decision.group is Group.NATO_PLUS) == (decision.review_days == 15) or (
        not decision.required or "firearms" in decision.triggers
    )


@settings(max_examples=100, deadline=None)
@given(sales(), st.integers(min_value=1, max_value=3000))
def test_a_group_change_applies_only_from_its_effective_date(sale, offset):
    """Korea before 15 Oct 2008 is judged as others are; from that day as Japan is."""
    change = date(2008, 10, 15)
    before = Sale(
        **{
            **sale.__dict__,
            "partner": "KOR",
            "on": max(change - timedelta(days=offset), date(2002, 9, 30)),
        }
    )
    after = Sale(**{**sale.__dict__, "partner": "KOR", "on": change + timedelta(days=offset)})
    as_other = Sale(**{**before.__dict__, "partner": "PHL"})
    as_japan = Sale(**{**after.__dict__, "partner": "JPN"})
    assert decide(before).as_dict()["required"] == decide(as_other).required
    assert decide(before).review_days == decide(as_other).review_days
    assert decide(after).required == decide(as_japan).required
    assert decide(after).review_days == decide(as_japan).review_days


@settings(max_examples=150, deadline=None)
@given(sales(), st.booleans(), st.sampled_from([None, "tiger", "hr3613", "hr3998", "taiwan-plus"]))
def test_the_quick_outcome_agrees_with_the_full_decision(sale, emergency, scenario):
    sale = Sale(**{**sale.__dict__, "emergency": emergency})
    law = SCENARIOS_BY_KEY[scenario].apply(LAW) if scenario else LAW
    full = decide(sale, law)
    assert outcome(sale, law) == (full.required, full.review_days, full.informal_days)
