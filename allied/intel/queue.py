"""Disclosure requests as items of the working group's queue (``allied.core.queue.Source``):
the restricted queryset of open requests annotated with the ranking columns, and the
``QueueItem`` of each row on a page. ``IntelConfig.ready()`` registers the source."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import CharField, DateField, F, Value
from django.db.models.functions import Substr, TruncDate
from django.urls import reverse
from django.utils import timezone

from allied.core.queue import QueueItem, Source
from allied.intel.models import DisclosureRequest, RequestStatus

DISCLOSURE_OPEN = (RequestStatus.PENDING, RequestStatus.ESCALATED)


def _base(name: str) -> str:
    return reverse(name, args=[0])[: -len("0/")]


def disclosure_rows(who: Any, on: date) -> Any:
    return _disclosures(DisclosureRequest.objects.visible_to(who, on=on))


def disclosure_entries(rows: Any) -> Any:
    return _disclosures(rows).annotate(q_title=Substr("purpose", 1, 200), q_marking=F("marking_id"))


def _disclosures(rows: Any) -> Any:
    return rows.filter(status__in=DISCLOSURE_OPEN).annotate(
        q_partner=F("partner_id"),
        q_kind=Value("disclosure", output_field=CharField()),
        q_opened=TruncDate("requested_at"),
        q_target=Value(None, output_field=DateField()),
        q_flags=Value("", output_field=CharField()),
    )


def disclosure_items(who: Any, on: date, pks: Sequence[Any]) -> dict[Any, QueueItem]:
    """Disclosure requests waiting for a decision, or escalated as an exception to policy."""
    rows = (
        DisclosureRequest.objects.visible_to(who, on=on)
        .filter(pk__in=list(pks))
        .values_list("pk", "partner_id", "purpose", "requested_at", "status", "marking__text")
    )
    base = _base("intel:disclosure-request-detail")
    found = {}
    for pk, partner, purpose, requested_at, status, marking in rows:
        escalated = status == RequestStatus.ESCALATED
        found[pk] = QueueItem(
            key=f"intel.disclosurerequest:{pk}",
            kind="disclosure",
            partner=partner,
            title=_first_line(purpose),
            owner="Foreign disclosure office",
            opened=timezone.localdate(requested_at),
            target=None,
            status="Escalated" if escalated else "Awaiting decision",
            blockers=(
                ("Escalated as an exception to policy",)
                if escalated
                else ("Awaiting a disclosure officer's decision",)
            ),
            url=f"{base}{pk}/",
            marking=marking,
        )
    return found


DISCLOSURE = Source(
    "intel.disclosure",
    disclosure_rows,
    disclosure_items,
    model=DisclosureRequest,
    entries=disclosure_entries,
    rank=30,
)


def _first_line(text: str, limit: int = 120) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"
