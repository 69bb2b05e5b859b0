"""Who may see what: the access decision of a viewer on a marking, explained and compiled.

U.S. persons are not limited by foreign-disclosure controls. A foreign viewer needs REL TO or
DISPLAY ONLY coverage of its nation (directly, through FVEY/ACGU/TEYE, or as a member of a listed
community on the date) and enough clearance; NOFORN denies every foreign viewer; DISPLAY ONLY
allows viewing, never export. Everyone needs the clearance and the SCI, SAP and AEA accesses the
marking names. Anything the rules do not clearly allow is denied (fail closed).

``compile_marking`` and ``compile_viewer`` turn both sides into a few integers so that one decision
(``may_view``) is three integer operations; ``decide`` gives the same answer with its reason.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from allied.markings.model import Marking
from allied.markings.vocab import CUI_LDCS, EXPANDABLE_TETRAGRAPHS, Level, expand

US = "USA"
# RD access covers FRD and TFNI: a banner that keeps only RD (rule 19) still guards them.
_AEA_IMPLIES = {"RD": ("FRD", "TFNI")}


@dataclass(frozen=True, slots=True)
class Membership:
    """A nation's membership of a community, effective-dated (``end`` exclusive, None = open)."""

    code: str
    start: date | None = None
    end: date | None = None

    def active_on(self, on: date) -> bool:
        return (self.start is None or self.start <= on) and (self.end is None or on < self.end)


@dataclass(frozen=True, slots=True)
class Viewer:
    """A person as the releasability rules see them.

    ``clearance`` is the U.S.-equivalent level; ``accesses`` holds SCI (``SI``, ``SI-G``), SAP
    (``SAR-ABC``) and AEA (``RD``, ``RD-CNWDI``) accesses; ``memberships`` are the communities of
    the viewer's nation, with their dates.

    ``exporting`` is true when what the viewer is given leaves the system (an export: a feed,
    the API, a download). An exporting viewer sees only what it may export: DISPLAY ONLY is
    shown on rendered pages and nowhere else (rule 24(f)).
    """

    nation: str
    clearance: Level
    accesses: frozenset[str] = frozenset()
    memberships: tuple[Membership, ...] = ()
    exporting: bool = False

    @property
    def is_us(self) -> bool:
        return self.nation == US

    def communities_on(self, on: date) -> frozenset[str]:
        return frozenset(m.code for m in self.memberships if m.active_on(on))

    def for_export(self) -> Viewer:
        """The same person taking content away: only what it may export is visible."""
        return self if self.exporting else replace(self, exporting=True)

    def for_display(self) -> Viewer:
        """The same person reading a rendered page: DISPLAY ONLY is visible again."""
        return replace(self, exporting=False) if self.exporting else self

    def held_accesses(self) -> frozenset[str]:
        held = set(self.accesses)
        for access in self.accesses:
            held.update(_AEA_IMPLIES.get(access, ()))
        return frozenset(held)


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether a viewer may view and export a marked item, and why (``rule`` where one applies)."""

    view: bool
    export: bool
    reason: str
    rule: str | None = None

    def __bool__(self) -> bool:
        return self.view


def required_accesses(marking: Marking) -> frozenset[str]:
    """The SCI, SAP and AEA accesses a viewer must hold to see ``marking``."""
    tokens: set[str] = set()
    for control in marking.sci:
        tokens.update(control.access_tokens())
    for control in marking.sap:
        tokens.update(control.access_tokens("SAR-"))
    for mark in marking.aea:
        tokens.add(mark)
        if mark == "RD-CNWDI":
            tokens.add("RD")
    return frozenset(tokens)


@dataclass(frozen=True, slots=True)
class Audience:
    """The foreign nations and communities that may view or export a marking.

    ``everyone`` is true for unclassified information with no foreign-disclosure control (rule 25).
    """

    everyone: bool = False
    codes: frozenset[str] = field(default_factory=frozenset)

    def __le__(self, other: Audience) -> bool:
        if other.everyone:
            return True
        return not self.everyone and self.codes <= other.codes

    def covers(self, codes: Iterable[str]) -> str | None:
        """The first of ``codes`` this audience reaches, or None."""
        for code in codes:
            if self.everyone or code in self.codes:
                return code
        return None


def foreign_rule(marking: Marking) -> tuple[str, str] | None:
    """Why no foreign viewer may see ``marking`` at all, as (reason, rule); None if some may."""
    if marking.is_noforn:
        return "NOFORN: not releasable to foreign nationals", "24(a)"
    if marking.rel_short:
        return "a (REL) portion is releasable only as its banner says", "10"
    ldcs = CUI_LDCS.intersection(marking.dissem)
    if ldcs:
        listed = "/".join(sorted(ldcs))
        return f"CUI {listed}: for U.S. federal employees, contractors or a list only", "30"
    if not marking.has_fdr:
        if marking.is_foreign or marking.fgi is not None:
            return "foreign government information without a release marking", "P3"
        if "FISA" in marking.dissem:
            return "FISA information needs a disclosure official's decision", "25"
        if marking.level > Level.U:
            return "classified information without a release marking is handled as NOFORN", "29"
        return None
    if "REL" not in marking.dissem and "DISPLAY" not in marking.dissem:
        return "RELIDO: a disclosure official must decide each release", "24(c)"
    return None


def audience(marking: Marking) -> tuple[Audience, Audience]:
    """(who may view, who may export) among foreign nations and communities."""
    if foreign_rule(marking) is not None:
        return Audience(), Audience()
    if not marking.has_fdr:
        return Audience(everyone=True), Audience(everyone=True)
    rel = expand(marking.rel_to) if "REL" in marking.dissem else frozenset()
    shown = expand(marking.display_to) if "DISPLAY" in marking.dissem else frozenset()
    return Audience(codes=rel | shown), Audience(codes=rel)


def decide(viewer: Viewer, marking: Marking, on: date | None = None) -> Decision:
    """May ``viewer`` see ``marking`` on ``on`` (today by default)? With the reason."""
    if viewer.clearance < marking.level:
        return Decision(
            False, False, f"clearance {viewer.clearance.title} is below {marking.level.title}"
        )
    missing = required_accesses(marking) - viewer.held_accesses()
    if missing:
        return Decision(False, False, f"lacks access to {', '.join(sorted(missing))}")
    if viewer.is_us:
        return Decision(True, True, "U.S. person: foreign-disclosure controls do not apply")
    blocked = foreign_rule(marking)
    if blocked is not None:
        return Decision(False, False, blocked[0], blocked[1])
    view, export = audience(marking)
    if view.everyone:
        return Decision(True, True, "unclassified without foreign-disclosure controls", "25")
    codes = (viewer.nation, *sorted(viewer.communities_on(on or date.today())))
    via = export.covers(codes)
    if via is not None:
        return Decision(True, True, _coverage("REL TO", via, viewer.nation, marking.rel_to))
    via = view.covers(codes)
    if via is not None:
        how = _coverage("DISPLAY ONLY", via, viewer.nation, marking.display_to + marking.rel_to)
        if viewer.exporting:
            return Decision(False, False, how + ": shown on pages only, never exported", "24(f)")
        return Decision(True, False, how + "; view only, no export", "24(f)")
    listed = ", ".join((*marking.rel_to, *marking.display_to))
    return Decision(False, False, f"{viewer.nation} is not covered by {listed}", "24(b)")


def _coverage(control: str, via: str, nation: str, listed: tuple[str, ...]) -> str:
    if via != nation:
        return f"{control} {via}: {nation} is a member"
    tetra = next((t for t in listed if nation in EXPANDABLE_TETRAGRAPHS.get(t, ())), None)
    if tetra is not None and nation not in listed:
        return f"{control} {tetra} includes {nation}"
    return f"{control} lists {nation}"


# --- the compiled form ---

_BITS: dict[str, int] = {US: 0}
_BITS_LOCK = threading.Lock()
EVERYONE = -1  # every bit set: any viewer's codes intersect it


def code_bit(code: str) -> int:
    """The bit of a nation or community code in compiled masks (USA is bit 0)."""
    bit = _BITS.get(code)
    if bit is None:
        with _BITS_LOCK:
            bit = _BITS.setdefault(code, len(_BITS))
    return 1 << bit


def mask(codes: Iterable[str]) -> int:
    out = 0
    for code in codes:
        out |= code_bit(code)
    return out


_ACCESS_BITS: dict[str, int] = {}


def access_bit(token: str) -> int:
    bit = _ACCESS_BITS.get(token)
    if bit is None:
        with _BITS_LOCK:
            bit = _ACCESS_BITS.setdefault(token, len(_ACCESS_BITS))
    return 1 << bit


class CompiledMarking:
    """A marking reduced to integers: its level, the accesses it requires, who may view or export.

    ``view`` and ``export`` are bitsets over nation and community codes, USA always included;
    ``EVERYONE`` (-1) for unclassified information without foreign-disclosure controls.
    ``view_codes`` and ``export_codes`` hold the same as code sets, for storage in a database.
    """

    __slots__ = (
        "export",
        "export_codes",
        "level",
        "required",
        "required_codes",
        "view",
        "view_codes",
    )

    def __init__(self, marking: Marking) -> None:
        view, export = audience(marking)
        self.level = int(marking.level)
        self.required_codes = required_accesses(marking)
        self.required = 0
        for token in self.required_codes:
            self.required |= access_bit(token)
        self.view_codes = None if view.everyone else frozenset({US, *view.codes})
        self.export_codes = None if export.everyone else frozenset({US, *export.codes})
        self.view = EVERYONE if self.view_codes is None else mask(self.view_codes)
        self.export = EVERYONE if self.export_codes is None else mask(self.export_codes)

    def __repr__(self) -> str:
        return (
            f"CompiledMarking(level={self.level}, view={self.view_codes}, "
            f"export={self.export_codes})"
        )


class CompiledViewer:
    """A viewer on a date reduced to integers: level, held accesses, its nation and communities.

    ``exporting`` as on ``Viewer``: such a viewer's view is its export.
    """

    __slots__ = ("accesses", "codes", "exporting", "level")

    def __init__(self, viewer: Viewer, on: date | None = None) -> None:
        self.exporting = viewer.exporting
        self.level = int(viewer.clearance)
        self.accesses = 0
        for token in viewer.held_accesses():
            self.accesses |= access_bit(token)
        if viewer.is_us:
            self.codes = code_bit(US)
        else:
            self.codes = mask((viewer.nation, *viewer.communities_on(on or date.today())))


def compile_marking(marking: Marking) -> CompiledMarking:
    return CompiledMarking(marking)


def compile_viewer(viewer: Viewer, on: date | None = None) -> CompiledViewer:
    return CompiledViewer(viewer, on)


def may_view(viewer: CompiledViewer, marking: CompiledMarking) -> bool:
    """The access decision in three integer operations (same answer as ``decide(...).view``)."""
    audience = marking.export if viewer.exporting else marking.view
    return (
        viewer.level >= marking.level
        and not marking.required & ~viewer.accesses
        and audience & viewer.codes != 0
    )


def may_export(viewer: CompiledViewer, marking: CompiledMarking) -> bool:
    return (
        viewer.level >= marking.level
        and not marking.required & ~viewer.accesses
        and marking.export & viewer.codes != 0
    )
