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
from django.db.models.functions import TruncMonth
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
from allied.core.restricted import restricted_view, viewer_of

MONTHS = 36


def _mean(total: int, count: int) -> float:
    return round(total / count, 1) if count else 0.0


def time_in_stage(viewer: Any) -> dict[str, list[dict[str, Any]]]:
    """Mean days in completed stages, by stage, by owning agency and by partner."""
    grouped = (
        access.case_rows(StageRecord, viewer)
        .filter(days__isnull=False)
        .values("stage", "owner", "case__partner_id")
        .annotate(total=Sum("days"), n=Count("id"))
        .order_by()
    )
    by: dict[str, dict[str, list[int]]] = {"stage": {}, "owner": {}, "partner": {}}
    for row in grouped:
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


def review_times(viewer: Any) -> list[dict[str, Any]]:
    rows = (
        access.case_rows(Review, viewer)
        .filter(days__isnull=False)
        .values("review_type")
        .annotate(total=Sum("days"), n=Count("id"))
        .order_by()
    )
    out = [
        {
            "review": REVIEW_LABELS[ReviewType(r["review_type"])],
            "days": _mean(r["total"], r["n"]),
            "n": r["n"],
        }
        for r in rows
    ]
    return sorted(out, key=lambda r: -r["days"])


def past_target(viewer: Any, today: datetime.date) -> list[dict[str, Any]]:
    """Open stages past their target, by stage (completed ones late, and open ones overdue)."""
    rows = access.case_rows(StageRecord, viewer).filter(target_days__isnull=False)
    late_done = rows.filter(days__isnull=False, days__gt=F("target_days"))
    done = late_done.values("stage").annotate(n=Count("id")).order_by()
    # Open stages: entered more than target days ago (compared in Python per stage target).
    open_rows = (
        rows.filter(completed__isnull=True)
        .values("stage", "entered", "target_days")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
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


def offer_goal(viewer: Any, today: datetime.date) -> list[dict[str, Any]]:
    """Share of LOAs offered on or before their AOD, by month of offer, with the 85% goal."""
    since = (today.replace(day=1) - datetime.timedelta(days=31 * MONTHS)).replace(day=1)
    rows = (
        access.cases(viewer)
        .filter(offered__isnull=False, anticipated_offer__isnull=False, offered__gte=since)
        .annotate(month=TruncMonth("offered"))
        .values("month")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(offered__lte=F("anticipated_offer"))))
        .order_by("month")
    )
    out = []
    for r in rows:
        month = r["month"]
        label = month.date().isoformat() if isinstance(month, datetime.datetime) else str(month)
        share = round(100 * r["on_time"] / r["n"], 1) if r["n"] else 0.0
        out.append(
            {"month": label, "series": "Offered by the AOD (%)", "share": share, "n": r["n"]}
        )
        out.append({"month": label, "series": "Goal (85%)", "share": AOD_GOAL * 100, "n": r["n"]})
    return out


@restricted_view
def analytics(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    today = datetime.date.today()
    times = time_in_stage(viewer)
    reviews = review_times(viewer)
    late = past_target(viewer, today)
    goal = offer_goal(viewer, today)
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
            "Share of LOAs offered on or before their AOD by month, against the 85% goal.",
            goal,
            x=Column("month", "Month"),
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
