"""Small hand-built arms-sales rows for tests (written under a named system access)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from allied.arms.models import Blocker, Case, CoordinationGroup, StageRecord
from allied.core.models import StoredMarking, system_access

_N = itertools.count(1)
DAY = datetime.date(2026, 6, 1)


def case(
    partner: str,
    marking: str,
    *,
    stage: str = "reviews",
    title: str = "",
    group: CoordinationGroup | None = None,
    **fields: Any,
) -> Case:
    with system_access("tests: an arms case"):
        n = next(_N)
        obj = Case(
            identifier=f"T{partner}{n:04d}",
            partner_id=partner,
            title=title or f"Test case {n} of {partner}",
            implementing_agency="Navy (NIPO)",
            stage=stage,
            stage_entered=DAY,
            stage_owner="TSFDO / ATTR SSG",
            lor_received=DAY - datetime.timedelta(days=20),
            group=group,
            marking=StoredMarking.objects.intern(marking),
            **{"mde_value": 30_000_000, "total_value": 60_000_000, **fields},
        )
        obj.save()
        StageRecord(
            case=obj,
            stage="lor_received",
            entered=obj.lor_received,
            completed=obj.lor_received + datetime.timedelta(days=3),
            days=3,
            owner="Navy (NIPO)",
            target_days=5,
            marking=obj.marking,
        ).save()
        StageRecord(
            case=obj, stage=stage, entered=DAY, owner="TSFDO / ATTR SSG", marking=obj.marking
        ).save()
    return obj


def blocker(on: Case, text: str, marking: str, *, waits_on: Case | None = None) -> Blocker:
    with system_access("tests: a blocker"):
        obj = Blocker(
            case=on,
            text=text,
            owner="DTSA",
            opened=DAY,
            waits_on=waits_on,
            marking=StoredMarking.objects.intern(marking),
        )
        obj.save()
    return obj


def group(name: str, marking: str) -> CoordinationGroup:
    with system_access("tests: a coordination group"):
        obj = CoordinationGroup(
            name=name, capability="Air defence", marking=StoredMarking.objects.intern(marking)
        )
        obj.save()
    return obj
