"""Fictional foreign-disclosure content for the demo: ceilings, requests and decisions.

Everything here is invented for the demo and says so: the products, their text, the partners'
ceilings and every purpose and reason. The markings are real markings and the decisions are made
through the same workflow as the pages (``allied.intel.disclosure``), so an approval really widens
the portions it names: sign in as ``jpn.liaison`` to see the portion released to Japan, and as
``us.fdo`` to find the requests still waiting.

``seed()`` is idempotent: each product, ceiling and request is created once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from allied.core.models import Nation, StoredMarking, system_access
from allied.intel import disclosure
from allied.intel.models import (
    DisclosureCeiling,
    DisclosureDecision,
    DisclosureRequest,
    Outcome,
    Portion,
    Product,
)
from allied.intel.rules.disclosure import Category
from allied.markings import Level
from allied.markings.authority import years_after
from allied.markings.rollup import rollup_portions

DEMO_NOTE = "(Fictional demo content.)"
TITLE_PREFIX = "Fictional disclosure demo: "
CEILING_MARKING = "SECRET//NOFORN"

C, S, TS = Level.C, Level.S, Level.TS
MI = Category.MILITARY_INTELLIGENCE

# Fictional ceilings: partner -> category -> highest level. Categories not listed have none
# recorded (the trust tier alone sets them).
CEILINGS: dict[str, dict[Category, Level]] = {
    "GBR": {Category.ORGANISATION_TRAINING: S, Category.COMBINED_OPERATIONS: TS, MI: TS},
    "AUS": {Category.ORGANISATION_TRAINING: S, Category.COMBINED_OPERATIONS: TS, MI: TS},
    "JPN": {Category.ORGANISATION_TRAINING: S, Category.MATERIEL_AND_MUNITIONS: S, MI: S},
    "KOR": {Category.COMBINED_OPERATIONS: S, MI: S},
    "PHL": {Category.ORGANISATION_TRAINING: C, MI: C},
    "IND": {Category.MATERIEL_AND_MUNITIONS: C, MI: C},
}


@dataclass(frozen=True)
class DemoProduct:
    title: str
    category: Category
    metadata: str
    portions: tuple[tuple[str, str], ...]


PRODUCTS: tuple[DemoProduct, ...] = (
    DemoProduct(
        "Strait surface activity, weekly summary",
        MI,
        "CONFIDENTIAL//REL TO USA, AUS, GBR, JPN, KOR",
        (
            ("SECRET//NOFORN", "Three survey vessels loitered north of the strait for four days."),
            ("SECRET//REL TO USA, FVEY", "The fused maritime picture shows no change in patrols."),
            ("SECRET//NOFORN", "Reporting on the vessels' tasking came from a sensitive source."),
            ("UNCLASSIFIED", "Notices to mariners closed two shipping lanes for one day."),
        ),
    ),
    DemoProduct(
        "Missile test readiness assessment",
        MI,
        "SECRET//NOFORN",
        (
            ("SECRET//ORCON/NOFORN", "Originator-controlled reporting on launch preparations."),
            ("TOP SECRET//NOFORN", "Assessed readiness of two launch sites."),
            ("CONFIDENTIAL//NOFORN", "A test within the month is assessed as likely."),
        ),
    ),
    DemoProduct(
        "Port logistics survey",
        Category.MATERIEL_AND_MUNITIONS,
        "CONFIDENTIAL//NOFORN",
        (
            ("CONFIDENTIAL//NOFORN", "Fuel storage at the northern port holds about ten days."),
            ("CONFIDENTIAL//NOFORN", "Crane capacity limits unloading to one ship at a time."),
        ),
    ),
)


@dataclass(frozen=True)
class DemoRequest:
    """A request, when it was made (days ago), and its decisions (outcome, hours after asking)."""

    product: int
    portions: tuple[int, ...]
    partner: str
    purpose: str
    days_ago: float
    decisions: tuple[tuple[Outcome, float, dict[str, Any]], ...] = ()


REQUESTS: tuple[DemoRequest, ...] = (
    DemoRequest(0, (0,), "JPN", "Maritime patrol planning for the next exercise.", 9,
                ((Outcome.APPROVE, 46, {"reason": "Within Japan's ceiling; no source detail."}),)),
    DemoRequest(0, (1,), "KOR", "Shared maritime picture for a combined patrol.", 6,
                ((Outcome.APPROVE, 20, {"reason": "Releasable at the partner's ceiling."}),)),
    DemoRequest(2, (1,), "AUS", "Logistics planning for a port visit.", 3,
                ((Outcome.APPROVE, 6, {"release_metadata": True}),)),
    DemoRequest(2, (0,), "KOR", "Host-nation support planning.", 11,
                ((Outcome.APPROVE_SANITISED, 70, {
                    "sanitised_text": "Fuel storage at the northern port is limited.",
                    "sanitised_marking": "(C//REL TO USA, KOR)",
                    "release_metadata": True,
                }),)),
    DemoRequest(1, (1,), "PHL", "Early warning for coastal defence.", 20,
                ((Outcome.DENY, 140, {"reason": "Above the partner's ceiling for military "
                                                "intelligence; no sanitised version meets "
                                                "the purpose."}),)),
    DemoRequest(1, (0,), "IND", "Joint assessment at the next intelligence dialogue.", 12,
                ((Outcome.ESCALATE, 96, {"reason": "ORCON: the originator's consent is needed; "
                                                   "exception to policy requested."}),)),
    DemoRequest(0, (2,), "KOR", "Warning of survey activity near Korean waters.", 2),
    DemoRequest(1, (2,), "PHL", "Readiness of coastal defence units.", 5),
    DemoRequest(0, (2,), "GBR", "Combined maritime task group briefing.", 1),
)  # fmt: skip


def _users() -> tuple[Any, Any]:
    users = get_user_model().objects
    return users.get(username="us.analyst"), users.get(username="us.fdo")


def seed_ceilings(officer: Any) -> int:
    """Record the fictional ceilings once; return how many were created."""
    created = 0
    marking = StoredMarking.objects.intern(CEILING_MARKING)
    start = timezone.localdate() - datetime.timedelta(days=365)
    for iso3, levels in CEILINGS.items():
        nation = Nation.objects.get(iso3=iso3)
        for category, level in levels.items():
            if DisclosureCeiling.objects.filter(nation=nation, category=category).exists():
                continue
            DisclosureCeiling(
                nation=nation,
                category=category,
                level=int(level),
                effective_from=start,
                set_by=officer,
                reason=f"Fictional ceiling for the demo. {DEMO_NOTE}",
                marking=marking,
            ).save()
            created += 1
    return created


def seed_products(author: Any) -> list[Product]:
    """The demo's own fictional products (created once, found by title afterwards)."""
    products = []
    for spec in PRODUCTS:
        title = TITLE_PREFIX + spec.title
        product = Product.objects.filter(title=title).first()
        if product is None:
            markings = [StoredMarking.objects.intern(m) for m, _ in spec.portions]
            product = Product(
                title=title,
                originator="us_agency",
                originator_agency="Fictional analysis centre",
                category=int(spec.category),
                topics=["maritime"],
                regions=["Indo-Pacific"],
                author=author,
                marking=StoredMarking.objects.intern(spec.metadata),
                banner=StoredMarking.objects.intern(rollup_portions([m.marking for m in markings])),
                # The classification authority block every classified product carries.
                classified_by="us.analyst, Senior Analyst, Fictional analysis centre",
                derived_from="Multiple Sources",
                declassify_on=years_after(timezone.localdate(), 10),
            )
            product.save()
            for order, (marking, (_, text)) in enumerate(zip(markings, spec.portions, strict=True)):
                Portion(
                    product=product,
                    order=order + 1,
                    text=f"{text} {DEMO_NOTE}",
                    marking=marking,
                ).save()
        products.append(product)
    return products


def seed_requests(products: list[Product], author: Any, officer: Any) -> int:
    """Make each scripted request and its decisions through the workflow, then date them.

    The workflow reads as the asker and the officer; only the look-up and the dating are
    system work (each in its own named access: the workflow opens and closes its own).
    """
    asker = author.principal.viewer()
    decider = officer.principal.viewer()
    now = timezone.now()
    created = 0
    for spec in REQUESTS:
        product = products[spec.product]
        purpose = f"{spec.purpose} {DEMO_NOTE}"
        with system_access("demo: look for a fictional disclosure request"):
            if DisclosureRequest.objects.filter(product=product, purpose=purpose).exists():
                continue
        body = Portion.objects.visible_to(asker).filter(product=product, section=0)
        ordered = list(body.order_by("order"))
        req = disclosure.create_request(
            user=author,
            viewer=asker,
            product=product,
            portions=[ordered[i] for i in spec.portions],
            partner=Nation.objects.get(iso3=spec.partner),
            purpose=purpose,
        )
        asked = now - datetime.timedelta(days=spec.days_ago)
        dates: list[tuple[int, datetime.datetime]] = []
        for number, (outcome, hours, extra) in enumerate(spec.decisions, start=1):
            made = disclosure.decide_request(
                req.pk,
                user=officer,
                viewer=decider,
                given=disclosure.DecisionInput(
                    outcome=outcome,
                    seen_number=number - 1,
                    reason=f"{extra.get('reason', '')} {DEMO_NOTE}".strip(),
                    sanitised_text=(
                        f"{extra['sanitised_text']} {DEMO_NOTE}"
                        if "sanitised_text" in extra
                        else ""
                    ),
                    sanitised_marking=extra.get("sanitised_marking", ""),
                    release_metadata=extra.get("release_metadata", False),
                ),
            )
            dates.append((made.pk, asked + datetime.timedelta(hours=hours)))
        with system_access("demo: date a fictional disclosure request and its decisions"):
            DisclosureRequest.objects.filter(pk=req.pk).update(requested_at=asked)
            for pk, decided in dates:
                DisclosureDecision.objects.filter(pk=pk).update(decided_at=decided)
                DisclosureRequest.objects.filter(pk=req.pk).update(decided_at=decided)
            from allied.core.queue import rows_written

            rows_written(DisclosureRequest, [req.pk])  # the update sent no post_save
        created += 1
    return created


@transaction.atomic
def seed() -> int:
    """Create the demo's ceilings, products, requests and decisions once; return rows created."""
    author, officer = _users()
    with system_access("demo: seed fictional disclosure ceilings and products"):
        created = seed_ceilings(officer)
        products = seed_products(author)
    return created + seed_requests(products, author, officer)
