"""Fictional collection requirements for the demo, so that partners find where they overlap.

Every entry here is invented for the demo and says so. The U.S. cast and the liaison officers
register what their nations need and already collect, with topics, regions and windows that
overlap (maritime activity near the Luzon Strait above all). The markings are real markings and
decide who sees which entry, so each partner sees only some of the overlaps: the Philippine
officer sees the U.S. need beside the Philippine need, but not Japan's patrol collection; nobody
abroad learns of the U.S.-only collection in the strait.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from allied.core.models import StoredMarking, system_access
from allied.intel.models import CollectionRequirement, RequirementKind

NOTE = "(Fictional demo content.)"
NEED, COLLECT = RequirementKind.NEED, RequirementKind.COLLECT


@dataclass(frozen=True)
class DemoRequirement:
    author: str
    marking: str
    kind: str
    topic: str
    region: str
    starts: str
    ends: str
    priority: int
    description: str


def _d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


REQUIREMENTS: tuple[DemoRequirement, ...] = (
    # Maritime activity near the Luzon Strait: four nations, four markings.
    DemoRequirement(
        "us.analyst", "CONFIDENTIAL//REL TO USA, JPN, PHL", NEED, "Maritime activity",
        "Luzon Strait", "2026-01-01", "2026-12-31", 5,
        "Tracks of survey ships and naval vessels transiting the Luzon Strait, with night-time "
        "movements and loitering near the Batanes islands.",
    ),
    DemoRequirement(
        "jpn.liaison", "SECRET//REL TO USA, JPN", COLLECT, "Maritime activity", "Luzon Strait",
        "2026-03-01", "2026-09-30", 4,
        "Maritime patrol aircraft already track survey ships and naval vessels transiting the "
        "Luzon Strait, night-time movements included.",
    ),
    DemoRequirement(
        "phl.liaison", "CONFIDENTIAL//REL TO USA, PHL", NEED, "Maritime activity",
        "Luzon Strait", "2026-02-01", "2026-08-31", 5,
        "The coast guard needs tracks of survey ships and maritime militia vessels transiting "
        "the Luzon Strait near the Batanes islands.",
    ),
    DemoRequirement(
        "us.analyst", "SECRET//NOFORN", COLLECT, "Maritime activity", "Luzon Strait",
        "2026-01-01", "2026-06-30", 3,
        "U.S.-only: collection already covers survey ships transiting the Luzon Strait.",
    ),
    DemoRequirement(
        "aus.liaison", "SECRET//REL TO USA, QUAD", COLLECT, "Maritime activity",
        "Luzon Strait and Bashi Channel", "2026-05-01", "2026-10-31", 3,
        "Surface ships on deployment record vessels transiting the Luzon Strait and the Bashi "
        "Channel, survey ships included.",
    ),
    # Missile launches around the Korean Peninsula.
    DemoRequirement(
        "kor.liaison", "SECRET//REL TO USA, KOR", COLLECT, "Missile launches",
        "Korean Peninsula", "2026-01-01", "2026-12-31", 5,
        "Ground radars already record ballistic missile launches and their impact areas.",
    ),
    DemoRequirement(
        "us.planner", "SECRET//REL TO USA, JPN, KOR", NEED, "Missile launches", "Korean Peninsula",
        "2026-04-01", "2026-12-31", 5,
        "Early warning of ballistic missile launches and impact areas for coalition planning.",
    ),
    DemoRequirement(
        "jpn.liaison", "SECRET//REL TO USA, JPN", NEED, "Missile launches", "Sea of Japan",
        "2026-01-01", "2026-12-31", 5,
        "Impact areas of ballistic missile launches falling in the Sea of Japan.",
    ),
    # The Bay of Bengal and the South China Sea.
    DemoRequirement(
        "ind.liaison", "CONFIDENTIAL//REL TO USA, IND", NEED, "Submarine movements",
        "Bay of Bengal", "2026-01-01", "2026-12-31", 4,
        "Movements of foreign submarines entering the Bay of Bengal through the Andaman Sea.",
    ),
    DemoRequirement(
        "us.planner", "CONFIDENTIAL//REL TO USA, IND", COLLECT, "Submarine movements",
        "Bay of Bengal", "2026-06-01", "2026-11-30", 3,
        "Ocean surveillance already follows submarines entering the Bay of Bengal from the "
        "Andaman Sea.",
    ),
    DemoRequirement(
        "aus.liaison", "SECRET//REL TO USA, AUS", NEED, "Port construction", "South China Sea",
        "2026-01-01", "2026-12-31", 2,
        "Imagery of dredging, piers and runways built on features in the South China Sea.",
    ),
    DemoRequirement(
        "us.planner", "SECRET//REL TO USA, FVEY", COLLECT, "Port construction",
        "South China Sea", "2026-03-01", "2026-12-31", 2,
        "Commercial imagery already covers dredging, piers and runways on South China Sea "
        "features.",
    ),
)  # fmt: skip


@transaction.atomic
def seed() -> int:
    """Create the demo requirements once; running it again adds nothing. Returns rows created."""
    users = {user.username: user for user in get_user_model().objects.select_related("principal")}
    created = 0
    with system_access("demo: seed fictional collection requirements"):
        for entry in REQUIREMENTS:
            author = users[entry.author]
            description = f"{entry.description} {NOTE}"
            exists = CollectionRequirement.objects.filter(
                nation_id=author.principal.nation_id, description=description
            ).exists()
            if exists:
                continue
            CollectionRequirement(
                nation_id=author.principal.nation_id,
                kind=entry.kind,
                topic=entry.topic,
                region=entry.region,
                starts=_d(entry.starts),
                ends=_d(entry.ends),
                priority=entry.priority,
                description=description,
                created_by=author,
                marking=StoredMarking.objects.intern(entry.marking),
            ).save()
            created += 1
    return created
