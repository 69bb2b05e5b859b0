"""What the analytics page counts, in plain Python (no Django).

The brief behind Allied says the United States "often defaults to NOFORN". These figures show how
far that is true of the products in Allied, and what stands in the way:

- for each partner, the share of products it could be given whole, the share of which it could
  be given some portions only (a tearline), and the share it could be given nothing of;
- the portion markings that block release most often (one count per product and partner that
  the portion keeps from being released whole);
- the share of products whose banner is NOFORN, month by month.

A partner's answer is the markings engine's decision for a viewer of that nation cleared to TOP
SECRET with its communities on the day: a ceiling of what could be released, before any
disclosure officer's decision. Decisions are taken once per distinct marking, so the work grows
with the number of portions, not with the number of markings times portions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from allied.markings.access import Decision, Viewer, decide
from allied.markings.model import Marking
from allied.markings.render import render


@dataclass(frozen=True, slots=True)
class ProductFacts:
    """One product: the month it was written, its banner's key and its portions' keys."""

    month: date
    banner: Hashable
    portions: tuple[Hashable, ...]


@dataclass(frozen=True, slots=True)
class PartnerShare:
    nation: str
    name: str
    whole: int
    some: int
    none: int

    @property
    def total(self) -> int:
        return self.whole + self.some + self.none

    def share(self, count: int) -> float:
        return count / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class Blocker:
    """A portion marking, how many (product, partner) releases it blocks, and one reason why."""

    marking: str
    blocks: int
    reason: str


@dataclass(frozen=True, slots=True)
class MonthShare:
    month: date
    products: int
    noforn: int

    @property
    def share(self) -> float:
        return self.noforn / self.products if self.products else 0.0


@dataclass(frozen=True, slots=True)
class ReleaseFigures:
    partners: tuple[PartnerShare, ...]
    blockers: tuple[Blocker, ...]
    noforn_by_month: tuple[MonthShare, ...]


def release_figures(
    products: Iterable[ProductFacts],
    markings: Mapping[Hashable, Marking],
    partners: Sequence[tuple[Viewer, str]],
    on: date,
    *,
    explain: Callable[[Decision], str] = lambda d: d.reason,
    top: int = 10,
) -> ReleaseFigures:
    """The three figures over ``products`` (see the module's docstring).

    ``markings`` maps every key used by ``products`` to its marking; ``partners`` are the viewers
    (one per partner nation, with its name) to decide for.
    """
    decisions: dict[tuple[str, Hashable], Decision] = {}

    def decision(viewer: Viewer, key: Hashable) -> Decision:
        found = decisions.get((viewer.nation, key))
        if found is None:
            found = decide(viewer, markings[key], on)
            decisions[(viewer.nation, key)] = found
        return found

    counts = {viewer.nation: [0, 0, 0] for viewer, _ in partners}
    blocks: Counter[Hashable] = Counter()
    reasons: dict[Hashable, str] = {}
    months: dict[date, list[int]] = {}
    for product in products:
        month = months.setdefault(product.month, [0, 0])
        month[0] += 1
        month[1] += markings[product.banner].is_noforn
        for viewer, _ in partners:
            if decision(viewer, product.banner).view:
                counts[viewer.nation][0] += 1
                continue
            blocking = [k for k in product.portions if not decision(viewer, k).view]
            some = len(blocking) < len(product.portions)
            counts[viewer.nation][1 if some else 2] += 1
            for key in set(blocking):
                blocks[key] += 1
                reasons.setdefault(key, f"{viewer.nation}: {explain(decision(viewer, key))}")
    shares = tuple(
        PartnerShare(viewer.nation, name, *counts[viewer.nation]) for viewer, name in partners
    )
    ranked = sorted(blocks.items(), key=lambda kv: (-kv[1], render(markings[kv[0]], "portion")))
    blockers = tuple(
        Blocker(render(markings[key], "portion"), n, reasons[key]) for key, n in ranked[:top]
    )
    by_month = tuple(MonthShare(m, n, nf) for m, (n, nf) in sorted(months.items()))
    return ReleaseFigures(shares, blockers, by_month)
