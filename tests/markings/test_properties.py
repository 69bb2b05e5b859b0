"""Properties of the markings engine that must hold for every valid input (hypothesis)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allied.markings import Marking, MarkingError, check, parse, render
from allied.markings.access import compile_marking, compile_viewer, decide, may_export, may_view
from allied.markings.parser import apply_fix
from allied.markings.release import analyse_release, as_seen_by, banner_for_viewer
from allied.markings.rollup import rollup_portions
from allied.markings.vocab import DISSEM_ORDER
from tests.markings.strategies import ON, portions, viewers

documents = st.lists(portions(), min_size=1, max_size=6)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(portions())
def test_every_generated_portion_is_valid_as_written(marking):
    """Rules 1-17: the strategy builds only valid portions, and the parser agrees."""
    text = render(marking, "portion")
    result = check(text)
    assert result.valid, (text, [str(p) for p in result.problems])


@SETTINGS
@given(portions())
def test_parse_and_render_are_inverse_on_canonical_portions(marking):
    """Rules 2-8: render(parse(x)) == x for every canonical portion mark x."""
    text = render(marking, "portion")
    assert parse(text) == marking
    assert render(parse(text), "portion") == text


@SETTINGS
@given(documents)
def test_every_rolled_up_banner_is_a_valid_canonical_banner(document):
    """Rules 18-29 produce banners that rules 1-17 accept, and that render back unchanged."""
    banner = rollup_portions(document)
    text = render(banner, "banner")
    result = check(text)
    assert result.valid, (text, [str(p) for p in result.problems])
    assert render(parse(text), "banner") == text


@SETTINGS
@given(documents, portions(), viewers())
def test_adding_a_portion_never_widens_the_banners_releasability(document, extra, viewer):
    """Rule 24(h): the banner is the most protective marking of its portions."""
    before = rollup_portions(document)
    after = rollup_portions([*document, extra])
    if decide(viewer, after, ON).view:
        assert decide(viewer, before, ON).view
    if decide(viewer, after, ON).export:
        assert decide(viewer, before, ON).export


@SETTINGS
@given(documents, viewers())
def test_a_viewer_who_may_access_the_banner_may_access_every_portion(document, viewer):
    """Rules 18-26: nothing under a banner is more restricted than the banner."""
    banner = rollup_portions(document)
    if decide(viewer, banner, ON).view:
        for portion in document:
            assert decide(viewer, portion, ON).view, (str(banner), render(portion, "portion"))


@SETTINGS
@given(documents, viewers(foreign=True))
def test_a_tearline_holds_only_accessible_portions_under_an_accessible_banner(document, viewer):
    """P8 and rule 31: the tearline for nation X is X's, and its banner is accessible to X."""
    analysis = analyse_release(document, viewer, on=ON)
    for index in analysis.tearline.indexes:
        assert decide(viewer, document[index], ON).view
    if analysis.tearline.banner is not None:
        assert decide(viewer, analysis.tearline.banner, ON).view
        rolled = rollup_portions([document[i] for i in analysis.tearline.indexes])
        assert rolled == analysis.tearline.banner
    else:
        assert analysis.tearline.indexes == ()


def _with_noforn(marking: Marking) -> Marking:
    """The same portion marked NOFORN (rule 14: NF stands without REL TO, RELIDO, DISPLAY ONLY)."""
    kept = [c for c in marking.dissem if c not in ("REL", "RELIDO", "DISPLAY")]
    dissem = tuple(c for c in DISSEM_ORDER if c in kept or c == "NF")
    return replace(marking, dissem=dissem, rel_to=(), display_to=(), rel_short=False)


noforn_documents = st.tuples(documents, portions(), st.integers(0, 6)).map(
    lambda t: [*t[0][: t[2]], _with_noforn(t[1]), *t[0][t[2] :]]
)


@SETTINGS
@given(noforn_documents, viewers(foreign=True))
def test_noforn_anywhere_means_no_foreign_viewer_may_access_the_banner(document, viewer):
    """Rule 24(a): one NOFORN portion makes the whole banner NOFORN."""
    assert all(check(render(p, "portion")).valid for p in document)
    banner = rollup_portions(document)
    assert "NF" in banner.dissem
    assert not decide(viewer, banner, ON).view


@SETTINGS
@given(portions(), viewers())
def test_the_compiled_decision_agrees_with_the_explained_one(marking, viewer):
    """The compiled form gives the same answer as ``decide`` for every viewer and marking."""
    explained = decide(viewer, marking, ON)
    compiled_marking = compile_marking(marking)
    compiled_viewer = compile_viewer(viewer, ON)
    assert may_view(compiled_viewer, compiled_marking) == explained.view
    assert may_export(compiled_viewer, compiled_marking) == explained.export


@SETTINGS
@given(documents, viewers())
def test_the_compiled_banner_decision_agrees_with_the_explained_one(document, viewer):
    banner = rollup_portions(document)
    explained = decide(viewer, banner, ON)
    assert may_view(compile_viewer(viewer, ON), compile_marking(banner)) == explained.view


@SETTINGS
@given(viewers(foreign=False), portions())
def test_a_us_person_with_clearance_and_accesses_sees_everything(viewer, marking):
    """U.S. persons are not limited by foreign-disclosure controls (NOFORN included)."""
    cleared = type(viewer)(
        "USA",
        max(viewer.clearance, marking.level),
        viewer.accesses | {"SI", "SI-G", "SI-G ABCD", "TK", "RD"},
    )
    assert decide(cleared, marking, ON).view


@SETTINGS
@given(portions(), viewers())
def test_reading_a_marking_as_its_viewer_changes_no_decision_for_that_viewer(marking, viewer):
    """P7: resolving communities to the viewer's nation is only a way of writing the banner."""
    seen = as_seen_by(marking, viewer, ON)
    assert decide(viewer, seen, ON).view == decide(viewer, marking, ON).view
    assert decide(viewer, seen, ON).export == decide(viewer, marking, ON).export


@SETTINGS
@given(documents, viewers())
def test_a_page_banner_is_accessible_to_its_viewer_when_every_item_is(document, viewer):
    """A page showing a viewer only what it may see carries a banner that viewer may see."""
    if all(decide(viewer, p, ON).view for p in document):
        assert decide(viewer, banner_for_viewer(document, viewer, ON), ON).view


_MUTATIONS = {
    "add-noforn": lambda t: t[:-1] + "//NF)" if t.endswith(")") else t + "//NOFORN",
    "add-relido": lambda t: t[:-1] + "/RELIDO)" if t.endswith(")") else t + "/RELIDO",
    "lower-case": str.lower,
    "no-space-after-comma": lambda t: t.replace(", ", ","),
    "spaced-separator": lambda t: t.replace("//", " // ", 1),
    "misspelt-code": lambda t: t.replace("JPN", "JAP").replace("GBR", "UK"),
    "duplicate-code": lambda t: t.replace("USA, ", "USA, USA, ", 1),
    "unordered-rel-to": lambda t: t.replace("REL TO USA, ", "REL TO ", 1).replace(")", ", USA)"),
    "title-in-portion": lambda t: t.replace("NF", "NOFORN"),
    "abbreviated-banner": lambda t: t.replace("SECRET", "S", 1),
}


@SETTINGS
@given(
    portions(),
    st.lists(st.sampled_from(sorted(_MUTATIONS)), min_size=1, max_size=3),
    st.booleans(),
)
def test_every_suggested_fix_gives_a_valid_marking(marking, mutations, as_banner):
    """Rules 1-17: a fix the engine proposes, put in place of its token, gives a marking that is
    valid or mechanically repairable into a valid one; never, say, NOFORN beside REL TO (rule 14).
    """
    text = render(marking, "banner" if as_banner else "portion")
    for name in mutations:
        text = _MUTATIONS[name](text)
    result = check(text)
    if result.canonical is not None:
        # The repair the engine proposes for the whole marking is valid too.
        assert check(result.canonical).valid, (text, result.canonical)
    for problem in result.problems:
        if problem.fix is None:
            continue
        # Positions after a spacing problem refer to the text with its spacing repaired (rule 2).
        body = text.strip().upper()
        lead = text[: len(text) - len(text.lstrip())]
        spaced = lead + re.sub(" {2,}", " ", re.sub(r" *(//?) *", r"\1", body))
        candidate = apply_fix(text, problem) or apply_fix(spaced, problem)
        assert candidate is not None, (text, problem)
        repaired = check(candidate)
        assert repaired.marking is not None, (text, str(problem), candidate)
        canonical = repaired.canonical
        assert canonical is not None and check(canonical).valid, (text, str(problem), canonical)


def test_rule_14_the_fix_for_noforn_beside_rel_to_is_the_most_protective_valid_marking():
    """Rule 14 with rule 24(h): ``(S//REL TO USA, FVEY//NF)`` never proposes
    ``NF/REL TO USA, FVEY``; it proposes ``(S//NF)``."""
    text = "(S//REL TO USA, FVEY//NF)"
    fixes = {p.fix for p in check(text).problems} - {None}
    assert "NF/REL TO USA, FVEY" not in fixes
    assert fixes == {"(S//NF)"}
    with pytest.raises(MarkingError):
        parse(text, lenient=True)  # the choice is a person's, never applied silently
