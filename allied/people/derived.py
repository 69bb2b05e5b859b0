"""Keeping the derived ``PairContact`` rows in step with contacts and participations.

Every save or delete of a participation, and every save of a contact, rebuilds that contact's
pair rows inside the same transaction (a named, logged system access: derived data, no reader
involved), so the rows can never describe a contact as it no longer is. Bulk writes that skip
signals (``bulk_create``) must call ``rebuild`` for the contacts they wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from allied.core.models.marked import current_system_access, system_access
from allied.people.models import Contact, PairContact, Participation, pair_contact_key


def _rows_for(contact_ids: list[int]) -> list[PairContact]:
    contacts = dict(Contact.objects.filter(pk__in=contact_ids).values_list("pk", "starts"))
    markings = dict(Contact.objects.filter(pk__in=contact_ids).values_list("pk", "marking_id"))
    present: dict[int, list[tuple[int, int]]] = {}
    for contact_id, official_id, marking_id in Participation.objects.filter(
        contact_id__in=contact_ids
    ).values_list("contact_id", "official_id", "marking_id"):
        present.setdefault(contact_id, []).append((official_id, marking_id))
    rows = []
    for contact_id, people in present.items():
        if contact_id not in contacts:
            continue
        for (a, ma), (b, mb) in combinations(sorted(people), 2):
            rows.append(
                PairContact(
                    contact_id=contact_id,
                    official_a_id=a,
                    official_b_id=b,
                    key=pair_contact_key(a, b),
                    day=contacts[contact_id],
                    marking_id=markings[contact_id],
                    marking_a_id=ma,
                    marking_b_id=mb,
                )
            )
    return rows


def rebuild(contact_ids: Iterable[int], batch: int = 2000) -> int:
    """Rebuild the pair rows of these contacts; returns how many rows now exist for them."""
    ids = sorted(set(contact_ids))
    total = 0

    def run() -> None:
        nonlocal total
        with transaction.atomic():
            for start in range(0, len(ids), batch):
                chunk = ids[start : start + batch]
                PairContact.objects.filter(contact_id__in=chunk).delete()
                rows = _rows_for(chunk)
                PairContact.objects.bulk_create(rows, batch_size=5000)
                total += len(rows)

    if current_system_access() is not None:
        run()
    else:
        with system_access("people: derive who met whom from contacts"):
            run()
    return total


@receiver(post_save, sender=Participation)
@receiver(post_delete, sender=Participation)
def _participation_changed(sender: Any, instance: Participation, **kwargs: Any) -> None:
    rebuild([instance.contact_id])


@receiver(post_save, sender=Contact)
def _contact_changed(sender: Any, instance: Contact, created: bool, **kwargs: Any) -> None:
    if not created:
        rebuild([instance.pk])
