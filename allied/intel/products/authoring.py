"""How an intelligence product is written: marks checked as typed, drafts validated, saved.

* ``check_portion_mark`` and ``check_banner`` check the marks an author types;
  ``authority_problems`` checks the classification authority block of a draft (EO 13526;
  ``allied.markings.authority``).
* ``save_product`` writes a product and its portions in one transaction. Each row is re-read by
  its author (``write_visible``) and audited. The banner is rolled up from every portion (P8). The
  version is compared and bumped (optimistic concurrency). Changed portions are kept as revisions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from allied.core import audit, visibility, vocabulary
from allied.core.access import Access
from allied.core.edit import StaleVersion, claim_version
from allied.core.models import Role, StoredMarking, system_access
from allied.core.models.marked import MarkedModel, save_visible
from allied.intel.models import Originator, Portion, PortionRevision, Product
from allied.markings import Level, Marking
from allied.markings.access import Viewer, decide
from allied.markings.authority import Authority, check_authority
from allied.markings.rollup import rollup_portions

US = "USA"
#: Who writes products (pages and API alike); the reason is the 403's words.
AUTHORS = Access(
    allows=lambda principal: principal.has_role(Role.AUTHOR),
    reason="Writing intelligence products needs the author role.",
)
MAX_TAGS = 12
MAX_TAG_LENGTH = 60
# Where portions that change place wait while the others move: far above any real order.
PARKING_OFFSET = 1_000_000


@dataclass(frozen=True)
class MarkCheck:
    """A typed portion mark: its canonical form when valid, else every problem (rule and fix)."""

    text: str
    marking: Marking | None
    problems: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return self.marking is not None and not self.problems

    @property
    def canonical(self) -> str | None:
        return None if self.marking is None else self.marking.render("portion")


#: A portion is stored on its own, so its REL TO list cannot lean on a banner's (rule 10).
REL_TO_IN_FULL = (
    "Write the REL TO list out in full: a portion is stored on its own, not against a banner "
    "(rule 10)."
)


def check_portion_mark(text: str) -> MarkCheck:
    """Check one portion mark strictly, with the registry's community codes
    (``vocabulary.explain``), then the rule of a stored portion: its REL TO list in full."""
    explained = vocabulary.explain(
        text, form="portion", empty="Give the portion mark, e.g. (S//REL TO USA, JPN)."
    )
    if explained.marking is not None and explained.marking.rel_short:
        return MarkCheck(explained.text, None, (REL_TO_IN_FULL,))
    return MarkCheck(explained.text, explained.marking, explained.problems)


def canonical_portion_mark(text: str) -> str:
    """The portion mark ``text`` as stored (its canonical form), or a ``ValidationError`` with
    every problem: the one clean of the product form's mark and the API's ``portion_mark``."""
    check = check_portion_mark(text)
    if not check.valid or check.canonical is None:
        raise ValidationError(list(check.problems))
    return check.canonical


def check_banner(text: str) -> tuple[Marking | None, tuple[str, ...]]:
    """Check a banner marking (the title and tags): the marking, or every problem."""
    explained = vocabulary.explain(
        text, empty="Give the marking of the title and tags, e.g. UNCLASSIFIED."
    )
    return explained.marking, explained.problems


def fgi_problem(marking: Marking, nation: str) -> str | None:
    """Why a portion of a product originated by ``nation`` is not marked as its information.

    Partner-originated content is foreign government information: the portion is marked as the
    partner's (``(//JPN S//REL TO USA, JPN)``) or carries ``FGI JPN`` (rules 12, 20).
    """
    if marking.is_foreign and nation in marking.owners:
        return None
    if marking.fgi and nation in marking.fgi:
        return None
    suggestion = f"(//{nation} S//REL TO USA, {nation})"
    if not marking.is_foreign and marking.level > Level.U:
        candidate = dataclasses.replace(marking, kind="fgi", owners=(nation,), fgi=None)
        rendered = candidate.render("portion")
        if vocabulary.check(rendered).valid:
            suggestion = rendered
    return (
        f"This product is {nation} information: mark each portion as {nation}'s, e.g. "
        f"{suggestion}, or add FGI {nation} (rule 12)."
    )


def unreadable_problem(marking: Marking, viewer: Viewer, what: str = "a portion") -> str | None:
    """Why the author could not read back ``marking`` (nobody writes what they could not read)."""
    decision = decide(viewer, marking)
    if decision.view:
        return None
    return (
        f"You could not read {what} marked {marking.render('portion')} ({decision.reason}), "
        "so you cannot write one."
    )


def split_tags(text: str) -> list[str]:
    """Comma-separated tags, trimmed, without duplicates, in the order given."""
    tags: list[str] = []
    for raw in (text or "").split(","):
        tag = " ".join(raw.split())
        if tag and tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(tag)
    return tags


def tag_problems(tags: Sequence[str], what: str) -> list[str]:
    problems = []
    if len(tags) > MAX_TAGS:
        problems.append(f"At most {MAX_TAGS} {what}.")
    if any(len(tag) > MAX_TAG_LENGTH for tag in tags):
        problems.append(f"Each of the {what} is at most {MAX_TAG_LENGTH} characters.")
    return problems


@dataclass(frozen=True)
class TypedMark:
    """One portion row of the authoring form, as typed: never a stored row."""

    row: int  # 1..n, as the form numbers its rows
    section: int
    order: int
    check: MarkCheck

    @property
    def label(self) -> str:
        return f"Portion {self.row}"

    @property
    def marking(self) -> Marking | None:
        return self.check.marking if self.check.valid else None


def _int(value: Any, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def typed_marks(data: Mapping[str, Any], prefix: str = "portions") -> list[TypedMark]:
    """The portion rows of a submitted authoring form (rows marked for deletion left out)."""
    total = max(0, min(_int(data.get(f"{prefix}-TOTAL_FORMS"), 0), 500))
    marks: list[TypedMark] = []
    for index in range(total):
        key = f"{prefix}-{index}-"
        text = str(data.get(key + "mark", "") or "").strip()
        if not text or data.get(key + "DELETE") in ("on", "true", "True", "1"):
            continue
        marks.append(
            TypedMark(
                row=index + 1,
                section=max(0, _int(data.get(key + "section"), 0)),
                order=_int(data.get(key + "order"), index + 1),
                check=check_portion_mark(text),
            )
        )
    return marks


@dataclass(frozen=True)
class ProductDraft:
    title: str
    originator: str
    originator_agency: str
    originator_nation: str | None
    category: int
    topics: list[str]
    regions: list[str]
    marking: str
    authority: Authority = dataclasses.field(default_factory=Authority)


@dataclass(frozen=True)
class PortionDraft:
    """One portion as the author gives it. ``section`` and ``order`` are as the author sees them
    (``display_places``); ``pk`` names an existing portion the author may see."""

    section: int
    order: int
    mark: str
    text: str
    pk: int | None = None
    delete: bool = False


PortionProblems = dict[int, list[tuple[str | None, str]]]


def validate_draft(
    draft: ProductDraft,
    portions: Sequence[PortionDraft],
    viewer: Viewer,
    *,
    known: Iterable[int] = (),
) -> tuple[list[str], PortionProblems]:
    """Problems across fields: (about the product, about each portion by its index as
    (field or None, message)).

    Each portion mark must already be a valid portion mark. Checks: the originator, FGI for a
    partner-originated product, that the author could read back everything written, one place
    per portion and at least one portion.
    """
    general = _originator_problems(draft, viewer)
    metadata, problems = check_banner(draft.marking)
    general += problems
    if metadata is not None:
        unreadable = unreadable_problem(metadata, viewer, "a title")
        if unreadable:
            general.append(unreadable)
    known_ids = set(known)
    places: dict[tuple[int, int], int] = {}
    per_portion: PortionProblems = {}
    kept = 0
    for index, portion in enumerate(portions):
        found: list[tuple[str | None, str]] = []
        if portion.pk is not None and portion.pk not in known_ids:
            found.append((None, "This portion is not part of the product."))
        if not portion.delete:
            kept += 1
            found += _mark_problems(draft, portion, viewer)
            place = (portion.section, portion.order)
            if place in places:
                found.append(
                    ("order", f"Another portion already has section {place[0]}, order {place[1]}.")
                )
            else:
                places[place] = index
        if found:
            per_portion[index] = found
    if kept == 0:
        general.append("A product needs at least one portion.")
    return general, per_portion


def _originator_problems(draft: ProductDraft, viewer: Viewer) -> list[str]:
    """What is wrong with the draft's originator, for an author reading as ``viewer``."""
    problems: list[str] = []
    if draft.originator == Originator.PARTNER:
        if not draft.originator_nation:
            problems.append("Name the partner nation that originated the product.")
        elif draft.originator_nation == US:
            problems.append("A partner is a nation other than the United States.")
    elif draft.originator == Originator.US_AGENCY:
        if not draft.originator_agency.strip():
            problems.append("Name the U.S. agency that originated the product.")
    else:
        problems.append("Choose the originator: a U.S. agency or a partner nation.")
    if not viewer.is_us and (
        draft.originator != Originator.PARTNER or draft.originator_nation != viewer.nation
    ):
        problems.append(
            f"As a {viewer.nation} author you write {viewer.nation} information: choose "
            f"partner {viewer.nation} as the originator."
        )
    return problems


def _mark_problems(
    draft: ProductDraft, portion: PortionDraft, viewer: Viewer
) -> list[tuple[str, str]]:
    """What is wrong with a kept portion's mark: as a mark, as the originator's information
    (FGI), and as something its author could read back."""
    check = check_portion_mark(portion.mark)
    if not check.valid or check.marking is None:
        return [("mark", problem) for problem in check.problems]
    found: list[tuple[str, str]] = []
    if draft.originator == Originator.PARTNER and draft.originator_nation:
        fgi = fgi_problem(check.marking, draft.originator_nation)
        if fgi:
            found.append(("mark", fgi))
    unreadable = unreadable_problem(check.marking, viewer)
    if unreadable:
        found.append(("mark", unreadable))
    return found


def authority_problems(
    draft: ProductDraft, portions: Sequence[PortionDraft], *, decided_on: date | None = None
) -> dict[str, list[str]]:
    """Problems of the draft's classification authority block, by field (EO 13526, rule 32).

    The product is classified when its title's marking or any kept portion is: then the block
    is required; an unclassified product carries none. ``decided_on`` is the day the product
    was first written (today for a new one): the 25 years run from it.
    """
    levels = [Level.U]
    metadata, _ = check_banner(draft.marking)
    if metadata is not None:
        levels.append(metadata.level)
    for portion in portions:
        check = check_portion_mark(portion.mark) if not portion.delete else None
        if check is not None and check.marking is not None:
            levels.append(check.marking.level)
    today = date.today()
    return check_authority(
        draft.authority, max(levels), decided_on=decided_on or today, today=today
    )


def display_places(portions: Sequence[Portion]) -> dict[int, tuple[int, int]]:
    """(section, order) of each portion as its author sees them: sections 0, 1..k and orders
    1..n among the portions given, so that nothing the author may not see leaves a gap."""
    tearlines = sorted({p.section for p in portions if p.section > 0})
    display_section = {section: number for number, section in enumerate(tearlines, start=1)}
    places: dict[int, tuple[int, int]] = {}
    counters: dict[int, int] = {}
    for portion in sorted(portions, key=lambda p: (p.section, p.order, p.pk)):
        section = display_section.get(portion.section, 0)
        counters[section] = counters.get(section, 0) + 1
        places[portion.pk] = (section, counters[section])
    return places


def _stored_places(
    drafts: Sequence[PortionDraft],
    visible: Sequence[Portion],
    hidden: Sequence[tuple[int, int]],
) -> list[tuple[int, int]]:
    """Where each kept draft is stored: the author's sections mapped back onto the stored ones,
    and orders 1, 2, ... that step over the places of portions the author may not see."""
    tearlines = sorted({p.section for p in visible if p.section > 0})
    top = max([0, *(p.section for p in visible), *(section for section, _ in hidden)])

    def stored_section(shown: int) -> int:
        if shown <= 0:
            return 0
        if shown <= len(tearlines):
            return tearlines[shown - 1]
        return top + shown - len(tearlines)

    taken: dict[int, set[int]] = {}
    for section, order in hidden:
        taken.setdefault(section, set()).add(order)
    by_section: dict[int, list[int]] = {}
    for index, draft in enumerate(drafts):
        by_section.setdefault(stored_section(draft.section), []).append(index)
    places: list[tuple[int, int]] = [(0, 0)] * len(drafts)
    for section, indexes in by_section.items():
        indexes.sort(key=lambda i: (drafts[i].order, i))
        order = 0
        for index in indexes:
            order += 1
            while order in taken.get(section, set()):
                order += 1
            places[index] = (section, order)
    return places


def _write(obj: MarkedModel, viewer: Viewer, author: Any, **detail: Any) -> None:
    """Save for ``viewer`` (re-read in the same transaction, refused if invisible) and audit."""
    created = obj.pk is None
    save_visible(obj, viewer)
    audit.record("write", actor=author, obj=obj, detail={"created": created, **detail})


def _hidden_portions(product: Product, visible: Iterable[int]) -> list[tuple[int, int, str]]:
    """Place and marking of the product's portions the editor may not see.

    Read only to roll up the banner from every portion (P8) and to keep those portions where
    they are; none of it is shown to the editor.
    """
    with system_access("intel products: roll up every portion and keep hidden portions' places"):
        return list(
            Portion.objects.filter(product_id=product.pk)
            .exclude(pk__in=list(visible))
            .values_list("section", "order", "marking__text")
        )


def _claim(rows: Any, pk: int, opened: int) -> int:
    """Compare and bump the product's version in one statement: of two edits from the same
    version, one wins; the other is told when the version it lost to was saved."""
    try:
        return claim_version(rows, pk, opened, what="product")
    except StaleVersion as stale:
        updated = rows.filter(pk=pk).values_list("updated", flat=True).first()
        raise StaleVersion("product", opened, stale.current, updated=updated) from stale


def save_product(
    draft: ProductDraft,
    portions: Sequence[PortionDraft],
    *,
    author: Any,
    viewer: Viewer,
    product: Product | None = None,
    expected_version: int | None = None,
    reason: str = "",
) -> Product:
    """Create (``product=None``) or edit a product and its portions in one transaction.

    An edit names the version it started from; when the product has moved on since, nothing is
    written and ``StaleVersion`` is raised (409). A row its author could not read back raises
    ``NotVisibleAfterWrite`` and nothing is written. Every written row is audited.
    """
    with transaction.atomic():
        # Tell the database who writes before the first insert: on PostgreSQL the policies'
        # WITH CHECK admits only rows this viewer could read.
        visibility.bind_viewer(viewer, date.today())
        obj, visible, hidden = _opened(product, expected_version, author=author, viewer=viewer)
        for draft_portion in portions:
            if draft_portion.pk is not None and draft_portion.pk not in visible:
                raise ValueError("a portion that is not part of the product")
        keep = [p for p in portions if not p.delete]
        stored = [StoredMarking.objects.intern(p.mark) for p in keep]
        places = _stored_places(keep, list(visible.values()), [(s, o) for s, o, _ in hidden])
        _fill_product(obj, draft, hidden)
        everything = [row.marking for row in stored]
        everything += [vocabulary.parse(text) for _, _, text in hidden]
        obj.banner = StoredMarking.objects.intern(rollup_portions(everything))  # P8
        _write(obj, viewer, author, version=obj.version)
        for draft_portion in portions:
            if draft_portion.delete and draft_portion.pk is not None:
                gone = visible.pop(draft_portion.pk)
                audit.record("delete", actor=author, obj=gone, detail={"product": obj.pk})
                gone.delete()
        _park_moving(keep, visible, places, viewer)
        for index, draft_portion in enumerate(keep):
            row = _portion_row(obj, draft_portion, visible, places[index])
            if row.pk is not None and (
                row.text != draft_portion.text or row.marking_id != stored[index].pk
            ):
                _keep_revision(row, viewer, author, product=obj, reason=reason)
            row.text = draft_portion.text
            row.marking = stored[index]
            _write(row, viewer, author, product=obj.pk)
    return obj


Hidden = list[tuple[int, int, str]]


def _opened(
    product: Product | None, expected_version: int | None, *, author: Any, viewer: Viewer
) -> tuple[Product, dict[int, Portion], Hidden]:
    """The product to write (a new one, or ``product`` moved to its next version), the portions
    of it its editor may see, by id, and the place and marking of those it may not."""
    if product is None:
        return Product(author=author, version=1), {}, []
    if expected_version is None:
        raise ValueError("an edit names the version it started from")
    product.version = _claim(Product.objects.visible_to(viewer), product.pk, expected_version)
    visible = {p.pk: p for p in Portion.objects.visible_to(viewer).filter(product=product)}
    return product, visible, _hidden_portions(product, visible)


def _fill_product(obj: Product, draft: ProductDraft, hidden: Hidden) -> None:
    """Set the product's fields from ``draft``; its classification authority block stays as it
    was when the editor was not given it but portions it may not see keep the product
    classified."""
    obj.title = draft.title
    obj.originator = draft.originator
    obj.originator_agency = (
        draft.originator_agency if draft.originator == Originator.US_AGENCY else ""
    )
    obj.originator_nation_id = (
        draft.originator_nation if draft.originator == Originator.PARTNER else None
    )
    obj.category = draft.category
    obj.topics = list(draft.topics)
    obj.regions = list(draft.regions)
    obj.set_marking(draft.marking)
    authority = draft.authority.normalised()
    if authority.empty and hidden:
        # The editor was not given the block (all it may see is unclassified), but portions
        # it may not see keep the product classified: their block stays as it was.
        authority = obj.authority
    obj.classified_by = authority.classified_by
    obj.derived_from = authority.derived_from
    obj.classification_reason = authority.classification_reason
    obj.declassify_on = authority.declassify_on
    obj.declassify_event = authority.declassify_event
    obj.declass_exemption = authority.declass_exemption


def _park_moving(
    keep: Sequence[PortionDraft],
    visible: Mapping[int, Portion],
    places: Sequence[tuple[int, int]],
    viewer: Viewer,
) -> None:
    """Portions that change place wait out of the way first, so that two can swap places."""
    moving = [
        p.pk
        for index, p in enumerate(keep)
        if p.pk is not None and (visible[p.pk].section, visible[p.pk].order) != places[index]
    ]
    if moving:
        Portion.objects.visible_to(viewer).filter(pk__in=moving).update(
            order=F("order") + PARKING_OFFSET
        )


def _portion_row(
    product: Product,
    draft: PortionDraft,
    visible: Mapping[int, Portion],
    place: tuple[int, int],
) -> Portion:
    """The row a kept draft writes (a new portion, or the one it edits), at its stored place."""
    section, order = place
    if draft.pk is None:
        return Portion(product=product, section=section, order=order)
    row = visible[draft.pk]
    row.section, row.order = section, order
    return row


def _keep_revision(
    row: Portion, viewer: Viewer, author: Any, *, product: Product, reason: str
) -> None:
    """Keep the portion's text and marking as they stand as a revision; the portion moves to
    its next version."""
    revision = PortionRevision(
        portion=row,
        version=row.version,
        text=row.text,
        marking_id=row.marking_id,
        changed_by=author,
        reason=reason.strip() or "Edited.",
    )
    _write(revision, viewer, author, product=product.pk)
    row.version += 1
