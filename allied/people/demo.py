"""Fictional people, postings and contacts for the demo (every name here is invented).

What it shows, with today's date as the anchor (so the demo stays current):

* Japan: the U.S. Japan plans billet and the Joint Staff counterpart met 60 days ago (covered),
  but the U.S. holder leaves in 45 days and the successor, arriving in 30, has never met the
  counterpart: the rotation page shows the break, the 15-day overlap and the introduction that
  would keep it. A second Japanese pair (U.S. Forces Japan operations) has never met (a gap).
* Korea: covered through a combined exercise; the U.S. holder leaves in 120 days and the
  successor arrives five days after: a gap of four days breaks the pair. Only one American knows
  the Korean officers, so the network names him as the person whose departure cuts Korea off.
* Philippines: met over three years ago (stale).
* India: the holders met, but the record of that meeting is NOFORN: a U.S. viewer sees the pair
  covered, the Indian liaison officer sees it as never met.
* Australia: covered.
* A vacant billet: the Manila defense attache office's maritime billet, whose holder left 40
  days ago with nobody posted after; the billets page shows it "vacant since" that day.

The markings are real markings and decide who sees what: each partner's liaison officer sees its
own nation's people, pairs and contacts, and nothing of the others.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from allied.core.models import StoredMarking, system_access
from allied.people.models import (
    Billet,
    Contact,
    CrisisPair,
    LanguageSkill,
    Official,
    Participation,
    Posting,
)
from allied.people.rules.ilr import parse_level

NOTE = "(Fictional demo content.)"


@dataclass(frozen=True)
class DemoOfficial:
    key: str
    name: str
    nation: str
    organisation: str
    grade: str
    marking: str
    user: str = ""
    languages: tuple[tuple[str, str, str, str], ...] = ()


REL_JPN = "CONFIDENTIAL//REL TO USA, JPN"
REL_KOR = "CONFIDENTIAL//REL TO USA, KOR"
REL_PHL = "CONFIDENTIAL//REL TO USA, PHL"
REL_IND = "CONFIDENTIAL//REL TO USA, IND"
REL_AUS = "CONFIDENTIAL//REL TO USA, AUS"

OFFICIALS: tuple[DemoOfficial, ...] = (
    DemoOfficial(
        "parker",
        "Parker Planner",
        "USA",
        "Coalition plans (fictional)",
        "Lt Col",
        REL_JPN,
        "us.planner",
        (("jpn", "2", "2", "1+"),),
    ),
    DemoOfficial("robin", "Robin Castell", "USA", "Coalition plans (fictional)", "Maj", REL_JPN),
    DemoOfficial(
        "taylor",
        "Taylor Brooks",
        "USA",
        "U.S. forces in Japan, operations (fictional)",
        "Lt Col",
        REL_JPN,
        "",
        (("jpn", "1", "1", "1"),),
    ),
    DemoOfficial(
        "morgan",
        "Morgan Ellis",
        "USA",
        "Embassy Tokyo, defense section (fictional)",
        "GS-14",
        REL_JPN,
        "",
        (("jpn", "3", "3", "3"),),
    ),
    DemoOfficial(
        "dana",
        "Dana Reyes",
        "USA",
        "U.S. forces in Korea, plans (fictional)",
        "Col",
        REL_KOR,
        "",
        (("kor", "2+", "2", "2"),),
    ),
    DemoOfficial(
        "chris", "Chris Vance", "USA", "U.S. forces in Korea, plans (fictional)", "Lt Col", REL_KOR
    ),
    DemoOfficial(
        "sam",
        "Sam Okafor",
        "USA",
        "Defense attache office Manila (fictional)",
        "Cdr",
        REL_PHL,
        "",
        (("fil", "1+", "1", "1+"),),
    ),
    DemoOfficial(
        "lee",
        "Lee Harmon",
        "USA",
        "Coalition plans, South Asia desk (fictional)",
        "GS-15",
        REL_IND,
        "",
        (("hin", "0+", "0+", "0+"),),
    ),
    DemoOfficial(
        "jordan",
        "Jordan Pike",
        "USA",
        "Coalition plans, Australia desk (fictional)",
        "Cdr",
        REL_AUS,
    ),
    DemoOfficial(
        "jun",
        "Jun Liaison",
        "JPN",
        "Joint Staff, plans (fictional)",
        "Col",
        REL_JPN,
        "jpn.liaison",
        (("eng", "3", "3", "3"),),
    ),
    DemoOfficial(
        "kenji", "Kenji Sato", "JPN", "Ground component, operations (fictional)", "Col", REL_JPN
    ),
    DemoOfficial(
        "min",
        "Min Liaison",
        "KOR",
        "Joint Chiefs of Staff, plans (fictional)",
        "Col",
        REL_KOR,
        "kor.liaison",
    ),
    DemoOfficial(
        "hyun",
        "Hyun Park",
        "KOR",
        "Joint Chiefs of Staff, operations (fictional)",
        "Lt Col",
        REL_KOR,
    ),
    DemoOfficial(
        "pia",
        "Pia Liaison",
        "PHL",
        "Armed forces, plans (fictional)",
        "Col",
        REL_PHL,
        "phl.liaison",
    ),
    DemoOfficial(
        "isha",
        "Isha Liaison",
        "IND",
        "Integrated defence staff (fictional)",
        "Capt",
        REL_IND,
        "ind.liaison",
    ),
    DemoOfficial(
        "alex",
        "Alex Liaison",
        "AUS",
        "Defence strategy (fictional)",
        "Capt",
        REL_AUS,
        "aus.liaison",
    ),
)


@dataclass(frozen=True)
class DemoBillet:
    key: str
    code: str
    title: str
    nation: str
    organisation: str
    partner: str
    marking: str


BILLETS: tuple[DemoBillet, ...] = (
    DemoBillet(
        "us-jpn-plans",
        "J5-JPN-01",
        "Japan plans officer",
        "USA",
        "Coalition plans (fictional)",
        "JPN",
        REL_JPN,
    ),
    DemoBillet(
        "us-jpn-ops",
        "J3-USFJ-04",
        "Operations planner",
        "USA",
        "U.S. forces in Japan (fictional)",
        "JPN",
        REL_JPN,
    ),
    DemoBillet(
        "jpn-plans",
        "JS-J5-12",
        "Joint Staff plans counterpart",
        "JPN",
        "Joint Staff (fictional)",
        "",
        REL_JPN,
    ),
    DemoBillet(
        "jpn-ops",
        "GCC-OPS-3",
        "Ground component operations",
        "JPN",
        "Ground component (fictional)",
        "",
        REL_JPN,
    ),
    DemoBillet(
        "us-kor-plans",
        "J5-USFK-02",
        "Combined plans officer",
        "USA",
        "U.S. forces in Korea (fictional)",
        "KOR",
        REL_KOR,
    ),
    DemoBillet(
        "kor-plans",
        "JCS-J5-07",
        "JCS plans counterpart",
        "KOR",
        "Joint Chiefs of Staff (fictional)",
        "",
        REL_KOR,
    ),
    DemoBillet(
        "us-phl",
        "DAO-MNL-1",
        "Defense attache, operations",
        "USA",
        "Defense attache office Manila (fictional)",
        "PHL",
        REL_PHL,
    ),
    DemoBillet(
        "us-phl-maritime",
        "DAO-MNL-2",
        "Defense attache, maritime",
        "USA",
        "Defense attache office Manila (fictional)",
        "PHL",
        REL_PHL,
    ),
    DemoBillet(
        "phl-plans", "AFP-J5-3", "Plans counterpart", "PHL", "Armed forces (fictional)", "", REL_PHL
    ),
    DemoBillet(
        "us-ind",
        "J5-SA-03",
        "South Asia plans officer",
        "USA",
        "Coalition plans (fictional)",
        "IND",
        REL_IND,
    ),
    DemoBillet(
        "ind-plans",
        "IDS-SP-2",
        "Integrated defence staff counterpart",
        "IND",
        "Integrated defence staff (fictional)",
        "",
        REL_IND,
    ),
    DemoBillet(
        "us-aus",
        "J5-AUS-01",
        "Australia plans officer",
        "USA",
        "Coalition plans (fictional)",
        "AUS",
        REL_AUS,
    ),
    DemoBillet(
        "aus-plans",
        "DS-STRAT-4",
        "Defence strategy counterpart",
        "AUS",
        "Defence strategy (fictional)",
        "",
        REL_AUS,
    ),
)

# (official, billet, starts in days from today, ends in days from today or None)
POSTINGS: tuple[tuple[str, str, int, int | None], ...] = (
    ("parker", "us-jpn-plans", -700, 45),
    ("robin", "us-jpn-plans", 30, None),
    ("taylor", "us-jpn-ops", -300, 400),
    ("jun", "jpn-plans", -500, 300),
    ("kenji", "jpn-ops", -200, None),
    ("dana", "us-kor-plans", -600, 120),
    ("chris", "us-kor-plans", 125, None),
    ("min", "kor-plans", -400, None),
    ("sam", "us-phl", -900, 90),
    ("robin", "us-phl-maritime", -1100, -40),
    ("pia", "phl-plans", -1300, None),
    ("lee", "us-ind", -500, None),
    ("isha", "ind-plans", -400, None),
    ("jordan", "us-aus", -300, None),
    ("alex", "aus-plans", -800, None),
)

# (us billet, partner billet, scenario, priority, marking)
PAIRS: tuple[tuple[str, str, str, int, str], ...] = (
    (
        "us-jpn-plans",
        "jpn-plans",
        "Maritime crisis in the East China Sea",
        1,
        "SECRET//REL TO USA, JPN",
    ),
    ("us-jpn-ops", "jpn-ops", "Defence of the southwestern islands", 1, "SECRET//REL TO USA, JPN"),
    ("us-kor-plans", "kor-plans", "Crisis on the Korean Peninsula", 1, "SECRET//REL TO USA, KOR"),
    ("us-phl", "phl-plans", "Incident at a shoal in the South China Sea", 2, REL_PHL),
    ("us-ind", "ind-plans", "Humanitarian evacuation in the Indian Ocean", 3, REL_IND),
    ("us-aus", "aus-plans", "Combined response in the Pacific", 2, "SECRET//REL TO USA, AUS"),
)

# (title, kind, days from today, setting, marking, participants)
CONTACTS: tuple[tuple[str, str, int, str, str, tuple[str, ...]], ...] = (
    (
        "Bilateral planning talks",
        "meeting",
        -60,
        "Tokyo, plans staff talks",
        REL_JPN,
        ("parker", "jun", "morgan"),
    ),
    (
        "Staff course for operations officers",
        "course",
        -400,
        "Tokyo, staff college",
        REL_JPN,
        ("kenji", "jun"),
    ),
    (
        "Combined command-post exercise",
        "exercise",
        -200,
        "Seoul, combined headquarters",
        "SECRET//REL TO USA, KOR",
        ("dana", "min", "hyun"),
    ),
    ("Maritime security dialogue", "dialogue", -1200, "Manila", REL_PHL, ("sam", "pia")),
    ("Restricted consultation", "meeting", -90, "New Delhi", "SECRET//NOFORN", ("lee", "isha")),
    (
        "Alliance planning talks",
        "dialogue",
        -100,
        "Canberra",
        "SECRET//REL TO USA, AUS",
        ("jordan", "alex"),
    ),
    (
        "Trilateral planners' exchange",
        "exchange",
        -300,
        "Honolulu",
        "SECRET//REL TO USA, AUS, JPN",
        ("parker", "jordan", "alex", "jun"),
    ),
)


@transaction.atomic
def seed(today: datetime.date | None = None) -> int:
    """Create the demo's people, postings and contacts once; running it again adds nothing.

    Returns the number of rows created.
    """
    day = today or datetime.date.today()
    users = {u.username: u for u in get_user_model().objects.all()}
    with system_access("demo: seed fictional people and ties"):
        officials, created = _officials(users)
        billets, made = _billets()
        created += made
        created += _postings(day, officials, billets)
        created += _pairs(billets)
        created += _contacts(day, officials)
    return created


def _officials(users: dict[str, Any]) -> tuple[dict[str, Official], int]:
    """The demo's officials by key, each new one with its language records; and rows created."""
    officials: dict[str, Official] = {}
    created = 0
    for entry in OFFICIALS:
        official = Official.objects.filter(name=entry.name, nation_id=entry.nation).first()
        if official is None:
            official = Official(
                name=entry.name,
                nation_id=entry.nation,
                organisation=entry.organisation,
                grade=entry.grade,
                user=users.get(entry.user) if entry.user else None,
                notes=f"{NOTE}",
                marking=StoredMarking.objects.intern(entry.marking),
            )
            official.save()
            created += 1
            for language, listening, reading, speaking in entry.languages:
                LanguageSkill(
                    official=official,
                    language=language,
                    listening=parse_level(listening),
                    reading=parse_level(reading),
                    speaking=parse_level(speaking),
                    source=f"Self-assessed for the demo {NOTE}",
                    marking=official.marking,
                ).save()
                created += 1
        officials[entry.key] = official
    return officials, created


def _billets() -> tuple[dict[str, Billet], int]:
    """The demo's billets by key; and rows created."""
    billets: dict[str, Billet] = {}
    created = 0
    for b in BILLETS:
        billet = Billet.objects.filter(code=b.code, nation_id=b.nation).first()
        if billet is None:
            billet = Billet(
                code=b.code,
                title=f"{b.title} (fictional)",
                nation_id=b.nation,
                organisation=b.organisation,
                partner_id=b.partner or None,
                marking=StoredMarking.objects.intern(b.marking),
            )
            billet.save()
            created += 1
        billets[b.key] = billet
    return billets, created


def _postings(
    day: datetime.date, officials: dict[str, Official], billets: dict[str, Billet]
) -> int:
    """Post the officials to their billets (dated from ``day``); return the rows created."""
    created = 0
    for who, where, starts, ends in POSTINGS:
        if Posting.objects.filter(official=officials[who], billet=billets[where]).exists():
            continue
        Posting(
            official=officials[who],
            billet=billets[where],
            starts=day + datetime.timedelta(days=starts),
            ends=None if ends is None else day + datetime.timedelta(days=ends),
            note=NOTE,
            marking=billets[where].marking,
        ).save()
        created += 1
    return created


def _pairs(billets: dict[str, Billet]) -> int:
    """Pair the billets for their crises; return the rows created."""
    created = 0
    for us, partner, scenario, priority, marking in PAIRS:
        if CrisisPair.objects.filter(us_billet=billets[us], partner_billet=billets[partner]):
            continue
        CrisisPair(
            us_billet=billets[us],
            partner_billet=billets[partner],
            scenario=f"{scenario} (fictional)",
            priority=priority,
            note=NOTE,
            marking=StoredMarking.objects.intern(marking),
        ).save()
        created += 1
    return created


def _contacts(day: datetime.date, officials: dict[str, Official]) -> int:
    """Log the demo's contacts (dated from ``day``) and who took part; return the rows created."""
    created = 0
    for title, kind, offset, setting, marking, people in CONTACTS:
        full = f"{title} (fictional)"
        if Contact.objects.filter(title=full).exists():
            continue
        contact = Contact(
            kind=kind,
            title=full,
            starts=day + datetime.timedelta(days=offset),
            setting=setting,
            summary=f"Demo record of a {kind}. {NOTE}",
            marking=StoredMarking.objects.intern(marking),
        )
        contact.save()
        created += 1
        for person in people:
            Participation(
                contact=contact, official=officials[person], marking=contact.marking
            ).save()
            created += 1
    return created
