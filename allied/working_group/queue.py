"""The queue's source in the working group itself (``allied.core.queue.Source``): the restricted
queryset of free-form requests annotated with the ranking columns, and the ``QueueItem`` of each
row on a page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import F
from django.urls import reverse

from allied.core.queue import QueueItem, Source
from allied.working_group.models import OPEN_STATUSES, FreeformRequest


def _base(name: str) -> str:
    return reverse(name, args=[0])[: -len("0/")]


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


FREEFORM = Source(
    "working_group.freeform",
    freeform_rows,
    freeform_items,
    model=FreeformRequest,
    entries=freeform_entries,
    rank=40,
)
