"""Hypothesis strategies for valid portion markings and viewers (rules 1-17 hold by design)."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from allied.markings import Compartment, Control, Level, Marking
from allied.markings.access import Membership, Viewer
from allied.markings.vocab import DISSEM_ORDER, NONIC_ORDER, code_sort_key, rel_sort_key

NATIONS = ("AUS", "CAN", "GBR", "IND", "IRQ", "JPN", "KOR", "NZL", "PHL")
TETRAGRAPHS = ("ACGU", "FVEY", "NATO", "TEYE")
CODES = NATIONS + TETRAGRAPHS
ON = date(2026, 11, 27)


def _ordered(values: set[str], order: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v for v in order if v in values)


CUI_CATEGORIES = ("SP-CTI", "SP-EXPT", "SP-PRVCY", "PRVCY", "OPSEC")


@st.composite
def cui_portions(draw: st.DrawFn) -> Marking:
    """A valid portion in the CUI registry's form (rule 30): categories, limited dissemination."""
    categories = draw(st.sets(st.sampled_from(CUI_CATEGORIES), max_size=3))
    dissem = {"CUI"}
    rel_to: tuple[str, ...] = ()
    display_to: tuple[str, ...] = ()
    fdr = draw(st.sampled_from(["none", "none", "NF", "REL", "DISPLAY", "REL+DISPLAY"]))
    if fdr == "NF":
        dissem.add("NF")
    if "REL" in fdr:
        dissem.add("REL")
        codes = draw(st.sets(st.sampled_from(CODES), min_size=1, max_size=3))
        rel_to = tuple(sorted({"USA", *codes}, key=rel_sort_key))
    if "DISPLAY" in fdr:
        dissem.add("DISPLAY")
        display_to = tuple(sorted(draw(st.sets(st.sampled_from(CODES), min_size=1, max_size=2))))
        display_to = tuple(sorted(display_to, key=code_sort_key))
    ldc = draw(st.sampled_from(["", "", "FED ONLY", "FEDCON", "NOCON", "DL ONLY"]))
    if ldc:
        dissem.add(ldc)
    return Marking(
        level=Level.U,
        dissem=_ordered(dissem, DISSEM_ORDER),
        rel_to=rel_to,
        display_to=display_to,
        cui=tuple(sorted(categories, key=lambda c: (not c.startswith("SP-"), c))),
    )


@st.composite
def portions(draw: st.DrawFn, *, allow_short_rel: bool = False) -> Marking:
    """A valid portion mark: classification, SCI, AEA, FGI, dissemination and non-IC controls;
    now and then a CUI mark in the registry's form."""
    if draw(st.integers(0, 7)) == 0:
        return draw(cui_portions())
    level = draw(st.sampled_from(Level))
    kind = draw(st.sampled_from(["us"] * 6 + ["fgi", "joint"])) if level > Level.U else "us"
    owners: tuple[str, ...] = ()
    if kind == "fgi":
        owners = draw(st.sampled_from([(), ("GBR",), ("JPN",), ("NATO",)]))
    elif kind == "joint":
        owners = tuple(
            sorted({"USA", *draw(st.sets(st.sampled_from(NATIONS), min_size=1))}, key=code_sort_key)
        )
    sci: list[Control] = []
    if level >= Level.C and draw(st.booleans()):
        sci.append(
            draw(
                st.sampled_from(
                    [
                        Control("SI"),
                        Control("SI", (Compartment("G", ("ABCD",)),)),
                    ]
                )
            )
        )
    if level >= Level.S and draw(st.booleans()):
        sci.append(Control("TK"))
    aea: tuple[str, ...] = ()
    if level >= Level.C and draw(st.integers(0, 9)) == 0:
        aea = (draw(st.sampled_from(["RD", "FRD", "TFNI"])),)
    fgi = None
    if kind == "us" and level > Level.U and draw(st.integers(0, 5)) == 0:
        fgi = draw(st.sampled_from([(), ("GBR",), ("JPN",)]))

    dissem: set[str] = set()
    rel_to: tuple[str, ...] = ()
    display_to: tuple[str, ...] = ()
    fdr = draw(
        st.sampled_from(
            [
                "none",
                "none",
                "NF",
                "REL",
                "REL",
                "REL",
                "RELIDO",
                "REL+RELIDO",
                "DISPLAY",
                "REL+DISPLAY",
            ]
        )
    )
    if fdr == "NF":
        dissem.add("NF")
    if "REL" in fdr.split("+"):
        dissem.add("REL")
        codes = draw(st.sets(st.sampled_from(CODES), min_size=1, max_size=4))
        rel_to = tuple(sorted({"USA", *codes}, key=rel_sort_key))
    if "RELIDO" in fdr:
        dissem.add("RELIDO")
    if "DISPLAY" in fdr:
        dissem.add("DISPLAY")
        codes = draw(st.sets(st.sampled_from(CODES), min_size=1, max_size=3))
        display_to = tuple(sorted(codes, key=code_sort_key))
    if level >= Level.C and draw(st.integers(0, 4)) == 0:
        dissem.add("OC")
    if level >= Level.S and draw(st.integers(0, 6)) == 0:
        dissem.add("IMC")
    if draw(st.integers(0, 6)) == 0:
        dissem.add("PR")
    nonic: set[str] = set()
    if level == Level.U:
        extra = draw(st.sampled_from(["", "", "FOUO", "CUI", "FISA", "SBU", "SBU-NF", "LES-NF"]))
        if extra in ("FOUO", "CUI", "FISA"):
            dissem.add(extra)
        elif extra:
            nonic.add(extra)
    short = allow_short_rel and dissem == {"REL"} and draw(st.booleans())
    return Marking(
        level=level,
        kind=kind,
        owners=owners,
        sci=tuple(sorted(sci)),
        aea=aea,
        fgi=fgi,  # type: ignore[arg-type]
        dissem=_ordered(dissem, DISSEM_ORDER),
        rel_to=() if short else rel_to,
        display_to=display_to,
        nonic=_ordered(nonic, NONIC_ORDER),
        rel_short=short,
    )


@st.composite
def viewers(draw: st.DrawFn, *, foreign: bool | None = None) -> Viewer:
    """A viewer of one of the nations above, or a U.S. person, with some accesses."""
    choices = NATIONS if foreign else ("USA", *NATIONS) if foreign is None else ("USA",)
    nation = draw(st.sampled_from(choices))
    memberships: tuple[Membership, ...] = ()
    if nation in ("GBR", "CAN") and draw(st.booleans()):
        memberships = (Membership("NATO", date(1949, 4, 4)),)
    accesses = draw(st.sets(st.sampled_from(["SI", "SI-G", "SI-G ABCD", "TK", "RD", "FRD"])))
    return Viewer(nation, draw(st.sampled_from(Level)), frozenset(accesses), memberships)
