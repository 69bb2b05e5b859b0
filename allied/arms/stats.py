"""The roll-up of completed stages and reviews that the analytics page reads (``StageStat``).

``record_stage`` adds one completed stage in the caller's transaction (stage completion calls it),
``rebuild`` recomputes everything from the stage records and reviews (after bulk loads such as the
demo). Both group by the rows' own marking and their case's marking, so the roll-up never shows a
viewer a sum over rows it could not see one by one.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, Sum

from allied.arms.models import Review, StageRecord, StageStat, StatKind
from allied.core.models.marked import system_access


def record_stage(record: StageRecord, case: Any) -> None:
    """Count one completed stage record (``days`` set) in the roll-up."""
    if record.days is None:
        return
    late = int(record.target_days is not None and record.days > record.target_days)
    with system_access("arms: roll up a completed stage"), transaction.atomic():
        stat, _ = StageStat.objects.select_for_update().get_or_create(
            marking_id=record.marking_id,
            case_marking_id=case.marking_id,
            partner_id=case.partner_id,
            kind=StatKind.STAGE,
            key=record.stage,
            owner=record.owner,
        )
        StageStat.objects.filter(pk=stat.pk).update(
            total_days=F("total_days") + record.days, count=F("count") + 1, late=F("late") + late
        )


def rebuild() -> int:
    """Recompute the whole roll-up from the stage records and reviews; the rows written."""
    with system_access("arms: rebuild the analytics roll-up"), transaction.atomic():
        StageStat.objects.all().delete()
        stats: list[StageStat] = []
        stages = (
            StageRecord.objects.filter(days__isnull=False)
            .values("marking_id", "case__marking_id", "case__partner_id", "stage", "owner")
            .annotate(
                total=Sum("days"),
                n=Count("id"),
                late=Count("id", filter=Q(days__gt=F("target_days"))),
            )
            .order_by()
        )
        for r in stages:
            stats.append(
                StageStat(
                    marking_id=r["marking_id"],
                    case_marking_id=r["case__marking_id"],
                    partner_id=r["case__partner_id"],
                    kind=StatKind.STAGE,
                    key=r["stage"],
                    owner=r["owner"],
                    total_days=r["total"],
                    count=r["n"],
                    late=r["late"],
                )
            )
        reviews = (
            Review.objects.filter(days__isnull=False)
            .values("marking_id", "case__marking_id", "case__partner_id", "review_type", "owner")
            .annotate(total=Sum("days"), n=Count("id"))
            .order_by()
        )
        for r in reviews:
            stats.append(
                StageStat(
                    marking_id=r["marking_id"],
                    case_marking_id=r["case__marking_id"],
                    partner_id=r["case__partner_id"],
                    kind=StatKind.REVIEW,
                    key=r["review_type"],
                    owner=r["owner"],
                    total_days=r["total"],
                    count=r["n"],
                    late=0,
                )
            )
        StageStat.objects.bulk_create(stats, batch_size=1000)
    return len(stats)
