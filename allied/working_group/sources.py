"""The queue's sources in the intelligence module and in the working group itself
(``allied.core.queue.Source``): restricted querysets annotated with the ranking columns, and the
``QueueItem`` of each row on a page."""

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
from allied.working_group.models import OPEN_STATUSES, FreeformRequest

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


def freeform_rows(who: Any, on: date) -> Any:
    return _freeform(FreeformRequest.objects.visible_to(who, on=on))


def freeform_entries(rows: Any) -> Any:
    return _freeform(rows).annotate(q_title=F("title"), q_marking=F("marking_id"))


def _freeform(rows: Any) -> Any:
    return rows.filter(status__in=OPEN_STATUSES).annotate(
        q_partner=F("partner_id"),
        q_kind=F("kind"),
        q_opened=F("opened"),
        q_target=F("target"),
        q_flags=F("flags"),
    )


def freeform_items(who: Any, on: date, pks: Sequence[Any]) -> dict[Any, QueueItem]:
    """Liaison, training, exercise and other requests recorded in the working group."""
    rows = (
        FreeformRequest.objects.visible_to(who, on=on)
        .filter(pk__in=list(pks))
        .values_list(
            "pk", "partner_id", "kind", "title", "owner", "opened", "target", "status",
            "blockers", "flags", "marking__text",
        )
    )  # fmt: skip
    base = _base("wg:request-detail")
    labels = dict(FreeformRequest._meta.get_field("status").choices or [])
    found = {}
    for pk, partner, kind, title, owner, opened, target, status, blockers, flags, marking in rows:
        found[pk] = QueueItem(
            key=f"working_group.freeformrequest:{pk}",
            kind=kind,
            partner=partner,
            title=title,
            owner=owner,
            opened=opened,
            target=target,
            status=str(labels.get(status, status)),
            blockers=tuple(line.strip() for line in blockers.splitlines() if line.strip()),
            url=f"{base}{pk}/",
            marking=marking,
            flags=tuple(f for f in flags.split(",") if f),
        )
    return found


DISCLOSURE = Source(
    "intel.disclosure",
    disclosure_rows,
    disclosure_items,
    model=DisclosureRequest,
    entries=disclosure_entries,
)
FREEFORM = Source(
    "working_group.freeform",
    freeform_rows,
    freeform_items,
    model=FreeformRequest,
    entries=freeform_entries,
)


def _first_line(text: str, limit: int = 120) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"
