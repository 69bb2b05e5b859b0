"""Open planning requests for the working group's queue (``allied.core.queue``).

Read through the viewer's restricted queryset with ``.values()``, so a queue of tens of thousands
of requests stays fast and shows nothing its viewer could not read on the requests page.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.urls import reverse

from allied.core.queue import QueueItem
from allied.planning.data import with_visible_plan
from allied.planning.models import PlanningRequest, RequestKind, RequestStatus

KIND_LABELS = dict(RequestKind.choices)


def open_requests(who: Any, on: date) -> Iterator[QueueItem]:
    rows = with_visible_plan(PlanningRequest.objects.visible_to(who, on=on), who)
    url = reverse("planning:request-list")
    for row in rows.filter(status=RequestStatus.OPEN).values(
        "pk", "nation_id", "kind", "title", "opened", "target", "marking__text", "contingency_id"
    ):
        blockers = () if row["contingency_id"] or row["kind"] != "join" else ("No plan named.",)
        yield QueueItem(
            key=f"planning.request:{row['pk']}",
            kind="planning",
            partner=row["nation_id"],
            title=f"{KIND_LABELS.get(row['kind'], row['kind'])}: {row['title']}",
            owner="Coalition plans (U.S. planners)",
            opened=row["opened"],
            target=row["target"],
            status="open",
            blockers=blockers,
            url=url,
            marking=row["marking__text"],
        )
