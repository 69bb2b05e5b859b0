"""Canary rows of the arms-sales models, for the leak tests (``allied.core.testing.leaks``).

Each canary row's parents carry the same marking, so the row is visible exactly to those who may
see its marking (and, for a partner, only when the case is its nation's: the canary cases are
Japan's, so the Japanese liaison finds the ones released to Japan). The canary string sits in
every text field a page, chart, export or queue item could show.
"""

from __future__ import annotations

import datetime
import itertools

from allied.arms.models import (
    Blocker,
    Case,
    CoordinationGroup,
    HistoryEntry,
    Item,
    Licence,
    Review,
    StageRecord,
    StageStat,
)
from allied.core.models import Nation, StoredMarking
from allied.core.testing.leaks import canary_factory

_SERIAL = itertools.count(1)
DAY = datetime.date(2026, 1, 5)


def _nation(iso3: str = "JPN") -> Nation:
    nation, _ = Nation.objects.get_or_create(iso3=iso3, defaults={"name": iso3, "source": "-"})
    return nation


def _group(marking: StoredMarking, text: str) -> CoordinationGroup:
    obj = CoordinationGroup(
        name=f"Group {text}",
        capability=f"Capability {text}",
        description=f"About {text}",
        marking=marking,
    )
    obj.save()
    return obj


def _case(marking: StoredMarking, text: str, *, group: bool = True) -> Case:
    obj = Case(
        identifier=f"JA-C{next(_SERIAL):05d}"[:20],
        partner=_nation(),
        title=f"Case {text}",
        capability=f"Capability {text}",
        implementing_agency=f"Agency {text}"[:40],
        stage="reviews",
        stage_entered=DAY,
        stage_owner=f"Owner {text}"[:80],
        lor_received=DAY - datetime.timedelta(days=20),
        lor_reference=f"Ref {text}"[:60],
        anticipated_offer=DAY + datetime.timedelta(days=100),
        mde_value=30_000_000,
        total_value=60_000_000,
        sensitivity=[f"flag-{text}"],
        group=_group(marking, f"of case {text}") if group else None,
        marking=marking,
    )
    obj.save()
    StageRecord(
        case=obj,
        stage="lor_received",
        entered=obj.lor_received,
        completed=DAY,
        days=20,
        owner="Implementing agency",
        marking=marking,
    ).save()
    StageRecord(case=obj, stage="reviews", entered=DAY, owner="TSFDO", marking=marking).save()
    return obj


@canary_factory(CoordinationGroup)
def group(marking: StoredMarking, text: str) -> CoordinationGroup:
    obj = _group(marking, text)
    member = _case(marking, f"in group {text}", group=False)
    member.group = obj
    member.save()
    return obj


@canary_factory(Case)
def case(marking: StoredMarking, text: str) -> Case:
    return _case(marking, text)


def _public_case(text: str) -> Case:
    """A case releasable to Japan whose rows carry the canary: only the row is withheld."""
    public = StoredMarking.objects.intern("UNCLASSIFIED")
    return _case(public, f"with a withheld row {text[:6]}", group=False)


@canary_factory(StageRecord)
def stage_record(marking: StoredMarking, text: str) -> StageRecord:
    parent = _case(marking, f"of stage {text}", group=False)
    obj = StageRecord(
        case=parent,
        stage="lor_validated",
        entered=DAY,
        completed=DAY,
        days=0,
        owner=f"Owner {text}",
        note=f"Stage {text}",
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(Review)
def review(marking: StoredMarking, text: str) -> Review:
    parent = _public_case(text)
    obj = Review(
        case=parent,
        review_type="tsfd",
        owner=f"Owner {text}",
        started=DAY,
        note=f"Review {text}",
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(Blocker)
def blocker(marking: StoredMarking, text: str) -> Blocker:
    parent = _public_case(text)
    other = _case(marking, f"waited on by {text}", group=False)
    obj = Blocker(
        case=parent,
        text=f"Blocker {text}",
        owner=f"Owner {text}",
        opened=DAY,
        waits_on=other,
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(Item)
def item(marking: StoredMarking, text: str) -> Item:
    parent = _public_case(text)
    obj = Item(
        case=parent,
        description=f"Item {text}",
        quantity=2,
        mde=True,
        usml_category="IV",
        value=1_000_000,
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(HistoryEntry)
def history(marking: StoredMarking, text: str) -> HistoryEntry:
    parent = _public_case(text)
    obj = HistoryEntry(
        case=parent,
        at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
        text=f"History {text}",
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(Licence)
def licence(marking: StoredMarking, text: str) -> Licence:
    obj = Licence(
        reference=f"DCS-C{next(_SERIAL):06d}",
        partner=_nation(),
        applicant=f"Applicant {text}",
        description=f"Licence {text}",
        usml_category="XI",
        mde_value=0,
        total_value=20_000_000,
        step="staffing",
        submitted=DAY,
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(StageStat)
def stage_stat(marking: StoredMarking, text: str) -> StageStat:
    obj = StageStat(
        marking=marking,
        case_marking=marking,
        partner=_nation(),
        kind="stage",
        key="reviews",
        owner=f"Owner {text}",
        total_days=40,
        count=2,
        late=1,
    )
    obj.save()
    review = StageStat(
        marking=marking,
        case_marking=marking,
        partner=_nation(),
        kind="review",
        key="tsfd",
        owner=f"Reviewer {text}",
        total_days=30,
        count=1,
    )
    review.save()
    return obj
