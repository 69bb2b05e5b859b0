"""Fictional offers to collect for the demo: one split agreed and live, one that has lapsed.

Every entry here is invented for the demo and says so. Korea collects missile launches on the
Korean Peninsula for the U.S. planner's need (accepted, live through 2026); Japan collected
maritime activity in the Luzon Strait for the U.S. analyst's need from March to September 2026
(accepted, so from October the coverage matrix shows the split as lapsed). Each is marked
releasable to its two nations only: the Philippine officer sees neither.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from allied.core.models import StoredMarking, system_access
from allied.intel.demo.requirements import NOTE
from allied.intel.models import AgreementStatus, CollectionAgreement, CollectionRequirement


@dataclass(frozen=True)
class DemoSplit:
    offered_by: str
    answered_by: str
    need_author: str
    topic: str
    region: str
    starts: str
    ends: str
    marking: str
    terms: str


SPLITS: tuple[DemoSplit, ...] = (
    DemoSplit("kor.liaison", "us.analyst", "us.planner", "Missile launches", "Korean Peninsula",
              "2026-04-01", "2026-12-31", "SECRET//REL TO USA, KOR",
              "Korea's ground radars collect launches and impact areas for both; the United "
              "States stands its own collection down for the window."),
    DemoSplit("jpn.liaison", "us.analyst", "us.analyst", "Maritime activity", "Luzon Strait",
              "2026-03-01", "2026-09-30", "SECRET//REL TO USA, JPN",
              "Japan's patrol aircraft collect night-time transits of the strait; the United "
              "States receives the tracks weekly. (The window has ended: the split lapses.)"),
)  # fmt: skip


@transaction.atomic
def seed() -> int:
    """Create the demo splits once (after the demo requirements); returns the rows created."""
    users = {user.username: user for user in get_user_model().objects.select_related("principal")}
    created = 0
    with system_access("demo: seed fictional collection agreements"):
        for split in SPLITS:
            offerer, need_author = users[split.offered_by], users[split.need_author]
            terms = f"{split.terms} {NOTE}"
            if CollectionAgreement.objects.filter(terms=terms).exists():
                continue
            need = CollectionRequirement.objects.filter(
                created_by=need_author, kind="need", topic=split.topic, region=split.region
            ).first()
            if need is None:
                continue
            CollectionAgreement(
                requirement=need,
                collector_id=offerer.principal.nation_id,
                relying_id=need.nation_id,
                topic=split.topic,
                region=split.region,
                starts=datetime.date.fromisoformat(split.starts),
                ends=datetime.date.fromisoformat(split.ends),
                terms=terms,
                status=AgreementStatus.ACCEPTED,
                offered_by=offerer,
                answered_by=users[split.answered_by],
                answered_at=timezone.now(),
                answer_note=f"Accepted. {NOTE}",
                marking=StoredMarking.objects.intern(split.marking),
            ).save()
            created += 1
    return created
