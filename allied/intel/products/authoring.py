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

from django.db import transaction
from django.db.models import F

from allied.core import audit, visibility, vocabulary
from allied.core.models import StoredMarking, system_access
from allied.core.models.marked import MarkedModel, save_visible
from allied.intel.models import Originator, Portion, PortionRevision, Product
from allied.markings import Level, Marking
from allied.markings.access import Viewer, decide
from allied.markings.authority import Authority, check_authority
from allied.markings.rollup import rollup_portions

US = "USA"
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


def check_portion_mark(text: str) -> MarkCheck:
    """Check one portion mark strictly, with the registry's community codes."""
    text = (text or "").strip()
    if not text:
        return MarkCheck(text, None, ("Give the portion mark, e.g. (S//REL TO USA, JPN).",))
    result = vocabulary.check(text)
    if result.form != "portion":
        hint = ""
        if result.marking is not None:
            hint = f"; did you mean {result.marking.render('portion')}?"
        return MarkCheck(
            text,
            None,
            (f"A portion mark goes in parentheses and uses the abbreviations (rule 4){hint}",),
        )
    if not result.valid or result.marking is None:
        problems = [str(p) for p in result.problems]
        if result.canonical:
            problems.append(f"canonical form: {result.canonical}")
        return MarkCheck(text, None, tuple(problems))
    if result.marking.rel_short:
        return MarkCheck(
            text,
            None,
            ("Write the REL TO list out in full: a portion is stored on its own, not against "
             "a banner (rule 10).",),
        )  # fmt: skip
    return MarkCheck(text, result.marking, ())


def check_banner(text: str) -> tuple[Marking | None, tuple[str, ...]]:
    """Check a banner marking (the title and tags): the marking, or every problem."""
    text = (text or "").strip()
    if not text:
        return None, ("Give the marking of the title and tags, e.g. UNCLASSIFIED.",)
    result = vocabulary.check(text)
    if result.form == "portion":
        return None, ("Give the banner form here, without parentheses.",)
    if not result.valid or result.marking is None:
        problems = [str(p) for p in result.problems]
        if result.canonical:
            problems.append(f"canonical form: {result.canonical}")
        return None, tuple(problems)
    return result.marking, ()


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


class StaleEdit(Exception):
    """The product changed since its editor loaded it: nothing was written.

    ``opened`` is the version the edit started from; ``current`` the version stored now (None
    when the product is gone or hidden from the editor) and ``updated`` when it was saved.
    """

    def __init__(self, opened: int, current: int | None, updated: Any = None) -> None:
        self.opened, self.current, self.updated = opened, current, updated
        if current is None:
            now = "it is no longer there for you"
        else:
            now = f"it is now at version {current}"
            if updated is not None:
                now += f", saved {updated:%Y-%m-%d %H:%M} UTC"
        super().__init__(
            f"This product was changed after you opened it (you opened version {opened}; {now}), "
            "so nothing was saved. Open it again to see the current version, then make your "
            "change there."
        )


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
    general: list[str] = []
    per_portion: PortionProblems = {}
    if draft.originator == Originator.PARTNER:
        if not draft.originator_nation:
            general.append("Name the partner nation that originated the product.")
        elif draft.originator_nation == US:
            general.append("A partner is a nation other than the United States.")
    elif draft.originator == Originator.US_AGENCY:
        if not draft.originator_agency.strip():
            general.append("Name the U.S. agency that originated the product.")
    else:
        general.append("Choose the originator: a U.S. agency or a partner nation.")
    if not viewer.is_us and (
        draft.originator != Originator.PARTNER or draft.originator_nation != viewer.nation
    ):
        general.append(
            f"As a {viewer.nation} author you write {viewer.nation} information: choose "
            f"partner {viewer.nation} as the originator."
        )
    metadata, problems = check_banner(draft.marking)
    general += problems
    if metadata is not None:
        unreadable = unreadable_problem(metadata, viewer, "a title")
        if unreadable:
            general.append(unreadable)
    known_ids = set(known)
    places: dict[tuple[int, int], int] = {}
    kept = 0
    for index, portion in enumerate(portions):
        found: list[tuple[str | None, str]] = []
        if portion.pk is not None and portion.pk not in known_ids:
            found.append((None, "This portion is not part of the product."))
        if portion.delete:
            if found:
                per_portion[index] = found
            continue
        kept += 1
        check = check_portion_mark(portion.mark)
        if not check.valid or check.marking is None:
            found += [("mark", problem) for problem in check.problems]
        else:
            if draft.originator == Originator.PARTNER and draft.originator_nation:
                fgi = fgi_problem(check.marking, draft.originator_nation)
                if fgi:
                    found.append(("mark", fgi))
            unreadable = unreadable_problem(check.marking, viewer)
            if unreadable:
                found.append(("mark", unreadable))
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
    written and ``StaleEdit`` is raised. A row its author could not read back raises
    ``NotVisibleAfterWrite`` and nothing is written. Every written row is audited.
    """
    with transaction.atomic():
        # Tell the database who writes before the first insert: on PostgreSQL the policies'
        # WITH CHECK admits only rows this viewer could read.
        visibility.bind_viewer(viewer, date.today())
        if product is None:
            obj = Product(author=author, version=1)
            visible: dict[int, Portion] = {}
            hidden: list[tuple[int, int, str]] = []
        else:
            if expected_version is None:
                raise ValueError("an edit names the version it started from")
            # Compare and bump in one statement: of two edits from the same version, one wins.
            moved = (
                Product.objects.visible_to(viewer)
                .filter(pk=product.pk, version=expected_version)
                .update(version=expected_version + 1)
            )
            if moved != 1:
                now = (
                    Product.objects.visible_to(viewer)
                    .filter(pk=product.pk)
                    .values_list("version", "updated")
                    .first()
                )
                raise StaleEdit(expected_version, *(now or (None, None)))
            obj = product
            obj.version = expected_version + 1
            visible = {p.pk: p for p in Portion.objects.visible_to(viewer).filter(product=obj)}
            hidden = _hidden_portions(obj, visible)
        for draft_portion in portions:
            if draft_portion.pk is not None and draft_portion.pk not in visible:
                raise ValueError("a portion that is not part of the product")
        keep = [p for p in portions if not p.delete]
        stored = {index: StoredMarking.objects.intern(p.mark) for index, p in enumerate(keep)}
        places = _stored_places(keep, list(visible.values()), [(s, o) for s, o, _ in hidden])

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
        everything = [row.marking for row in stored.values()]
        everything += [vocabulary.parse(text) for _, _, text in hidden]
        obj.banner = StoredMarking.objects.intern(rollup_portions(everything))  # P8
        _write(obj, viewer, author, version=obj.version)

        for draft_portion in portions:
            if draft_portion.delete and draft_portion.pk is not None:
                gone = visible.pop(draft_portion.pk)
                audit.record("delete", actor=author, obj=gone, detail={"product": obj.pk})
                gone.delete()
        # Portions that change place wait out of the way first, so that two can swap places.
        moving = [
            p.pk
            for index, p in enumerate(keep)
            if p.pk is not None and (visible[p.pk].section, visible[p.pk].order) != places[index]
        ]
        if moving:
            Portion.objects.visible_to(viewer).filter(pk__in=moving).update(
                order=F("order") + PARKING_OFFSET
            )
        for index, draft_portion in enumerate(keep):
            section, order = places[index]
            marking = stored[index]
            if draft_portion.pk is None:
                row = Portion(product=obj, section=section, order=order)
            else:
                row = visible[draft_portion.pk]
                if row.text != draft_portion.text or row.marking_id != marking.pk:
                    revision = PortionRevision(
                        portion=row,
                        version=row.version,
                        text=row.text,
                        marking_id=row.marking_id,
                        changed_by=author,
                        reason=reason.strip() or "Edited.",
                    )
                    _write(revision, viewer, author, product=obj.pk)
                    row.version += 1
                row.section, row.order = section, order
            row.text = draft_portion.text
            row.marking = marking
            _write(row, viewer, author, product=obj.pk)
    return obj
