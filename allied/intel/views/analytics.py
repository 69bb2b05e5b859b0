"""The intelligence analytics page: how much reaches each partner, what blocks it, how fast.

For U.S. users: the page compares partners with each other, which no partner may see. Every figure
is computed from the products, portions and disclosure requests the signed-in person may see, all
recorded as shown, so a U.S. user cleared to SECRET gets figures over what a SECRET reader sees,
and each product counts with the banner rolled up from its visible portions only.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from allied.core.access import Access, access_required
from allied.core.charts import Chart, Column, bar, line
from allied.core.restricted import restricted_view, show, viewer_of
from allied.intel.models import Portion, Product
from allied.intel.products.release import explain, partner_viewers
from allied.intel.rules.analytics import ProductFacts, ReleaseFigures, release_figures
from allied.intel.rules.cycle_times import median, percentile
from allied.intel.views.disclosure import visible_timings
from allied.markings.model import Marking
from allied.markings.rollup import rollup_portions

DAY = timedelta(days=1)


def _month(day: date) -> date:
    return day.replace(day=1)


def product_facts(request: HttpRequest) -> tuple[list[ProductFacts], dict[Any, Marking]]:
    """Each visible product with its visible portions, and the markings their keys stand for."""
    viewer = viewer_of(request)
    products = show(
        request,
        Product.objects.visible_to(viewer)
        .select_related("marking")
        .only("pk", "created", "marking"),
    )
    created = {p.pk: timezone.localdate(p.created) for p in products}
    portions = show(
        request,
        Portion.objects.visible_to(viewer)
        .filter(product_id__in=list(created))
        .select_related("marking")
        .only("pk", "product_id", "marking"),
    )
    markings: dict[Any, Marking] = {}
    by_product: dict[int, list[int]] = defaultdict(list)
    for portion in portions:
        markings.setdefault(portion.marking_id, portion.marking.marking)
        by_product[portion.product_id].append(portion.marking_id)
    facts = []
    banners: dict[tuple[int, ...], str] = {}
    for pk, day in created.items():
        keys = tuple(sorted(set(by_product.get(pk, ()))))
        if not keys:
            continue  # nothing of it is visible but its metadata: no release to speak of
        banner = banners.get(keys)
        if banner is None:
            banner = f"banner:{len(banners)}"
            banners[keys] = banner
            markings[banner] = rollup_portions([markings[k] for k in keys])
        facts.append(ProductFacts(_month(day), banner, keys))
    return facts, markings


def release_charts(figures: ReleaseFigures) -> list[Chart]:
    share_rows = []
    for partner in figures.partners:
        for label, count in (
            ("Whole product", partner.whole),
            ("Some portions (tearline)", partner.some),
            ("Nothing", partner.none),
        ):
            share_rows.append(
                {
                    "partner": partner.name,
                    "what": label,
                    "share": round(100 * partner.share(count), 1),
                    "products": count,
                }
            )
    shares = bar(
        "release-share",
        "What each partner could be given",
        "Share of products each partner could be given whole, in part or not at all",
        share_rows,
        category=Column("partner", "Partner"),
        value=Column("share", "Share of products (%)"),
        colour=Column("what", "Could be given"),
    )
    blockers = bar(
        "blockers",
        "Portion markings that block release most often",
        "Portion markings ranked by how many product releases to partners they block",
        [{"marking": b.marking, "blocks": b.blocks, "why": b.reason} for b in figures.blockers],
        category=Column("marking", "Portion marking"),
        value=Column("blocks", "Releases blocked (product x partner)"),
    )
    blockers.columns = [*blockers.columns, Column("why", "Why, for example")]
    noforn = line(
        "noforn-share",
        "NOFORN share over time",
        "Share of products written each month whose banner is NOFORN",
        [
            {
                "month": m.month.isoformat(),
                "share": round(100 * m.share, 1),
                "products": m.products,
            }
            for m in figures.noforn_by_month
        ],
        x=Column("month", "Month written"),
        y=Column("share", "NOFORN share (%)"),
    )
    noforn.columns = [*noforn.columns, Column("products", "Products")]
    return [shares, blockers, noforn]


def cycle_chart(request: HttpRequest) -> Chart:
    """Median and 90th percentile days to decision, by the month requests were made."""
    months: dict[date, list[timedelta]] = defaultdict(list)
    for timing in visible_timings(request):
        if timing.decided_at is not None:
            months[_month(timezone.localdate(timing.requested_at))].append(
                timing.waited(timing.decided_at)
            )
    rows = []
    for month, waits in sorted(months.items()):
        for measure, value in (
            ("Median", median(waits)),
            ("90th percentile", percentile(waits, 90)),
        ):
            rows.append(
                {
                    "month": month.isoformat(),
                    "measure": measure,
                    "days": round(value / DAY, 1),
                    "decided": len(waits),
                }
            )
    chart = line(
        "cycle-time",
        "Disclosure cycle time",
        "Median and 90th percentile days from request to decision, by month of request",
        rows,
        x=Column("month", "Month requested"),
        y=Column("days", "Days to decision"),
        colour=Column("measure", "Measure"),
    )
    chart.columns = [*chart.columns, Column("decided", "Decided")]
    return chart


#: The analytics compare partners with each other: for U.S. users only.
US_USERS = Access(
    allows=lambda principal: principal.nation_id == "USA",
    reason="The analytics compare partners with each other: U.S. users only.",
)


@restricted_view
@access_required(US_USERS)
def analytics(request: HttpRequest) -> HttpResponse:
    """Release shares per partner, blocking markings, NOFORN over time, disclosure cycle time."""
    day = timezone.localdate()
    facts, markings = product_facts(request)
    figures = release_figures(facts, markings, partner_viewers(day), day, explain=explain)
    charts = [*release_charts(figures), cycle_chart(request)]
    context = {"charts": charts, "figures": figures, "products": len(facts)}
    return render(request, "intel/analytics.html", context)
