"""Fictional marked content for the demo, so that every page shows each person something different.

Every title and text here is invented for the demo and says so. The markings are real markings:
they decide who sees what exactly as they would for real content.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from allied.core.models import Bulletin, Nation, StoredMarking, TrustTier, system_access

DEMO_NOTE = "(Fictional demo content.)"

BULLETINS: tuple[tuple[str, str, str], ...] = (
    ("UNCLASSIFIED", "Working-group calendar for the coming quarter",
     "Dialogues, exercises and deadlines open to every partner."),
    ("SECRET//REL TO USA, FVEY", "Maritime domain awareness: shared picture widened",
     "Five Eyes partners receive the daily fused picture from this week."),
    ("SECRET//REL TO USA, QUAD", "Quad maritime initiative: next steps",
     "Quad partners coordinate the next phase of the maritime awareness partnership."),
    ("SECRET//REL TO USA, JPN", "Japan: air-defence coordination cell stands up",
     "Liaison arrangements for the new coordination cell."),
    ("SECRET//REL TO USA, KOR", "Republic of Korea: munitions stockpile review",
     "Timelines for the joint review of stockpile requirements."),
    ("CONFIDENTIAL//REL TO USA, PHL", "Philippines: port access survey results",
     "Survey teams finished their work at two ports."),
    ("CONFIDENTIAL//REL TO USA, IND", "India: logistics exchange follow-up",
     "Points agreed at the last logistics dialogue."),
    ("SECRET//REL TO USA, AUS, GBR", "AUKUS pillar two: test range schedule",
     "Range windows for the next quarter."),
    ("CONFIDENTIAL//DISPLAY ONLY JPN, KOR", "Trilateral hotline drill: observations",
     "May be shown to Japanese and Korean officers, not given to them."),
    ("SECRET//NOFORN", "U.S.-only: partner request backlog",
     "Which partner requests are blocked and why; not releasable to partners."),
    ("TOP SECRET//SI-G//NOFORN", "U.S.-only: collection gaps in the strait",
     "Needs SI-G access; not releasable to partners."),
)  # fmt: skip

TRUST_TIERS: tuple[tuple[str, int, str], ...] = (
    ("AUS", 5, "Five Eyes partner; mature counterintelligence."),
    ("GBR", 5, "Five Eyes partner; mature counterintelligence."),
    ("JPN", 4, "Security clearance law in force; widening intelligence sharing."),
    ("KOR", 4, "Long-standing ally; combined command arrangements."),
    ("PHL", 2, "Sharing starts limited while counterintelligence practices mature."),
    ("IND", 2, "Partner under GSOMIA; sharing widening case by case."),
)


@transaction.atomic
def seed(author_username: str = "us.analyst", assessor_username: str = "us.fdo") -> int:
    """Create the demo content once; running it again adds nothing. Returns rows created."""
    users = get_user_model().objects
    author = users.get(username=author_username)
    assessor = users.get(username=assessor_username)
    created = 0
    with system_access("demo: seed fictional content"):
        for marking, title, body in BULLETINS:
            if not Bulletin.objects.filter(title=title).exists():
                Bulletin(
                    title=title,
                    body=f"{body} {DEMO_NOTE}",
                    author=author,
                    marking=StoredMarking.objects.intern(marking),
                ).save()
                created += 1
        noforn = StoredMarking.objects.intern("SECRET//NOFORN")
        for iso3, tier, reason in TRUST_TIERS:
            if not TrustTier.objects.filter(nation_id=iso3).exists():
                TrustTier(
                    nation=Nation.objects.get(iso3=iso3),
                    tier=tier,
                    effective_from=datetime.date(2026, 1, 1),
                    set_by=assessor,
                    reason=f"{reason} {DEMO_NOTE}",
                    marking=noforn,
                ).save()
                created += 1
    return created
