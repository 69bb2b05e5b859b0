"""Bottleneck analytics: time in stage by stage, agency, partner and review type; cases past
target; the offer-date goal (85% of LOAs offered by the Anticipated Offer Date) month by month.

Every figure is aggregated in the database from querysets already restricted to the viewer
(``allied.arms.access``): a partner's charts count its own nation's releasable rows, nothing else.
Time in stage and in review come from the roll-up of completed stages (``allied.arms.stats``,
kept in the same transaction as each stage completion), so the page stays fast at 50,000 cases.

The figures show what marked rows hold, so the rows behind them are read as every shown row is:
their markings roll up into the banner and their reads are audited, one entry per kind of row
listing every id under its marking (``audit.record_feed_read``, as the coverage pages do).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Aggregate, Count, F, Q, TextField
from django.db.models.functions import TruncQuarter
from django.http import HttpRequest

from allied.arms import access
from allied.arms.models import StageRecord, StageStat, StatKind
from allied.arms.rules.lifecycle import (
    AOD_GOAL,
    ORDER,
    REVIEW_LABELS,
    STAGE_INFO,
    ReviewType,
    Stage,
)
from allied.core import audit
from allied.core.models import StoredMarking
from allied.core.restricted import shown

MONTHS = 96


class Sources:
    """The marked rows behind the page's figures: their markings (for the banner) and, per kind
    of row, their ids with the marking of each (for the audit log)."""

    def __init__(self) -> None:
        self.markings: set[int] = set()
        self.rows: dict[str, dict[str, int]] = defaultdict(dict)

    def add(self, object_type: str, pk: Any, *marking_ids: int) -> None:
        self.markings.update(marking_ids)
        self.rows[object_type][str(pk)] = marking_ids[0]

    def add_ids(self, object_type: str, ids: str, *marking_ids: int) -> None:
        """A group of rows under the same markings: ``ids`` comma-separated, as ``Ids`` gives.

        One call per group instead of one per row, so 27,000 rows behind a figure cost a few
        hundred calls; the ids are listed under the first marking, as ``add`` lists them.
        """
        self.markings.update(marking_ids)
        self.rows[object_type].update(dict.fromkeys(ids.split(","), marking_ids[0]))

    def update(self, marking_ids: Any) -> None:
        self.markings.update(marking_ids)

    def record(self, request: HttpRequest) -> None:
        """The banner rolls up the markings; each kind of row gets one audited read."""
        texts = dict(StoredMarking.objects.filter(pk__in=self.markings).values_list("pk", "text"))
        collector = shown(request)
        for text in sorted(texts.values()):
            collector.add(text)
        for object_type, ids in sorted(self.rows.items()):
            if ids:
                # Paired without a Python loop: 27,000 ids behind the offer-date goal at scale.
                items = zip(ids, map(texts.__getitem__, ids.values()), strict=True)
                audit.record_feed_read(request.user, object_type, items)


class Ids(Aggregate):
    """The primary keys of a group's rows, comma-separated (``STRING_AGG``, ``GROUP_CONCAT``).

    The rows behind a figure are audited by id, so the query that counts them also lists them:
    one scan of the table and a few hundred groups back, not a second query returning every row
    to be walked in Python.
    """

    function = "STRING_AGG"
    template = "%(function)s(CAST(%(expressions)s AS TEXT), ',')"
    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            function="GROUP_CONCAT",
            template="%(function)s(%(expressions)s, ',')",
            **extra,
        )


def _mean(total: int, count: int) -> float:
    return round(total / count, 1) if count else 0.0


def _stats(viewer: Any, kind: str, markings: Sources) -> list[dict[str, Any]]:
    """The viewer's rows of the roll-up (``StageStat``) of one kind; their markings noted."""
    rows = list(
        StageStat.objects.visible_to(viewer)
        .filter(kind=kind, count__gt=0)
        .values(
            "pk",
            "key",
            "owner",
            "partner_id",
            "total_days",
            "count",
            "late",
            "marking_id",
            "case_marking_id",
        )
    )
    for r in rows:
        markings.add("arms.stagestat", r["pk"], r["marking_id"], r["case_marking_id"])
    return rows


def _rollup(rows: list[dict[str, Any]], field: str) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for r in rows:
        acc = out.setdefault(r[field], [0, 0, 0])
        acc[0] += r["total_days"]
        acc[1] += r["count"]
        acc[2] += r["late"]
    return out


def time_in_stage(viewer: Any, markings: Sources) -> dict[str, list[dict[str, Any]]]:
    """Mean days in completed stages, by stage, by owning agency and by partner.

    Read from the roll-up of completed stages; the markings of the rows it sums are added to
    ``markings`` (for the page's banner).
    """
    rows = _stats(viewer, StatKind.STAGE, markings)
    by_stage = _rollup(rows, "key")
    stage_rows = [
        {
            "stage": STAGE_INFO[Stage(k)].label,
            "days": _mean(v[0], v[1]),
            "n": v[1],
            "order": ORDER[Stage(k)],
        }
        for k, v in by_stage.items()
    ]
    stage_rows.sort(key=lambda r: r["order"])
    owners = [
        {"owner": k, "days": _mean(v[0], v[1]), "n": v[1]}
        for k, v in _rollup(rows, "owner").items()
    ]
    partners = [
        {"partner": k, "days": _mean(v[0], v[1]), "n": v[1]}
        for k, v in _rollup(rows, "partner_id").items()
    ]
    return {
        "stage": stage_rows,
        "owner": sorted(owners, key=lambda r: -r["days"]),
        "partner": sorted(partners, key=lambda r: r["partner"]),
        "late": [
            {"stage": STAGE_INFO[Stage(k)].label, "state": "Completed late", "cases": v[2]}
            for k, v in by_stage.items()
            if v[2]
        ],
    }


def review_times(viewer: Any, markings: Sources) -> list[dict[str, Any]]:
    """Mean days from start to decision of each kind of parallel review."""
    by = _rollup(_stats(viewer, StatKind.REVIEW, markings), "key")
    out = [
        {"review": REVIEW_LABELS[ReviewType(k)], "days": _mean(v[0], v[1]), "n": v[1]}
        for k, v in by.items()
    ]
    return sorted(out, key=lambda r: -r["days"])


def overdue(viewer: Any, today: datetime.date, markings: Sources) -> list[dict[str, Any]]:
    """Open stages already past their target, by stage (one query on the open-stage index)."""
    targets = sorted({t for s in STAGE_INFO.values() if (t := s.target_days)} | {15, 30})
    late = Q()
    for target in targets:
        late |= Q(target_days=target, entered__lt=today - datetime.timedelta(days=target))
    # The planner cannot see that open stages are the recent ones, so it takes the late ones to
    # be thousands and joins them to every case by hashing all 50,000. The few late stages are
    # found first on the open-stage index, then joined to their cases by primary key; the join is
    # restricted to the viewer as before (the case's marking too), so it alone decides what shows.
    few = list(
        StageRecord.objects.visible_to(viewer)
        .filter(late, completed__isnull=True)
        .values_list("pk", flat=True)
        .order_by()
    )
    found = (
        access.case_rows(StageRecord, viewer)
        .filter(late, completed__isnull=True, pk__in=few)
        .values("stage", "marking_id", "case__marking_id")
        .annotate(n=Count("id"), ids=Ids("id"))
        .order_by()
    )
    counts: dict[str, int] = defaultdict(int)
    for r in found:
        markings.add_ids("arms.stagerecord", r["ids"], r["marking_id"], r["case__marking_id"])
        counts[r["stage"]] += r["n"]
    return [
        {"stage": STAGE_INFO[Stage(k)].label, "state": "Open and overdue", "cases": n}
        for k, n in sorted(counts.items(), key=lambda kv: ORDER[Stage(kv[0])])
    ]


def offer_goal(viewer: Any, today: datetime.date, markings: Sources) -> list[dict[str, Any]]:
    """Share of LOAs offered on or before their AOD, by quarter of offer, with the 85% goal."""
    since = (today.replace(day=1) - datetime.timedelta(days=31 * MONTHS)).replace(day=1)
    offered = access.cases(viewer).filter(
        offered__isnull=False, anticipated_offer__isnull=False, offered__gte=since
    )
    rows = (
        offered.annotate(month=TruncQuarter("offered"))
        .values("month", "marking_id")
        .annotate(
            n=Count("id"),
            on_time=Count("id", filter=Q(offered__lte=F("anticipated_offer"))),
            ids=Ids("id"),
        )
        .order_by("month")
    )
    by_month: dict[Any, list[int]] = {}
    for r in rows:
        markings.add_ids("arms.case", r["ids"], r["marking_id"])
        acc = by_month.setdefault(r["month"], [0, 0])
        acc[0] += r["n"]
        acc[1] += r["on_time"]
    out = []
    for month, (n, on_time) in sorted(by_month.items()):
        label = month.date().isoformat() if isinstance(month, datetime.datetime) else str(month)
        share = round(100 * on_time / n, 1) if n else 0.0
        out.append({"month": label, "series": "Offered by the AOD (%)", "share": share, "n": n})
        out.append({"month": label, "series": "Goal (85%)", "share": AOD_GOAL * 100, "n": n})
    return out
