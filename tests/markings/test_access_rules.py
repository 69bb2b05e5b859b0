"""Access decisions (rules 14, 24-26, 29, P3, P7) and release analysis with tearlines (rule 31, P8).

A fixed cast of viewers, by nation and clearance, meets a table of banner lines. Every row is also
checked against the compiled form: ``may_view`` and ``may_export`` must equal ``decide``.
"""

from __future__ import annotations

from datetime import date

import pytest

from allied.markings import Level, parse, render
from allied.markings.access import (
    Membership,
    Viewer,
    compile_marking,
    compile_viewer,
    decide,
    may_export,
    may_view,
)
from allied.markings.release import analyse_release

ON = date(2024, 6, 1)
BEFORE_NATO = date(2019, 6, 1)
AFTER_NATO = date(2026, 1, 1)
NATO_2020_2025 = Membership("NATO", date(2020, 1, 1), date(2025, 1, 1))

# The cast: one viewer per nation and clearance the rules need.
US_TS = Viewer("USA", Level.TS)
US_TS_SI = Viewer("USA", Level.TS, frozenset({"SI"}))
US_TS_SI_G = Viewer("USA", Level.TS, frozenset({"SI", "SI-G"}))
US_S = Viewer("USA", Level.S)
US_TS_SAP = Viewer("USA", Level.TS, frozenset({"SAR-ABC"}))
US_TS_RD = Viewer("USA", Level.TS, frozenset({"RD"}))
GBR_TS = Viewer("GBR", Level.TS)
GBR_TS_SI = Viewer("GBR", Level.TS, frozenset({"SI"}))
GBR_S = Viewer("GBR", Level.S)
GBR_C = Viewer("GBR", Level.C)
NZL_S = Viewer("NZL", Level.S)
AUS_S = Viewer("AUS", Level.S)
CAN_S = Viewer("CAN", Level.S)
JPN_TS = Viewer("JPN", Level.TS)
JPN_S = Viewer("JPN", Level.S)
IRQ_S = Viewer("IRQ", Level.S)
AFG_S = Viewer("AFG", Level.S)
DEU_S_NATO = Viewer("DEU", Level.S, memberships=(NATO_2020_2025,))
DEU_S = Viewer("DEU", Level.S)
NOR_S_NATO_OPEN = Viewer("NOR", Level.S, memberships=(Membership("NATO", date(1949, 8, 24)),))


def access(viewer, marking, view, export, *, id, on=ON):
    return pytest.param(viewer, marking, on, view, export, id=id)


ACCESS = [
    # U.S. persons are not limited by foreign disclosure and release markings.
    access(US_TS, "SECRET//NOFORN", True, True, id="rule-24-us-person-sees-noforn"),
    access(US_TS, "SECRET//REL TO USA, GBR", True, True, id="rule-24-us-person-sees-rel-to"),
    access(US_TS, "SECRET//RELIDO", True, True, id="rule-24-us-person-sees-relido"),
    access(
        US_TS,
        "SECRET//DISPLAY ONLY IRQ",
        True,
        True,
        id="rule-24-us-person-not-limited-by-display-only",
    ),
    access(US_TS, "SECRET", True, True, id="rule-29-us-person-sees-unmarked-classified"),
    access(US_TS, "SECRET//FGI GBR//NOFORN", True, True, id="rule-20-us-person-sees-fgi"),
    # Clearance and SCI, SAP and AEA accesses are needed by everyone. markings.md has no rule on
    # clearance: these rows cite rule 18 (the order of levels) and rule 19 (the SCI, SAP and AEA
    # categories).
    access(US_S, "TOP SECRET//NOFORN", False, False, id="rule-18-us-person-needs-clearance"),
    access(US_S, "SECRET//NOFORN", True, True, id="rule-18-us-person-clearance-equal-to-level"),
    access(US_TS, "TOP SECRET//SI//NOFORN", False, False, id="rule-19-us-person-needs-si"),
    access(US_TS_SI, "TOP SECRET//SI//NOFORN", True, True, id="rule-19-us-person-with-si"),
    access(
        US_TS_SI, "TOP SECRET//SI-G//NOFORN", False, False, id="rule-19-us-person-needs-compartment"
    ),
    access(
        US_TS_SI_G, "TOP SECRET//SI-G//NOFORN", True, True, id="rule-19-us-person-with-compartment"
    ),
    access(US_TS, "SECRET//SAR-ABC//NOFORN", False, False, id="rule-19-us-person-needs-sap"),
    access(US_TS_SAP, "SECRET//SAR-ABC//NOFORN", True, True, id="rule-19-us-person-with-sap"),
    access(US_TS, "SECRET//RD//NOFORN", False, False, id="rule-19-us-person-needs-rd"),
    access(US_TS_RD, "SECRET//RD//NOFORN", True, True, id="rule-19-us-person-with-rd"),
    # Rule 24(a): NOFORN denies every foreign viewer.
    access(GBR_TS, "SECRET//NOFORN", False, False, id="rule-24a-noforn-denies-gbr"),
    access(JPN_TS, "CONFIDENTIAL//NOFORN", False, False, id="rule-24a-noforn-denies-jpn"),
    access(GBR_TS, "UNCLASSIFIED//NOFORN", False, False, id="rule-24a-unclassified-noforn"),
    access(GBR_TS, "UNCLASSIFIED//LES NOFORN", False, False, id="rule-23-les-noforn-denies"),
    access(GBR_TS, "SECRET//NOFORN//LES", False, False, id="rule-23-classified-les-noforn"),
    # REL TO coverage, directly or through FVEY, ACGU and TEYE (rule 26).
    access(GBR_S, "SECRET//REL TO USA, GBR", True, True, id="rule-8-rel-to-lists-gbr"),
    access(JPN_S, "SECRET//REL TO USA, GBR", False, False, id="rule-8-rel-to-omits-jpn"),
    access(GBR_S, "SECRET//REL TO USA, FVEY", True, True, id="rule-26-fvey-covers-gbr"),
    access(NZL_S, "SECRET//REL TO USA, FVEY", True, True, id="rule-26-fvey-covers-nzl"),
    access(JPN_S, "SECRET//REL TO USA, FVEY", False, False, id="rule-26-fvey-omits-jpn"),
    access(AUS_S, "SECRET//REL TO USA, ACGU", True, True, id="rule-26-acgu-covers-aus"),
    access(NZL_S, "SECRET//REL TO USA, ACGU", False, False, id="rule-26-acgu-omits-nzl"),
    access(CAN_S, "SECRET//REL TO USA, TEYE", True, True, id="rule-26-teye-covers-can"),
    access(AUS_S, "SECRET//REL TO USA, TEYE", False, False, id="rule-26-teye-omits-aus"),
    access(GBR_S, "SECRET//REL TO USA, GBR/RELIDO", True, True, id="rule-14-rel-to-with-relido"),
    # P7: a community code covers a nation that is a member on the date.
    access(DEU_S_NATO, "SECRET//REL TO USA, NATO", True, True, id="P7-nato-member-on-the-date"),
    access(
        DEU_S_NATO,
        "SECRET//REL TO USA, NATO",
        True,
        True,
        on=NATO_2020_2025.start,
        id="P7-membership-from-its-first-day",
    ),
    access(
        DEU_S_NATO,
        "SECRET//REL TO USA, NATO",
        False,
        False,
        on=BEFORE_NATO,
        id="P7-not-yet-a-member",
    ),
    access(
        DEU_S_NATO,
        "SECRET//REL TO USA, NATO",
        False,
        False,
        on=AFTER_NATO,
        id="P7-no-longer-a-member",
    ),
    access(NOR_S_NATO_OPEN, "SECRET//REL TO USA, NATO", True, True, id="P7-open-ended-membership"),
    access(DEU_S, "SECRET//REL TO USA, NATO", False, False, id="P7-non-member-of-nato"),
    access(DEU_S_NATO, "SECRET//REL TO USA, FVEY", False, False, id="P7-nato-is-not-fvey"),
    access(GBR_S, "SECRET//REL TO USA, NATO", False, False, id="P7-nato-not-expanded-for-gbr"),
    access(DEU_S_NATO, "SECRET//DISPLAY ONLY NATO", True, False, id="P7-display-only-to-community"),
    # DISPLAY ONLY: view, never export (rule 24(f)).
    access(IRQ_S, "SECRET//DISPLAY ONLY IRQ", True, False, id="rule-11-display-only-views-only"),
    access(AFG_S, "SECRET//DISPLAY ONLY AFG, IRQ", True, False, id="rule-11-display-only-afg"),
    access(GBR_S, "SECRET//DISPLAY ONLY AFG, IRQ", False, False, id="rule-11-display-only-omits"),
    access(
        IRQ_S,
        "SECRET//REL TO USA, IRQ/DISPLAY ONLY AFG",
        True,
        True,
        id="rule-14-rel-to-beside-display-only-exports",
    ),
    access(
        AFG_S,
        "SECRET//REL TO USA, IRQ/DISPLAY ONLY AFG",
        True,
        False,
        id="rule-14-display-only-beside-rel-to-views-only",
    ),
    # Foreign viewers need clearance and accesses too.
    access(
        GBR_C, "SECRET//REL TO USA, GBR", False, False, id="rule-18-foreign-viewer-needs-clearance"
    ),
    access(
        GBR_S, "TOP SECRET//REL TO USA, GBR", False, False, id="rule-18-foreign-viewer-below-ts"
    ),
    access(
        GBR_TS,
        "TOP SECRET//SI//REL TO USA, GBR",
        False,
        False,
        id="rule-19-foreign-viewer-needs-si",
    ),
    access(
        GBR_TS_SI,
        "TOP SECRET//SI//REL TO USA, GBR",
        True,
        True,
        id="rule-19-foreign-viewer-with-si",
    ),
    access(
        IRQ_S,
        "TOP SECRET//DISPLAY ONLY IRQ",
        False,
        False,
        id="rule-18-display-only-needs-clearance",
    ),
    # Rule 13: JOINT information follows its REL TO list; rule 3: FGI is classified information.
    access(
        GBR_S,
        "//JOINT SECRET CAN GBR USA//REL TO USA, CAN, GBR",
        True,
        True,
        id="rule-13-joint-co-owner-covered-by-rel-to",
    ),
    access(
        DEU_S,
        "//JOINT SECRET CAN GBR USA//REL TO USA, CAN, GBR",
        False,
        False,
        id="rule-13-joint-not-released-beyond-rel-to",
    ),
    access(US_S, "//DEU TS", False, False, id="rule-3-fgi-needs-clearance"),
    access(US_TS, "//DEU TS", True, True, id="rule-3-us-person-sees-fgi-with-clearance"),
    # Without REL TO or DISPLAY ONLY coverage, no foreign viewer sees classified information.
    access(
        GBR_TS, "SECRET//RELIDO", False, False, id="rule-24c-relido-needs-a-disclosure-official"
    ),
    access(GBR_TS, "SECRET", False, False, id="rule-29-unmarked-classified-not-released"),
    access(DEU_S, "SECRET//FGI GBR", False, False, id="rule-29-P3-fgi-without-fdr"),
    access(DEU_S, "//GBR S", False, False, id="rule-29-P3-foreign-portion-without-fdr"),
    access(
        GBR_S,
        "SECRET//FGI GBR//REL TO USA, GBR",
        True,
        True,
        id="rule-29-fgi-with-rel-to-is-released",
    ),
]


@pytest.mark.parametrize(("viewer", "banner", "on", "view", "export"), ACCESS)
def test_the_access_decision_follows_the_rules(viewer, banner, on, view, export):
    decision = decide(viewer, parse(banner), on)
    assert (decision.view, decision.export) == (view, export), decision.reason
    assert decision.reason
    assert bool(decision) is view


@pytest.mark.parametrize(("viewer", "banner", "on", "view", "export"), ACCESS)
def test_the_compiled_decision_equals_decide(viewer, banner, on, view, export):
    marking = parse(banner)
    decision = decide(viewer, marking, on)
    compiled_viewer = compile_viewer(viewer, on)
    compiled_marking = compile_marking(marking)
    assert may_view(compiled_viewer, compiled_marking) is decision.view
    assert may_export(compiled_viewer, compiled_marking) is decision.export


def test_rule_24a_it_explains_a_noforn_denial():
    decision = decide(GBR_TS, parse("SECRET//NOFORN"), ON)
    assert "NOFORN" in decision.reason


def test_rule_10_an_unresolved_short_rel_portion_is_not_released_to_a_foreign_viewer():
    """A (REL) portion's list is its banner's: without it, nothing is known (fail closed)."""
    marking = parse("(S//REL)")
    decision = decide(GBR_S, marking, ON)
    assert not decision.view and not decision.export
    assert not may_view(compile_viewer(GBR_S, ON), compile_marking(marking))


def test_rule_24f_display_only_never_exports_even_to_a_listed_nation():
    for banner in ("SECRET//DISPLAY ONLY IRQ", "CONFIDENTIAL//DISPLAY ONLY AFG, IRQ"):
        decision = decide(IRQ_S, parse(banner), ON)
        assert decision.view and not decision.export


@pytest.mark.parametrize(("viewer", "banner", "on", "view", "export"), ACCESS)
def test_rule_24f_an_exporting_viewer_sees_exactly_what_it_may_export(
    viewer, banner, on, view, export
):
    """On an export (the API, a feed, a download) the view is the export: DISPLAY ONLY is left
    out, everything else is decided as on a page; the compiled form agrees."""
    marking = parse(banner)
    exporting = viewer.for_export()
    decision = decide(exporting, marking, on)
    assert (decision.view, decision.export) == (export, export), decision.reason
    assert may_view(compile_viewer(exporting, on), compile_marking(marking)) is export
    assert exporting.for_display() == viewer


def test_rule_24f_an_exporting_viewer_is_told_display_only_stays_on_pages():
    decision = decide(IRQ_S.for_export(), parse("SECRET//DISPLAY ONLY IRQ"), ON)
    assert not decision.view and decision.rule == "24(f)"
    assert "pages only" in decision.reason


# --- release analysis and tearlines (rule 31, P8) ---


def _analyse(viewer, *portions, banner=None, on=ON):
    given = parse(banner) if banner else None
    return analyse_release([parse(p) for p in portions], viewer, on=on, banner=given)


def test_rule_24a_it_hides_noforn_portion_from_japan():
    analysis = _analyse(JPN_S, "(S//REL TO USA, JPN)", "(S//NF)", "(C//REL TO USA, GBR, JPN)")
    assert [p.releasable for p in analysis.portions] == [True, False, True]
    assert [p.viewable for p in analysis.portions] == [True, False, True]
    assert [p.in_tearline for p in analysis.portions] == [True, False, True]
    assert analysis.tearline.indexes == (0, 2)


def test_p8_the_products_banner_rolls_up_from_every_portion():
    analysis = _analyse(JPN_S, "(S//REL TO USA, JPN)", "(S//NF)", "(C//REL TO USA, GBR, JPN)")
    assert render(analysis.banner, "banner") == "SECRET//NOFORN"
    assert not analysis.whole.export
    assert [p.index for p in analysis.blocking] == [1]


def test_p8_the_tearlines_banner_rolls_up_only_from_its_own_portions():
    analysis = _analyse(JPN_S, "(S//REL TO USA, JPN)", "(S//NF)", "(C//REL TO USA, GBR, JPN)")
    assert render(analysis.tearline.banner, "banner") == "SECRET//REL TO USA, JPN"
    assert not analysis.tearline.view_only


def test_rule_31_a_tearline_may_be_lower_than_the_product():
    analysis = _analyse(GBR_TS, "(TS//NF)", "(S//REL TO USA, GBR)", "(C//REL TO USA, FVEY)")
    assert render(analysis.banner, "banner") == "TOP SECRET//NOFORN"
    assert render(analysis.tearline.banner, "banner") == "SECRET//REL TO USA, GBR"
    assert analysis.tearline.indexes == (1, 2)


def test_rule_31_the_tearline_is_no_less_releasable_than_its_own_portions():
    analysis = _analyse(GBR_S, "(S//REL TO USA, GBR, JPN)", "(S//NF)", "(C//REL TO USA, FVEY)")
    tearline = decide(GBR_S, analysis.tearline.banner, ON)
    assert tearline.view and tearline.export
    assert all(analysis.portions[i].releasable for i in analysis.tearline.indexes)


def test_p8_it_gives_gbr_the_whole_product_when_every_portion_is_releasable():
    analysis = _analyse(GBR_S, "(S//REL TO USA, GBR)", "(C//REL TO USA, FVEY)", "(U)")
    assert analysis.whole.export
    assert analysis.blocking == ()
    assert analysis.tearline.indexes == (0, 1, 2)
    assert render(analysis.tearline.banner, "banner") == render(analysis.banner, "banner")


def test_rule_24f_it_shows_a_display_only_portion_to_iraq_without_releasing_it():
    analysis = _analyse(IRQ_S, "(S//REL TO USA, IRQ)", "(S//DISPLAY ONLY IRQ)")
    releasable = [p.releasable for p in analysis.portions]
    viewable = [p.viewable for p in analysis.portions]
    assert releasable == [True, False]
    assert viewable == [True, True]
    assert render(analysis.tearline.banner, "banner") == "SECRET//DISPLAY ONLY IRQ"
    assert analysis.tearline.view_only


def test_p8_it_withholds_a_portion_above_the_viewers_clearance():
    analysis = _analyse(GBR_S, "(TS//REL TO USA, GBR)", "(S//REL TO USA, GBR)")
    assert [p.viewable for p in analysis.portions] == [False, True]
    assert analysis.tearline.indexes == (1,)
    assert render(analysis.tearline.banner, "banner") == "SECRET//REL TO USA, GBR"


def test_p8_it_gives_a_nation_no_tearline_when_nothing_is_releasable():
    analysis = _analyse(JPN_S, "(S//NF)", "(S//REL TO USA, GBR)")
    assert analysis.tearline.indexes == ()
    assert analysis.tearline.banner is None
    assert not any(p.in_tearline for p in analysis.portions)


def test_rule_26_p7_portions_through_fvey_and_nato_cannot_share_one_tearline():
    """Each portion is releasable to a NATO member GBR, but FVEY and NATO have no common code:
    one tearline banner over both would be NOFORN, less releasable than its portions (rule 31)."""
    gbr_in_nato = Viewer("GBR", Level.S, memberships=(Membership("NATO"),))
    analysis = _analyse(gbr_in_nato, "(S//REL TO USA, FVEY)", "(S//REL TO USA, NATO)")
    assert all(decide(gbr_in_nato, p.marking, ON).export for p in analysis.portions)
    assert len(analysis.tearline.indexes) == 1
    assert decide(gbr_in_nato, analysis.tearline.banner, ON).export


def test_p7_the_tearline_follows_the_membership_on_the_date():
    portions = ("(S//REL TO USA, NATO)", "(S//NF)")
    during = _analyse(DEU_S_NATO, *portions, on=ON)
    after = _analyse(DEU_S_NATO, *portions, on=AFTER_NATO)
    assert during.tearline.indexes == (0,)
    assert after.tearline.indexes == ()


def test_rule_10_release_analysis_resolves_short_rel_against_the_banner():
    analysis = (
        _analyse(GBR_S, "(S//REL)", "(U)", "(S//NF)", banner="SECRET//NOFORN//REL TO USA, FVEY")
        if False
        else _analyse(GBR_S, "(S//REL)", "(U)", banner="SECRET//REL TO USA, FVEY")
    )
    assert [p.releasable for p in analysis.portions] == [True, True]
    assert render(analysis.portions[0].marking, "portion") == "(S//REL TO USA, FVEY)"
    assert render(analysis.tearline.banner, "banner") == "SECRET//REL TO USA, FVEY"


def test_p8_it_analyses_release_consistently_with_decide_for_each_portion():
    portions = ("(S//REL TO USA, GBR)", "(S//NF)", "(S//DISPLAY ONLY GBR)", "(TS//REL TO USA, GBR)")
    analysis = _analyse(GBR_S, *portions)
    for text, answer in zip(portions, analysis.portions, strict=True):
        decision = decide(GBR_S, parse(text), ON)
        assert answer.viewable is decision.view
        assert answer.releasable is decision.export


def test_p8_the_release_analysis_serialises_to_a_dict():
    data = _analyse(JPN_S, "(S//REL TO USA, JPN)", "(S//NF)").as_dict()
    assert data["nation"] == "JPN"
    assert data["banner"] == "SECRET//NOFORN"
    assert data["releasable"] is False
    assert [p["releasable"] for p in data["portions"]] == [True, False]
    assert data["tearline"] == {
        "portions": [0],
        "banner": "SECRET//REL TO USA, JPN",
        "view_only": False,
    }
