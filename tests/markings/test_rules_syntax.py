"""Syntax rules 1-17 and policy choices P4-P6 of ``markings.md``, as tables of markings.

Every row cites the rule it exercises in its id. The expectations come from the rule text, not
from the engine: valid markings must be accepted as written with their canonical form equal to the
input; invalid ones must be rejected with a ``Problem`` that cites the rule, names the offending
token at its position and, where the correction is mechanical, proposes it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from allied.markings import MarkingError, Problem, check, parse, render

# --- valid markings, written canonically ---

CANONICAL_BANNERS = [
    pytest.param("UNCLASSIFIED", id="rule-3-unclassified"),
    pytest.param("CONFIDENTIAL", id="rule-3-confidential"),
    pytest.param("SECRET", id="rule-3-secret"),
    pytest.param("TOP SECRET", id="rule-3-top-secret"),
    pytest.param("SECRET//NOFORN", id="rule-1-classification-and-dissem"),
    pytest.param(
        "TOP SECRET//SI-G ABCD//SAR-ABC//RD//FGI GBR//NOFORN//LES",
        id="rule-1-every-category-in-order",
    ),
    pytest.param("TOP SECRET//SI/TK//NOFORN", id="rule-2-sci-systems-joined-by-slash"),
    pytest.param(
        "TOP SECRET//123/SI-G ABCD DEFG-MMM AACD//ORCON/NOFORN",
        id="rule-7-sci-compartments-and-sub-compartments",
    ),
    pytest.param("TOP SECRET//HCS/SI/TK//NOFORN", id="rule-7-sci-systems-sorted"),
    pytest.param("SECRET//SAR-ABC-DEF 123/SDA-121//NOFORN", id="rule-7-sap-programs-after-one-sar"),
    pytest.param("SECRET//SAR-ABC//NOFORN", id="rule-7-single-sap"),
    pytest.param("SECRET//RD//NOFORN", id="rule-1-aea-rd"),
    pytest.param("SECRET//RD-CNWDI//NOFORN", id="rule-2-aea-hyphenated-compartment"),
    pytest.param("CONFIDENTIAL//FRD//NOFORN", id="rule-15-frd-at-confidential"),
    pytest.param("CONFIDENTIAL//TFNI//NOFORN", id="rule-15-tfni-at-confidential"),
    pytest.param(
        "SECRET//FGI GBR JPN NATO//REL TO USA, GBR, JPN, NATO",
        id="rule-12-fgi-acknowledged-trigraphs-then-tetragraphs",
    ),
    pytest.param("SECRET//FGI//NOFORN", id="rule-12-fgi-concealed-banner"),
    pytest.param("SECRET//FGI", id="rule-12-fgi-concealed-banner-alone"),
    pytest.param("SECRET//REL TO USA, GBR", id="rule-8-rel-to-one-foreign-code"),
    pytest.param("SECRET//REL TO USA, GBR, JPN, ISAF, NATO", id="rule-8-rel-to-worked-example"),
    pytest.param("SECRET//REL TO USA, FVEY", id="rule-8-rel-to-tetragraph"),
    pytest.param("SECRET//REL TO USA, AUS/RELIDO", id="rule-14-rel-to-with-relido"),
    pytest.param("SECRET//RELIDO", id="rule-6-relido-alone"),
    pytest.param("CONFIDENTIAL//DISPLAY ONLY AFG, IRQ", id="rule-11-display-only"),
    pytest.param("SECRET//DISPLAY ONLY IRQ, NATO", id="rule-11-display-only-tetragraph-last"),
    pytest.param("SECRET//REL TO USA, IRQ/DISPLAY ONLY AFG", id="rule-14-rel-to-with-display-only"),
    pytest.param(
        "//JOINT SECRET CAN GBR USA//REL TO USA, CAN, GBR",
        id="rule-13-joint-usa-in-alphabetical-place",
    ),
    pytest.param("//DEU TS", id="rule-3-non-us-classification"),
    pytest.param("//GBR S//REL TO USA, GBR", id="rule-3-non-us-with-rel-to"),
    pytest.param("UNCLASSIFIED//FOUO", id="rule-15-fouo-unclassified"),
    pytest.param("UNCLASSIFIED//CUI", id="P4-cui-unclassified"),
    pytest.param(
        "TOP SECRET//RSEN/ORCON/IMCON/NOFORN/PROPIN", id="rule-6-register-order-of-dissem"
    ),
    pytest.param("SECRET//ORCON-USGOV/NOFORN", id="rule-6-orcon-usgov"),
    pytest.param("SECRET//NOFORN/FISA", id="rule-6-noforn-before-fisa"),
    pytest.param("SECRET//NOFORN/DEA SENSITIVE/FISA", id="rule-5-dea-sensitive-has-no-abbrev"),
    pytest.param("SECRET//NOFORN//LES", id="rule-15-classified-banner-with-les"),
    pytest.param("UNCLASSIFIED//LES NOFORN", id="rule-4-banner-les-noforn-no-hyphen"),
    pytest.param("UNCLASSIFIED//SBU NOFORN", id="rule-4-banner-sbu-noforn-no-hyphen"),
    pytest.param("UNCLASSIFIED//SBU/SSI", id="rule-6-non-ic-order"),
    pytest.param("SECRET//NOFORN//LIMDIS", id="rule-5-limdis"),
    pytest.param("SECRET//NOFORN//EXDIS", id="rule-15-exdis-with-noforn"),
    pytest.param("SECRET//NOFORN//NODIS", id="rule-15-nodis-with-noforn"),
]

CANONICAL_PORTIONS = [
    pytest.param("(U)", id="rule-4-u"),
    pytest.param("(C)", id="rule-4-c"),
    pytest.param("(S)", id="rule-4-s"),
    pytest.param("(TS)", id="rule-4-ts"),
    pytest.param("(S//NF)", id="rule-4-noforn-portion-mark"),
    pytest.param("(TS//SI/TK//OC/NF)", id="rule-4-same-order-as-banner"),
    pytest.param("(TS//SI-G ABCD DEFG//OC/NF)", id="rule-7-portion-sub-compartments"),
    pytest.param("(S//SAR-ABC//NF)", id="rule-7-portion-sap"),
    pytest.param("(S//RD//NF)", id="rule-1-portion-aea"),
    pytest.param("(S//REL TO USA, FVEY)", id="rule-8-portion-rel-to"),
    pytest.param("(S//REL)", id="rule-10-short-rel-portion"),
    pytest.param("(S//REL TO USA, AUS/RELIDO)", id="rule-14-portion-rel-to-with-relido"),
    pytest.param("(S//RELIDO)", id="rule-6-portion-relido"),
    pytest.param("(S//DISPLAY ONLY IRQ)", id="rule-11-portion-display-only"),
    pytest.param(
        "(S//REL TO USA, IRQ/DISPLAY ONLY AFG)", id="rule-14-portion-rel-to-with-display-only"
    ),
    pytest.param("(//GBR S//REL TO USA, GBR)", id="rule-12-acknowledged-fgi-portion"),
    pytest.param(
        "(//CAN S//REL TO USA, AUS, CAN, GBR)", id="rule-12-acknowledged-fgi-portion-wider"
    ),
    pytest.param("(//FGI S//NF)", id="rule-12-concealed-fgi-portion"),
    pytest.param("(//DEU TS)", id="rule-3-non-us-portion"),
    pytest.param("(//JOINT S CAN GBR USA//REL TO USA, CAN, GBR)", id="rule-13-joint-portion"),
    pytest.param("(U//FOUO)", id="rule-15-fouo-portion"),
    pytest.param("(U//CUI)", id="P4-cui-portion"),
    pytest.param("(U//SBU)", id="rule-15-sbu-portion-unclassified"),
    pytest.param("(U//SBU-NF)", id="rule-4-sbu-nf-portion"),
    pytest.param("(U//LES)", id="rule-15-les-portion-unclassified"),
    pytest.param("(U//LES-NF)", id="rule-4-les-nf-portion"),
    pytest.param("(U//SSI)", id="rule-5-ssi-portion"),
    pytest.param("(S//RS/OC/IMC/NF/PR)", id="rule-6-portion-register-order"),
    pytest.param("(S//OC-USGOV/NF)", id="rule-5-orcon-usgov-portion-mark"),
    pytest.param("(S//NF/DSEN/FISA)", id="rule-5-dsen-portion-mark"),
    pytest.param("(U//FISA)", id="rule-5-fisa-portion"),
    pytest.param("(S//NF//DS)", id="rule-5-limdis-portion-mark"),
    pytest.param("(S//NF//XD)", id="rule-15-exdis-portion-with-noforn"),
    pytest.param("(U//NF//ND)", id="rule-15-nodis-portion-with-noforn"),
    # Rule 15 floors, met exactly.
    pytest.param("(C//OC)", id="rule-15-orcon-at-confidential"),
    pytest.param("(S//IMC)", id="rule-15-imcon-at-secret"),
    pytest.param("(S//RS)", id="rule-15-rsen-at-secret"),
    pytest.param("(C//SI)", id="rule-15-si-at-confidential"),
    pytest.param("(S//TK)", id="rule-15-tk-at-secret"),
    pytest.param("(C//HCS//NF)", id="rule-15-hcs-at-confidential-with-noforn"),
    pytest.param("(S//KDK//NF)", id="rule-15-kdk-at-secret-with-noforn"),
    pytest.param("(C//RD)", id="rule-15-rd-at-confidential"),
    pytest.param("(C//FRD)", id="rule-15-frd-portion-at-confidential"),
    pytest.param("(C//TFNI)", id="rule-15-tfni-portion-at-confidential"),
]


@pytest.mark.parametrize("text", CANONICAL_BANNERS)
def test_it_accepts_a_canonical_banner_as_written(text):
    result = check(text)
    assert result.form == "banner"
    assert result.problems == (), [str(p) for p in result.problems]
    assert result.valid
    assert result.canonical == text


@pytest.mark.parametrize("text", CANONICAL_PORTIONS)
def test_it_accepts_a_canonical_portion_as_written(text):
    result = check(text)
    assert result.form == "portion"
    assert result.problems == (), [str(p) for p in result.problems]
    assert result.valid
    assert result.canonical == text


@pytest.mark.parametrize("text", CANONICAL_BANNERS)
def test_rendering_a_parsed_canonical_banner_gives_it_back(text):
    assert render(parse(text), "banner") == text


@pytest.mark.parametrize("text", CANONICAL_PORTIONS)
def test_rendering_a_parsed_canonical_portion_gives_it_back(text):
    assert render(parse(text), "portion") == text


# Rule 4: a portion uses the same order and separators as the banner, with portion marks;
# the two forms of one marking stand for the same marking.
SAME_MARKING = [
    pytest.param("SECRET//NOFORN", "(S//NF)", id="rule-4-noforn"),
    pytest.param(
        "TOP SECRET//SI/TK//ORCON/NOFORN", "(TS//SI/TK//OC/NF)", id="rule-4-sci-and-orcon"
    ),
    pytest.param("UNCLASSIFIED//LES NOFORN", "(U//LES-NF)", id="rule-4-les-noforn-exception"),
    pytest.param("UNCLASSIFIED//SBU NOFORN", "(U//SBU-NF)", id="rule-4-sbu-noforn-exception"),
    pytest.param("SECRET//DEA SENSITIVE", "(S//DSEN)", id="rule-5-dea-sensitive"),
    pytest.param(
        "SECRET//RSEN/IMCON/NOFORN/PROPIN", "(S//RS/IMC/NF/PR)", id="rule-5-banner-abbreviations"
    ),
    pytest.param("SECRET//NOFORN//LIMDIS", "(S//NF//DS)", id="rule-5-limdis"),
    pytest.param("SECRET//REL TO USA, GBR", "(S//REL TO USA, GBR)", id="rule-5-rel-to"),
]


@pytest.mark.parametrize(("banner", "portion"), SAME_MARKING)
def test_a_banner_and_its_portion_form_are_the_same_marking(banner, portion):
    assert parse(banner) == parse(portion)
    assert render(parse(banner), "portion") == portion
    assert render(parse(portion), "banner") == banner


# Rule 5: a banner may use the full marking title instead of the banner abbreviation.
TITLES = [
    pytest.param(
        "SECRET//NOT RELEASABLE TO FOREIGN NATIONALS", "SECRET//NOFORN", id="rule-5-noforn-title"
    ),
    pytest.param(
        "SECRET//ORIGINATOR CONTROLLED/NOFORN", "SECRET//ORCON/NOFORN", id="rule-5-orcon-title"
    ),
    pytest.param("SECRET//RISK SENSITIVE/NOFORN", "SECRET//RSEN/NOFORN", id="rule-5-rsen-title"),
    pytest.param(
        "SECRET//CONTROLLED IMAGERY/NOFORN", "SECRET//IMCON/NOFORN", id="rule-5-imcon-title"
    ),
    pytest.param(
        "SECRET//CAUTION-PROPRIETARY INFORMATION INVOLVED",
        "SECRET//PROPIN",
        id="rule-5-propin-title",
    ),
    pytest.param(
        "SECRET//AUTHORIZED FOR RELEASE TO USA, GBR",
        "SECRET//REL TO USA, GBR",
        id="rule-5-rel-to-title",
    ),
    pytest.param(
        "SECRET//RELEASABLE BY INFORMATION DISCLOSURE OFFICIAL",
        "SECRET//RELIDO",
        id="rule-5-relido-title",
    ),
    pytest.param(
        "UNCLASSIFIED//FOR OFFICIAL USE ONLY", "UNCLASSIFIED//FOUO", id="rule-5-fouo-title"
    ),
    pytest.param(
        "SECRET//NOFORN/FOREIGN INTELLIGENCE SURVEILLANCE ACT",
        "SECRET//NOFORN/FISA",
        id="rule-5-fisa-title",
    ),
    pytest.param(
        "SECRET//NOFORN//LIMITED DISTRIBUTION", "SECRET//NOFORN//LIMDIS", id="rule-5-limdis-title"
    ),
    pytest.param(
        "UNCLASSIFIED//LAW ENFORCEMENT SENSITIVE", "UNCLASSIFIED//LES", id="rule-5-les-title"
    ),
    pytest.param(
        "SECRET//SPECIAL ACCESS REQUIRED-ABC//NOFORN",
        "SECRET//SAR-ABC//NOFORN",
        id="rule-7-special-access-required-spelled-out",
    ),
]


@pytest.mark.parametrize(("titled", "abbreviated"), TITLES)
def test_a_banner_may_spell_out_a_marking_title(titled, abbreviated):
    result = check(titled)
    assert result.valid, [str(p) for p in result.problems]
    assert result.marking == parse(abbreviated)


# --- invalid markings ---


class Contains(str):
    """An expected token given only by a part the offending token must contain."""

    __slots__ = ()


ANY_FIX = object()


@dataclass(frozen=True)
class Expect:
    """The problem a rule requires: its rule (or the rules the text leaves open), token and fix."""

    rules: tuple[str, ...]
    token: str
    fix: object = ANY_FIX
    repaired: str | None = None

    def matches(self, problem: Problem) -> bool:
        if problem.rule not in self.rules:
            return False
        if isinstance(self.token, Contains):
            return self.token in problem.token
        return problem.token == self.token


def _rules(rule: str | tuple[str, ...]) -> tuple[str, ...]:
    return (rule,) if isinstance(rule, str) else rule


def bad(text, rule, token, fix=ANY_FIX, *, id, repaired=None, marks=()):
    """One invalid marking: ``rule`` may be a tuple where the rule text leaves the choice open.

    ``repaired`` is the whole marking once the problem's fix replaces its token, for problems
    whose token the rule text does not pin down.
    """
    return pytest.param(text, Expect(_rules(rule), token, fix, repaired), id=id, marks=marks)


def xfail(reason: str):
    return pytest.mark.xfail(strict=True, reason=reason)


INVALID = [
    # Rule 1: category order, no placeholder separator.
    bad("SECRET//NOFORN//SI", "1", Contains("SI"), id="rule-1-sci-after-dissem"),
    bad("SECRET//FGI GBR//SAR-ABC//NOFORN", "1", Contains("SAR-ABC"), id="rule-1-sap-after-fgi"),
    bad("SECRET//NOFORN//RD", "1", Contains("RD"), id="rule-1-aea-after-dissem"),
    bad("SECRET//LES//NOFORN", "1", Contains("LES"), id="rule-1-non-ic-before-dissem"),
    bad("SECRET//SI/NOFORN", "1", Contains("SI/NOFORN"), id="rule-1-categories-joined-by-slash"),
    bad(
        "SECRET////NOFORN",
        ("1", "2"),
        Contains("//"),
        id="rule-1-no-separator-holds-an-empty-place",
    ),
    # Rule 2: separators.
    bad("SECRET // NOFORN", "2", Contains("//"), "//", id="rule-2-spaces-around-double-slash"),
    bad("SECRET//ORCON / NOFORN", "2", Contains("/"), "/", id="rule-2-spaces-around-slash"),
    bad(
        "SECRET//FGI GBR  JPN//NOFORN",
        "2",
        Contains("GBR  JPN"),
        repaired="SECRET//FGI GBR JPN//NOFORN",
        id="rule-2-fgi-codes-one-space",
    ),
    bad(
        "SECRET//FGI GBR,JPN//NOFORN",
        "2",
        Contains("GBR,JPN"),
        "FGI GBR JPN",
        id="rule-2-fgi-codes-space-not-comma",
    ),
    bad(
        "//JOINT SECRET CAN, GBR, USA//REL TO USA, CAN, GBR",
        "2",
        Contains("CAN"),
        "JOINT SECRET CAN GBR USA",
        id="rule-2-joint-codes-space-not-comma",
    ),
    bad(
        "TOP SECRET//SI G//NOFORN",
        "2",
        "SI G",
        "SI-G",
        id="rule-2-hyphen-joins-sci-system-and-compartment",
    ),
    bad(
        "SECRET//RD CNWDI//NOFORN",
        "2",
        "RD CNWDI",
        "RD-CNWDI",
        id="rule-2-hyphen-joins-rd-and-cnwdi",
    ),
    bad(
        "(S//REL TO USA, GBR, )",
        ("2", "P6"),
        Contains("REL TO USA, GBR, "),
        id="rule-2-P6-trailing-separator-in-rel-to",
    ),
    # Rule 3: banner classification.
    bad("secret//noforn", "3", "secret//noforn", "SECRET//NOFORN", id="rule-3-upper-case"),
    bad("(s//nf)", "3", "s//nf", "S//NF", id="rule-3-portion-upper-case"),
    bad("S//NOFORN", "3", "S", "SECRET", id="rule-3-banner-spells-out-secret"),
    bad("TS", "3", "TS", "TOP SECRET", id="rule-3-banner-spells-out-top-secret"),
    bad("C//NOFORN", "3", "C", "CONFIDENTIAL", id="rule-3-banner-spells-out-confidential"),
    bad("SECRETT//NOFORN", "3", "SECRETT", "SECRET", id="rule-3-misspelt-classification"),
    bad("NOFORN//SECRET", ("1", "3"), Contains("NOFORN"), id="rule-3-classification-comes-first"),
    bad("//USA S//NOFORN", "3", Contains("USA"), id="rule-3-us-information-is-not-foreign"),
    # Rule 4: portion marks.
    bad("(SECRET//NF)", "4", "SECRET", "S", id="rule-4-portion-abbreviates-secret"),
    bad("(TOP SECRET)", "4", "TOP SECRET", "TS", id="rule-4-portion-abbreviates-top-secret"),
    bad("(UNCLASSIFIED)", "4", "UNCLASSIFIED", "U", id="rule-4-portion-abbreviates-u"),
    bad("(S//NF", "4", Contains("(S//NF"), "(S//NF)", id="rule-4-portion-in-parentheses"),
    bad("(U//LES NOFORN)", "4", "LES NOFORN", "LES-NF", id="rule-4-les-nf-hyphen-in-portion"),
    bad("(U//SBU NOFORN)", "4", "SBU NOFORN", "SBU-NF", id="rule-4-sbu-nf-hyphen-in-portion"),
    bad(
        "UNCLASSIFIED//LES-NF",
        ("4", "5"),
        "LES-NF",
        "LES NOFORN",
        id="rule-4-banner-les-noforn-without-hyphen",
    ),
    bad(
        "UNCLASSIFIED//SBU-NF",
        ("4", "5"),
        "SBU-NF",
        "SBU NOFORN",
        id="rule-4-banner-sbu-noforn-without-hyphen",
    ),
    # Rule 5: a portion uses the portion mark; a banner the title or banner abbreviation.
    bad("(S//NOFORN)", ("4", "5"), "NOFORN", "NF", id="rule-5-portion-uses-nf"),
    bad("(S//ORCON/NF)", ("4", "5"), "ORCON", "OC", id="rule-5-portion-uses-oc"),
    bad(
        "(S//ORIGINATOR CONTROLLED/NF)",
        ("4", "5"),
        "ORIGINATOR CONTROLLED",
        "OC",
        id="rule-5-portion-uses-oc-not-title",
    ),
    bad("(S//IMCON)", ("4", "5"), "IMCON", "IMC", id="rule-5-portion-uses-imc"),
    bad("(S//NF//LIMDIS)", ("4", "5"), "LIMDIS", "DS", id="rule-5-portion-uses-ds"),
    bad("(S//RESTRICTED DATA//NF)", ("4", "5"), "RESTRICTED DATA", "RD", id="rule-5-portion-rd"),
    bad(
        "(S//AUTHORIZED FOR RELEASE TO USA, GBR)",
        ("4", "5"),
        "AUTHORIZED FOR RELEASE TO USA, GBR",
        "REL TO USA, GBR",
        id="rule-5-portion-uses-rel-to",
    ),
    bad("SECRET//NF", "5", "NF", "NOFORN", id="rule-5-banner-uses-noforn"),
    bad("SECRET//OC/NOFORN", "5", "OC", "ORCON", id="rule-5-banner-uses-orcon"),
    bad("SECRET//DSEN", "5", "DSEN", "DEA SENSITIVE", id="rule-5-dsen-has-no-banner-abbrev"),
    bad("SECRET//NOFORN//ND", "5", "ND", "NODIS", id="rule-5-banner-uses-nodis"),
    # Rule 6: Register order of values within a category.
    bad(
        "SECRET//NOFORN/ORCON",
        "6",
        "NOFORN/ORCON",
        "ORCON/NOFORN",
        id="rule-6-dissem-order",
    ),
    bad("SECRET//NOFORN/ORCON", "6", "NOFORN/ORCON", id="rule-6-dissem-order-rule-and-token"),
    bad("(S//NF/OC)", "6", "NF/OC", id="rule-6-portion-dissem-order"),
    bad("(S//NF/IMC)", "6", "NF/IMC", id="rule-6-imcon-before-noforn"),
    bad(
        "SECRET//RELIDO/REL TO USA, GBR",
        "6",
        "RELIDO/REL TO USA, GBR",
        id="rule-6-rel-to-before-relido",
    ),
    bad(
        "SECRET//DISPLAY ONLY AFG/REL TO USA, IRQ",
        "6",
        "DISPLAY ONLY AFG/REL TO USA, IRQ",
        id="rule-6-rel-to-before-display-only",
    ),
    bad("SECRET//FISA/NOFORN", "6", "FISA/NOFORN", id="rule-6-noforn-before-fisa"),
    bad("(U//LES/SBU)", "6", "LES/SBU", id="rule-6-non-ic-sbu-before-les"),
    bad("(U//SSI/LES)", "6", "SSI/LES", id="rule-6-non-ic-les-before-ssi"),
    bad("(S//NF//ND/DS)", "6", "ND/DS", id="rule-6-non-ic-ds-before-nd"),
    # Rule 7: SCI and SAP order.
    bad("TOP SECRET//TK/SI//NOFORN", "7", "TK/SI", id="rule-7-sci-systems-ascending"),
    bad("TOP SECRET//SI/123//NOFORN", "7", "SI/123", id="rule-7-numbers-before-letters"),
    bad(
        "TOP SECRET//SI-G DEFG ABCD//NOFORN",
        "7",
        "SI-G DEFG ABCD",
        "SI-G ABCD DEFG",
        id="rule-7-sub-compartments-ascending",
    ),
    bad(
        "TOP SECRET//SI-MMM-G//NOFORN",
        "7",
        "SI-MMM-G",
        "SI-G-MMM",
        id="rule-7-compartments-ascending",
    ),
    bad("SECRET//SAR-DEF/ABC//NOFORN", "7", Contains("DEF/ABC"), id="rule-7-sap-programs-sorted"),
    bad(
        "SECRET//SAR-ABC/SAR-DEF//NOFORN",
        "7",
        "SAR-DEF",
        "DEF",
        id="rule-7-sar-written-once",
    ),
    # Rule 8: REL TO lists.
    bad(
        "SECRET//REL TO GBR, USA",
        "8",
        "REL TO GBR, USA",
        "REL TO USA, GBR",
        id="rule-8-usa-first",
    ),
    bad("SECRET//REL TO GBR", "8", "REL TO GBR", "REL TO USA, GBR", id="rule-8-usa-required"),
    bad(
        "SECRET//REL TO USA, JPN, GBR",
        "8",
        "REL TO USA, JPN, GBR",
        "REL TO USA, GBR, JPN",
        id="rule-8-trigraphs-alphabetical",
    ),
    bad(
        "SECRET//REL TO USA, NATO, GBR",
        "8",
        "REL TO USA, NATO, GBR",
        "REL TO USA, GBR, NATO",
        id="rule-8-trigraphs-before-tetragraphs",
    ),
    bad(
        "SECRET//REL TO USA, NATO, ISAF",
        "8",
        "REL TO USA, NATO, ISAF",
        "REL TO USA, ISAF, NATO",
        id="rule-8-tetragraphs-alphabetical",
    ),
    bad("(S//REL TO USA, JAP)", "8", "JAP", "JPN", id="rule-8-iso-trigraph-jpn"),
    bad("SECRET//REL TO USA, UK", "8", "UK", "GBR", id="rule-8-iso-trigraph-gbr"),
    # Rule 9: at least one foreign code.
    bad("SECRET//REL TO USA", "9", Contains("REL TO USA"), id="rule-9-rel-to-usa-alone"),
    bad("(S//REL TO USA)", "9", Contains("REL TO USA"), id="rule-9-portion-rel-to-usa-alone"),
    bad(
        "(S//REL USA)",
        "9",
        Contains("REL USA"),
        id="rule-9-rel-usa-alone",
    ),
    # Rule 10: the short REL is a portion form only.
    bad("SECRET//REL", "10", "REL", id="rule-10-banner-writes-rel-to-in-full"),
    # Rule 11: DISPLAY ONLY lists.
    bad(
        "CONFIDENTIAL//DISPLAY ONLY IRQ, AFG",
        "11",
        "DISPLAY ONLY IRQ, AFG",
        "DISPLAY ONLY AFG, IRQ",
        id="rule-11-display-only-alphabetical",
    ),
    bad(
        "SECRET//DISPLAY ONLY USA, IRQ",
        "11",
        "DISPLAY ONLY USA, IRQ",
        "DISPLAY ONLY IRQ",
        id="rule-11-display-only-has-no-usa",
    ),
    bad(
        "SECRET//DISPLAY ONLY NATO, IRQ",
        "11",
        "DISPLAY ONLY NATO, IRQ",
        "DISPLAY ONLY IRQ, NATO",
        id="rule-11-display-only-trigraphs-first",
    ),
    bad(
        "SECRET//DISPLAY ONLY AFG,IRQ",
        ("2", "P6"),
        "DISPLAY ONLY AFG,IRQ",
        "DISPLAY ONLY AFG, IRQ",
        id="rule-11-display-only-comma-space",
    ),
    # Rule 12: FGI lists.
    bad(
        "SECRET//FGI JPN GBR//NOFORN",
        "12",
        "FGI JPN GBR",
        "FGI GBR JPN",
        id="rule-12-fgi-alphabetical",
    ),
    bad(
        "SECRET//FGI NATO GBR//NOFORN",
        "12",
        "FGI NATO GBR",
        "FGI GBR NATO",
        id="rule-12-fgi-trigraphs-before-tetragraphs",
    ),
    # Rule 13: JOINT.
    bad(
        "//JOINT SECRET USA CAN GBR//REL TO USA, CAN, GBR",
        "13",
        "JOINT SECRET USA CAN GBR",
        "JOINT SECRET CAN GBR USA",
        id="rule-13-joint-usa-not-first",
    ),
    bad(
        "(//JOINT S GBR CAN USA//REL TO USA, CAN, GBR)",
        "13",
        "JOINT S GBR CAN USA",
        "JOINT S CAN GBR USA",
        id="rule-13-joint-portion-alphabetical",
    ),
    # Rule 14: FD&R exclusivity.
    bad("SECRET//NOFORN/REL TO USA, GBR", "14", Contains("NOFORN"), id="rule-14-nf-with-rel-to"),
    bad("(S//NF/RELIDO)", "14", Contains("NF/RELIDO"), id="rule-14-nf-with-relido"),
    bad(
        "(S//NF/DISPLAY ONLY IRQ)",
        "14",
        Contains("NF/DISPLAY ONLY"),
        id="rule-14-nf-with-display-only",
    ),
    bad(
        "(S//RELIDO/DISPLAY ONLY IRQ)",
        "14",
        Contains("RELIDO/DISPLAY ONLY"),
        id="rule-14-relido-with-display-only",
    ),
    # Rule 15: floors and ceilings.
    bad("(S//FOUO)", "15", Contains("FOUO"), id="rule-15-fouo-only-with-u"),
    bad("SECRET//FOUO", ("15", "22"), Contains("FOUO"), id="rule-15-fouo-not-in-secret-banner"),
    bad("(U//OC)", "15", Contains("OC"), id="rule-15-orcon-needs-confidential"),
    bad("(C//IMC)", "15", Contains("IMC"), id="rule-15-imcon-needs-secret"),
    bad("(C//RS)", "15", Contains("RS"), id="rule-15-rsen-needs-secret"),
    bad("(U//SI)", "15", Contains("SI"), id="rule-15-si-needs-confidential"),
    bad("(C//TK)", "15", Contains("TK"), id="rule-15-tk-needs-secret"),
    bad("(S//HCS)", "15", Contains("HCS"), id="rule-15-hcs-needs-noforn"),
    bad("(U//HCS//NF)", "15", Contains("HCS"), id="rule-15-hcs-needs-confidential"),
    bad("(S//KDK)", "15", Contains("KDK"), id="rule-15-kdk-needs-noforn"),
    bad("(C//KDK//NF)", "15", Contains("KDK"), id="rule-15-kdk-needs-secret"),
    bad("(U//RD)", "15", Contains("RD"), id="rule-15-rd-needs-confidential"),
    bad("(U//FRD)", "15", Contains("FRD"), id="rule-15-frd-needs-confidential"),
    bad("(U//TFNI)", "15", Contains("TFNI"), id="rule-15-tfni-needs-confidential"),
    bad("(C//SBU)", "15", Contains("SBU"), id="rule-15-sbu-portion-u-only"),
    bad("(S//SBU-NF)", "15", Contains("SBU-NF"), id="rule-15-sbu-nf-portion-u-only"),
    bad("(S//LES)", "15", Contains("LES"), id="rule-15-les-portion-u-only"),
    bad("(C//LES-NF)", "15", Contains("LES-NF"), id="rule-15-les-nf-portion-u-only"),
    bad("(U//ND)", "15", Contains("ND"), id="rule-15-nodis-requires-noforn"),
    bad("(S//XD)", "15", Contains("XD"), id="rule-15-exdis-requires-noforn"),
    bad("SECRET//NODIS", "15", Contains("NODIS"), id="rule-15-banner-nodis-requires-noforn"),
    bad(
        "SECRET//LES NOFORN",
        ("15", "23"),
        Contains("LES NOFORN"),
        id="rule-15-classified-banner-carries-les-not-les-noforn",
    ),
    # P4: CUI is like FOUO, unclassified only.
    bad("(S//CUI)", ("P4", "15"), Contains("CUI"), id="P4-cui-only-with-u"),
    bad("SECRET//CUI", ("P4", "15", "22"), Contains("CUI"), id="P4-cui-not-in-secret-banner"),
    # Rule 16: no duplicate tokens.
    bad(
        "SECRET//REL TO USA, GBR, GBR",
        "16",
        "REL TO USA, GBR, GBR",
        "REL TO USA, GBR",
        id="rule-16-duplicate-rel-to-code",
    ),
    bad(
        "(S//DISPLAY ONLY IRQ, IRQ)",
        "16",
        "DISPLAY ONLY IRQ, IRQ",
        "DISPLAY ONLY IRQ",
        id="rule-16-duplicate-display-only-code",
    ),
    bad(
        "SECRET//FGI GBR GBR//NOFORN",
        "16",
        "FGI GBR GBR",
        "FGI GBR",
        id="rule-16-duplicate-fgi-code",
    ),
    bad("SECRET//NOFORN/NOFORN", "16", Contains("NOFORN/NOFORN"), id="rule-16-duplicate-dissem"),
    bad("(U//LES/LES)", "16", Contains("LES/LES"), id="rule-16-duplicate-non-ic"),
    bad("TOP SECRET//SI/SI//NOFORN", "16", Contains("SI/SI"), id="rule-16-duplicate-sci-system"),
    bad(
        "TOP SECRET//SI-G ABCD ABCD//NOFORN",
        ("7", "16"),
        "SI-G ABCD ABCD",
        "SI-G ABCD",
        id="rule-16-duplicate-sub-compartment",
    ),
    bad(
        "//JOINT SECRET CAN CAN USA//REL TO USA, CAN",
        "16",
        Contains("CAN CAN"),
        id="rule-16-duplicate-joint-owner",
    ),
    bad(
        "SECRET//REL TO USA, USA, GBR",
        "16",
        "REL TO USA, USA, GBR",
        "REL TO USA, GBR",
        id="rule-16-duplicate-usa",
    ),
    # Rule 17 and P5: EYES ONLY is rejected, proposing REL TO.
    bad(
        "SECRET//USA/GBR EYES ONLY",
        "P5",
        "USA/GBR EYES ONLY",
        "REL TO USA, GBR",
        id="P5-rule-17-eyes-only-proposes-rel-to",
    ),
    bad(
        "SECRET//USA/AUS/GBR EYES ONLY",
        "P5",
        "USA/AUS/GBR EYES ONLY",
        "REL TO USA, AUS, GBR",
        id="P5-rule-17-eyes-only-several-codes",
    ),
    bad(
        "SECRET//GBR/USA EYES ONLY",
        "P5",
        "GBR/USA EYES ONLY",
        "REL TO USA, GBR",
        id="P5-rule-17-eyes-only-usa-put-first",
    ),
    bad("(S//EYES)", "P5", "EYES", id="P5-rule-17-eyes-portion-mark"),
    # P6: strict separators in REL TO lists.
    bad(
        "SECRET//REL TO USA,GBR",
        "P6",
        "REL TO USA,GBR",
        "REL TO USA, GBR",
        id="P6-rel-to-comma-without-space",
    ),
    bad(
        "(S//REL TO USA,GBR,JPN)",
        "P6",
        "REL TO USA,GBR,JPN",
        "REL TO USA, GBR, JPN",
        id="P6-portion-rel-to-commas-without-space",
    ),
    bad(
        "SECRET//REL TO USA ,GBR",
        "P6",
        "REL TO USA ,GBR",
        "REL TO USA, GBR",
        id="P6-rel-to-space-before-comma",
    ),
]


@pytest.mark.parametrize(("text", "expect"), INVALID)
def test_it_rejects_an_invalid_marking_citing_the_rule(text, expect):
    result = check(text)
    assert not result.valid
    found = [p for p in result.problems if expect.matches(p)]
    assert found, f"no problem under rule {expect.rules} for {expect.token!r}: " + "; ".join(
        f"[{p.rule}] {p.token!r} fix={p.fix!r}" for p in result.problems
    )
    problem = found[0]
    # The position is where the offending token sits in the text that was checked.
    assert text[problem.position : problem.position + len(problem.token)] == problem.token
    if expect.fix is not ANY_FIX:
        assert problem.fix == expect.fix
    if expect.repaired is not None:
        assert problem.fix is not None, "the repair is mechanical, so the problem proposes it"
        end = problem.position + len(problem.token)
        assert text[: problem.position] + problem.fix + text[end:] == expect.repaired
    with pytest.raises(MarkingError) as raised:
        parse(text)
    assert problem in raised.value.problems


POSITIONS = [
    pytest.param("SECRET//REL TO GBR, USA", "8", 8, id="rule-8-rel-to-value-at-8"),
    pytest.param("(S//REL TO USA, JAP)", "8", 16, id="rule-8-unknown-code-at-16"),
    pytest.param("SECRET//REL TO USA,GBR", "P6", 8, id="P6-rel-to-value-at-8"),
    pytest.param("SECRET//USA/GBR EYES ONLY", "P5", 8, id="P5-eyes-at-8"),
    pytest.param("S//NOFORN", "3", 0, id="rule-3-classification-at-0"),
    pytest.param("(SECRET//NF)", "4", 1, id="rule-4-classification-inside-parenthesis"),
    pytest.param("TOP SECRET//SI-G DEFG ABCD//NOFORN", "7", 12, id="rule-7-compartment-at-12"),
]


@pytest.mark.parametrize(("text", "rule", "position"), POSITIONS)
def test_it_reports_the_offending_token_at_its_offset(text, rule, position):
    positions = [p.position for p in check(text).problems if p.rule == rule]
    assert position in positions


LENIENT = [
    pytest.param("SECRET//REL TO USA,GBR", "SECRET//REL TO USA, GBR", id="P6-lenient-comma"),
    pytest.param(
        "(S//REL TO USA,GBR,JPN)", "(S//REL TO USA, GBR, JPN)", id="P6-lenient-portion-commas"
    ),
    pytest.param("SECRET//REL TO GBR, USA", "SECRET//REL TO USA, GBR", id="rule-8-lenient-order"),
]


@pytest.mark.parametrize(("text", "canonical"), LENIENT)
def test_lenient_parsing_is_an_explicit_mode_that_repairs_mechanical_problems(text, canonical):
    with pytest.raises(MarkingError):
        parse(text)
    form = "portion" if text.startswith("(") else "banner"
    assert render(parse(text, lenient=True), form) == canonical


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("SECRET//USA/GBR EYES ONLY", id="P5-eyes-only-is-never-repaired-silently"),
        pytest.param("SECRET//REL TO USA", id="rule-9-no-foreign-code-cannot-be-repaired"),
        pytest.param("(S//NF/RELIDO)", id="rule-14-conflict-cannot-be-repaired"),
    ],
)
def test_lenient_parsing_still_rejects_what_has_no_mechanical_fix(text):
    with pytest.raises(MarkingError):
        parse(text, lenient=True)


def test_p6_the_comma_problem_names_the_canonical_form():
    problems = check("SECRET//REL TO USA,GBR").problems
    assert [p.rule for p in problems] == ["P6"]
    assert check("SECRET//REL TO USA,GBR").canonical == "SECRET//REL TO USA, GBR"
