"""Fictional working-group content for the demo: partner priorities, liaison, training and exercise
requests, and a guidance log in which two U.S. bodies send a partner different signals.

Everything here is invented for the demo and says so. ``seed()`` is idempotent: each row is made
once, found again by its text afterwards.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from allied.core.models import StoredMarking, system_access
from allied.working_group.models import FreeformRequest, GuidanceStatement, PartnerPriority

NOTE = "(Fictional demo content.)"

PRIORITIES = (
    # nation, weight, days ago it took effect, reason
    ("JPN", "2.0", 200, "Treaty ally with the largest combined programme."),
    ("PHL", "2.5", 120, "Treaty ally; coastal defence needs are urgent."),
    ("KOR", "1.5", 200, "Treaty ally; peninsula-focused requests."),
    ("AUS", "1.5", 200, "Treaty ally; AUKUS partner."),
    ("IND", "1.2", 60, "Major defense partner; widening cooperation."),
)

REQUESTS = (
    # partner, kind, title, owner, opened days ago, target days after opening or None,
    # blockers, flags, marking
    ("PHL", "training", "Maritime domain awareness course for coastal radar crews",
     "INDOPACOM J7", 75, None, "Instructor availability not confirmed\nCourse releasability review",
     ["strategic"], "UNCLASSIFIED//REL TO USA, PHL"),
    ("JPN", "exercise", "Combined logistics tabletop exercise with host-nation support",
     "Joint Staff J4", 40, 90, "", ["coordinated"], "SECRET//REL TO USA, JPN"),
    ("KOR", "liaison", "Liaison officer exchange at the combined operations centre",
     "OSD Policy", 35, None, "Billet funding not approved", [], "CONFIDENTIAL//REL TO USA, KOR"),
    ("IND", "training", "Staff course seats for the next academic year",
     "Defense Security Cooperation University", 10, None, "", [], "UNCLASSIFIED"),
    ("AUS", "exercise", "Strategic lift rehearsal for a regional contingency",
     "TRANSCOM", 95, None, "Airlift allocation pending\nDiplomatic clearances outstanding",
     ["emergency"], "SECRET//REL TO USA, AUS"),
    ("PHL", "liaison", "Embassy point of contact for coastal defence cases",
     "Embassy Manila, Office of Defense Cooperation", 5, None, "", [], "UNCLASSIFIED"),
)  # fmt: skip

STATEMENTS = (
    # partner, body, speaker, topic, position, summary, days ago, commitment due in days
    ("PHL", "state", "Assistant Secretary's office", "Coastal radar sustainment",
     "conditional", "Support depends on the partner's maintenance plan.", 50, None),
    ("PHL", "indopacom", "Component commander's staff", "Coastal radar sustainment",
     "supports", "Full support promised for the next fiscal year.", 20, -10),
    ("JPN", "osd", "Policy office", "Host-nation logistics data",
     "supports", "Agreed to share combined logistics planning factors.", 90, 30),
    ("JPN", "joint_staff", "J5", "Host-nation logistics data",
     "supports", "Confirmed the planning factors exchange.", 60, None),
    ("KOR", "embassy", "Defense attaché", "Liaison officer exchange",
     "supports", "Welcomed the exchange in principle.", 30, -5),
    ("KOR", "white_house", "National Security Council staff", "Liaison officer exchange",
     "undecided", "No decision before the budget review.", 12, None),
)  # fmt: skip


def _users() -> tuple[Any, Any]:
    users = get_user_model().objects
    return users.get(username="wg.member"), users.get(username="phl.liaison")


@transaction.atomic
def seed() -> int:
    """Create the fictional priorities, requests and statements once; return rows created."""
    try:
        member, _ = _users()
    except get_user_model().DoesNotExist:
        return 0  # the cast is created first (allied demo)
    today = timezone.localdate()
    created = 0
    marking = StoredMarking.objects.intern
    with system_access("demo: fictional working-group content"):
        for nation, weight, days, reason in PRIORITIES:
            text = f"{reason} {NOTE}"
            if not PartnerPriority.objects.filter(nation_id=nation, reason=text).exists():
                PartnerPriority(
                    nation_id=nation,
                    weight=Decimal(weight),
                    effective_from=today - datetime.timedelta(days=days),
                    reason=text,
                    set_by=member,
                    marking=marking("SECRET//NOFORN"),
                ).save()
                created += 1
        for partner, kind, title, owner, days, target, blockers, flags, mark in REQUESTS:
            full = f"{title} {NOTE}"
            if FreeformRequest.objects.filter(title=full).exists():
                continue
            opened = today - datetime.timedelta(days=days)
            FreeformRequest(
                partner_id=partner,
                kind=kind,
                title=full,
                description=f"Requested through the liaison desk. {NOTE}",
                owner=owner,
                opened=opened,
                target=None if target is None else opened + datetime.timedelta(days=target),
                blockers=blockers,
                flags=FreeformRequest.flags_text(flags),
                created_by=member,
                marking=marking(mark),
            ).save()
            created += 1
        for partner, body, speaker, topic, position, summary, days, due in STATEMENTS:
            text = f"{summary} {NOTE}"
            if GuidanceStatement.objects.filter(summary=text).exists():
                continue
            said = today - datetime.timedelta(days=days)
            GuidanceStatement(
                partner_id=partner,
                body=body,
                speaker=speaker,
                topic=topic,
                position=position,
                summary=text,
                said_on=said,
                commitment_due=None if due is None else today + datetime.timedelta(days=due),
                recorded_by=member,
                marking=marking("SECRET//NOFORN"),
            ).save()
            created += 1
    return created
