"""Canary rows of the people models, for the leak tests (``allied.core.testing.leaks``).

Each canary's text sits in every free-text field a page or response could show. Where a row hangs
off a parent (a language skill off an official, a posting off an official and a billet, a
participation off a contact), the parent is UNCLASSIFIED and visible to everyone: so the crawl
checks that the hidden row stays hidden on its visible parent's pages, not only on its own.
"""

from __future__ import annotations

import datetime

from allied.core.models import Nation, StoredMarking
from allied.core.testing.leaks import canary_factory
from allied.people.models import (
    Billet,
    Contact,
    CrisisPair,
    LanguageSkill,
    Official,
    PairContact,
    Participation,
    Posting,
)

DAY = datetime.date.today() - datetime.timedelta(days=30)


def _public() -> StoredMarking:
    return StoredMarking.objects.intern("UNCLASSIFIED")


def _nation(iso3: str) -> Nation:
    nation, _ = Nation.objects.get_or_create(iso3=iso3, defaults={"name": iso3, "source": "-"})
    return nation


def _official(marking: StoredMarking, name: str, nation: str = "JPN") -> Official:
    obj = Official(
        name=name, nation=_nation(nation), organisation=f"Organisation of {name}", marking=marking
    )
    obj.save()
    return obj


def _billet(marking: StoredMarking, title: str, nation: str, partner: str | None = None) -> Billet:
    obj = Billet(
        code=f"C-{title[-8:]}",
        title=title,
        nation=_nation(nation),
        organisation=f"Unit of {title}",
        partner=_nation(partner) if partner else None,
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(Official)
def official(marking: StoredMarking, text: str) -> Official:
    obj = _official(marking, f"Official {text}")
    obj.grade = f"Grade {text}"
    obj.notes = f"Notes {text}"
    obj.save()
    return obj


@canary_factory(LanguageSkill)
def language_skill(marking: StoredMarking, text: str) -> LanguageSkill:
    holder = _official(_public(), "Linguist with a withheld rating", "USA")
    obj = LanguageSkill(
        official=holder,
        language="jpn",
        listening=6,
        reading=5,
        speaking=6,
        source=f"Rating {text}",
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(Billet)
def billet(marking: StoredMarking, text: str) -> Billet:
    return _billet(marking, f"Billet {text}", "USA", "JPN")


@canary_factory(Posting)
def posting(marking: StoredMarking, text: str) -> Posting:
    holder = _official(_public(), "Officer with a withheld posting", "USA")
    seat = _billet(_public(), "Public billet with a withheld posting", "USA", "JPN")
    obj = Posting(
        official=holder,
        billet=seat,
        starts=DAY - datetime.timedelta(days=300),
        ends=DAY + datetime.timedelta(days=400),
        note=f"Posting {text}",
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(Contact)
def contact(marking: StoredMarking, text: str) -> Contact:
    obj = Contact(
        kind="meeting",
        title=f"Contact {text}",
        starts=DAY,
        setting=f"Setting {text}",
        summary=f"Summary {text}",
        marking=marking,
    )
    obj.save()
    for name, nation in (("Public U.S. participant", "USA"), ("Public partner participant", "JPN")):
        Participation(
            contact=obj, official=_official(_public(), name, nation), role="", marking=marking
        ).save()
    return obj


@canary_factory(Participation)
def participation(marking: StoredMarking, text: str) -> Participation:
    public = _public()
    meeting = Contact(
        kind="dialogue",
        title="Public dialogue with a withheld participant",
        starts=DAY,
        setting="Public setting",
        marking=public,
    )
    meeting.save()
    known = _official(public, "Public delegate", "USA")
    Participation(contact=meeting, official=known, marking=public).save()
    hidden = _official(marking, f"Participant {text}")
    obj = Participation(contact=meeting, official=hidden, role=f"Role {text}", marking=marking)
    obj.save()
    return obj


@canary_factory(CrisisPair)
def crisis_pair(marking: StoredMarking, text: str) -> CrisisPair:
    us = _billet(marking, f"U.S. side {text}", "USA", "JPN")
    partner = _billet(marking, f"Partner side {text}", "JPN")
    obj = CrisisPair(
        us_billet=us,
        partner_billet=partner,
        scenario=f"Scenario {text}",
        priority=1,
        note=f"Note {text}",
        marking=marking,
    )
    obj.save()
    return obj


@canary_factory(PairContact)
def pair_contact(marking: StoredMarking, text: str) -> PairContact:
    # Derived from a contact with two public participants; the contact carries the canary.
    meeting = Contact(
        kind="meeting",
        title=f"Derived pair {text}",
        starts=DAY,
        setting=f"Setting {text}",
        marking=marking,
    )
    meeting.save()
    a = _official(_public(), "Public officer of a derived pair", "USA")
    b = _official(_public(), "Public counterpart of a derived pair", "JPN")
    for who in (a, b):
        Participation(contact=meeting, official=who, marking=marking).save()
    return PairContact.objects.get(contact=meeting)
