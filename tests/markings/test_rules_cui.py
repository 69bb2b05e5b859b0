"""CUI marks in the CUI registry's form (rule 30, P4) and the obsolete FOUO.

A CUI banner or portion reads ``CUI``, then its categories (CUI Specified, ``SP-``, first, then
basic ones, each alphabetical, divided by ``/``), then its limited dissemination controls
(``NOFORN``, ``FED ONLY``, ``FEDCON``, ``NOCON``, ``DL ONLY``, ``REL TO``, ``DISPLAY ONLY``),
each category divided by ``//``. It is parsed and rolled up like ``(U//CUI)`` (P4): it never
reaches a classified banner, and its NOFORN, REL TO and DISPLAY ONLY count in the FD&R roll-up.
"""

from __future__ import annotations

from datetime import date

import pytest

from allied.markings import Level, check, parse, render
from allied.markings.access import Viewer, decide
from allied.markings.rollup import rollup_portions

ON = date(2026, 6, 1)

CANONICAL = [
    pytest.param("CUI", id="rule-30-cui-banner"),
    pytest.param("(CUI)", id="rule-30-cui-portion"),
    pytest.param("CUI//SP-CTI", id="rule-30-specified-category"),
    pytest.param("CUI//SP-CTI/SP-PRVCY/OPSEC", id="rule-30-specified-then-basic"),
    pytest.param("(CUI//SP-PRVCY//NF)", id="rule-30-noforn-portion"),
    pytest.param("CUI//SP-PRVCY//NOFORN", id="rule-30-noforn-banner"),
    pytest.param("CUI//SP-EXPT//REL TO USA, GBR", id="rule-30-rel-to"),
    pytest.param("CUI//DISPLAY ONLY IRQ", id="rule-30-display-only"),
    pytest.param("(CUI//SP-CTI//FED ONLY)", id="rule-30-fed-only"),
    pytest.param("CUI//FEDCON", id="rule-30-fedcon"),
    pytest.param("CUI//NOCON/DL ONLY", id="rule-30-nocon-and-dl-only"),
]


@pytest.mark.parametrize("text", CANONICAL)
def test_rule_30_a_cui_mark_parses_and_renders_back(text):
    result = check(text)
    assert result.valid, [str(p) for p in result.problems]
    form = "portion" if text.startswith("(") else "banner"
    marking = parse(text)
    assert marking.level == Level.U and "CUI" in marking.dissem and marking.cui is not None
    assert render(marking, form) == text


INVALID = [
    pytest.param("CUI//SP-PRVCY/SP-CTI", "30", "CUI//SP-CTI/SP-PRVCY", id="rule-30-category-order"),
    pytest.param("CUI//PRVCY/SP-CTI", "30", "CUI//SP-CTI/PRVCY", id="rule-30-specified-first"),
    pytest.param("CUI//SP-CTI/SP-CTI", "16", "CUI//SP-CTI", id="rule-16-duplicate-category"),
    pytest.param("(CUI//NOFORN)", "4", "(CUI//NF)", id="rule-4-portion-writes-nf"),
    pytest.param("(CONTROLLED)", "30", "(CUI)", id="rule-30-portion-writes-cui"),
    pytest.param("CUI//NOFORN//SP-CTI", "30", None, id="rule-30-categories-before-ldcs"),
    pytest.param("CUI//FED ONLY/FEDCON", "30", None, id="rule-30-fed-only-excludes-fedcon"),
    pytest.param("CUI//SP-CTI//NOFORN/REL TO USA, GBR", "14", None, id="rule-14-in-a-cui-mark"),
    pytest.param("(U//FED ONLY)", "1", None, id="rule-30-ldc-only-in-a-cui-mark"),
    pytest.param("CUI//SP CTI", "30", None, id="rule-30-not-a-category"),
]


@pytest.mark.parametrize(("text", "rule", "canonical"), INVALID)
def test_rule_30_an_invalid_cui_mark_is_refused_with_its_rule(text, rule, canonical):
    result = check(text)
    assert not result.valid
    assert rule in {p.rule for p in result.problems}, [str(p) for p in result.problems]
    assert result.canonical == canonical


ROLLUPS = [
    pytest.param(("(CUI)", "(U)"), "CUI", id="rule-30-cui-beside-unclassified"),
    pytest.param(("(U//CUI)", "(CUI)"), "CUI", id="P4-both-forms-give-the-registry-form"),
    pytest.param(
        ("(CUI//SP-PRVCY)", "(CUI//SP-CTI//NF)"),
        "CUI//SP-CTI/SP-PRVCY//NOFORN",
        id="rule-30-union-of-categories-and-noforn",
    ),
    pytest.param(
        ("(CUI//SP-CTI//REL TO USA, GBR)", "(U//REL TO USA, FVEY)"),
        "CUI//SP-CTI//REL TO USA, GBR",
        id="rule-30-rule-24b-rel-to-intersection",
    ),
    pytest.param(
        ("(CUI//SP-CTI//FED ONLY)", "(CUI//FEDCON)"),
        "CUI//SP-CTI//FED ONLY",
        id="rule-30-fed-only-is-the-stricter",
    ),
    pytest.param(("(CUI)", "(U//FOUO)"), "CUI", id="rule-22-P4-fouo-dropped-beside-cui"),
    pytest.param(
        ("(CUI//SP-CTI//NF)", "(S//REL TO USA, GBR)"),
        "SECRET//NOFORN",
        id="P4-cui-noforn-in-a-classified-banner",
    ),
    pytest.param(
        ("(CUI//SP-CTI)", "(S//REL TO USA, GBR)"),
        "SECRET//REL TO USA, GBR",
        id="P4-rule-25-cui-without-fdr-never-in-a-classified-banner",
    ),
    pytest.param(
        ("(CUI//FED ONLY)", "(S//REL TO USA, GBR)"),
        "SECRET//NOFORN",
        id="P4-rule-24h-fed-only-keeps-a-classified-banner-from-partners",
    ),
    # RELIDO is no CUI dissemination control: a CUI banner cannot carry it.
    pytest.param(("(CUI)", "(U//RELIDO)"), "CUI//NOFORN", id="rule-30-rule-24h-relido-as-noforn"),
    pytest.param(
        ("(CUI)", "(U//REL TO USA, AUS/RELIDO)"),
        "CUI//REL TO USA, AUS",
        id="rule-30-relido-beside-rel-to-is-dropped",
    ),
]


@pytest.mark.parametrize(("portions", "banner"), ROLLUPS)
def test_rule_30_cui_portions_roll_up(portions, banner):
    rolled = render(rollup_portions([parse(p) for p in portions]), "banner")
    assert rolled == banner
    assert check(rolled).valid


@pytest.mark.parametrize(
    ("text", "view"),
    [
        pytest.param("CUI//SP-CTI", True, id="rule-25-cui-without-fdr"),
        pytest.param("CUI//SP-CTI//REL TO USA, GBR", True, id="rule-24b-cui-rel-to-gbr"),
        pytest.param("CUI//SP-CTI//NOFORN", False, id="rule-24a-cui-noforn"),
        pytest.param("CUI//SP-CTI//FED ONLY", False, id="rule-30-fed-only-never-foreign"),
        pytest.param("CUI//DL ONLY/REL TO USA, GBR", False, id="rule-30-dl-only-never-foreign"),
    ],
)
def test_rule_30_who_among_partners_reads_a_cui_mark(text, view):
    assert decide(Viewer("GBR", Level.S), parse(text), ON).view is view
    assert decide(Viewer("USA", Level.U), parse(text), ON).view


@pytest.mark.parametrize(
    ("text", "replacement"),
    [
        pytest.param("(U//FOUO)", "(CUI)", id="rule-30-fouo-portion"),
        pytest.param("UNCLASSIFIED//FOUO", "CUI", id="rule-30-fouo-banner"),
        pytest.param(
            "UNCLASSIFIED//FOUO/REL TO USA, GBR",
            "CUI//REL TO USA, GBR",
            id="rule-30-fouo-with-rel-to",
        ),
        pytest.param("(U//FOUO/PR)", "(U//CUI/PR)", id="rule-30-P4-fouo-beside-propin"),
    ],
)
def test_rule_30_the_obsolete_fouo_is_flagged_with_its_replacement(text, replacement):
    """FOUO stays valid (legacy records keep parsing), but every check names what replaces it."""
    result = check(text)
    assert result.valid
    (notice,) = result.notices
    assert "obsolete" in notice.message and notice.fix == replacement
    assert check(replacement).valid
    assert "did you mean " + replacement in str(notice)
    assert check("(CUI)").notices == ()
