"""Roll-up of a banner line from portion marks (rules 18-29, policy choices P1-P4)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from operator import attrgetter

from allied.markings.model import Compartment, Control, Marking
from allied.markings.vocab import (
    AEA_ORDER,
    CUI_LDCS,
    DISSEM_ORDER,
    EXPANDABLE_TETRAGRAPHS,
    NONIC_ORDER,
    Level,
    code_sort_key,
    expand,
    rel_sort_key,
)


class RollupError(ValueError):
    """The portions cannot be rolled up as asked (a short REL with no banner, a looser override)."""


@dataclass(frozen=True, slots=True)
class Override:
    """A banner set by compilation (rule 28): it may only be more restrictive, and says why."""

    marking: Marking
    reason: str


@dataclass(frozen=True, slots=True)
class Rollup:
    """The banner of a set of portions; ``computed`` is the roll-up before any override."""

    banner: Marking
    computed: Marking
    compilation_reason: str | None = None


def merge_controls(groups: Iterable[Sequence[Control]]) -> tuple[Control, ...]:
    """The union of SCI or SAP controls, merged per system and compartment (rule 19, rule 7)."""
    merged: dict[str, dict[str, set[str]]] = {}
    for group in groups:
        for control in group:
            comps = merged.setdefault(control.system, {})
            for comp in control.compartments:
                comps.setdefault(comp.name, set()).update(comp.subs)
    return tuple(
        Control(system, tuple(Compartment(n, tuple(sorted(s))) for n, s in sorted(comps.items())))
        for system, comps in sorted(merged.items())
    )


_REL_SHORT = attrgetter("rel_short")


def resolve_short_rel(portions: Sequence[Marking], banner: Marking | None) -> list[Marking]:
    """Portions with ``(...//REL)`` written out as the banner's REL TO list (rule 10)."""
    if not any(map(_REL_SHORT, portions)):
        return list(portions)
    if banner is None or "REL" not in banner.dissem or not banner.rel_to:
        raise RollupError("a (REL) portion needs a banner with a REL TO list (rule 10)")
    return [p.with_rel_to(banner.rel_to) if p.rel_short else p for p in portions]


_FDR = frozenset({"NF", "REL", "RELIDO", "DISPLAY"})
_NONIC_NF = frozenset({"SBU-NF", "LES-NF"})
_TETRAS = frozenset(EXPANDABLE_TETRAGRAPHS)
_EMPTY: frozenset[str] = frozenset()
_List = tuple[str, ...] | None


def _fdr_result(
    noforn: bool, unmarked: bool, all_relido: bool, lists: set[tuple[_List, _List]]
) -> tuple[set[str], tuple[str, ...], tuple[str, ...]]:
    """The banner's FD&R: (controls among NF/REL/RELIDO/DISPLAY, REL TO list, DISPLAY ONLY list).

    CAPCO Table 3 as rule 24 restates it, with rules 25 and 29 and P1 and P3. ``lists`` holds the
    distinct (REL TO, DISPLAY ONLY) lists of the portions that carry FD&R: the intersections are
    taken over them, so a long document costs one cheap step per portion.
    """
    if noforn:
        return {"NF"}, (), ()
    if not lists:
        # Only classified portions without FD&R: the banner carries none (rule 29).
        return set(), (), ()
    if unmarked:
        # 24(d), P1, 24(f) rule 19: FD&R-bearing portions beside unmarked classified ones.
        return {"NF"}, (), ()
    rel_common: frozenset[str] | None = None
    shown_common: frozenset[str] | None = None
    rel_tetras = shown_tetras = _TETRAS
    for rel_to, display_to in lists:
        rel = _expand(rel_to) if rel_to is not None else _EMPTY
        tetras = _TETRAS.intersection(rel_to) if rel_to is not None else _EMPTY
        rel_common = rel if rel_common is None else rel_common & rel
        rel_tetras = rel_tetras & tetras
        if display_to is not None:
            rel = rel | _expand(display_to)
            tetras = tetras | _TETRAS.intersection(display_to)
        shown_common = rel if shown_common is None else shown_common & rel
        shown_tetras = shown_tetras & tetras
    rel_common = rel_common or _EMPTY
    shown_common = (shown_common or _EMPTY) - rel_common
    if not rel_common and not shown_common:
        # 24(b) no common code, 24(c) REL beside RELIDO-only, 24(f) rules 18, 20, 11.
        return ({"RELIDO"} if all_relido else {"NF"}), (), ()
    controls: set[str] = set()
    rel_list: tuple[str, ...] = ()
    display_list: tuple[str, ...] = ()
    if rel_common:
        controls.add("REL")
        rel_list = _render_codes(rel_common, rel_tetras, usa=True)
    if shown_common:
        controls.add("DISPLAY")
        display_list = _render_codes(shown_common, shown_tetras, usa=False)
    elif all_relido:
        # 24(c): RELIDO only when every contributing portion carries it; never with DISPLAY.
        controls.add("RELIDO")
    return controls, rel_list, display_list


@lru_cache(maxsize=4096)
def _expand(codes: tuple[str, ...]) -> frozenset[str]:
    return expand(codes)


def _render_codes(
    common: frozenset[str], used_by_all: frozenset[str], usa: bool
) -> tuple[str, ...]:
    """Codes of an intersection, keeping a tetragraph every portion used (P2); else trigraphs."""
    remaining = set(common)
    codes: set[str] = set()
    for tetra in sorted(used_by_all, key=lambda t: -len(EXPANDABLE_TETRAGRAPHS[t])):
        foreign = EXPANDABLE_TETRAGRAPHS[tetra] - {"USA"}
        if foreign <= remaining:
            codes.add(tetra)
            remaining -= foreign
    codes |= remaining
    if usa:
        codes.add("USA")
    return tuple(sorted(codes, key=rel_sort_key if usa else code_sort_key))


# How a portion's dissemination controls take part in the banner's FD&R (rule 24).
_NO_FDR, _NOFORN, _CONTRIBUTES = range(3)


@lru_cache(maxsize=4096)
def _fdr_facts(dissem: tuple[str, ...]) -> tuple[int, bool, bool, bool]:
    """What the FD&R roll-up needs of one portion's dissemination controls: whether it carries
    none (FISA counts as one, rule 25), NOFORN, or a list that contributes; whether it has REL
    TO and DISPLAY ONLY; whether it counts as RELIDO (RELIDO or FISA). Portions share a few
    control sets, so this is computed once per set."""
    fisa = "FISA" in dissem
    if _FDR.isdisjoint(dissem) and not fisa:
        return _NO_FDR, False, False, False
    if "NF" in dissem:
        return _NOFORN, False, False, False
    return _CONTRIBUTES, "REL" in dissem, "DISPLAY" in dissem, "RELIDO" in dissem or fisa


_SCI = attrgetter("sci")
_SAP = attrgetter("sap")
_AEA = attrgetter("aea")
_CUI = attrgetter("cui")


def rollup_portions(portions: Sequence[Marking], banner: Marking | None = None) -> Marking:
    """The banner computed from ``portions`` (rules 18-29); ``banner`` resolves ``(REL)`` forms.

    Every rule is a union, an intersection or a maximum. One loop (``_Gathered``) takes the
    maximum and the unions of the controls most portions carry and sorts the portions for the
    FD&R and FGI rules; the unions of the categories few portions carry (SCI, SAP, AEA, CUI)
    are taken over those portions alone.
    """
    if not portions:
        raise RollupError("there is no portion to roll up")
    portions = resolve_short_rel(portions, banner)
    g = _Gathered(portions)
    level, others, nonic, marked = g.level, g.others, g.nonic, g.marked
    # Whether any portion carries an IC FD&R marking (rule 23; FISA counts, rule 25).
    ic_fdr = not _FDR.isdisjoint(others) or "FISA" in others
    fgi, joint_owners = _fgi_sources(portions, g.outside)
    others -= _FDR
    # Rule 19: SCI, SAP and AEA are unions, except that RD takes precedence over FRD and TFNI
    # (CAPCO register H.6, pp. 104-105).
    aea = set(chain.from_iterable(map(_AEA, marked)))
    if "RD" in aea or "RD-CNWDI" in aea:
        aea -= {"FRD", "TFNI"}
    fdr = _fdr_result(g.noforn, g.unmarked, g.all_relido, g.lists)
    _non_fdr_unions(others, nonic, level, ic_fdr)
    ldcs = others & CUI_LDCS
    others -= CUI_LDCS
    _fouo_and_cui(others, nonic, level)
    cuis = [c for c in map(_CUI, marked) if c is not None]
    # Rule 30, P4: categories of portions in the CUI registry's form (None when there is none).
    cui: set[str] | None = set(chain.from_iterable(cuis)) if cuis else None
    if cui is not None and "CUI" in others:
        fdr = _cui_banner_fdr(others, ldcs, fdr)
    else:
        cui = None
        fdr = _plain_banner_fdr(fdr, ldcs, nonic, ic_fdr=ic_fdr)
    controls, rel_to, display_to = fdr
    return Marking(
        level=level,
        kind="joint" if joint_owners is not None else "us",
        owners=joint_owners or (),
        sci=merge_controls(filter(None, map(_SCI, marked))),
        sap=merge_controls(filter(None, map(_SAP, marked))),
        aea=tuple(a for a in AEA_ORDER if a in aea),
        fgi=fgi,
        dissem=tuple(c for c in DISSEM_ORDER if c in others or c in controls),
        rel_to=rel_to,
        display_to=display_to,
        nonic=tuple(c for c in NONIC_ORDER if c in nonic),
        cui=None if cui is None else tuple(sorted(cui, key=cui_category_key)),
    )


class _Gathered:
    """What one loop over the portions finds for the FD&R roll-up (rule 24 with 25, 29, P1, P3):
    the highest level, the union of the dissemination and non-IC controls, the portions that
    are foreign or carry FGI, those with SCI, SAP, AEA or CUI categories, and each portion sorted
    into what decides the banner's FD&R."""

    __slots__ = (
        "all_relido",
        "level",
        "lists",
        "marked",
        "noforn",
        "nonic",
        "others",
        "outside",
        "unmarked",
    )

    def __init__(self, portions: Sequence[Marking]) -> None:
        others: set[str] = set()
        nonic: set[str] = set()
        outside: list[Marking] = []
        marked: list[Marking] = []
        level = Level.U
        noforn = unmarked = False
        all_relido = True
        lists: set[tuple[_List, _List]] = set()
        # What a portion's dissemination controls mean for FD&R depends on them alone and
        # portions share few sets of them: the facts are looked up once per run of equal sets.
        last_dissem: tuple[str, ...] | None = None
        fdr_kind, with_rel, with_display, relido = _NO_FDR, False, False, False
        for p in portions:
            if p.level > level:
                level = p.level
            if p.sci or p.sap or p.aea or p.cui is not None:
                marked.append(p)
            dissem = p.dissem
            if dissem is not last_dissem:
                others.update(dissem)
                fdr_kind, with_rel, with_display, relido = _fdr_facts(dissem)
                last_dissem = dissem
            foreign = p.kind != "us" or p.fgi is not None
            if foreign:
                outside.append(p)
            if p.nonic:
                nonic.update(p.nonic)
                if not _NONIC_NF.isdisjoint(p.nonic):
                    noforn = True  # SBU-NF and LES-NF count as NOFORN (rule 23)
                    continue
            if fdr_kind == _CONTRIBUTES:
                # FD&R-bearing; rule 25 reads FISA as RELIDO.
                all_relido = all_relido and relido
                lists.add((p.rel_to if with_rel else None, p.display_to if with_display else None))
            elif fdr_kind == _NOFORN or foreign:
                noforn = True  # 24(a); P3: FGI without FD&R is NOFORN
            elif p.level:
                unmarked = True  # rule 29: classified without FD&R
            # else rule 25: an unclassified portion without FD&R takes no part
        self.level, self.others, self.nonic, self.lists = level, others, nonic, lists
        self.outside, self.marked = outside, marked
        self.noforn, self.unmarked, self.all_relido = noforn, unmarked, all_relido


def _fgi_sources(
    portions: Sequence[Marking], outside: list[Marking]
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """The banner's FGI category (rule 20: the sources of non-U.S. portions, of the FGI category
    and JOINT co-owners; empty when a source is concealed) and its JOINT co-owners, when every
    portion is JOINT with the same ones (rule 13: the banner stays JOINT)."""
    first = portions[0]
    joint_owners: tuple[str, ...] | None = None
    if first.kind == "joint" and len(outside) == len(portions):
        owners = first.owners
        if all(p.kind == "joint" and p.owners == owners for p in outside):
            joint_owners = owners
    sources: set[str] = set()
    concealed = False
    for p in outside:
        if p.kind != "us":
            if p.kind == "joint" or p.owners:
                sources.update(p.owners)
            else:
                concealed = True
        if p.fgi is not None:
            sources.update(p.fgi)
            concealed = concealed or not p.fgi
    sources.discard("USA")
    if joint_owners is not None:
        # Rule 13 (CAPCO16 H.3): portions all JOINT with the same co-owners keep the JOINT
        # banner; rule 20 makes co-owners FGI only beside other portions.
        sources -= set(joint_owners)
    if concealed:
        return (), joint_owners
    return (tuple(sorted(sources, key=code_sort_key)) if sources else None), joint_owners


def _non_fdr_unions(others: set[str], nonic: set[str], level: Level, ic_fdr: bool) -> None:
    """Rule 21: non-FD&R controls are a union; ORCON supersedes ORCON-USGOV, NODIS EXDIS; and
    rule 23 for SBU NOFORN and LES NOFORN."""
    if "OC" in others:
        others.discard("OC-USGOV")
    if "ND" in nonic:
        nonic.discard("XD")
    for plain, nf in (("SBU", "SBU-NF"), ("LES", "LES-NF")):
        if nf in nonic:
            nonic.discard(plain)
            if level > Level.U or ic_fdr:
                # Rule 23: a classified banner, or one beside IC FD&R markings (CAPCO 2016
                # p.53, example 4), gains IC NOFORN (the FD&R roll-up gave it) and the non-IC
                # part loses its NF.
                nonic.discard(nf)
                nonic.add(plain)


def _fouo_and_cui(others: set[str], nonic: set[str], level: Level) -> None:
    """Rule 22 and P4: FOUO and CUI never appear in a classified banner, nor beside other
    controls; CUI replaces FOUO."""
    if level > Level.U or others - {"FOUO", "CUI"} or nonic:
        others -= {"FOUO", "CUI"}
    elif "CUI" in others:
        others.discard("FOUO")


_Fdr = tuple[set[str], tuple[str, ...], tuple[str, ...]]


def _cui_banner_fdr(others: set[str], ldcs: set[str], fdr: _Fdr) -> _Fdr:
    """Rule 30: an unclassified banner over CUI marks is itself a CUI mark: the union of the
    categories and of the limited dissemination controls (FED ONLY before FEDCON), added to
    ``others``. The FD&R it keeps."""
    if "FED ONLY" in ldcs or "NOCON" in ldcs:
        ldcs.discard("FEDCON")
    others |= ldcs
    controls, rel_to, display_to = fdr
    if "RELIDO" in controls:
        # RELIDO is no CUI dissemination control (rule 30): a CUI banner keeps the REL TO
        # beside it, or else the most protective marking it can carry, NOFORN (24(h)).
        controls = set(controls) - {"RELIDO"} or {"NF"}
        if "NF" in controls:
            rel_to, display_to = (), ()
    return controls, rel_to, display_to


def _plain_banner_fdr(fdr: _Fdr, ldcs: set[str], nonic: set[str], *, ic_fdr: bool) -> _Fdr:
    """The FD&R of a banner that is not a CUI mark."""
    if ldcs:
        # P4: a banner that does not carry CUI cannot carry its limited dissemination
        # controls; each keeps CUI from foreign viewers, so the banner is NOFORN (24(h)).
        fdr = {"NF"}, (), ()
    if fdr[0] == {"NF"} and not ic_fdr and not _NONIC_NF.isdisjoint(nonic):
        # Rule 23: an unclassified banner with no IC FD&R keeps SBU NOFORN / LES NOFORN as
        # its only NOFORN.
        return set(), fdr[1], fdr[2]
    return fdr


def cui_category_key(category: str) -> tuple[int, str]:
    """CUI Specified categories first, then basic ones, each alphabetical (rule 30)."""
    return (0 if category.startswith("SP-") else 1, category)


def rollup(
    portions: Sequence[Marking], *, banner: Marking | None = None, override: Override | None = None
) -> Rollup:
    """Roll up a banner, applying a compilation override when one is given (rule 28).

    The override may only make the banner more restrictive; a looser one raises ``RollupError``.
    """
    computed = rollup_portions(portions, banner)
    if override is None:
        return Rollup(banner=computed, computed=computed)
    if not override.reason.strip():
        raise RollupError("a compilation override must record its reason (rule 28)")
    looser = loosening(override.marking, computed)
    if looser:
        raise RollupError(
            "a compilation override may only make the banner more restrictive (rule 28): "
            + "; ".join(looser)
        )
    return Rollup(banner=override.marking, computed=computed, compilation_reason=override.reason)


def loosening(candidate: Marking, base: Marking) -> list[str]:
    """Every way in which ``candidate`` is less restrictive than ``base`` (empty when none)."""
    out: list[str] = []
    if candidate.level < base.level:
        out.append(f"{candidate.level.title} is lower than {base.level.title}")
    for name, theirs, ours in (
        ("SCI", base.sci, candidate.sci),
        ("SAP", base.sap, candidate.sap),
    ):
        need = {t for c in theirs for t in c.access_tokens()}
        have = {t for c in ours for t in c.access_tokens()}
        if need - have:
            out.append(f"drops {name} {', '.join(sorted(need - have))}")
    if set(base.aea) - set(candidate.aea):
        out.append(f"drops {', '.join(sorted(set(base.aea) - set(candidate.aea)))}")
    non_fdr = {"NF", "REL", "RELIDO", "DISPLAY", "FOUO", "CUI"}
    dropped = {c for c in base.dissem if c not in non_fdr} - set(candidate.dissem)
    dropped |= set(base.nonic) - set(candidate.nonic)
    if dropped:
        out.append(f"drops {', '.join(sorted(dropped))}")
    from allied.markings.access import audience

    theirs_view, theirs_export = audience(base)
    ours_view, ours_export = audience(candidate)
    if not ours_view <= theirs_view or not ours_export <= theirs_export:
        out.append("releases to more foreign audiences")
    elif base.is_noforn and not candidate.is_noforn:
        # RELIDO releases to no one by itself either, but lets a disclosure official release
        # what NOFORN forbids anyone to release (rule 24(c)).
        out.append("drops NOFORN")
    return out
