"""What each key partner would be given of a product being written.

``release_panel`` answers, for marks an author has typed (never for stored rows), what each key
partner would be given and which portions block release of the whole (rules 24-26, 31, P8).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from allied.core.models import Membership, Nation
from allied.core.registry import KEY_INDO_PACIFIC_PARTNERS
from allied.intel.products.authoring import TypedMark, check_banner
from allied.intel.products.reading import Block, arrange
from allied.markings import Level, Marking
from allied.markings.access import Decision, Viewer, decide
from allied.markings.access import Membership as ViewerMembership
from allied.markings.release import analyse_release
from allied.markings.rollup import rollup_portions


@dataclass(frozen=True)
class PartnerRelease:
    """What one key partner, cleared TS, would be given of the product as typed."""

    nation: str
    name: str
    metadata: Decision | None
    whole: Decision
    blocking: tuple[tuple[str, Decision], ...]
    blocks: tuple[Block[TypedMark], ...]

    @property
    def sees_product(self) -> bool:
        metadata_ok = self.metadata is None or self.metadata.view
        return metadata_ok and bool(self.blocks)

    @property
    def status(self) -> str:
        if self.whole.export:
            return "Releasable"
        if self.whole.view:
            return "View only"
        return "Not releasable"

    @property
    def whole_reason(self) -> str:
        return explain(self.whole)

    @property
    def blocking_lines(self) -> list[str]:
        return [f"{label}: {explain(decision)}" for label, decision in self.blocking]


def explain(decision: Decision) -> str:
    """A decision's reason with its rule, as the rule set numbers it (``markings.md``)."""
    if not decision.rule:
        return decision.reason
    kind = "policy" if decision.rule.startswith("P") else "rule"
    return f"{decision.reason} ({kind} {decision.rule})"


@dataclass(frozen=True)
class Panel:
    banner: Marking | None
    tearlines: tuple[tuple[int, Marking], ...]
    metadata: Marking | None
    metadata_problems: tuple[str, ...]
    invalid: tuple[TypedMark, ...]
    partners: tuple[PartnerRelease, ...]
    empty: bool


def partner_viewers(on: date) -> list[tuple[Viewer, str]]:
    """A TS viewer of each key partner, with its registry communities on ``on``, and its name."""
    names = dict(
        Nation.objects.filter(iso3__in=KEY_INDO_PACIFIC_PARTNERS).values_list("iso3", "name")
    )
    memberships: dict[str, list[ViewerMembership]] = {}
    rows = (
        Membership.objects.current_on(on)
        .filter(nation_id__in=KEY_INDO_PACIFIC_PARTNERS)
        .values_list("nation_id", "community__code", "joined", "left")
    )
    for nation, code, joined, left in rows:
        memberships.setdefault(nation, []).append(ViewerMembership(code, joined, left))
    return [
        (
            Viewer(iso3, Level.TS, memberships=tuple(memberships.get(iso3, ()))),
            names.get(iso3, iso3),
        )
        for iso3 in KEY_INDO_PACIFIC_PARTNERS
    ]


def release_panel(
    marks: Sequence[TypedMark], metadata_text: str, *, on: date | None = None
) -> Panel:
    """The roll-up banner of the typed marks, and for each key partner what it would be given.

    Handles only what the author typed: nothing stored is read, so nothing stored can show.
    """
    day = on or date.today()
    metadata, metadata_problems = check_banner(metadata_text) if metadata_text.strip() else (
        None, ()
    )  # fmt: skip
    valid = sorted(
        (m for m in marks if m.marking is not None),
        key=lambda m: (m.section, m.order, m.row),
    )
    invalid = tuple(m for m in marks if m.marking is None)
    markings = [m.marking for m in valid if m.marking is not None]
    if not markings:
        return Panel(None, (), metadata, metadata_problems, invalid, (), True)
    sections: dict[int, list[Marking]] = {}
    for m in valid:
        if m.section > 0 and m.marking is not None:
            sections.setdefault(m.section, []).append(m.marking)
    tearlines = tuple(
        (number, rollup_portions(sections[key]))
        for number, key in enumerate(sorted(sections), start=1)
    )
    partners = []
    for viewer, name in partner_viewers(day):
        analysis = analyse_release(markings, viewer, on=day)
        blocking = tuple((valid[p.index].label, p.decision) for p in analysis.blocking)
        visible = [
            (m.section, m, m.marking)
            for m in valid
            if m.marking is not None and decide(viewer, m.marking, day).view
        ]
        partners.append(
            PartnerRelease(
                nation=viewer.nation,
                name=name,
                metadata=None if metadata is None else decide(viewer, metadata, day),
                whole=analysis.whole,
                blocking=blocking,
                blocks=tuple(arrange(visible, viewer, day)),
            )
        )
    return Panel(
        rollup_portions(markings), tearlines, metadata, metadata_problems, invalid,
        tuple(partners), False,
    )  # fmt: skip
