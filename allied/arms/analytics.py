"""Bottleneck analytics: time in stage by stage, agency, partner and review type; cases past
target; the offer-date goal (85% of LOAs offered by the Anticipated Offer Date) month by month.

Every figure is aggregated in the database from querysets already restricted to the viewer
(``allied.arms.access``): a partner's charts count its own nation's releasable rows, nothing else.
One grouped query feeds the three time-in-stage charts, so the page stays fast at 50,000 cases.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncQuarter
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from allied.arms import access
from allied.arms.models import Review, StageRecord
from allied.arms.rules.lifecycle import (
    AOD_GOAL,
    AOD_GOAL_SOURCE,
    AOD_SOURCE,
    ORDER,
    REVIEW_LABELS,
    STAGE_INFO,
    ReviewType,
    Stage,
)
from allied.core import charts
from allied.core.charts import Column
from allied.core.models import StoredMarking
from allied.core.restricted import restricted_view, shown, viewer_of

MONTHS = 96


def _mean(total: int, count: int) -> float:
    return round(total / count, 1) if count else 0.0


def time_in_stage(viewer: Any, markings: set[int]) -> dict[str, list[dict[str, Any]]]:
    """Mean days in completed stages, by stage, by owning agency and by partner.

    The markings of the rows aggregated are added to ``markings`` (for the page's banner).
    """
    grouped = (
        access.case_rows(StageRecord, viewer)
        .filter(days__isnull=False)
        .values("stage", "owner", "case__partner_id", "marking_id", "case__marking_id")
        .annotate(total=Sum("days"), n=Count("id"))
        .order_by()
    )
    by: dict[str, dict[str, list[int]]] = {"stage": {}, "owner": {}, "partner": {}}
    for row in grouped:
        markings.update((row["marking_id"], row["case__marking_id"]))
        for key, value in (
            ("stage", row["stage"]),
            ("owner", row["owner"]),
            ("partner", row["case__partner_id"]),
        ):
            acc = by[key].setdefault(value, [0, 0])
            acc[0] += row["total"]
            acc[1] += row["n"]
    stage_rows = [
        {
            "stage": STAGE_INFO[Stage(s)].label,
            "days": _mean(*v),
            "n": v[1],
            "order": ORDER[Stage(s)],
        }
        for s, v in by["stage"].items()
    ]
    stage_rows.sort(key=lambda r: r["order"])
    return {
        "stage": stage_rows,
        "owner": sorted(
            ({"owner": k, "days": _mean(*v), "n": v[1]} for k, v in by["owner"].items()),
            key=lambda r: -r["days"],
        ),
        "partner": sorted(
            ({"partner": k, "days": _mean(*v), "n": v[1]} for k, v in by["partner"].items()),
            key=lambda r: r["partner"],
        ),
    }


def review_times(viewer: Any, markings: set[int]) -> list[dict[str, Any]]:
    grouped = (
        access.case_rows(Review, viewer)
        .filter(days__isnull=False)
        .values("review_type", "marking_id", "case__marking_id")
        .annotate(total=Sum("days"), n=Count("id"))
        .order_by()
    )
    by: dict[str, list[int]] = {}
    for r in grouped:
        markings.update((r["marking_id"], r["case__marking_id"]))
        acc = by.setdefault(r["review_type"], [0, 0])
        acc[0] += r["total"]
        acc[1] += r["n"]
    out = [
        {"review": REVIEW_LABELS[ReviewType(k)], "days": _mean(*v), "n": v[1]}
        for k, v in by.items()
    ]
    return sorted(out, key=lambda r: -r["days"])


def past_target(viewer: Any, today: datetime.date, markings: set[int]) -> list[dict[str, Any]]:
    """Open stages past their target, by stage (completed ones late, and open ones overdue)."""
    rows = access.case_rows(StageRecord, viewer).filter(target_days__isnull=False)
    late_done = rows.filter(days__isnull=False, days__gt=F("target_days"))
    done = (
        late_done.values("stage", "marking_id", "case__marking_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    # Open stages: entered more than target days ago (compared in Python per stage target).
    open_rows = (
        rows.filter(completed__isnull=True)
        .values("stage", "entered", "target_days", "marking_id", "case__marking_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in [*done, *open_rows]:
        markings.update((r["marking_id"], r["case__marking_id"]))
    for r in done:
        counts[r["stage"]][0] += r["n"]
    for r in open_rows:
        if (today - r["entered"]).days > r["target_days"]:
            counts[r["stage"]][1] += r["n"]
    out = []
    for stage, (late, overdue) in counts.items():
        label = STAGE_INFO[Stage(stage)].label
        out.append({"stage": label, "state": "Completed late", "cases": late})
        out.append({"stage": label, "state": "Open and overdue", "cases": overdue})
    return out


def offer_goal(viewer: Any, today: datetime.date, markings: set[int]) -> list[dict[str, Any]]:
    """Share of LOAs offered on or before their AOD, by quarter of offer, with the 85% goal."""
    since = (today.replace(day=1) - datetime.timedelta(days=31 * MONTHS)).replace(day=1)
    rows = (
        access.cases(viewer)
        .filter(offered__isnull=False, anticipated_offer__isnull=False, offered__gte=since)
        .annotate(month=TruncQuarter("offered"))
        .values("month", "marking_id")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(offered__lte=F("anticipated_offer"))))
        .order_by("month")
    )
    by_month: dict[Any, list[int]] = {}
    for r in rows:
        markings.add(r["marking_id"])
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


@restricted_view
def analytics(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    today = datetime.date.today()
    markings: set[int] = set()
    times = time_in_stage(viewer, markings)
    reviews = review_times(viewer, markings)
    late = past_target(viewer, today, markings)
    goal = offer_goal(viewer, today, markings)
    # The charts show figures drawn from these rows: the banner rolls up their markings.
    collector = shown(request)
    for text in StoredMarking.objects.filter(pk__in=markings).values_list("text", flat=True):
        collector.add(text)
    days = Column("days", "Mean days")
    page_charts = [
        charts.bar(
            "arms-stage",
            "Time in each stage",
            "Mean days spent in each completed stage.",
            times["stage"],
            category=Column("stage", "Stage"),
            value=days,
        ),
        charts.bar(
            "arms-agency",
            "Time in stage by owning agency",
            "Mean days a stage spent with each agency or office.",
            times["owner"],
            category=Column("owner", "Agency"),
            value=days,
        ),
        charts.bar(
            "arms-partner",
            "Time in stage by partner",
            "Mean days per completed stage for each partner's cases.",
            times["partner"],
            category=Column("partner", "Partner"),
            value=days,
        ),
        charts.bar(
            "arms-review",
            "Time in review by review type",
            "Mean days from start to decision of each kind of parallel review.",
            reviews,
            category=Column("review", "Review"),
            value=days,
        ),
        charts.bar(
            "arms-late",
            "Stages past their target",
            "Stages completed after their target and open stages already overdue.",
            late,
            category=Column("stage", "Stage"),
            value=Column("cases", "Stages"),
            colour=Column("state", "State"),
        ),
        charts.line(
            "arms-goal",
            "LOAs offered by the Anticipated Offer Date",
            "Share of LOAs offered on or before their AOD by quarter, against the 85% goal.",
            goal,
            x=Column("month", "Quarter"),
            y=Column("share", "Per cent"),
            colour=Column("series", "Series"),
        ),
    ]
    open_count = access.cases(viewer).filter(delivered__isnull=True, closed__isnull=True).count()
    return render(
        request,
        "arms/analytics.html",
        {
            "charts": page_charts,
            "open_count": open_count,
            "goal_source": AOD_GOAL_SOURCE,
            "aod_source": AOD_SOURCE,
            "partner_view": not viewer.is_us,
        },
    )
