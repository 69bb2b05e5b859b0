"""Release analysis of a document for one nation, and its tearline (rules 24-26, 31, P8); the
marking of a portion once released to one more partner (``widen_release``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from allied.markings.access import Decision, Viewer, decide
from allied.markings.model import Marking
from allied.markings.render import render
from allied.markings.rollup import resolve_short_rel, rollup_portions
from allied.markings.vocab import CUI_LDCS, DISSEM_ORDER, Level, code_sort_key, rel_sort_key


@dataclass(frozen=True, slots=True)
class PortionRelease:
    """One portion's answer: ``releasable`` (may be given), ``viewable`` (DISPLAY ONLY counts)."""

    index: int
    marking: Marking
    decision: Decision
    in_tearline: bool

    @property
    def releasable(self) -> bool:
        return self.decision.export

    @property
    def viewable(self) -> bool:
        return self.decision.view

    @property
    def blocks_release(self) -> bool:
        """Whether this portion stops the whole document from being released as it stands."""
        return not self.decision.export


@dataclass(frozen=True, slots=True)
class Tearline:
    """The nation's part of a document: its portions, with their own banner (P8)."""

    indexes: tuple[int, ...]
    banner: Marking | None
    view_only: bool


@dataclass(frozen=True, slots=True)
class ReleaseAnalysis:
    nation: str
    banner: Marking
    whole: Decision
    portions: tuple[PortionRelease, ...]
    tearline: Tearline

    @property
    def blocking(self) -> tuple[PortionRelease, ...]:
        return tuple(p for p in self.portions if p.blocks_release)

    def as_dict(self) -> dict[str, object]:
        return {
            "nation": self.nation,
            "banner": self.banner.render("banner"),
            "releasable": self.whole.export,
            "viewable": self.whole.view,
            "reason": self.whole.reason,
            "rule": self.whole.rule,
            "portions": [
                {
                    "index": p.index,
                    "portion": p.marking.render("portion"),
                    "releasable": p.releasable,
                    "viewable": p.viewable,
                    "in_tearline": p.in_tearline,
                    "reason": p.decision.reason,
                    "rule": p.decision.rule,
                }
                for p in self.portions
            ],
            "blocking": [p.index for p in self.blocking],
            "tearline": {
                "portions": list(self.tearline.indexes),
                "banner": None if self.tearline.banner is None else str(self.tearline.banner),
                "view_only": self.tearline.view_only,
            },
        }


def analyse_release(
    portions: Sequence[Marking],
    viewer: Viewer,
    *,
    on: date | None = None,
    banner: Marking | None = None,
) -> ReleaseAnalysis:
    """Which portions ``viewer``'s nation may receive, which block release, and its tearline.

    The tearline takes, in document order, each portion the viewer may access as long as the
    tearline's own roll-up stays accessible to the viewer: two portions releasable through codes
    that do not intersect (``FVEY`` and ``NATO``, rule 26) cannot share one tearline banner, and the
    later one is left for a disclosure officer to re-mark.
    """
    resolved = resolve_short_rel(portions, banner)
    full = rollup_portions(resolved)
    whole = decide(viewer, full, on)
    kept: list[int] = []
    tearline_banner: Marking | None = None
    answers: list[tuple[int, Marking, Decision, bool]] = []
    for index, marking in enumerate(resolved):
        decision = decide(viewer, marking, on)
        taken = False
        if decision.view:
            trial = rollup_portions([resolved[i] for i in kept] + [marking])
            if decide(viewer, trial, on).view:
                kept.append(index)
                tearline_banner = trial
                taken = True
            else:
                decision = Decision(
                    False,
                    False,
                    f"{decision.reason}, but it shares no release code with the rest of the "
                    "tearline; a disclosure officer must re-mark it",
                    "26",
                )
        answers.append((index, marking, decision, taken))
    view_only = tearline_banner is not None and not decide(viewer, tearline_banner, on).export
    return ReleaseAnalysis(
        nation=viewer.nation,
        banner=full,
        whole=whole,
        portions=tuple(PortionRelease(i, m, d, t) for i, m, d, t in answers),
        tearline=Tearline(tuple(kept), tearline_banner, view_only),
    )


def as_seen_by(marking: Marking, viewer: Viewer, on: date | None = None) -> Marking:
    """``marking`` with the viewer's nation written beside each community it belongs to.

    P7 keeps community codes opaque in roll-ups, so ``REL TO USA, QUAD`` and ``REL TO USA, JPN``
    share no code and roll up to NOFORN. For a Japanese viewer on a day Japan is in the Quad both
    are releasable to Japan, and the banner of a page showing both to that viewer should say so.
    The access decision for this viewer is unchanged (see the property tests).
    """
    if viewer.is_us:
        return marking
    communities = viewer.communities_on(on or date.today())
    if not communities:
        return marking

    def widen(codes: tuple[str, ...], usa: bool) -> tuple[str, ...]:
        if viewer.nation in codes or not communities.intersection(codes):
            return codes
        key = rel_sort_key if usa else code_sort_key
        return tuple(sorted((*codes, viewer.nation), key=key))

    return replace(
        marking,
        rel_to=widen(marking.rel_to, True) if marking.rel_to else (),
        display_to=widen(marking.display_to, False) if marking.display_to else (),
    )


def banner_for_viewer(
    markings: Sequence[Marking], viewer: Viewer, on: date | None = None
) -> Marking:
    """The banner of what one viewer was shown: the roll-up, read as that viewer may (P7, P8).

    For a U.S. viewer this is the plain roll-up. For a foreign viewer every marking is first read
    with its communities resolved to the viewer's nation (``as_seen_by``), so that a page holding
    only content releasable to the viewer carries a banner releasable to the viewer.
    """
    return rollup_portions([as_seen_by(m, viewer, on) for m in markings])


# --- widening a release to one more partner ---------------------------------------------------


@dataclass(frozen=True)
class Widening:
    """The marking after approval, or why the release cannot be approved as it stands."""

    marking: Marking | None
    blocked_by: str | None = None
    rule: str | None = None

    @property
    def allowed(self) -> bool:
        return self.marking is not None


# Controls that only their originator or a special process may lift: approval needs escalation.
_NEEDS_ESCALATION = {
    "OC": "ORCON needs the originator's consent before any release",
    "OC-USGOV": "ORCON-USGOV may not leave the U.S. government",
    "FISA": "FISA-derived information needs the Attorney General's process",
    "RS": "RISK SENSITIVE information needs its originator's approval",
}


def _why_not_widened(marking: Marking, partner: str, ceiling: Level) -> Widening | None:
    """The refusal of ``widen_release`` when a rule stops the portion's widening, else None."""
    if marking.level > ceiling:
        return Widening(
            None,
            f"{render(marking, 'portion')} is above {partner}'s ceiling "
            f"({ceiling.title}) for this category",
            "NDP",
        )
    for sci in marking.sci:
        if sci.system in ("HCS", "KDK"):
            return Widening(None, f"{sci.system} requires NOFORN", "15")
    if marking.is_foreign or marking.fgi is not None:
        return Widening(
            None,
            "foreign government information goes to a third country only with "
            "its originator's consent",
            "P3",
        )
    if marking.aea:
        return Widening(
            None, "Atomic Energy Act information is released only under its own agreements", "15"
        )
    return _escalated(marking)


def _escalated(marking: Marking) -> Widening | None:
    """The refusal when a control of the portion is lifted only by its originator, else None."""
    for control, why in _NEEDS_ESCALATION.items():
        if control in marking.dissem:
            return Widening(None, why, "21")
    ldcs = CUI_LDCS.intersection(marking.dissem)
    if ldcs:
        return Widening(
            None,
            f"CUI {'/'.join(sorted(ldcs))} is lifted only by the CUI's designating agency",
            "30",
        )
    if set(marking.nonic) & {"SBU-NF", "LES-NF", "ND", "XD"}:
        return Widening(None, "non-IC NOFORN controls are lifted by their own originators", "23")
    return None


def widen_release(marking: Marking, partner: str, ceiling: Level) -> Widening:
    """The portion's marking once released to ``partner``, within ``ceiling``.

    NOFORN and RELIDO give way to ``REL TO USA, <partner>``; an existing REL TO list gains the
    partner; everything else stays. A portion above the partner's ceiling, with SCI that requires
    NOFORN, with non-IC NOFORN, or with a control only its originator may lift is not widened:
    the result says which rule stops it, so that the officer escalates instead.
    """
    stop = _why_not_widened(marking, partner, ceiling)
    if stop is not None:
        return stop
    if marking.level == Level.U and not marking.has_fdr:
        return Widening(marking)  # already releasable to every partner (rule 25)
    codes = set(marking.rel_to) if "REL" in marking.dissem else set()
    codes |= {"USA", partner}
    dissem = [c for c in marking.dissem if c not in ("NF", "DISPLAY")]
    if "REL" not in dissem:
        dissem.append("REL")
    # RELIDO stays only beside REL TO (rule 14): the officer's decision is now on record.
    ordered = tuple(c for c in DISSEM_ORDER if c in dissem)
    display = tuple(c for c in marking.display_to if c not in codes)
    if display:
        ordered = tuple(c for c in DISSEM_ORDER if c in (*ordered, "DISPLAY"))
    widened = replace(
        marking,
        dissem=ordered,
        rel_to=tuple(sorted(codes, key=rel_sort_key)),
        display_to=display,
        rel_short=False,
    )
    return Widening(widened)
