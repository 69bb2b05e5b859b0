"""Fictional intelligence products for the demo, so that each partner reads something different.

Every title and text here is invented for the demo and says so. The markings are real markings:
they decide who sees what exactly as they would for real content. The Japanese liaison officer
reads Japan's tearlines, the Quad portions and what Australia released to Japan; the Philippine
liaison officer (cleared Confidential) reads the Philippines' tearline and portions; nobody
abroad learns that the U.S.-only product exists.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from allied.core.models import system_access
from allied.intel.models import Originator, Product
from allied.intel.products.authoring import (
    PortionDraft,
    ProductDraft,
    authority_problems,
    save_product,
    validate_draft,
)
from allied.intel.rules.disclosure import Category
from allied.markings.authority import Authority, years_after

NOTE = "(Fictional demo content.)"
#: Days between the dates the demo products are said to have been written.
WRITTEN_EVERY_DAYS = 17


@dataclass(frozen=True)
class DemoProduct:
    title: str
    marking: str
    portions: tuple[tuple[int, str, str], ...]  # (section, portion mark, text)
    topics: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    category: Category = Category.MILITARY_INTELLIGENCE
    agency: str = "Defense intelligence analysis cell (fictional)"
    partner: str | None = None  # a partner-originated product is foreign government information
    author: str = "us.analyst"
    # The classification authority block (EO 13526 sec. 1.6): who classified it, from what or
    # why, and when it is declassified: years after it is written, or an event.
    classified_by: str = "us.analyst, Senior Analyst, Defense intelligence cell (fictional)"
    derived_from: str = "Multiple Sources"
    reason: str = ""
    declassify_years: int | None = 10
    declassify_event: str = ""
    exemption: str = ""

    def authority(self, today: datetime.date) -> Authority:
        return Authority(
            classified_by=self.classified_by,
            derived_from=self.derived_from,
            classification_reason=self.reason,
            declassify_on=None
            if self.declassify_years is None
            else years_after(today, self.declassify_years),
            declassify_event=self.declassify_event,
            declass_exemption=self.exemption,
        )


PRODUCTS: tuple[DemoProduct, ...] = (
    DemoProduct(
        "Strait transit patterns: quarterly assessment",
        "SECRET//REL TO USA, JPN",
        (
            (
                0,
                "(S//NF)",
                "Collection on the northern approaches shows a new rotation of "
                "surface combatants every nine days.",
            ),
            (
                0,
                "(S//NF)",
                "The rotation matches tasking we attribute to a single fleet "
                "headquarters; sources are not to be shared.",
            ),
            (
                1,
                "(S//REL TO USA, JPN)",
                "Surface combatants transit the strait on a regular cycle of about nine days.",
            ),
            (
                1,
                "(S//REL TO USA, JPN)",
                "Expect the next transit window in the second week of "
                "the month; air patrols should plan accordingly.",
            ),
        ),
        topics=("naval activity", "transits"),
        regions=("East China Sea",),
    ),
    DemoProduct(
        "Maritime domain awareness: partner picture, week 47",
        "UNCLASSIFIED",
        (
            (0, "(U)", "Weekly summary of maritime activity for coalition partners."),
            (
                0,
                "(S//REL TO USA, FVEY)",
                "Five Eyes fused track data shows two survey vessels "
                "loitering near the cable corridor.",
            ),
            (
                0,
                "(S//REL TO USA, QUAD)",
                "Quad partners: the survey vessels' pattern matches "
                "last year's seabed mapping campaign.",
            ),
            (
                0,
                "(C//REL TO USA, PHL)",
                "Philippine-flagged fishing fleets report harassment "
                "near the shoal on three days this week.",
            ),
            (
                0,
                "(C//DISPLAY ONLY KOR)",
                "A trawler sighted off the west coast carried "
                "unregistered communications equipment.",
            ),
        ),
        topics=("maritime domain awareness",),
        regions=("Indo-Pacific",),
    ),
    DemoProduct(
        "U.S.-only: collection posture review",
        "SECRET//NOFORN",
        (
            (0, "(S//NF)", "Three collection platforms will move north next quarter."),
            (
                0,
                "(S//NF)",
                "Partner sharing of the resulting reporting needs a fresh disclosure review.",
            ),
        ),
        topics=("collection",),
        regions=("Indo-Pacific",),
        classified_by="Director of collection management (fictional)",
        derived_from="",
        reason="1.4(c)",
        declassify_years=15,
    ),
    DemoProduct(
        "Air-defence radar emissions: technical summary",
        "SECRET//REL TO USA, FVEY",
        (
            (
                0,
                "(TS//SI-G//NF)",
                "Intercepts place the new radar's operators at the coastal "
                "site since the start of the month.",
            ),
            (
                0,
                "(S//NF)",
                "The radar's emissions suggest a longer-range search mode than assessed last year.",
            ),
            (
                1,
                "(S//REL TO USA, FVEY)",
                "A new coastal air-defence radar is operating with "
                "a longer-range search mode than previously assessed.",
            ),
        ),
        topics=("air defence", "radar"),
        regions=("South China Sea",),
        category=Category.MATERIEL_AND_MUNITIONS,
        derived_from="Signals intelligence classification guide (fictional)",
        declassify_years=40,
        exemption="25X1",
    ),
    DemoProduct(
        "Northern approaches: Australian maritime patrol observations",
        "CONFIDENTIAL//FGI AUS//REL TO USA, AUS, GBR, JPN, PHL",
        (
            (
                0,
                "(//AUS S//REL TO USA, AUS, GBR)",
                "Patrol aircraft tracked a submarine "
                "tender for six hours north of the archipelago.",
            ),
            (
                0,
                "(//AUS S//REL TO USA, AUS, JPN)",
                "The tender's course suggests a resupply "
                "point used in earlier deployments towards Japanese waters.",
            ),
            (
                0,
                "(//AUS C//REL TO USA, AUS, PHL)",
                "Patrols sighted the tender again near Philippine waters two days later.",
            ),
        ),
        topics=("maritime patrol", "submarines"),
        regions=("Western Pacific",),
        partner="AUS",
        author="aus.liaison",
        classified_by="aus.liaison, Liaison officer (fictional)",
        derived_from="Australian maritime patrol reports (fictional)",
        declassify_years=20,
    ),
    DemoProduct(
        "Typhoon season: disaster-relief logistics picture",
        "UNCLASSIFIED",
        (
            (
                0,
                "(U)",
                "Forecasters expect an active season with landfall most likely in September.",
            ),
            (
                0,
                "(C//REL TO USA, PHL)",
                "Two Philippine airfields can take heavy airlift from "
                "the first week of the season.",
            ),
            (
                0,
                "(C//REL TO USA, JPN, PHL)",
                "Japanese and U.S. sealift can pre-position relief stores at the northern port.",
            ),
            (
                0,
                "(C//REL TO USA, IND)",
                "India offers a hospital ship for the second half of the season.",
            ),
        ),
        topics=("HADR", "logistics"),
        regions=("Philippines", "Western Pacific"),
        category=Category.COMBINED_OPERATIONS,
    ),
    DemoProduct(
        "Korean Peninsula: missile test readiness indicators",
        "SECRET//REL TO USA, JPN, KOR",
        (
            (0, "(S//NF)", "Imagery shows launch support vehicles leaving their garrison."),
            (
                0,
                "(S//REL TO USA, KOR)",
                "Transporter-erector-launchers are dispersing from the garrison area.",
            ),
            (
                1,
                "(S//REL TO USA, JPN, KOR)",
                "Indicators point to a launch within two weeks; "
                "trilateral missile warning data sharing should be at full readiness.",
            ),
        ),
        topics=("missiles", "warning"),
        regions=("Korean Peninsula",),
    ),
    DemoProduct(
        "South China Sea: maritime militia activity",
        "CONFIDENTIAL//REL TO USA, JPN, PHL",
        (
            (
                0,
                "(S//NF)",
                "Reporting from a sensitive source ties the militia vessels to a "
                "provincial command.",
            ),
            (
                0,
                "(S//NF)",
                "The same source expects a larger presence before the fishing ban ends.",
            ),
            (
                1,
                "(C//REL TO USA, PHL)",
                "Militia vessels are expected to gather near the shoal "
                "before the seasonal fishing ban ends.",
            ),
            (
                2,
                "(S//REL TO USA, JPN)",
                "A larger militia presence is expected in the southern "
                "sea lanes that Japanese shipping uses next month.",
            ),
        ),
        topics=("maritime militia",),
        regions=("South China Sea",),
        declassify_years=None,
        declassify_event="End of the seasonal fishing ban (fictional)",
    ),
)


@transaction.atomic
def seed() -> int:
    """Create the demo products once (by title); running it again adds nothing. Returns how many
    were created."""
    users = {user.username: user for user in get_user_model().objects.all()}
    created = 0
    now = timezone.now()
    today = timezone.localdate()
    for index, demo in enumerate(PRODUCTS):
        author = users.get(demo.author)
        if author is None:
            continue  # the cast is created first (allied demo); without it there is no author
        with system_access("demo: look up fictional products by title"):
            if Product.objects.filter(title=demo.title).exists():
                continue
        draft = ProductDraft(
            title=demo.title,
            originator=Originator.PARTNER if demo.partner else Originator.US_AGENCY,
            originator_agency="" if demo.partner else demo.agency,
            originator_nation=demo.partner,
            category=demo.category.value,
            topics=list(demo.topics),
            regions=list(demo.regions),
            marking=demo.marking,
            authority=demo.authority(today),
        )
        orders: dict[int, int] = {}
        portions = []
        for section, mark, text in demo.portions:
            orders[section] = orders.get(section, 0) + 1
            portions.append(PortionDraft(section, orders[section], mark, f"{text} {NOTE}"))
        viewer = author.principal.viewer()
        general, per_portion = validate_draft(draft, portions, viewer)
        authority = authority_problems(draft, portions)
        if general or per_portion or authority:  # pragma: no cover - a mistake in the content
            raise ValueError(f"demo product {demo.title!r}: {general} {per_portion} {authority}")
        product = save_product(draft, portions, author=author, viewer=viewer)
        # Spread the fictional products over the past months, oldest first, so the analytics
        # page has a history to show.
        written = now - datetime.timedelta(days=WRITTEN_EVERY_DAYS * (len(PRODUCTS) - 1 - index))
        with system_access("demo: date a fictional product"):
            Product.objects.filter(pk=product.pk).update(created=written)
        created += 1
    return created
