"""Open FMS cases, letters of request and DCS licences as items of the working group's queue.

Read through the viewer's restricted querysets with ``values()``, so 50,000 cases stay fast and
nothing the viewer may not see is yielded: a case's blockers are those releasable to the viewer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, CharField, DateField, ExpressionWrapper, F, Value, When
from django.db.models.functions import Coalesce, Concat, Substr
from django.urls import reverse

from allied.arms import access
from allied.arms import models as arms_models
from allied.arms.models import Blocker
from allied.arms.rules.lifecycle import DCS_OPEN, ORDER, STAGE_INFO, Stage
from allied.core.queue import QueueItem, Source, source_items

#: Stages at which a case is still a letter of request (not yet validated into a case).
LOR_STAGES = {Stage.PRE_LOR.value, Stage.LOR_RECEIVED.value}
CLOSED = {Stage.DELIVERED.value, Stage.CLOSED.value}
#: Stages before the LOA is offered: the case's target is its anticipated offer date.
PRE_OFFER = [s.value for s in Stage if ORDER[s] < ORDER[Stage.LOA_OFFERED]]
#: Stages after the partner accepted the LOA: the case is in delivery, a different kind of
#: request ("fms_delivery"), aged from the day it entered its current stage.
DELIVERY = [s.value for s in Stage if ORDER[Stage.ACCEPTED] <= ORDER[s] < ORDER[Stage.DELIVERED]]


def _kind(stage: str) -> str:
    if stage in LOR_STAGES:
        return "lor"
    return "fms_delivery" if stage in DELIVERY else "fms_case"


def _opened(row: dict[str, Any]) -> date:
    if row["stage"] in DELIVERY:
        return row["stage_entered"]
    return row["lor_received"] or row["stage_entered"]


def _target(row: dict[str, Any]) -> date | None:
    if row["stage"] in LOR_STAGES:
        info = STAGE_INFO[Stage(row["stage"])]
        if info.target_days is not None:
            return row["stage_entered"] + timedelta(days=info.target_days)
    if ORDER[Stage(row["stage"])] < ORDER[Stage.LOA_OFFERED]:
        return row["anticipated_offer"]
    return None


def case_rows(who: Any, on: date) -> Any:
    """Open cases and LORs ``who`` may see, with the columns the queue ranks by."""
    return _cases(access.cases(who, on))


def case_entries(rows: Any) -> Any:
    """Every open case and LOR of ``rows`` (unrestricted), for the working group's queue table."""
    return _cases(rows).annotate(
        q_title=Substr(Concat(F("identifier"), Value(" "), F("title")), 1, 200),
        q_marking=F("marking_id"),
    )


def _cases(rows: Any) -> Any:
    lor_target = STAGE_INFO[Stage.LOR_RECEIVED].target_days
    return rows.exclude(stage__in=CLOSED).annotate(
        q_partner=F("partner_id"),
        q_kind=Case(
            When(stage__in=LOR_STAGES, then=Value("lor")),
            When(stage__in=DELIVERY, then=Value("fms_delivery")),
            default=Value("fms_case"),
            output_field=CharField(),
        ),
        q_opened=Case(
            When(stage__in=DELIVERY, then=F("stage_entered")),
            default=Coalesce(F("lor_received"), F("stage_entered")),
            output_field=DateField(),
        ),
        q_target=Case(
            When(
                stage=Stage.LOR_RECEIVED.value,
                then=ExpressionWrapper(
                    F("stage_entered") + Value(timedelta(days=lor_target or 0)),
                    output_field=DateField(),
                ),
            ),
            When(stage__in=PRE_OFFER, then=F("anticipated_offer")),
            default=Value(None),
            output_field=DateField(),
        ),
        q_flags=Concat(
            Value(","),
            Case(When(group__isnull=False, then=Value("coordinated,")), default=Value("")),
            Case(When(emergency=True, then=Value("emergency,")), default=Value("")),
            output_field=CharField(),
        ),
    )


def case_items(who: Any, on: date, pks: Sequence[Any]) -> dict[Any, QueueItem]:
    """The queue items of the cases ``pks`` that ``who`` may see."""
    cases = (
        access.cases(who, on)
        .filter(pk__in=list(pks))
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
    found: dict[Any, QueueItem] = {}
    for r in rows:
        flags = tuple(
            flag
            for flag, on_ in (
                ("coordinated", r["group_id"] is not None),
                ("emergency", r["emergency"]),
                ("congressional_notification", r["notification_required"]),
            )
            if on_
        )
        found[r["pk"]] = QueueItem(
            key=f"arms.case:{r['pk']}",
            kind=_kind(r["stage"]),
            partner=r["partner_id"],
            title=f"{r['identifier']} {r['title']}",
            owner=r["stage_owner"] or STAGE_INFO[Stage(r["stage"])].owner,
            opened=_opened(r),
            target=_target(r),
            status=STAGE_INFO[Stage(r["stage"])].label,
            blockers=tuple(blockers.get(r["pk"], ())),
            url=reverse("arms:case-detail", args=[r["pk"]]),
            marking=r["marking__text"],
            flags=flags,
        )
    return found


def licence_rows(who: Any, on: date) -> Any:
    """Open DCS licences ``who`` may see, with the columns the queue ranks by."""
    return _licences(access.licences(who, on))


def licence_entries(rows: Any) -> Any:
    """Every open licence of ``rows`` (unrestricted), for the working group's queue table."""
    return _licences(rows).annotate(
        q_title=Substr(Concat(F("reference"), Value(" "), F("description")), 1, 200),
        q_marking=F("marking_id"),
    )


def _licences(rows: Any) -> Any:
    return rows.filter(step__in=[s.value for s in DCS_OPEN]).annotate(
        q_partner=F("partner_id"),
        q_kind=Value("dcs_licence", output_field=CharField()),
        q_opened=F("submitted"),
        q_target=Value(None, output_field=DateField()),
        q_flags=Value("", output_field=CharField()),
    )


def licence_items(who: Any, on: date, pks: Sequence[Any]) -> dict[Any, QueueItem]:
    """The queue items of the licences ``pks`` that ``who`` may see."""
    licences = (
        access.licences(who, on)
        .filter(pk__in=list(pks))
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
    found: dict[Any, QueueItem] = {}
    for r in licences:
        found[r["pk"]] = QueueItem(
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
    return found


CASES = Source(
    "arms.cases",
    case_rows,
    case_items,
    model=arms_models.Case,
    entries=case_entries,
    own_nation=True,
    rank=10,
)
LICENCES = Source(
    "arms.licences",
    licence_rows,
    licence_items,
    model=arms_models.Licence,
    entries=licence_entries,
    own_nation=True,
    rank=11,
)


def open_requests(who: Any, on: date) -> list[QueueItem]:
    """Every open case, LOR and licence ``who`` may see on ``on`` (for small pages and tests)."""
    return [*source_items(CASES, who, on), *source_items(LICENCES, who, on)]
