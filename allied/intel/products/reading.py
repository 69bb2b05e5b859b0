"""What one viewer reads of an intelligence product, on every surface.

* ``read_products`` is the one place that decides which portions a viewer is shown. The product
  pages, the API and the exports all go through it, so the surfaces cannot diverge. A viewer gets
  only the portions it may access. A foreign viewer gets its tearline(s) when it may see one, and
  otherwise the body. Portions are numbered 1..n in the order shown, so a withheld portion leaves
  no gap, count, length or id behind.
* An exporting viewer (the API, TAXII, downloads: ``Viewer.exporting``) is given the same version
  of a product as the page (the same body or tearline), less what it may view but not take away
  (DISPLAY ONLY). ``export_product`` is that reading as a download; its banner is the roll-up of
  what is exported.
* ``shown_authority`` is the classification authority block that goes with a view of a product
  (page, API, download, STIX): the product's block when that view is classified, else none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from allied.core.models import StoredMarking
from allied.intel.models import Originator, Portion, Product
from allied.intel.rules.disclosure import Category
from allied.markings import Level, Marking
from allied.markings.access import Viewer, decide
from allied.markings.authority import Authority, authority_lines
from allied.markings.release import banner_for_viewer

T = TypeVar("T")


@dataclass(frozen=True)
class Shown(Generic[T]):
    """One portion as shown: its number on the page (1..n), the row, its marking."""

    number: int
    item: T
    marking: Marking
    exportable: bool

    @property
    def mark(self) -> str:
        return self.marking.render("portion")


@dataclass(frozen=True)
class Block(Generic[T]):
    """The body, or one tearline, as shown to one viewer, with the banner of what it holds."""

    tearline: int | None  # None for the body; 1..k for the tearlines shown, in order
    portions: tuple[Shown[T], ...]
    banner: Marking

    @property
    def label(self) -> str:
        return "Body" if self.tearline is None else f"Tearline {self.tearline}"

    @property
    def is_tearline(self) -> bool:
        return self.tearline is not None


def arrange(
    items: Sequence[tuple[int, T, Marking]], viewer: Viewer, on: date | None = None
) -> list[Block[T]]:
    """Lay out the portions ``viewer`` may see, given as (section, row, marking) in order.

    A U.S. viewer gets the body, then each tearline. A foreign viewer gets its tearline(s) when
    it may see one, and otherwise the body. Tearlines are numbered in the order shown, and
    portions 1..n across the page. Nothing here counts or names what was left out.

    ``items`` are what the viewer may see on a page. For an exporting viewer the version is chosen
    from them, as on the page, and what it may not export is then left out: every surface gives
    a viewer the same body or tearline.
    """
    if viewer.exporting:
        page = arrange(items, viewer.for_display(), on)
        return _keep(page, viewer, on)
    body = [entry for entry in items if entry[0] == 0]
    sections: dict[int, list[tuple[int, T, Marking]]] = {}
    for entry in items:
        if entry[0] > 0:
            sections.setdefault(entry[0], []).append(entry)
    tearlines = [sections[key] for key in sorted(sections)]
    groups: list[tuple[int | None, list[tuple[int, T, Marking]]]] = []
    if body and (viewer.is_us or not tearlines):
        groups.append((None, body))
    groups += [(number, entries) for number, entries in enumerate(tearlines, start=1)]
    blocks: list[Block[T]] = []
    number = 0
    for tearline, entries in groups:
        shown: list[Shown[T]] = []
        for _, item, marking in entries:
            number += 1
            exportable = decide(viewer, marking, on).export
            shown.append(Shown(number, item, marking, exportable))
        banner = banner_for_viewer([s.marking for s in shown], viewer, on)
        blocks.append(Block(tearline, tuple(shown), banner))
    return blocks


def _keep(blocks: Iterable[Block[T]], viewer: Viewer, on: date | None) -> list[Block[T]]:
    """``blocks`` less the portions ``viewer`` may not see, renumbered 1..n; empty blocks go."""
    kept: list[Block[T]] = []
    number = 0
    tearline = 0
    for block in blocks:
        shown: list[Shown[T]] = []
        for portion in block.portions:
            decision = decide(viewer, portion.marking, on)
            if decision.view:
                number += 1
                shown.append(Shown(number, portion.item, portion.marking, decision.export))
        if not shown:
            continue
        if block.is_tearline:
            tearline += 1
        banner = banner_for_viewer([s.marking for s in shown], viewer, on)
        kept.append(Block(tearline if block.is_tearline else None, tuple(shown), banner))
    return kept


def _flatten(blocks: Iterable[Block[T]]) -> list[Shown[T]]:
    return [shown for block in blocks for shown in block.portions]


@dataclass(frozen=True)
class Reading:
    """What one viewer is shown of one product: its blocks and the banner of what they hold."""

    product: Product
    blocks: tuple[Block[Portion], ...]
    banner: Marking

    @property
    def shown(self) -> list[Shown[Portion]]:
        return _flatten(self.blocks)

    @property
    def portions(self) -> list[Portion]:
        return [shown.item for shown in self.shown]


def _markings() -> Callable[[StoredMarking], Marking]:
    """Parse each stored marking once per call site (the text is canonical and immutable)."""
    cache: dict[str, Marking] = {}

    def marking_of(stored: StoredMarking) -> Marking:
        parsed = cache.get(stored.text)
        if parsed is None:
            parsed = cache[stored.text] = stored.marking
        return parsed

    return marking_of


def read_products(
    products: Iterable[Product], viewer: Viewer, *, on: date | None = None
) -> dict[int, Reading]:
    """What ``viewer`` is shown of each product, by product id, in one query for all of them.

    Products must come from a queryset restricted to the same viewer. A product with no portion
    this viewer may see has no reading; such products are left out of every list anyway
    (``with_visible_portions``). An exporting viewer's reading is the page's version of the
    product less what it may not export (``arrange``), so the portions are read as on a page
    and only what ``arrange`` keeps is shown.
    """
    by_id = {product.pk: product for product in products}
    if not by_id:
        return {}
    rows = (
        Portion.objects.visible_to(viewer.for_display(), on=on)
        .filter(product_id__in=list(by_id))
        .select_related("marking")
        .order_by("product_id", "section", "order", "pk")
    )
    marking_of = _markings()
    grouped: dict[int, list[tuple[int, Portion, Marking]]] = {}
    for portion in rows:
        grouped.setdefault(portion.product_id, []).append(
            (portion.section, portion, marking_of(portion.marking))
        )
    readings: dict[int, Reading] = {}
    for pk, items in grouped.items():
        blocks = arrange(items, viewer, on)
        if not blocks:
            continue
        banner = banner_for_viewer([shown.marking for shown in _flatten(blocks)], viewer, on)
        readings[pk] = Reading(by_id[pk], tuple(blocks), banner)
    return readings


def read_product(product: Product, viewer: Viewer, *, on: date | None = None) -> Reading | None:
    return read_products([product], viewer, on=on).get(product.pk)


@dataclass(frozen=True)
class Export:
    """What may leave the system for one viewer: the reading, less what it may only view."""

    product: Product
    blocks: tuple[Block[Portion], ...]
    with_metadata: bool
    banner: Marking

    @property
    def portions(self) -> list[Portion]:
        return [shown.item for shown in _flatten(self.blocks)]


EXPORT_FORMATS = {"txt": "text/plain", "md": "text/markdown"}


def export_product(reading: Reading, viewer: Viewer, *, on: date | None = None) -> Export | None:
    """The export of what ``reading`` showed, keeping only what the viewer may export.

    The same version as the page (its body or tearline), less DISPLAY ONLY (``arrange`` for an
    exporting viewer). The title and tags travel only if their own marking may be exported. The
    banner is the roll-up of every exported portion, and of the title when it travels. None when
    nothing may be exported.
    """
    product = reading.product
    exporter = viewer.for_export()
    kept = read_product(product, exporter, on=on)
    if kept is None:
        return None
    shown = {s.item.pk for s in reading.shown}
    if any(s.item.pk not in shown for s in kept.shown):  # the product changed in between
        return None
    with_metadata = Product.objects.visible_to(exporter, on=on).filter(pk=product.pk).exists()
    markings = [s.marking for s in kept.shown]
    if with_metadata:
        markings.append(product.marking.marking)
    return Export(product, kept.blocks, with_metadata, banner_for_viewer(markings, exporter, on))


def originator_label(product: Product) -> str:
    if product.originator == Originator.PARTNER and product.originator_nation is not None:
        return f"{product.originator_nation.name} (foreign government information)"
    return product.originator_agency or "U.S. agency"


def category_label(value: int) -> str:
    try:
        return Category(value).label
    except ValueError:
        return str(value)


def shown_authority(product: Product, banner: Marking) -> Authority | None:
    """The authority block that goes with a view of ``product`` whose banner is ``banner``.

    A classified view carries the product's block; an unclassified one (a partner's unclassified
    tearline, say) carries none, so that it does not tell its viewer the rest is classified.
    """
    authority = product.authority
    if banner.level <= Level.U or authority.empty:
        return None
    return authority.normalised()


def render_export(export: Export, fmt: str, *, who: str, on: date) -> str:
    """The exported file: banner, title and tags (when they may travel), numbered portions."""
    product = export.product
    banner = export.banner.render("banner")
    md = fmt == "md"
    lines = [f"**{banner}**" if md else banner, ""]
    if export.with_metadata:
        title = f"{product.marking.portion()} {product.title}"
        facts = [
            ("Originator", originator_label(product)),
            ("Category", category_label(product.category)),
            ("Topics", ", ".join(product.topics) or "none"),
            ("Regions", ", ".join(product.regions) or "none"),
        ]
        authority = shown_authority(product, export.banner)
        if authority is not None:  # EO 13526 sec. 1.6: it travels with the banner and title
            facts += authority_lines(authority)
        lines += [f"# {title}" if md else title, ""]
        lines += [f"- {name}: {value}" if md else f"{name}: {value}" for name, value in facts]
    else:
        lines.append(f"# Product {product.pk}" if md else f"Product {product.pk}")
    lines += ["", f"Exported on {on.isoformat()} by {who}.", ""]
    for block in export.blocks:
        if block.is_tearline:
            heading = f"{block.label.upper()}: {block.banner.render('banner')}"
            lines += [f"## {heading}" if md else f"--- {heading} ---", ""]
        for shown in block.portions:
            lines.append(f"{shown.number}. {shown.mark} {shown.item.text}")
            lines.append("")
    lines.append(f"**{banner}**" if md else banner)
    return "\n".join(lines) + "\n"
