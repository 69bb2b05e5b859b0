"""Pages for the public registry. Sign-in is enforced for all of them by LoginRequiredMiddleware."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from allied.core.forms import AsOfForm
from allied.core.models import Community, Membership, Nation
from allied.core.registry import KEY_INDO_PACIFIC_PARTNERS


@dataclass(frozen=True)
class MatrixRow:
    nation: Nation
    is_key_partner: bool
    cells: list[Membership | None]


@dataclass(frozen=True)
class LeftOut:
    community: Community
    nations: list[Nation]


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "nation_count": Nation.objects.count(),
        "community_count": Community.objects.count(),
    }
    return render(request, "core/home.html", context)


def institutions(request: HttpRequest) -> HttpResponse:
    """Which nation belongs to which community on a day, and which key partners each leaves out."""
    form = AsOfForm(request.GET or None)
    day: datetime.date = timezone.localdate()
    if form.is_valid() and form.cleaned_data["on"]:
        day = form.cleaned_data["on"]

    communities = list(Community.objects.all())
    nations = list(Nation.objects.all())
    by_iso3 = {nation.iso3: nation for nation in nations}
    current = {
        (m.community_id, m.nation_id): m
        for m in Membership.objects.current_on(day).only(
            "community", "nation", "joined", "joined_precision"
        )
    }

    rows = [
        MatrixRow(
            nation=nation,
            is_key_partner=nation.iso3 in KEY_INDO_PACIFIC_PARTNERS,
            cells=[current.get((community.pk, nation.iso3)) for community in communities],
        )
        for nation in sorted(nations, key=_row_order)
    ]
    left_out = [
        LeftOut(
            community=community,
            nations=[
                by_iso3[iso3]
                for iso3 in KEY_INDO_PACIFIC_PARTNERS
                if iso3 in by_iso3 and (community.pk, iso3) not in current
            ],
        )
        for community in communities
    ]
    context = {
        "form": form,
        "day": day,
        "communities": communities,
        "rows": rows,
        "left_out": left_out,
        "key_partners": [by_iso3[iso3] for iso3 in KEY_INDO_PACIFIC_PARTNERS if iso3 in by_iso3],
    }
    return render(request, "core/institutions.html", context)


def _row_order(nation: Nation) -> tuple[int, int, str]:
    """The United States first, then the key partners in their listed order, then the rest."""
    if nation.iso3 == "USA":
        return (0, 0, "")
    if nation.iso3 in KEY_INDO_PACIFIC_PARTNERS:
        return (1, KEY_INDO_PACIFIC_PARTNERS.index(nation.iso3), "")
    return (2, 0, nation.name)
