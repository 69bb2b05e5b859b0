"""Open planning requests for the working group's queue (``allied.core.queue``).

Read through the viewer's restricted queryset with ``.values()``, so a queue of tens of thousands
of requests stays fast and shows nothing its viewer could not read on the requests page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import CharField, F, Value
from django.db.models.functions import Substr
from django.urls import reverse

from allied.core.queue import QueueItem, Source, source_items
from allied.planning.data import with_visible_plan
from allied.planning.models import PlanningRequest, RequestKind, RequestStatus

KIND_LABELS = dict(RequestKind.choices)


def request_rows(who: Any, on: date) -> Any:
    """Open planning requests ``who`` may see, with the columns the queue ranks by."""
    return _requests(with_visible_plan(PlanningRequest.objects.visible_to(who, on=on), who))


def request_entries(rows: Any) -> Any:
    """Every open request of ``rows`` (unrestricted), for the working group's queue table: a
    request about a plan carries the plan's marking, to be hidden with it."""
    return _requests(rows).annotate(
        q_title=Substr("title", 1, 200),
        q_marking=F("marking_id"),
        q_plan_marking=F("contingency__marking_id"),
    )


def _requests(rows: Any) -> Any:
    return rows.filter(status=RequestStatus.OPEN).annotate(
        q_partner=F("nation_id"),
        q_kind=Value("planning", output_field=CharField()),
        q_opened=F("opened"),
        q_target=F("target"),
        q_flags=Value("", output_field=CharField()),
    )


def request_items(who: Any, on: date, pks: Sequence[Any]) -> dict[Any, QueueItem]:
    rows = with_visible_plan(PlanningRequest.objects.visible_to(who, on=on), who)
    found: dict[Any, QueueItem] = {}
    for row in rows.filter(pk__in=list(pks)).values(
        "pk", "nation_id", "kind", "title", "opened", "target", "marking__text", "contingency_id"
    ):
        blockers = () if row["contingency_id"] or row["kind"] != "join" else ("No plan named.",)
        found[row["pk"]] = QueueItem(
            key=f"planning.planningrequest:{row['pk']}",
            kind="planning",
            partner=row["nation_id"],
            title=f"{KIND_LABELS.get(row['kind'], row['kind'])}: {row['title']}",
            owner="Coalition plans (U.S. planners)",
            opened=row["opened"],
            target=row["target"],
            status="Open",
            blockers=blockers,
            url=reverse("planning:request-detail", kwargs={"pk": row["pk"]}),
            marking=row["marking__text"],
        )
    return found


REQUESTS = Source(
    "planning.requests",
    request_rows,
    request_items,
    model=PlanningRequest,
    entries=request_entries,
    hides_with=("contingency",),
    rank=20,
)


def open_requests(who: Any, on: date) -> list[QueueItem]:
    """Every open planning request ``who`` may see on ``on`` (for small pages and tests)."""
    return source_items(REQUESTS, who, on)
