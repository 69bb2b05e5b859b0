"""The bottleneck analytics page (``arms:analytics``): the charts of ``allied.arms.analytics``,
drawn from the rows the viewer may see, with their markings rolled up into the banner.
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from allied.arms import access
from allied.arms.analytics import Sources, offer_goal, overdue, review_times, time_in_stage
from allied.arms.rules.lifecycle import AOD_GOAL_SOURCE, AOD_SOURCE
from allied.core import charts
from allied.core.charts import Column
from allied.core.restricted import restricted_view, viewer_of


@restricted_view
def analytics(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    today = datetime.date.today()
    markings = Sources()
    times = time_in_stage(viewer, markings)
    reviews = review_times(viewer, markings)
    late = times["late"] + overdue(viewer, today, markings)
    goal = offer_goal(viewer, today, markings)
    # The charts show figures drawn from these rows: the banner rolls up their markings and the
    # reads of the rows are audited.
    markings.record(request)
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
