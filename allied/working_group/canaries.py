"""Canary rows of the working group's models, for the leak tests (``allied.core.testing.leaks``).

Each row is about the partner its marking releases it to (Japan when it releases to none), so that
each partner's status page and the queue are crawled with rows that partner may, and may not, see.
The canary string sits in every field a page, feed or brief could show.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model

from allied.core.models import Nation, StoredMarking
from allied.core.testing.leaks import canary_factory
from allied.working_group.models import (
    FreeformRequest,
    GuidanceStatement,
    PartnerPriority,
    QueueEntry,
)


def _author() -> object:
    user, _ = get_user_model().objects.get_or_create(username="canary.author")
    return user


def _partner(marking: StoredMarking) -> Nation:
    codes = [c for c in (*marking.marking.rel_to, *marking.marking.display_to) if c != "USA"]
    iso3 = next((c for c in codes if Nation.objects.filter(iso3=c).exists()), "JPN")
    nation, _ = Nation.objects.get_or_create(iso3=iso3, defaults={"name": iso3, "source": "-"})
    return nation


@canary_factory(FreeformRequest)
def freeform(marking: StoredMarking, text: str) -> FreeformRequest:
    obj = FreeformRequest(
        partner=_partner(marking),
        kind="training",
        title=f"Request {text}",
        description=f"Description {text}",
        owner=f"Owner {text}",
        opened=datetime.date(2026, 1, 5),
        blockers=f"Blocker {text}",
        flags=",strategic,",
        created_by=_author(),
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(GuidanceStatement)
def statement(marking: StoredMarking, text: str) -> GuidanceStatement:
    partner = _partner(marking)
    # Two statements that conflict, so the conflicts page and the brief show the canary too.
    for body, position in (("state", "supports"), ("indopacom", "opposes")):
        obj = GuidanceStatement(
            partner=partner,
            body=body,
            speaker=f"Speaker {text}",
            topic=f"Topic {text}",
            position=position,
            summary=f"Summary {text}",
            said_on=datetime.date.today() - datetime.timedelta(days=10),
            commitment_due=datetime.date(2026, 1, 1),
            recorded_by=_author(),
            marking=marking,
        )
        obj.save()
    return obj


@canary_factory(PartnerPriority)
def priority(marking: StoredMarking, text: str) -> PartnerPriority:
    obj = PartnerPriority(
        nation=_partner(marking),
        weight=2,
        effective_from=datetime.date(2026, 1, 1),
        reason=f"Priority {text}",
        set_by=_author(),
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(QueueEntry)
def queue_entry(marking: StoredMarking, text: str) -> QueueEntry:
    """The queue row the request's save keeps, with the canary in its title too."""
    request = freeform(marking, text)
    entry = QueueEntry.objects.get(source="working_group.freeform", source_id=request.pk)
    entry.title = f"Queue {text}"[:200]
    entry.save(update_fields=["title"])
    return entry
