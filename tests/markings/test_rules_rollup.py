"""Roll-up rules 18-29 and policy choices P1-P4 and P7 of ``markings.md``, as tables of portions.

Each row gives the portion marks of a document and the banner line the rule text requires; the
worked examples of the rule text (with their CAPCO page) come first under each rule.
"""

from __future__ import annotations

import pytest

from allied.markings import Level, check, parse, render
from allied.markings.rollup import (
    Override,
    RollupError,
    resolve_short_rel,
    rollup,
    rollup_portions,
)
from allied.markings.vocab import DEFAULT_VOCABULARY


def banner_of(*portions: str, banner: str | None = None) -> str:
    markings = [parse(p) for p in portions]
    given = parse(banner) if banner is not None else None
    return render(rollup_portions(markings, banner=given), "banner")


def xfail(reason: str):
    return pytest.mark.xfail(strict=True, reason=reason)


def row(portions, expected, banner=None, *, id, marks=()):
    """Portions, the banner they roll up to and, for short (REL) portions (rule 10), the banner
    that resolves them."""
    return pytest.param(portions, expected, banner, id=id, marks=marks)


ROLLUPS = [
    # Rule 18: the highest classification; UNCLASSIFIED only if every portion is U.
    row(("(S//NF)", "(C//NF)"), "SECRET//NOFORN", id="rule-18-highest-is-secret"),
    row(("(C//NF)", "(TS//NF)", "(S//NF)"), "TOP SECRET//NOFORN", id="rule-18-top-secret"),
    row(("(U)", "(U)"), "UNCLASSIFIED", id="rule-18-all-u-gives-unclassified"),
    row(("(U)", "(C//NF)"), "CONFIDENTIAL//NOFORN", id="rule-18-one-c-lifts-all-u"),
    # Rule 19: SCI, SAP and AEA are unions.
    row(("(TS//SI//NF)", "(S//TK//NF)"), "TOP SECRET//SI/TK//NOFORN", id="rule-19-sci-union"),
    row(
        ("(TS//SI-G ABCD//NF)", "(TS//SI-G DEFG//NF)"),
        "TOP SECRET//SI-G ABCD DEFG//NOFORN",
        id="rule-19-sci-sub-compartment-union",
    ),
    row(
        ("(TS//SI-G//NF)", "(TS//SI-MMM//NF)", "(TS//123//NF)"),
        "TOP SECRET//123/SI-G-MMM//NOFORN",
        id="rule-19-sci-compartment-union-in-rule-7-order",
    ),
    row(
        ("(S//SAR-DEF//NF)", "(S//SAR-ABC//NF)"),
        "SECRET//SAR-ABC/DEF//NOFORN",
        id="rule-19-sap-union-in-rule-7-order",
    ),
    row(("(S//RD//NF)", "(S//RD//NF)"), "SECRET//RD//NOFORN", id="rule-19-aea-listed-once"),
    row(
        ("(S//RD//NF)", "(C//FRD//NF)"),
        "SECRET//RD//NOFORN",
        # Rule 19's union, with RD's precedence over FRD and TFNI (CAPCO16 H.6, pp. 104-105).
        id="rule-19-aea-union-rd-takes-precedence-over-frd",
    ),
    row(
        ("(S//FRD//NF)", "(C//TFNI//NF)"),
        "SECRET//FRD/TFNI//NOFORN",
        id="rule-19-aea-union-of-frd-and-tfni",
    ),
    # Rule 20: FGI.
    row(
        ("(//GBR S//REL TO USA, GBR)", "(S//REL TO USA, GBR)"),
        "SECRET//FGI GBR//REL TO USA, GBR",
        id="rule-20-acknowledged-source-in-banner",
    ),
    row(
        ("(//JPN C//REL TO USA, GBR, JPN)", "(//GBR S//REL TO USA, GBR, JPN)"),
        "SECRET//FGI GBR JPN//REL TO USA, GBR, JPN",
        id="rule-20-union-of-sources-alphabetical",
    ),
    row(
        ("(//NATO S//REL TO USA, NATO)", "(//GBR S//REL TO USA, GBR, NATO)"),
        "SECRET//FGI GBR NATO//REL TO USA, NATO",
        id="rule-20-tetragraph-source-after-trigraphs",
    ),
    row(
        ("(//FGI S//NF)", "(//GBR C//NF)"),
        "SECRET//FGI//NOFORN",
        id="rule-20-concealed-source-hides-all-sources",
    ),
    row(
        ("(//JOINT S CAN GBR USA//REL TO USA, CAN, GBR)", "(S//REL TO USA, CAN, GBR)"),
        "SECRET//FGI CAN GBR//REL TO USA, CAN, GBR",
        id="rule-20-joint-co-owners-become-fgi",
    ),
    row(
        ("(//JOINT S CAN GBR USA//REL TO USA, CAN, GBR)", "(//JOINT C CAN USA//REL TO USA, CAN)"),
        "SECRET//FGI CAN GBR//REL TO USA, CAN",
        id="rule-20-joint-portions-of-different-co-owners-give-a-us-banner",
    ),
    # Rule 13 (CAPCO16 H.3): portions all JOINT with the same co-owners keep the JOINT banner.
    row(
        ("(//JOINT S CAN GBR USA//REL TO USA, CAN, GBR)",) * 2,
        "//JOINT SECRET CAN GBR USA//REL TO USA, CAN, GBR",
        id="rule-13-all-joint-same-co-owners-keep-the-joint-banner",
    ),
    row(
        (
            "(//JOINT S CAN GBR USA//REL TO USA, CAN, GBR)",
            "(//JOINT C CAN GBR USA//REL TO USA, CAN)",
        ),
        "//JOINT SECRET CAN GBR USA//REL TO USA, CAN",
        id="rule-13-all-joint-takes-the-highest-level-and-common-release",
    ),
    # Rule 21: non-FD&R dissemination controls are a union, with three exceptions.
    row(("(S//OC/NF)", "(S//IMC/NF)"), "SECRET//ORCON/IMCON/NOFORN", id="rule-21-union-oc-imc"),
    row(
        ("(S//RS/NF)", "(S//NF/DSEN)", "(S//NF/FISA)"),
        "SECRET//RSEN/NOFORN/DEA SENSITIVE/FISA",
        id="rule-21-union-rs-dsen-fisa",
    ),
    row(
        ("(S//PR/REL TO USA, GBR)", "(S//REL TO USA, GBR)"),
        "SECRET//PROPIN/REL TO USA, GBR",
        id="rule-21-propin-beside-rel-to",
    ),
    row(
        ("(C//NF//DS)", "(C//NF//XD)"),
        "CONFIDENTIAL//NOFORN//LIMDIS/EXDIS",
        id="rule-21-union-non-ic",
    ),
    row(
        ("(S//NF//XD)", "(S//NF//ND)"),
        "SECRET//NOFORN//NODIS",
        id="rule-21-exdis-dropped-beside-nodis",
    ),
    row(
        ("(U//SBU)", "(U//SBU-NF)"),
        "UNCLASSIFIED//SBU NOFORN",
        id="rule-21-sbu-dropped-beside-sbu-noforn",
    ),
    row(
        ("(U//LES)", "(U//LES-NF)"),
        "UNCLASSIFIED//LES NOFORN",
        id="rule-21-les-dropped-beside-les-noforn",
    ),
    row(
        ("(U//SBU)", "(U//SSI)"), "UNCLASSIFIED//SBU/SSI", id="rule-21-union-of-unclassified-non-ic"
    ),
    # Rule 22: FOUO (and P4: CUI, treated like FOUO).
    row(("(S//NF)", "(U//FOUO)"), "SECRET//NOFORN", id="rule-22-fouo-never-in-classified-banner"),
    row(("(U//FOUO)", "(U)"), "UNCLASSIFIED//FOUO", id="rule-22-fouo-as-only-control"),
    row(
        ("(U//FOUO)", "(U//REL TO USA, GBR)"),
        "UNCLASSIFIED//FOUO/REL TO USA, GBR",
        id="rule-22-fouo-with-fdr-only",
    ),
    row(("(U//FOUO)", "(U//NF)"), "UNCLASSIFIED//FOUO/NOFORN", id="rule-22-fouo-with-noforn"),
    row(("(U//FOUO)", "(U//RELIDO)"), "UNCLASSIFIED//FOUO/RELIDO", id="rule-22-fouo-with-relido"),
    row(("(U//FOUO)", "(U//PR)"), "UNCLASSIFIED//PROPIN", id="rule-22-fouo-dropped-beside-propin"),
    row(("(U//FOUO)", "(U//LES)"), "UNCLASSIFIED//LES", id="rule-22-fouo-dropped-beside-non-ic"),
    row(("(U//CUI)", "(U)"), "UNCLASSIFIED//CUI", id="P4-cui-as-only-control"),
    row(("(U//CUI)", "(S//NF)"), "SECRET//NOFORN", id="P4-cui-never-in-classified-banner"),
    row(("(U//CUI)", "(U//PR)"), "UNCLASSIFIED//PROPIN", id="P4-cui-dropped-beside-propin"),
    row(
        ("(U//CUI)", "(U//REL TO USA, GBR)"),
        "UNCLASSIFIED//CUI/REL TO USA, GBR",
        id="P4-cui-with-fdr-only",
    ),
    # Rule 23: SBU-NF and LES-NF.
    row(
        ("(S//REL TO USA, JPN)", "(U//LES-NF)"),
        "SECRET//NOFORN//LES",
        id="rule-23-les-nf-in-classified-document",
    ),
    row(
        ("(C//REL TO USA, GBR)", "(U//SBU-NF)"),
        "CONFIDENTIAL//NOFORN//SBU",
        id="rule-23-sbu-nf-in-classified-document",
    ),
    row(
        ("(S//NF)", "(U//SBU)", "(U//SBU-NF)"),
        "SECRET//NOFORN//SBU",
        id="rule-23-sbu-and-sbu-nf-in-classified-document",
    ),
    row(("(U)", "(U//LES-NF)"), "UNCLASSIFIED//LES NOFORN", id="rule-23-unclassified-keeps-les-nf"),
    row(("(U//SBU-NF)",), "UNCLASSIFIED//SBU NOFORN", id="rule-23-unclassified-keeps-sbu-nf"),
    row(
        ("(U//SBU-NF)", "(U//REL TO USA, FVEY)"),
        "UNCLASSIFIED//NOFORN//SBU",
        id="rule-23-capco-p53-example-4-sbu-nf-beside-rel-to",
    ),
    row(
        ("(U//LES-NF)", "(U//NF)"),
        "UNCLASSIFIED//NOFORN//LES",
        id="rule-23-les-nf-beside-ic-noforn",
    ),
    row(
        ("(U//SBU-NF)", "(U//FOUO)"),
        "UNCLASSIFIED//SBU NOFORN",
        id="rule-23-unclassified-without-ic-fdr-keeps-sbu-nf",
    ),
    # Rule 24(a): any NOFORN wins.
    row(("(S//REL TO USA, GBR)", "(C//NF)"), "SECRET//NOFORN", id="rule-24a-noforn-beside-rel-to"),
    row(("(S//RELIDO)", "(S//NF)"), "SECRET//NOFORN", id="rule-24a-noforn-beside-relido"),
    row(
        ("(S//DISPLAY ONLY IRQ)", "(C//NF)"),
        "SECRET//NOFORN",
        id="rule-24a-noforn-beside-display-only",
    ),
    row(
        ("(U//REL TO USA, GBR)", "(U//NF)"),
        "UNCLASSIFIED//NOFORN",
        id="rule-24a-noforn-in-unclassified-document",
    ),
    # Rule 24(b): REL TO portions give the intersection, or NOFORN when there is none.
    row(
        ("(S//REL TO USA, GBR, JPN)", "(C//REL TO USA, GBR)"),
        "SECRET//REL TO USA, GBR",
        id="rule-24b-intersection",
    ),
    row(
        ("(S//REL TO USA, AUS, GBR, JPN)", "(S//REL TO USA, GBR, JPN, KOR)"),
        "SECRET//REL TO USA, GBR, JPN",
        id="rule-24b-intersection-in-rule-8-order",
    ),
    row(
        ("(S//REL TO USA, GBR)", "(S//REL TO USA, JPN)"),
        "SECRET//NOFORN",
        id="rule-24b-no-common-code",
    ),
    # Rule 24(c): RELIDO.
    row(
        ("(S//REL TO USA, GBR)", "(S//RELIDO)"),
        "SECRET//NOFORN",
        id="rule-24c-rel-to-beside-relido-only",
    ),
    row(
        ("(S//RELIDO)", "(S//REL TO USA, AUS, CAN/RELIDO)"),
        "SECRET//RELIDO",
        id="rule-24c-p155-every-portion-relido",
    ),
    row(("(S//RELIDO)", "(C//RELIDO)"), "SECRET//RELIDO", id="rule-24c-all-relido"),
    row(
        ("(S//REL TO USA, GBR/RELIDO)", "(S//REL TO USA, GBR, JPN/RELIDO)"),
        "SECRET//REL TO USA, GBR/RELIDO",
        id="rule-24c-rel-to-and-relido-in-every-portion",
    ),
    row(
        ("(S//REL TO USA, GBR/RELIDO)", "(S//REL TO USA, GBR)"),
        "SECRET//REL TO USA, GBR",
        id="rule-24c-relido-only-when-every-portion-has-it",
    ),
    # Rule 24(d): REL TO beside classified portions with no FD&R.
    row(("(S//REL TO USA, FVEY)", "(C)"), "SECRET//NOFORN", id="rule-24d-p152-rel-to-beside-c"),
    row(
        ("(S//REL TO USA, GBR/RELIDO)", "(S)"),
        "SECRET//NOFORN",
        id="rule-24d-rel-to-relido-beside-s",
    ),
    # Rule 24(e) and P1: RELIDO beside classified portions with no FD&R.
    row(("(S//RELIDO)", "(C)"), "SECRET//NOFORN", id="rule-24e-P1-relido-beside-c"),
    # Rule 24(f): DISPLAY ONLY.
    row(
        ("(S//DISPLAY ONLY AFG, IRQ)", "(S//DISPLAY ONLY IRQ)"),
        "SECRET//DISPLAY ONLY IRQ",
        id="rule-24f-display-only-intersection",
    ),
    row(
        ("(S//DISPLAY ONLY AFG)", "(S//DISPLAY ONLY IRQ)"),
        "SECRET//NOFORN",
        id="rule-24f-display-only-no-common-code",
    ),
    row(
        ("(S//DISPLAY ONLY IRQ)", "(C)"),
        "SECRET//NOFORN",
        id="rule-24f-display-only-beside-unmarked-classified",
    ),
    row(
        ("(S//DISPLAY ONLY IRQ)", "(S//RELIDO)"),
        "SECRET//NOFORN",
        id="rule-24f-display-only-beside-relido",
    ),
    row(
        ("(S//REL TO USA, IRQ)", "(S//DISPLAY ONLY IRQ)"),
        "SECRET//DISPLAY ONLY IRQ",
        id="rule-24f-p166-release-implies-disclosure",
    ),
    row(
        ("(S//REL TO USA, GBR, IRQ)", "(S//DISPLAY ONLY AFG, IRQ)"),
        "SECRET//DISPLAY ONLY IRQ",
        id="rule-24f-display-only-common-with-rel-to",
    ),
    row(
        ("(S//REL TO USA, GBR)", "(S//DISPLAY ONLY IRQ)"),
        "SECRET//NOFORN",
        id="rule-24f-display-only-and-rel-to-no-common-code",
    ),
    row(
        ("(S//REL TO USA, FVEY)", "(S//DISPLAY ONLY GBR, IRQ)"),
        "SECRET//DISPLAY ONLY GBR",
        id="rule-24f-rule-26-display-only-common-with-fvey-member",
    ),
    row(
        ("(S//REL TO USA, GBR/DISPLAY ONLY IRQ)", "(S//REL TO USA, GBR)"),
        "SECRET//REL TO USA, GBR",
        id="rule-24f-display-only-not-common-to-every-portion-is-dropped",
    ),
    # Rule 24(g): REL TO x/DISPLAY ONLY y in every portion.
    row(
        (
            "(S//REL TO USA, GBR/DISPLAY ONLY AFG)",
            "(S//REL TO USA, GBR, JPN/DISPLAY ONLY AFG, IRQ)",
        ),
        "SECRET//REL TO USA, GBR/DISPLAY ONLY AFG",
        id="rule-24g-both-intersections",
    ),
    # Rule 25: unclassified portions and FD&R.
    row(
        ("(S//REL)", "(U)"),
        "SECRET//REL TO USA, FVEY",
        "SECRET//REL TO USA, FVEY",
        id="rule-25-rule-10-p49-plain-u-ignored-beside-short-rel",
    ),
    row(
        ("(U)", "(U//REL TO USA, FVEY)"),
        "UNCLASSIFIED//REL TO USA, FVEY",
        id="rule-25-p54-unclassified-rel-to",
    ),
    row(
        ("(S//REL TO USA, GBR)", "(U)"),
        "SECRET//REL TO USA, GBR",
        id="rule-25-plain-u-does-not-block-rel-to",
    ),
    row(
        ("(S//REL TO USA, GBR)", "(U//NF)"),
        "SECRET//NOFORN",
        id="rule-25-u-with-noforn-counts",
    ),
    row(
        ("(S//REL TO USA, GBR)", "(U//RELIDO)"),
        "SECRET//NOFORN",
        id="rule-25-u-with-relido-counts",
    ),
    row(
        ("(S//REL TO USA, IRQ)", "(U//DISPLAY ONLY IRQ)"),
        "SECRET//DISPLAY ONLY IRQ",
        id="rule-25-u-with-display-only-counts",
    ),
    row(
        ("(S//REL TO USA, GBR, JPN)", "(U//REL TO USA, GBR)"),
        "SECRET//REL TO USA, GBR",
        id="rule-25-u-with-rel-to-counts",
    ),
    row(
        ("(U)", "(S//RELIDO)", "(U)"),
        "SECRET//RELIDO",
        id="rule-25-plain-u-does-not-block-relido",
    ),
    row(
        ("(S//DISPLAY ONLY IRQ)", "(U)"),
        "SECRET//DISPLAY ONLY IRQ",
        id="rule-25-plain-u-does-not-block-display-only",
    ),
    row(
        ("(U//FISA)", "(S//REL TO USA, GBR)"),
        "SECRET//NOFORN/FISA",
        id="rule-25-p53-fisa-read-as-relido",
    ),
    row(
        ("(U//FISA)", "(S//RELIDO)"),
        "SECRET//RELIDO/FISA",
        id="rule-25-fisa-beside-relido-is-all-relido",
    ),
    row(
        ("(S//REL TO USA, GBR)", "(U//FOUO)"),
        "SECRET//REL TO USA, GBR",
        id="rule-25-caveated-u-without-fdr-does-not-block",
    ),
    row(
        ("(S//REL TO USA, GBR)", "(U//CUI)"),
        "SECRET//REL TO USA, GBR",
        id="rule-25-P4-cui-without-fdr-does-not-block",
    ),
    # Rule 26 and P7: only FVEY, ACGU and TEYE are expanded.
    row(
        ("(S//REL TO USA, FVEY)", "(C//REL TO USA, ISAF)"),
        "SECRET//NOFORN",
        id="rule-26-p152-isaf-is-not-expanded",
    ),
    row(
        ("(S//REL TO USA, FVEY)", "(S//REL TO USA, GBR)"),
        "SECRET//REL TO USA, GBR",
        id="rule-26-fvey-expanded",
    ),
    row(
        ("(S//REL TO USA, ACGU)", "(S//REL TO USA, CAN, NZL)"),
        "SECRET//REL TO USA, CAN",
        id="rule-26-acgu-expanded-without-nzl",
    ),
    row(
        ("(S//REL TO USA, TEYE)", "(S//REL TO USA, AUS, GBR)"),
        "SECRET//REL TO USA, GBR",
        id="rule-26-teye-expanded-without-aus",
    ),
    row(
        ("(S//REL TO USA, NATO)", "(S//REL TO USA, GBR)"),
        "SECRET//NOFORN",
        id="rule-26-P7-nato-matches-only-itself",
    ),
    row(
        ("(S//REL TO USA, NATO)", "(S//REL TO USA, GBR, NATO)"),
        "SECRET//REL TO USA, NATO",
        id="rule-26-P7-nato-common-to-both",
    ),
    row(
        ("(S//REL TO USA, FVEY)", "(S//REL TO USA, NZL)"),
        "SECRET//REL TO USA, NZL",
        id="rule-26-fvey-includes-nzl",
    ),
    row(
        ("(S//REL TO USA, FVEY)", "(S//REL TO USA, TEYE)"),
        "SECRET//REL TO USA, CAN, GBR",
        id="rule-26-P2-fvey-and-teye-give-their-common-members",
    ),
    row(
        ("(U//REL TO USA, GBR)", "(C)"),
        "CONFIDENTIAL//NOFORN",
        id="rule-24d-rule-25-unclassified-rel-to-beside-unmarked-classified",
    ),
    # Rule 27 and P2: how an intersection that used expansion is rendered.
    row(
        ("(S//REL TO USA, FVEY)", "(S//REL TO USA, FVEY)"),
        "SECRET//REL TO USA, FVEY",
        id="rule-27-P2-p49-every-portion-fvey-keeps-fvey",
    ),
    row(
        ("(S//REL TO USA, JPN, FVEY)", "(S//REL TO USA, FVEY)"),
        "SECRET//REL TO USA, FVEY",
        id="rule-27-P2-fvey-kept-when-every-portion-used-it",
    ),
    row(
        ("(S//REL TO USA, FVEY)", "(S//REL TO USA, AUS, CAN, GBR, NZL)"),
        "SECRET//REL TO USA, AUS, CAN, GBR, NZL",
        id="rule-27-P2-no-recollapse-of-complete-member-set",
    ),
    row(
        ("(S//REL TO USA, FVEY)", "(S//REL TO USA, ACGU)"),
        "SECRET//REL TO USA, AUS, CAN, GBR",
        id="rule-27-P2-different-tetragraphs-give-trigraphs",
    ),
    row(
        ("(S//REL TO USA, FVEY, NATO)", "(S//REL TO USA, FVEY, NATO)"),
        "SECRET//REL TO USA, FVEY, NATO",
        id="rule-27-P2-every-portion-fvey-and-nato",
    ),
    row(
        ("(S//REL TO USA, JPN, ACGU)", "(S//REL TO USA, KOR, ACGU)"),
        "SECRET//REL TO USA, ACGU",
        id="rule-27-P2-every-portion-acgu-keeps-acgu",
    ),
    # Rule 29 and P3: FGI with no FD&R is handled as NOFORN.
    row(("(//GBR C)",), "CONFIDENTIAL//FGI GBR//NOFORN", id="rule-29-P3-fgi-alone"),
    row(
        ("(S//REL TO USA, AUS)", "(//CAN S//REL TO USA, AUS, CAN, GBR)", "(//DEU TS)"),
        "TOP SECRET//FGI CAN DEU//NOFORN",
        id="rule-29-P3-dodm-example-under-ic-rules",
    ),
    row(
        ("(//DEU TS)", "(S//REL TO USA, GBR)"),
        "TOP SECRET//FGI DEU//NOFORN",
        id="rule-29-P3-fgi-without-fdr-beside-rel-to",
    ),
]


@pytest.mark.parametrize(("portions", "expected", "banner"), ROLLUPS)
def test_the_banner_rolls_up_from_the_portions(portions, expected, banner):
    assert banner_of(*portions, banner=banner) == expected


@pytest.mark.parametrize(
    ("portions", "expected", "banner"), [pytest.param(*r.values, id=r.id) for r in ROLLUPS]
)
def test_the_rolled_up_banner_is_itself_a_valid_banner(portions, expected, banner):
    """Rules 1-17 hold for every banner the roll-up produces."""
    result = check(expected)
    assert result.valid, [str(p) for p in result.problems]


@pytest.mark.parametrize(
    "portions",
    [
        pytest.param(("(S//REL TO USA, GBR)", "(C//REL TO USA, GBR, JPN)"), id="rule-24b"),
        pytest.param(("(S//REL TO USA, FVEY)", "(C)"), id="rule-24d"),
        pytest.param(("(//FGI S//NF)", "(//GBR C//NF)", "(TS//SI//NF)"), id="rule-20"),
        pytest.param(("(U//FOUO)", "(S//OC/NF)", "(U//LES-NF)"), id="rule-22-rule-23"),
    ],
)
def test_the_roll_up_does_not_depend_on_portion_order(portions):
    """Rules 18-24 are unions and intersections: the order of portions does not matter."""
    assert banner_of(*portions) == banner_of(*reversed(portions))


def test_rule_18_a_document_of_unmarked_classified_portions_takes_the_highest_level():
    marking = rollup_portions([parse("(C)"), parse("(S)"), parse("(U)")])
    assert marking.level == Level.S


def test_rule_18_every_portion_unclassified_gives_unclassified():
    marking = rollup_portions([parse("(U)"), parse("(U//FOUO)")])
    assert marking.level == Level.U


def test_rule_20_a_joint_portion_beside_a_us_portion_rolls_up_to_a_us_banner():
    marking = rollup_portions(
        [parse("(//JOINT S CAN GBR USA//REL TO USA, CAN, GBR)"), parse("(S//REL TO USA, CAN)")]
    )
    assert marking.kind == "us"
    assert marking.fgi == ("CAN", "GBR")


def test_rule_13_a_document_of_one_joint_portion_keeps_its_joint_owners():
    marking = rollup_portions([parse("(//JOINT S CAN GBR USA//REL TO USA, CAN, GBR)")])
    assert marking.kind == "joint"
    assert marking.owners == ("CAN", "GBR", "USA")
    assert marking.fgi is None


def test_rule_26_P7_a_project_community_code_matches_only_itself():
    vocabulary = DEFAULT_VOCABULARY.with_communities({"QUAD"})
    quad = parse("(S//REL TO USA, QUAD)", vocabulary=vocabulary)
    aus = parse("(S//REL TO USA, AUS, JPN)", vocabulary=vocabulary)
    both = parse("(S//REL TO USA, AUS, QUAD)", vocabulary=vocabulary)
    assert render(rollup_portions([quad, aus]), "banner") == "SECRET//NOFORN"
    assert render(rollup_portions([quad, both]), "banner") == "SECRET//REL TO USA, QUAD"


# --- rule 10: the short (REL) portion ---


def test_rule_10_a_short_rel_portion_takes_the_banners_list():
    assert banner_of("(S//REL)", banner="SECRET//REL TO USA, GBR, JPN") == (
        "SECRET//REL TO USA, GBR, JPN"
    )


def test_rule_10_a_short_rel_portion_beside_a_narrower_portion_gives_the_intersection():
    assert banner_of("(S//REL)", "(C//REL TO USA, GBR)", banner="SECRET//REL TO USA, GBR, JPN") == (
        "SECRET//REL TO USA, GBR"
    )


def test_rule_10_a_short_rel_portion_cannot_roll_up_without_a_banner():
    with pytest.raises(RollupError):
        rollup_portions([parse("(S//REL)"), parse("(U)")])


def test_rule_10_a_short_rel_portion_cannot_roll_up_against_a_banner_without_rel_to():
    with pytest.raises(RollupError):
        rollup_portions([parse("(S//REL)")], banner=parse("SECRET//NOFORN"))


def test_rule_10_an_extracted_short_rel_portion_writes_the_banners_list_in_full():
    (extracted,) = resolve_short_rel([parse("(S//REL)")], parse("SECRET//REL TO USA, FVEY"))
    assert render(extracted, "portion") == "(S//REL TO USA, FVEY)"


# --- rule 28: the compilation override ---

PORTIONS_GBR_JPN = ("(S//REL TO USA, GBR, JPN)", "(C//REL TO USA, GBR, JPN, KOR)")


def _rollup_with(override: str, reason: str = "compilation of sources reveals the programme"):
    portions = [parse(p) for p in PORTIONS_GBR_JPN]
    return rollup(portions, override=Override(parse(override), reason))


def test_rule_28_without_an_override_the_banner_is_the_computed_roll_up():
    result = rollup([parse(p) for p in PORTIONS_GBR_JPN])
    assert render(result.banner, "banner") == "SECRET//REL TO USA, GBR, JPN"
    assert result.banner == result.computed
    assert result.compilation_reason is None


MORE_RESTRICTIVE = [
    pytest.param("SECRET//REL TO USA, GBR", id="rule-28-subset-of-common-countries"),
    pytest.param("TOP SECRET//REL TO USA, GBR, JPN", id="rule-18-rule-28-higher-classification"),
    pytest.param("SECRET//NOFORN", id="rule-28-noforn"),
    pytest.param("SECRET//SI//NOFORN", id="rule-19-rule-28-sci-by-compilation"),
    pytest.param("SECRET//ORCON/REL TO USA, GBR, JPN", id="rule-28-added-control"),
]


@pytest.mark.parametrize("override", MORE_RESTRICTIVE)
def test_rule_28_a_more_restrictive_override_with_a_reason_is_accepted(override):
    result = _rollup_with(override)
    assert render(result.banner, "banner") == override
    assert render(result.computed, "banner") == "SECRET//REL TO USA, GBR, JPN"
    assert result.compilation_reason == "compilation of sources reveals the programme"


LOOSER = [
    pytest.param("SECRET//REL TO USA, GBR, JPN, KOR", id="rule-28-adds-a-country"),
    pytest.param("SECRET//REL TO USA, FVEY", id="rule-28-different-countries"),
    pytest.param("CONFIDENTIAL//REL TO USA, GBR, JPN", id="rule-18-rule-28-lower-classification"),
    pytest.param("SECRET//DISPLAY ONLY GBR, JPN, KOR", id="rule-28-displays-to-another-country"),
]


@pytest.mark.parametrize("override", LOOSER)
def test_rule_28_a_looser_override_is_refused(override):
    with pytest.raises(RollupError):
        _rollup_with(override)


def test_rule_24c_rule_28_an_override_may_not_turn_noforn_into_relido():
    # RELIDO releases to no one by itself, but lets a disclosure official release what NOFORN
    # forbids: a RELIDO banner over a NOFORN roll-up is looser.
    with pytest.raises(RollupError, match="drops NOFORN"):
        rollup([parse("(S//NF)")], override=Override(parse("SECRET//RELIDO"), "compiled"))
    assert rollup([parse("(S//RELIDO)")], override=Override(parse("SECRET//NOFORN"), "compiled"))


def test_rule_28_an_override_without_a_reason_is_refused():
    with pytest.raises(RollupError):
        _rollup_with("TOP SECRET//REL TO USA, GBR, JPN", reason="")


def test_rule_28_an_override_with_a_blank_reason_is_refused():
    with pytest.raises(RollupError):
        _rollup_with("TOP SECRET//REL TO USA, GBR, JPN", reason="   ")


def test_rule_19_rule_28_an_override_may_not_drop_sci_a_portion_carries():
    portions = [parse("(TS//SI//NF)"), parse("(S//NF)")]
    with pytest.raises(RollupError):
        rollup(portions, override=Override(parse("TOP SECRET//NOFORN"), "reason"))


def test_rule_21_rule_28_an_override_may_not_drop_a_control_a_portion_carries():
    portions = [parse("(S//OC/NF)"), parse("(S//NF)")]
    with pytest.raises(RollupError):
        rollup(portions, override=Override(parse("SECRET//NOFORN"), "reason"))


def test_rule_24a_rule_28_an_override_may_not_lift_noforn():
    portions = [parse("(S//NF)"), parse("(S//REL TO USA, GBR)")]
    with pytest.raises(RollupError):
        rollup(portions, override=Override(parse("SECRET//REL TO USA, GBR"), "reason"))


def test_rule_18_it_refuses_to_roll_up_no_portions():
    with pytest.raises(RollupError):
        rollup_portions([])
