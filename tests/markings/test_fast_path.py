"""The parser's fast path for canonical markings agrees with the full checker (hypothesis).

``_fast_check`` builds a marking directly from canonical text and must give exactly what
``_check`` gives (the same marking, problems, notices and repairability) whenever it answers at
all; everything else it must leave to ``_check`` by returning None. A wrong answer here would be a
marking read differently from what the rules of ``markings.md`` say, so the comparison is made on
every valid marking the shared strategies generate, on their banners, and on non-canonical and
invalid text built from marking fragments.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allied.markings import render
from allied.markings.parser import _check, _fast_check
from allied.markings.vocab import Vocabulary, default_vocabulary
from tests.markings.strategies import cui_portions, portions

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VOCABULARIES = st.sampled_from([default_vocabulary(), Vocabulary(communities=frozenset({"QUAD"}))])


def _agrees(text: str, vocabulary: Vocabulary) -> bool:
    """Whether the fast path answered; fails the test if its answer differs from the checker's."""
    fast = _fast_check(text, vocabulary)
    if fast is None:
        return False
    full = _check(text, vocabulary)
    assert fast == full, (text, fast, full)
    return True


def _common_shape(marking) -> bool:
    """Markings the fast path is meant to take: U.S. classification, SCI, dissem, non-IC."""
    return (
        marking.kind == "us"
        and marking.cui is None
        and not marking.sap
        and not marking.aea
        and marking.fgi is None
    )


@SETTINGS
@given(portions(allow_short_rel=True), st.sampled_from(["portion", "banner"]), VOCABULARIES)
def test_the_fast_path_agrees_with_the_checker_on_every_generated_marking(marking, form, vocab):
    """Rules 1-17: each generated marking, as a portion mark or a banner line, reads the same on
    both paths; and the fast path does answer for the common shapes it exists for."""
    if form == "banner" and marking.rel_short:
        form = "portion"  # rule 10: a banner writes the REL TO list in full
    text = render(marking, form)
    answered = _agrees(text, vocab)
    if _common_shape(marking):
        assert answered, text
        assert _check(text, vocab).marking == marking


@SETTINGS
@given(cui_portions(), st.sampled_from(["portion", "banner"]))
def test_cui_marks_are_left_to_the_checker(marking, form):
    """Rule 30: marks in the CUI registry's form always take the full checker."""
    assert _fast_check(render(marking, form), default_vocabulary()) is None


# Fragments that make up markings, and some that make them wrong: case, spacing, order, titles in
# portions, abbreviations in banners, unknown codes, duplicates, floors and conflicts (rules 2-16).
FRAGMENTS = [
    "(",
    ")",
    "U",
    "C",
    "S",
    "TS",
    "UNCLASSIFIED",
    "CONFIDENTIAL",
    "SECRET",
    "TOP SECRET",
    "secret",
    "//",
    "/",
    " ",
    ", ",
    ",",
    "REL TO ",
    "REL TO",
    "REL ",
    "REL",
    "AUTHORIZED FOR RELEASE TO ",
    "DISPLAY ONLY ",
    "USA",
    "AUS",
    "JPN",
    "GBR",
    "JAP",
    "FVEY",
    "NATO",
    "QUAD",
    "NF",
    "NOFORN",
    "OC",
    "ORCON",
    "OC-USGOV",
    "IMC",
    "PR",
    "PROPIN",
    "RELIDO",
    "FISA",
    "FOUO",
    "CUI",
    "RS",
    "DSEN",
    "DEA SENSITIVE",
    "SI",
    "SI-G",
    "-G",
    " ABCD",
    "TK",
    "HCS",
    "123",
    "SBU",
    "SBU-NF",
    "LES",
    "LES-NF",
    "SBU NOFORN",
    "ND",
    "XD",
    "RD",
    "FGI",
    "SAR-BP",
    "EYES ONLY",
]


@SETTINGS
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=12), VOCABULARIES)
def test_the_fast_path_agrees_with_the_checker_on_text_made_of_fragments(pieces, vocab):
    """Any text, canonical or not: the fast path either declines or gives the checker's answer."""
    _agrees("".join(pieces), vocab)


VALUES = [
    "SI",
    "SI-G ABCD",
    "SI-G",
    "TK",
    "HCS",
    "KDK",
    "123",
    "NF",
    "NOFORN",
    "OC",
    "ORCON",
    "IMC",
    "IMCON",
    "RS",
    "RSEN",
    "PR",
    "PROPIN",
    "RELIDO",
    "FISA",
    "FOUO",
    "CUI",
    "DSEN",
    "DEA SENSITIVE",
    "REL",
    "SBU",
    "SBU-NF",
    "SBU NOFORN",
    "LES-NF",
    "ND",
    "XD",
    "RD",
]
CODES = ["USA", "AUS", "GBR", "JPN", "FVEY", "NATO", "QUAD", "XYZ"]


@st.composite
def canonical_looking(draw: st.DrawFn) -> str:
    """Text in the shape of a canonical marking whose values may break any rule: unknown codes,
    order, duplicates, floors, conflicts, a portion's spelling in a banner and the reverse."""
    portion = draw(st.booleans())
    levels = ["U", "C", "S", "TS"] if portion else ["UNCLASSIFIED", "CONFIDENTIAL", "SECRET"]
    categories = [draw(st.sampled_from(levels))]
    for _ in range(draw(st.integers(0, 3))):
        values = []
        for _ in range(draw(st.integers(1, 3))):
            kind = draw(st.sampled_from(["value", "value", "rel", "display"]))
            if kind == "value":
                values.append(draw(st.sampled_from(VALUES)))
            else:
                codes = draw(st.lists(st.sampled_from(CODES), min_size=0, max_size=4))
                head = "REL TO " if kind == "rel" else "DISPLAY ONLY "
                values.append(head + ", ".join(codes))
        categories.append("/".join(values))
    text = "//".join(categories)
    return f"({text})" if portion else text


@SETTINGS
@given(canonical_looking(), VOCABULARIES)
def test_the_fast_path_agrees_with_the_checker_on_canonical_looking_text(text, vocab):
    """Canonical in shape, valid or not: the fast path declines or gives the checker's answer."""
    _agrees(text, vocab)


@SETTINGS
@given(
    portions(allow_short_rel=True),
    st.sampled_from(["portion", "banner"]),
    st.sampled_from(FRAGMENTS),
    st.integers(0, 200),
)
def test_the_fast_path_agrees_with_the_checker_on_altered_markings(marking, form, piece, at):
    """A generated marking with one fragment inserted somewhere, or the case changed."""
    text = render(marking, form)
    at %= len(text) + 1
    _agrees(text[:at] + piece + text[at:], default_vocabulary())
    _agrees(text.lower(), default_vocabulary())
    _agrees(" " + text, default_vocabulary())


def test_known_invalid_canonical_looking_markings_take_the_full_checker():
    """Text that renders back to itself but breaks a rule gets the checker's problems: ORCON
    below CONFIDENTIAL (rule 15), NOFORN beside REL TO (rule 14), a REL TO list out of order
    (rule 8), an unknown code (rule 8), controls out of Register order (rule 6), SCI systems
    unsorted (rule 7), a short REL in a banner (rule 10)."""
    for text in (
        "(U//OC)",
        "(S//NF/REL TO USA, JPN)",
        "(S//REL TO USA, JPN, AUS)",
        "(S//REL TO USA, XYZ)",
        "(S//REL TO USA)",
        "(S//REL/OC)",
        "(TS//TK/SI)",
        "SECRET//REL",
        "(S//HCS)",
    ):
        assert _fast_check(text, default_vocabulary()) is None, text
        assert _check(text, default_vocabulary()).problems, text
