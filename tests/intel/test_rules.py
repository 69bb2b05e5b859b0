"""Foreign-disclosure rules (pure): ceilings raised by trust tiers, and widening a release."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allied.intel.rules.disclosure import Category, effective_ceiling, tier_ceiling, widen_release
from allied.markings import Level, check, parse, render
from allied.markings.access import Viewer, decide
from tests.markings.strategies import NATIONS, ON, portions


def test_ndp_has_eight_categories_in_order():
    assert [c.value for c in Category] == list(range(1, 9))
    assert Category.MILITARY_INTELLIGENCE.label.startswith("8.")


@pytest.mark.parametrize(("tier", "level"), [(None, Level.U), (1, Level.U), (2, Level.C),
                                             (3, Level.S), (5, Level.TS)])  # fmt: skip
def test_each_trust_tier_opens_a_level(tier, level):
    assert tier_ceiling(tier) == level


def test_a_rising_tier_raises_the_ceiling_and_a_recorded_ceiling_is_never_lowered():
    assert effective_ceiling(Level.C, 5) == Level.TS
    assert effective_ceiling(Level.S, 1) == Level.S
    assert effective_ceiling(None, 3) == Level.S


@pytest.mark.parametrize(
    ("before", "partner", "after"),
    [
        pytest.param("(S//NF)", "JPN", "(S//REL TO USA, JPN)", id="noforn-becomes-rel-to"),
        pytest.param("(S)", "PHL", "(S//REL TO USA, PHL)", id="unmarked-becomes-rel-to"),
        pytest.param("(S//REL TO USA, GBR)", "JPN", "(S//REL TO USA, GBR, JPN)", id="list-grows"),
        pytest.param("(S//RELIDO)", "KOR", "(S//REL TO USA, KOR/RELIDO)", id="relido-kept"),
        pytest.param("(C//DISPLAY ONLY JPN)", "JPN", "(C//REL TO USA, JPN)", id="display-to-rel"),
        pytest.param("(U)", "IND", "(U)", id="unclassified-unchanged"),
        pytest.param("(S//NF/PR)", "AUS", "(S//PR/REL TO USA, AUS)", id="other-controls-kept"),
        pytest.param(
            "(CUI//SP-CTI//NF)", "JPN", "(CUI//SP-CTI//REL TO USA, JPN)", id="rule-30-cui-noforn"
        ),
    ],
)
def test_approval_widens_the_portion_marking(before, partner, after):
    widened = widen_release(parse(before), partner, Level.TS)
    assert widened.allowed and render(widened.marking, "portion") == after


@pytest.mark.parametrize(
    ("before", "rule"),
    [
        pytest.param("(TS//NF)", "NDP", id="above-ceiling"),
        pytest.param("(S//HCS//NF)", "15", id="hcs-requires-noforn"),
        pytest.param("(S//OC/NF)", "21", id="orcon-needs-originator"),
        pytest.param("(//GBR S//REL TO USA, GBR)", "P3", id="fgi-needs-originator"),
        pytest.param("(S//RD//NF)", "15", id="atomic-energy"),
        pytest.param("(CUI//SP-CTI//FED ONLY)", "30", id="rule-30-cui-fed-only"),
    ],
)
def test_approval_is_blocked_with_the_rule_that_blocks_it(before, rule):
    widened = widen_release(parse(before), "JPN", Level.S)
    assert not widened.allowed and widened.rule == rule and widened.blocked_by


@settings(max_examples=300, deadline=None)
@given(portions(), st.sampled_from(NATIONS))
def test_a_widened_marking_is_valid_releasable_to_the_partner_and_loses_no_one(marking, partner):
    widened = widen_release(marking, partner, Level.TS)
    if not widened.allowed:
        return
    assert check(render(widened.marking, "portion")).valid
    partner_viewer = Viewer(partner, Level.TS, frozenset({"SI", "SI-G", "SI-G ABCD", "TK", "RD"}))
    assert decide(partner_viewer, widened.marking, ON).export
    for nation in NATIONS:
        viewer = Viewer(nation, Level.TS, frozenset({"SI", "SI-G", "SI-G ABCD", "TK", "RD"}))
        if decide(viewer, marking, ON).view:
            assert decide(viewer, widened.marking, ON).view
