"""The home page and the registry pages. Sign-in is enforced for all by LoginRequiredMiddleware."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from allied.core.forms import AsOfForm
from allied.core.home import home_sections
from allied.core.models import (
    Bulletin,
    Community,
    Membership,
    Nation,
    SecurityAgreement,
    TrustTier,
)
from allied.core.registry import KEY_INDO_PACIFIC_PARTNERS
from allied.core.restricted import restricted_view, show, viewer_of


@dataclass(frozen=True)
class MatrixRow:
    nation: Nation
    is_key_partner: bool
    cells: list[Membership | None]


@dataclass(frozen=True)
class LeftOut:
    community: Community
    nations: list[Nation]


@dataclass(frozen=True)
class PartnerAgreements:
    nation: Nation
    agreements: list[SecurityAgreement]
    tier: TrustTier | None = None


@restricted_view
def home(request: HttpRequest) -> HttpResponse:
    """Each person's desk: who they are to the rules, what their roles do, what is new for them."""
    principal = getattr(request.user, "principal", None)
    today = timezone.localdate()
    context: dict[str, object] = {
        "nation_count": Nation.objects.count(),
        "community_count": Community.objects.count(),
        "principal": principal,
        "sections": home_sections(principal, request),
    }
    if principal is not None:
        context["communities"] = (
            Membership.objects.current_on(today)
            .filter(nation_id=principal.nation_id)
            .select_related("community")
            .order_by("community__code")
        )
        latest = (
            Bulletin.objects.visible_to(viewer_of(request))
            .select_related("marking")
            .order_by("-created", "-pk")[:5]
        )
        context["bulletins"] = show(request, latest)
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


@restricted_view
def partners(request: HttpRequest) -> HttpResponse:
    """Each key partner's security agreements (public) and trust tier (marked, usually NOFORN)."""
    by_nation: dict[str, list[SecurityAgreement]] = {}
    for agreement in SecurityAgreement.objects.order_by("signed", "kind"):
        by_nation.setdefault(agreement.nation_id, []).append(agreement)
    tiers = {
        tier.nation_id: tier
        for tier in show(
            request,
            TrustTier.objects.visible_to(viewer_of(request))
            .in_force_on(timezone.localdate())
            .select_related("marking"),
        )
    }
    nations = Nation.objects.in_bulk(KEY_INDO_PACIFIC_PARTNERS)
    # Key partners first, in their listed order, then any other nation with an agreement.
    others = sorted(set(by_nation) - set(KEY_INDO_PACIFIC_PARTNERS))
    nations.update(Nation.objects.in_bulk(others))
    rows = [
        PartnerAgreements(
            nation=nations[iso3], agreements=by_nation.get(iso3, []), tier=tiers.get(iso3)
        )
        for iso3 in (*KEY_INDO_PACIFIC_PARTNERS, *others)
        if iso3 in nations
    ]
    return render(request, "core/partners.html", {"rows": rows})
