"""Computed endpoints under /api/people/: coverage, rotation risk, language coverage, network.

Each reads only through the caller's restricted querysets (``allied.people.ties``), exactly as
the pages do, so the API and the pages cannot disagree; every pair or person returned is recorded
as shown, and the figures' sources are audited in one entry.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from allied.core import audit
from allied.core.api.permissions import DeclaredAccess
from allied.core.restricted import show, shown, viewer_of
from allied.people import access, ties
from allied.people.rules.ilr import format_level

PARTNER = OpenApiParameter("partner", str, description="A partner's ISO code (U.S. callers).")


def _partner(request: Request) -> str | None:
    value = str(request.query_params.get("partner", "")).strip().upper()
    return value if len(value) == 3 and value.isalpha() else None


def _sources(request: Request, what: str, markings: set[str], items: list[tuple[str, str]]) -> None:
    collector = shown(request)
    for text in sorted(markings):
        collector.add(text)
    if items:
        audit.record_feed_read(request.user, what, items)


def _person(data: Any, key: Any) -> dict[str, Any] | None:
    official = data.get(key) if key is not None else None
    if official is None:
        return None
    return {"id": official.pk, "name": official.name, "nation": official.nation_id}


class Summary(viewsets.ViewSet):
    # Restricted by construction: every row comes from ties.*, which reads only through the
    # caller's restricted querysets; returned rows are recorded with show().
    allied_restricted = True
    # U.S. staff and liaison officers only: 403 for anyone else, before any record is read.
    allied_access = access.PEOPLE
    permission_classes = [IsAuthenticated, DeclaredAccess]


class CoverageViewSet(Summary):
    """Coverage of the crisis pairs visible to the caller: per partner, and per pair."""

    @extend_schema(parameters=[PARTNER], responses=OpenApiTypes.OBJECT)
    def list(self, request: Request) -> Response:
        data = ties.compute(viewer_of(request), partner=_partner(request))
        data.load_all()
        pairs = list(data.pairs.values())
        show(request, pairs)
        show(request, list(data.officials.values()))
        _sources(request, "people.coverage", data.markings, data.pair_items())
        return Response(
            {
                "today": data.today,
                "partners": [
                    {
                        "partner": s.partner,
                        "pairs": s.total,
                        **{status.value: s.counts[status] for status in s.counts},
                    }
                    for s in data.summaries
                ],
                "pairs": [
                    {
                        "id": r.pair.key,
                        "scenario": data.pairs[r.pair.key].scenario,
                        "partner": r.pair.partner,
                        "status": r.status.value,
                        "us_billet": r.pair.us_billet,
                        "partner_billet": r.pair.partner_billet,
                        "us_holder": _person(data.officials, r.us_holder),
                        "partner_holder": _person(data.officials, r.partner_holder),
                        "last_met": r.met.last if r.met else None,
                        "contacts": r.met.count if r.met else 0,
                        "days_since": r.days_since,
                    }
                    for r in data.results
                ],
            }
        )


class RotationViewSet(Summary):
    """Covered pairs that postings in the next 180 days will break, with what would keep them."""

    @extend_schema(parameters=[PARTNER], responses=OpenApiTypes.OBJECT)
    def list(self, request: Request) -> Response:
        data, found = ties.risks(viewer_of(request), partner=_partner(request))
        data.load_all()
        names = {k: o.name for k, o in data.officials.items()}
        pairs = [data.pairs[r.pair.key] for r in found]
        show(request, pairs)
        show(request, list(data.officials.values()))
        _sources(request, "people.rotation", data.markings, data.pair_items())
        return Response(
            {
                "risks": [
                    {
                        "pair": r.pair.key,
                        "scenario": data.pairs[r.pair.key].scenario,
                        "partner": r.pair.partner,
                        "breaks_on": r.breaks_on,
                        "new_us_holder": _person(data.officials, r.new_us),
                        "new_partner_holder": _person(data.officials, r.new_partner),
                        "handovers": [
                            {
                                "billet": h.billet,
                                "outgoing": _person(data.officials, h.outgoing.official)
                                if h.outgoing
                                else None,
                                "leaves": h.outgoing.ends if h.outgoing else None,
                                "incoming": _person(data.officials, h.incoming.official)
                                if h.incoming
                                else None,
                                "arrives": h.incoming.starts if h.incoming else None,
                                "overlap": list(h.overlap) if h.overlap else None,
                                "gap_days": h.gap_days,
                            }
                            for h in r.handovers
                        ],
                        "advice": r.advice(
                            names,
                            {
                                b.pk: b.title
                                for b in (
                                    data.pairs[r.pair.key].us_billet,
                                    data.pairs[r.pair.key].partner_billet,
                                )
                            },
                        ),
                    }
                    for r in found
                ]
            }
        )


class LanguageViewSet(Summary):
    """U.S. officials working with each partner, by ILR working level in its language."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def list(self, request: Request) -> Response:
        result = ties.languages(viewer_of(request))
        _sources(request, "people.languages", result.markings, [])
        return Response(
            {
                "partners": [
                    {
                        "partner": e.partner,
                        "language": e.language,
                        "officials": e.officials,
                        "at_working_level": e.at_working,
                        "none_recorded": e.none,
                        "by_working_level": {
                            format_level(s): n for s, n in e.by_level.items() if n
                        },
                        "at_working_level_by_skill": e.working_by_skill,
                    }
                    for e in result.entries
                ]
            }
        )


class NetworkViewSet(Summary):
    """People and ties from the visible contacts of the last three years, with the measures."""

    @extend_schema(parameters=[PARTNER], responses=OpenApiTypes.OBJECT)
    def list(self, request: Request) -> Response:
        result = ties.network(viewer_of(request), partner=_partner(request))
        show(request, list(result.officials.values()))
        _sources(request, "people.network", result.markings, [])
        m = result.measures
        return Response(
            {
                "people": [_person(result.officials, k) for k in sorted(result.officials)],
                "ties": [
                    {"a": a, "b": b, "contacts": d.get("weight", 1)}
                    for a, b, d in result.graph.edges(data=True)
                ],
                "measures": {
                    "people": m.people,
                    "ties": m.ties,
                    "components": m.components,
                    "articulation_points": m.articulation_points,
                    "bridges": [list(b) for b in m.bridges],
                    "cut_off_by": m.cut_off_by,
                    "cut_off": m.cut_off,
                },
            }
        )
