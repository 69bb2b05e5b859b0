"""Open FMS cases, letters of request and DCS licences as items of the working group's queue.

Read through the viewer's restricted querysets with ``values()``, so 50,000 cases stay fast and
nothing the viewer may not see is yielded: a case's blockers are those releasable to the viewer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.urls import reverse

from allied.arms import access
from allied.arms.models import Blocker
from allied.arms.rules.lifecycle import DCS_OPEN, ORDER, STAGE_INFO, Stage
from allied.core.queue import QueueItem

#: Stages at which a case is still a letter of request (not yet validated into a case).
LOR_STAGES = {Stage.PRE_LOR.value, Stage.LOR_RECEIVED.value}
CLOSED = {Stage.DELIVERED.value, Stage.CLOSED.value}


def _target(row: dict[str, Any]) -> date | None:
    if row["stage"] in LOR_STAGES:
        info = STAGE_INFO[Stage(row["stage"])]
        if info.target_days is not None:
            from datetime import timedelta

            return row["stage_entered"] + timedelta(days=info.target_days)
    if ORDER[Stage(row["stage"])] < ORDER[Stage.LOA_OFFERED]:
        return row["anticipated_offer"]  # type: ignore[no-any-return]
    return None


def open_requests(who: Any, on: date) -> Iterator[QueueItem]:
    """Every open case, LOR and licence ``who`` may see on ``on``."""
    cases = (
        access.cases(who, on)
        .exclude(stage__in=CLOSED)
        .values(
            "pk",
            "identifier",
            "partner_id",
            "title",
            "stage",
            "stage_owner",
            "stage_entered",
            "lor_received",
            "anticipated_offer",
            "group_id",
            "emergency",
            "notification_required",
            "marking__text",
        )
    )
    rows = list(cases)
    blockers: dict[int, list[str]] = defaultdict(list)
    ids = [r["pk"] for r in rows]
    if ids:
        found = (
            access.case_rows(Blocker, who, on)
            .filter(resolved__isnull=True, case_id__in=ids)
            .values_list("case_id", "text")
        )
        for case_id, text in found:
            blockers[case_id].append(text)
    for r in rows:
        is_lor = r["stage"] in LOR_STAGES
        flags = tuple(
            flag
            for flag, on_ in (
                ("coordinated", r["group_id"] is not None),
                ("emergency", r["emergency"]),
                ("congressional_notification", r["notification_required"]),
            )
            if on_
        )
        yield QueueItem(
            key=f"arms.case:{r['pk']}",
            kind="lor" if is_lor else "fms_case",
            partner=r["partner_id"],
            title=f"{r['identifier']} {r['title']}",
            owner=r["stage_owner"] or STAGE_INFO[Stage(r["stage"])].owner,
            opened=r["lor_received"] or r["stage_entered"],
            target=_target(r),
            status=STAGE_INFO[Stage(r["stage"])].label,
            blockers=tuple(blockers.get(r["pk"], ())),
            url=reverse("arms:case-detail", args=[r["pk"]]),
            marking=r["marking__text"],
            flags=flags,
        )
    licences = (
        access.licences(who, on)
        .filter(step__in=[s.value for s in DCS_OPEN])
        .values(
            "pk",
            "reference",
            "partner_id",
            "description",
            "owner",
            "submitted",
            "step",
            "notification_required",
            "marking__text",
        )
    )
    for r in licences:
        yield QueueItem(
            key=f"arms.licence:{r['pk']}",
            kind="dcs_licence",
            partner=r["partner_id"],
            title=f"{r['reference']} {r['description']}",
            owner=r["owner"],
            opened=r["submitted"],
            target=None,
            status=r["step"].replace("_", " ").capitalize(),
            blockers=(),
            url=reverse("arms:licence-detail", args=[r["pk"]]),
            marking=r["marking__text"],
            flags=("congressional_notification",) if r["notification_required"] else (),
        )
