"""Coverage, rotation risk, language coverage and the network: computed pages.

Each page reads only through the viewer's restricted querysets (``allied.people.ties``) and hands
the rows to the pure rules; what it shows is recorded (``show``) for the banner and the audit log,
and the markings of every row a figure was computed from join the page banner. A single audit
entry lists every pair a summary was computed from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from allied.core import audit
from allied.core.access import access_required
from allied.core.charts import Column, bar
from allied.core.edit import visible_or_404
from allied.core.models.marked import MarkedModel
from allied.core.models.principals import US
from allied.core.restricted import restricted_view, show, shown, viewer_of
from allied.people import access, records, ties
from allied.people.models import CrisisPair, Official
from allied.people.rules.coverage import PairCoverage, Status
from allied.people.rules.ilr import LANGUAGES, MAX_STEP, format_level

#: Gaps listed per partner on the landing page (all of them when one partner is chosen).
GAPS_SHOWN = 8
GAPS_SHOWN_ONE_PARTNER = 500

PALETTE = (
    "#005ea2",
    "#d83933",
    "#00a398",
    "#e5a000",
    "#8168b3",
    "#936f38",
    "#2e8540",
    "#c05600",
    "#4d8055",
    "#6f6f6f",
)


def _partner_param(request: HttpRequest) -> str | None:
    value = request.GET.get("partner", "").strip().upper()
    return value if len(value) == 3 and value.isalpha() else None


def _banner_and_audit(
    request: HttpRequest, what: str, markings: Iterable[str], items: list[tuple[str, str]]
) -> None:
    """Add the markings behind a figure to the banner; record its sources in one audit entry."""
    collector = shown(request)
    for text in sorted(set(markings)):
        collector.add(text)
    if items:
        audit.record_feed_read(request.user, what, items)


def _merge(*lists: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out: dict[str, str] = {}
    for items in lists:
        out.update(items)
    return list(out.items())


def _url(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])`` for many rows at the cost of one reversal per name."""
    prefix = _URL_PREFIXES.get(name)
    if prefix is None:
        prefix = _URL_PREFIXES[name] = reverse(name, args=[987654321]).split("987654321")
    return f"{prefix[0]}{pk}{prefix[1]}"


_URL_PREFIXES: dict[str, list[str]] = {}


@dataclass(frozen=True)
class Row:
    """One pair as a page shows it."""

    pair: CrisisPair
    result: PairCoverage
    us_holder: Official | None
    partner_holder: Official | None

    @property
    def pair_url(self) -> str:
        return _url("people:pair-detail", self.pair.pk)

    @property
    def us_billet_url(self) -> str:
        return _url("people:billet-detail", self.pair.us_billet_id)

    @property
    def partner_billet_url(self) -> str:
        return _url("people:billet-detail", self.pair.partner_billet_id)

    @property
    def us_holder_url(self) -> str:
        return _url("people:official-detail", self.us_holder.pk) if self.us_holder else ""

    @property
    def partner_holder_url(self) -> str:
        return _url("people:official-detail", self.partner_holder.pk) if self.partner_holder else ""


def _rows(data: ties.Coverage, results: Iterable[PairCoverage]) -> list[Row]:
    """The page rows of ``results``, loading only their pairs and holders."""
    results = list(results)
    data.load(
        [r.pair.key for r in results], [p for r in results for p in (r.us_holder, r.partner_holder)]
    )
    return [
        Row(
            data.pairs[r.pair.key],
            r,
            data.officials.get(r.us_holder),
            data.officials.get(r.partner_holder),
        )
        for r in results
    ]


def _show_rows(request: HttpRequest, rows: list[Row]) -> list[tuple[str, str]]:
    """Add the markings of the rows shown to the banner; return them as audit items.

    A summary page records everything it shows, and every pair it was computed from, in one
    audit entry (``_banner_and_audit``), rather than one entry per object.
    """
    objs: list[MarkedModel] = []
    for row in rows:
        objs += [row.pair, row.pair.us_billet, row.pair.partner_billet]
        objs += [o for o in (row.us_holder, row.partner_holder) if o is not None]
    collector = shown(request)
    items = []
    seen = set()
    for obj in objs:
        label = f"{obj._meta.label_lower}:{obj.pk}"
        if label not in seen:
            seen.add(label)
            collector.add(obj.marking.text)
            items.append((label, obj.marking.text))
    return items


@restricted_view
@access_required(access.PEOPLE)
def coverage(request: HttpRequest) -> HttpResponse:
    """The landing page: coverage of crisis pairs by partner, with the gaps."""
    viewer = viewer_of(request)
    partner = _partner_param(request)
    data = ties.compute(viewer, partner=partner)
    limit = GAPS_SHOWN_ONE_PARTNER if partner else GAPS_SHOWN
    # The covered pairs themselves are listed when one partner is chosen.
    covered_results = (
        [r for r in data.results if r.status is Status.COVERED][:limit] if partner else []
    )
    # Load every shown pair and holder at once, then record them in one audit append.
    _rows(data, [g for s in data.summaries for g in s.gaps[:limit]] + covered_results)
    sections = []
    every: list[Row] = []
    for summary in data.summaries:
        rows = _rows(data, summary.gaps[:limit])
        every += rows
        sections.append(
            {"summary": summary, "rows": rows, "more": max(0, len(summary.gaps) - limit)}
        )
    covered = _rows(data, covered_results)
    items = _show_rows(request, every + covered)
    chart_rows = [
        {"partner": s.partner, "status": status.label, "pairs": s.counts[status]}
        for s in data.summaries
        for status in Status
        if s.counts[status]
    ]
    chart = bar(
        "coverage-by-partner",
        "Crisis pairs by partner and coverage",
        "For each partner, how many crisis pairs are covered, stale, never met or without a "
        "holder, among the pairs releasable to you.",
        chart_rows,
        category=Column("partner", "Partner"),
        value=Column("pairs", "Pairs"),
        colour=Column("status", "Coverage"),
    )
    _banner_and_audit(request, "people.coverage", data.markings, _merge(items, data.pair_items()))
    return render(
        request,
        "people/coverage.html",
        {
            "sections": sections,
            "covered": covered,
            "chart": chart,
            "partner": partner,
            "is_us": viewer.nation == US,
            "recent_days": 730,
            "total": len(data.results),
        },
    )


def _billet_titles(pair: CrisisPair) -> dict[int, str]:
    """The pair's billets by key, as the advice names them (never by their internal key)."""
    return {b.pk: b.title for b in (pair.us_billet, pair.partner_billet)}


@restricted_view
@access_required(access.PEOPLE)
def rotation(request: HttpRequest) -> HttpResponse:
    """Covered pairs that upcoming postings will break, and what would keep them."""
    viewer = viewer_of(request)
    partner = _partner_param(request)
    data, found = ties.risks(viewer, partner=partner)
    data.load(
        [r.pair.key for r in found],
        [
            p
            for r in found
            for h in r.handovers
            for p in (
                h.outgoing.official if h.outgoing else None,
                h.incoming.official if h.incoming else None,
            )
        ]
        + [p for r in found for p in (r.new_us, r.new_partner)],
    )
    names = {pk: o.name for pk, o in data.officials.items()}
    items = []
    objs: list[MarkedModel] = []
    for risk in found:
        pair = data.pairs[risk.pair.key]
        handovers = []
        for h in risk.handovers:
            billet = pair.us_billet if h.billet == pair.us_billet_id else pair.partner_billet
            handovers.append(
                {
                    "billet": billet,
                    "outgoing": data.officials.get(h.outgoing.official) if h.outgoing else None,
                    "leaves": h.outgoing.ends if h.outgoing else None,
                    "incoming": data.officials.get(h.incoming.official) if h.incoming else None,
                    "arrives": h.incoming.starts if h.incoming else None,
                    "overlap": h.overlap,
                    "gap_days": h.gap_days,
                }
            )
        items.append(
            {
                "pair": pair,
                "risk": risk,
                "handovers": handovers,
                "advice": risk.advice(names, _billet_titles(pair)),
            }
        )
        objs += [pair, pair.us_billet, pair.partner_billet]
        objs += [o for h in handovers for o in (h["outgoing"], h["incoming"]) if o is not None]
    show(request, objs)
    _banner_and_audit(request, "people.rotation", data.markings, data.pair_items())
    return render(
        request,
        "people/rotation.html",
        {
            "items": items,
            "partner": partner,
            "is_us": viewer.nation == US,
            "horizon": ties.HORIZON_DAYS,
        },
    )


@restricted_view
@access_required(access.PEOPLE)
def languages(request: HttpRequest) -> HttpResponse:
    """U.S. officials working with each partner, by ILR level in the partner's language."""
    viewer = viewer_of(request)
    result = ties.languages(viewer)
    chart_rows = []
    table = []
    for entry in result.entries:
        name = LANGUAGES.get(entry.language or "", entry.language or "unknown")
        if not entry.english:
            for step in range(MAX_STEP + 1):
                if entry.by_level[step]:
                    chart_rows.append(
                        {
                            "partner": f"{entry.partner} ({name})",
                            "level": f"ILR {format_level(step)}",
                            "officials": entry.by_level[step],
                        }
                    )
            if entry.none:
                chart_rows.append(
                    {
                        "partner": f"{entry.partner} ({name})",
                        "level": "None recorded",
                        "officials": entry.none,
                    }
                )
        table.append(
            {
                "entry": entry,
                "language": name,
                "levels": [
                    (format_level(s), entry.by_level[s])
                    for s in range(MAX_STEP + 1)
                    if entry.by_level[s]
                ],
            }
        )
    chart = bar(
        "languages-by-partner",
        "U.S. officials working with each partner, by level in its language",
        "For each partner, the U.S. officials now holding a billet that works with it, counted by "
        "their working level (the lower of listening and speaking) on the ILR scale.",
        chart_rows,
        category=Column("partner", "Partner (language)"),
        value=Column("officials", "Officials"),
        colour=Column("level", "Working level"),
    )
    _banner_and_audit(request, "people.languages", result.markings, [])
    return render(request, "people/languages.html", {"chart": chart, "table": table})


@dataclass(frozen=True)
class Node:
    x: float
    y: float
    r: float
    colour: str
    official: Official
    url: str
    cuts: bool

    @property
    def label_y(self) -> float:
        return self.y - self.r - 3


@restricted_view
@access_required(access.PEOPLE)
def network(request: HttpRequest) -> HttpResponse:
    """The network of ties drawn on the server (inline SVG) with its measures as text."""
    viewer = viewer_of(request)
    partner = _partner_param(request)
    try:
        years = max(1, min(10, int(request.GET.get("years", ties.NETWORK_YEARS))))
    except ValueError:
        years = ties.NETWORK_YEARS
    result = ties.network(viewer, partner=partner, years=years)
    nations = sorted({o.nation_id for o in result.officials.values()})
    colours = {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(nations)}
    width, height, pad = 900, 560, 40
    cutters = {p for people in result.measures.cut_off_by.values() for p in people}
    nodes = {}
    for pk, (x, y) in result.positions.items():
        official = result.officials[pk]
        nodes[pk] = Node(
            pad + x * (width - 2 * pad),
            pad + y * (height - 2 * pad),
            5 + min(10, 2 * result.measures.degree.get(pk, 0)),
            colours[official.nation_id],
            official,
            reverse("people:official-detail", args=[pk]),
            pk in cutters,
        )
    bridges = set(result.measures.bridges)
    edges = [
        {
            "a": nodes[a],
            "b": nodes[b],
            "weight": min(6, d.get("weight", 1)),
            "bridge": (a, b) in bridges or (b, a) in bridges,
        }
        for a, b, d in result.graph.edges(data=True)
    ]
    show(request, list(result.officials.values()))
    _banner_and_audit(request, "people.network", result.markings, [])
    names = {pk: o for pk, o in result.officials.items()}
    measures = result.measures
    return render(
        request,
        "people/network.html",
        {
            "nodes": list(nodes.values()),
            "edges": edges,
            "width": width,
            "height": height,
            "legend": [(n, colours[n]) for n in nations],
            "measures": measures,
            "cut_off_by": [
                (p, [names[k] for k in people]) for p, people in sorted(measures.cut_off_by.items())
            ],
            "articulation": [names[k] for k in measures.articulation_points],
            "bridges": [(names[a], names[b]) for a, b in measures.bridges],
            "top": sorted(
                ((names[k], d) for k, d in measures.degree.items()),
                key=lambda item: (-item[1], item[0].name),
            )[:15],
            "partner": partner,
            "years": years,
            "is_us": viewer.nation == US,
            "contacts": result.contacts,
            "trimmed": result.trimmed,
            "capped": result.capped,
        },
    )


def _holdings_of(request: HttpRequest, pair: CrisisPair) -> list[tuple[Any, Any]]:
    """Each billet of ``pair`` with its holder today or since when it is vacant."""
    billets = (pair.us_billet, pair.partner_billet)
    held = records.holdings(viewer_of(request), [b.pk for b in billets])
    show(request, [h.holder for h in held.values() if h.holder is not None])
    return [(b, held.get(b.pk)) for b in billets]


@restricted_view
@access_required(access.PEOPLE)
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One crisis pair: its billets, their holders, when they last met and the rotation risk."""
    viewer = viewer_of(request)
    pair = visible_or_404(ties.pairs_of(viewer, scoped=False), pk=pk)
    data, found = ties.risks(viewer, partner=pair.partner_billet.nation_id, scoped=False)
    result = next(r for r in data.results if r.pair.key == pair.pk)
    [row] = _rows(data, [result])
    risk = next((r for r in found if r.pair.key == pair.pk), None)
    if risk is not None:
        data.load(
            (),
            [
                p
                for h in risk.handovers
                for p in (
                    h.outgoing.official if h.outgoing else None,
                    h.incoming.official if h.incoming else None,
                )
            ]
            + [risk.new_us, risk.new_partner],
        )
    names = {k: o.name for k, o in data.officials.items()}
    show(
        request,
        [
            o
            for o in (
                row.pair,
                row.pair.us_billet,
                row.pair.partner_billet,
                row.us_holder,
                row.partner_holder,
            )
            if o is not None
        ],
    )
    return render(
        request,
        "people/pair_detail.html",
        {
            "row": row,
            "risk": risk,
            "advice": risk.advice(names, _billet_titles(row.pair)) if risk else [],
            "may_write": access.may_write_people(request),
            "holdings": _holdings_of(request, row.pair),
        },
    )


pair_detail.allied_model = CrisisPair
