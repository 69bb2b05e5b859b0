"""Fictional coalition plans for the demo: every check trips, and the optimiser removes what it can.

Everything here is invented for the demo and says so: the plans, the holdings, the assessments
and the assumptions. Two political facts from the project's brief are written as *fictional
assessments*: the Philippines is hesitant to back Taiwan in a crisis, and North Korea, not China,
is Seoul's top concern. The markings are real markings and decide who sees what:

* ``BLUE LANTERN`` (Taiwan Strait) is releasable to Japan and Australia, ``GREEN HARBOR`` (Korean
  Peninsula) to Korea; they run at the same time and both count on the same U.S. fighters.
* Each ally's report of its own forces is its own information, marked for the U.S. and itself.
* U.S. assessments of allies' willingness are NOFORN: the Japanese planner never sees the U.S.
  view of Japan, and its readiness report never reflects it.

What the plan trips, as the U.S. planner sees it: (a) medical evacuation no partner holds, a mine
countermeasures task nobody is assigned to, U.S. lift over-committed; (b) roles for the
Philippines (unwilling), Japan and Korea (conditional); (c) U.S. lift over-allocated while
Australia's is unused; (d) U.S. fighters counted by both plans; (e) Japan assumes the U.S.
defends its bases against missiles, Australia assumes U.S. escorts; (f) Japan's port figures are
two years old and the Philippines is assigned patrol aircraft it never reported.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from allied.core.models import Nation, StoredMarking, system_access
from allied.planning import models as m

NOTE = "(Fictional demo content.)"
PLAN_A = "BLUE LANTERN (fictional exercise plan)"
PLAN_B = "GREEN HARBOR (fictional exercise plan)"
START = datetime.date(2027, 3, 1)
END = datetime.date(2027, 8, 31)

REL_A = "SECRET//REL TO USA, AUS, JPN"
REL_B = "SECRET//REL TO USA, KOR"
NOFORN = "SECRET//NOFORN"


def _d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


TYPES = (
    ("AIR-SUP", "Air superiority", "fighter squadron",
     "Fighter squadrons able to contest and hold control of the air over an area."),
    ("STRAT-LIFT", "Strategic airlift", "heavy transport aircraft",
     "Aircraft that move forces and supplies between theatres."),
    ("MPA", "Maritime patrol", "patrol aircraft",
     "Aircraft that search for and track ships and submarines."),
    ("MCM", "Mine countermeasures", "vessel", "Vessels that find and clear sea mines."),
    ("SURFACE", "Surface escort", "surface combatant",
     "Destroyers and frigates that escort shipping."),
    ("HNS-LOG", "Host-nation logistics", "port or airfield throughput unit",
     "Ports, airfields, fuel and handling a host nation makes available."),
    ("AMD", "Air and missile defence", "battery",
     "Batteries that defend bases against aircraft and missiles."),
    ("MED", "Medical evacuation", "team", "Teams that evacuate and treat casualties."),
)  # fmt: skip


@dataclass(frozen=True)
class Holding:
    nation: str
    ctype: str
    quantity: int
    readiness: int
    starts: str
    ends: str
    location: str
    source: str
    as_of: str
    marking: str
    author: str


HOLDINGS = (
    Holding("USA", "AIR-SUP", 4, 1, "2027-01-01", "2027-12-31", "Western Pacific",
            "U.S. force posture statement (fictional)", "2026-10-01", REL_A, "us.planner"),
    Holding("USA", "STRAT-LIFT", 4, 1, "2027-01-01", "2027-12-31", "Pacific air bridge",
            "U.S. force posture statement (fictional)", "2026-10-01", REL_A, "us.planner"),
    Holding("USA", "MPA", 2, 2, "2027-01-01", "2027-12-31", "Okinawa",
            "U.S. force posture statement (fictional)", "2026-10-01", REL_A, "us.planner"),
    Holding("USA", "AMD", 2, 1, "2027-01-01", "2027-12-31", "Japan and Guam",
            "U.S. force posture statement (fictional)", "2026-10-01", REL_A, "us.planner"),
    Holding("AUS", "AIR-SUP", 2, 2, "2027-02-01", "2027-10-31", "Northern Australia",
            "Australian defence report to the coalition (fictional)", "2026-09-15",
            "SECRET//REL TO USA, AUS", "aus.liaison"),
    Holding("AUS", "STRAT-LIFT", 2, 1, "2027-01-01", "2027-12-31", "RAAF Amberley",
            "Australian defence report to the coalition (fictional)", "2026-09-15",
            "SECRET//REL TO USA, AUS", "aus.liaison"),
    Holding("AUS", "MPA", 2, 1, "2027-01-01", "2027-12-31", "RAAF Edinburgh",
            "", "2026-09-15", "SECRET//REL TO USA, AUS", "aus.liaison"),
    Holding("JPN", "HNS-LOG", 3, 2, "2027-01-01", "2027-12-31", "Kyushu ports and airfields",
            "Japanese host-nation support survey (fictional)", "2024-05-01",
            "SECRET//REL TO USA, JPN", "jpn.liaison"),
    Holding("JPN", "MCM", 3, 1, "2027-01-01", "2027-12-31", "Sasebo",
            "Japanese defence report to the coalition (fictional)", "2026-10-20",
            "SECRET//REL TO USA, JPN", "jpn.liaison"),
    Holding("JPN", "MPA", 4, 1, "2027-01-01", "2027-12-31", "Naha",
            "Japanese defence report to the coalition (fictional)", "2026-10-20",
            "SECRET//REL TO USA, JPN", "jpn.liaison"),
    Holding("KOR", "AMD", 3, 1, "2027-01-01", "2027-12-31", "Republic of Korea",
            "Korean defence report to the coalition (fictional)", "2026-10-05",
            "SECRET//REL TO USA, KOR", "kor.liaison"),
    Holding("PHL", "HNS-LOG", 2, 3, "2027-01-01", "2027-12-31", "Northern Luzon airfields",
            "Philippine report to the coalition (fictional)", "2026-08-01",
            "CONFIDENTIAL//REL TO USA, PHL", "phl.liaison"),
)  # fmt: skip


@dataclass(frozen=True)
class Assessed:
    nation: str
    kind: str
    stance: str
    conditions: str
    by: str
    author: str
    on: str
    basis: str
    marking: str


ASSESSMENTS = (
    Assessed("JPN", "taiwan_strait", "conditional",
             "Only once the government determines a survival-threatening situation; rear-area "
             "support first.", "JPN", "jpn.liaison", "2026-10-20",
             "Japan's own statement to coalition planners (fictional).", "SECRET//REL TO USA, JPN"),
    Assessed("JPN", "taiwan_strait", "conditional",
             "U.S. view: combat roles unlikely unless Japanese territory is attacked.", "USA",
             "us.planner", "2026-11-01",
             "Fictional U.S. assessment of Japan, not releasable to Japan.", NOFORN),
    Assessed("PHL", "taiwan_strait", "unwilling", "", "USA", "us.planner", "2026-11-01",
             "Fictional U.S. assessment reflecting the brief: the Philippines is hesitant to back "
             "Taiwan in a crisis.", NOFORN),
    Assessed("PHL", "south_china_sea", "willing", "", "PHL", "phl.liaison", "2026-09-01",
             "The Philippines' own statement to coalition planners (fictional).",
             "CONFIDENTIAL//REL TO USA, PHL"),
    Assessed("KOR", "taiwan_strait", "conditional",
             "U.S. view: forces stay committed to the peninsula first.", "USA", "us.planner",
             "2026-11-01",
             "Fictional U.S. assessment reflecting the brief: North Korea, not China, is Seoul's "
             "top concern.", NOFORN),
    Assessed("KOR", "korean_peninsula", "willing", "", "KOR", "kor.liaison", "2026-10-05",
             "Korea's own statement to coalition planners (fictional).", "SECRET//REL TO USA, KOR"),
    Assessed("AUS", "taiwan_strait", "willing", "", "AUS", "aus.liaison", "2026-09-15",
             "Australia's own statement to coalition planners (fictional).",
             "SECRET//REL TO USA, AUS"),
)  # fmt: skip


@dataclass(frozen=True)
class DemoTask:
    plan: str
    name: str
    ctype: str
    quantity: int
    starts: str
    ends: str
    location: str
    lead: str | None
    priority: int
    marking: str
    assigned: tuple[tuple[str, int, bool], ...]


TASKS = (
    DemoTask(PLAN_A, "Air superiority over the strait", "AIR-SUP", 4, "2027-04-01", "2027-06-30",
             "Strait approaches", "USA", 5, REL_A, (("USA", 4, True),)),
    DemoTask(PLAN_A, "Strategic lift to forward bases", "STRAT-LIFT", 6, "2027-03-15",
             "2027-05-31", "Pacific air bridge", None, 4, REL_A, (("USA", 6, True),)),
    DemoTask(PLAN_A, "Maritime patrol of the Luzon Strait", "MPA", 2, "2027-03-15", "2027-08-31",
             "Luzon Strait", "PHL", 4, REL_A, (("PHL", 2, True),)),
    DemoTask(PLAN_A, "Rear-area port and airfield support", "HNS-LOG", 3, "2027-03-01",
             "2027-08-31", "Kyushu", "JPN", 4, REL_A, (("JPN", 3, True),)),
    DemoTask(PLAN_A, "Clear mines from the approaches", "MCM", 3, "2027-05-01", "2027-07-31",
             "Northern approaches", None, 3, REL_A, ()),
    DemoTask(PLAN_A, "Defend forward bases against missiles", "AMD", 2, "2027-04-01",
             "2027-08-31", "Forward bases", None, 5, REL_A, (("KOR", 2, True),)),
    DemoTask(PLAN_A, "Evacuate casualties", "MED", 2, "2027-04-01", "2027-08-31",
             "Forward bases", None, 4, REL_A, ()),
    DemoTask(PLAN_B, "Air superiority over the peninsula", "AIR-SUP", 2, "2027-05-01",
             "2027-07-31", "Korean Peninsula", "USA", 5, REL_B, (("USA", 2, True),)),
    DemoTask(PLAN_B, "Missile defence of the capital region", "AMD", 3, "2027-03-01",
             "2027-08-31", "Capital region", "KOR", 5, REL_B, (("KOR", 3, True),)),
)  # fmt: skip

ASSUMPTIONS = (
    # (plan, holder, provider, type, quantity, note, marking, author)
    (PLAN_A, "JPN", "USA", "AMD", 2,
     "Japan's planners count on U.S. batteries to defend the bases they host (fictional).",
     "SECRET//REL TO USA, JPN", "jpn.liaison"),
    (PLAN_A, "AUS", "USA", "SURFACE", 2,
     "Australia's planners count on U.S. escorts for their ships (fictional).",
     "SECRET//REL TO USA, AUS", "aus.liaison"),
    (PLAN_B, "KOR", "USA", "STRAT-LIFT", 2,
     "Korea's planners count on U.S. lift for reinforcements (fictional).",
     "SECRET//REL TO USA, KOR", "kor.liaison"),
)  # fmt: skip


def _nation(iso3: str) -> Nation:
    nation, _ = Nation.objects.get_or_create(
        iso3=iso3, defaults={"name": iso3, "source": "ISO 3166-1 (demo placeholder)"}
    )
    return nation


@transaction.atomic
def seed() -> int:
    """Create the demo plans once; running it again changes nothing. Returns the rows created."""
    users = {u.username: u for u in get_user_model().objects.all()}
    if "us.planner" not in users:
        return 0
    types, created = _types()
    with system_access("demo: seed fictional coalition plans"):
        if m.Contingency.objects.filter(name=PLAN_A).exists():
            return created
        created += _registry(users, types)
        plans = _plans(users)
        created += len(plans) + _phases(plans)
        created += _tasks(users, types, plans)
        created += _assumptions(users, types, plans)
        created += _requests(users, plans)
        created += _answers(users, plans)
    return created


def _marking(text: str) -> StoredMarking:
    return StoredMarking.objects.intern(text)


def _types() -> tuple[dict[str, m.CapabilityType], int]:
    """The capability types (created where missing), and how many were created."""
    created = 0
    types = {}
    for code, name, unit, description in TYPES:
        types[code], made = m.CapabilityType.objects.get_or_create(
            code=code, defaults={"name": name, "unit": unit, "description": description}
        )
        created += made
    return types, created


def _registry(users: dict[str, Any], types: dict[str, m.CapabilityType]) -> int:
    """Partners' holdings and the willingness assessments."""
    for h in HOLDINGS:
        m.PartnerCapability(
            nation=_nation(h.nation), capability_type=types[h.ctype], quantity=h.quantity,
            readiness=h.readiness, available_from=_d(h.starts), available_to=_d(h.ends),
            location=h.location, source=h.source, as_of=_d(h.as_of),
            recorded_by=users[h.author], marking=_marking(h.marking),
        ).save()  # fmt: skip
    for a in ASSESSMENTS:
        m.Willingness(
            nation=_nation(a.nation), contingency_type=a.kind, stance=a.stance,
            conditions=a.conditions, assessed_by_nation=_nation(a.by),
            assessed_by=users[a.author], assessed_on=_d(a.on), basis=f"{a.basis} {NOTE}",
            marking=_marking(a.marking),
        ).save()  # fmt: skip
    return len(HOLDINGS) + len(ASSESSMENTS)


def _plans(users: dict[str, Any]) -> dict[str, m.Contingency]:
    """The two plans, saved."""
    plans = {
        PLAN_A: m.Contingency(
            name=PLAN_A, contingency_type="taiwan_strait", starts=START, ends=END,
            description="A fictional coalition response to a crisis in the Taiwan Strait, "
            f"built to show every readiness check. {NOTE}",
            created_by=users["us.planner"], marking=_marking(REL_A),
        ),
        PLAN_B: m.Contingency(
            name=PLAN_B, contingency_type="korean_peninsula", starts=START, ends=END,
            description="A fictional combined response on the Korean Peninsula at the same "
            f"time, competing for the same U.S. fighters. {NOTE}",
            created_by=users["us.planner"], marking=_marking(REL_B),
        ),
    }  # fmt: skip
    for plan in plans.values():
        plan.save()
    return plans


def _phases(plans: dict[str, m.Contingency]) -> int:
    """The same three phases in each plan, marked as the plan."""
    phases = (("Deter", "2027-03-01", "2027-03-31"), ("Seize the initiative", "2027-04-01",
              "2027-06-30"), ("Sustain and stabilise", "2027-07-01", "2027-08-31"))  # fmt: skip
    for plan in plans.values():
        for order, (title, starts, ends) in enumerate(phases, start=1):
            m.Phase(contingency=plan, order=order, name=title, starts=_d(starts),
                    ends=_d(ends), marking=plan.marking).save()  # fmt: skip
    return len(plans) * len(phases)


def _tasks(
    users: dict[str, Any], types: dict[str, m.CapabilityType], plans: dict[str, m.Contingency]
) -> int:
    """The tasks with their assignments, and a U.S.-only task."""
    created = 0
    for t in TASKS:
        task = m.Task(
            contingency=plans[t.plan], name=t.name, capability_type=types[t.ctype],
            quantity=t.quantity, starts=_d(t.starts), ends=_d(t.ends), location=t.location,
            lead=_nation(t.lead) if t.lead else None, priority=t.priority,
            marking=_marking(t.marking),
        )  # fmt: skip
        task.save()
        created += 1
        for nation, quantity, lead in t.assigned:
            m.Assignment(
                task=task, nation=_nation(nation), quantity=quantity, is_lead=lead,
                assigned_by=users["us.planner"], marking=task.marking,
            ).save()  # fmt: skip
            created += 1
    # A U.S.-only task Japan and Australia never see, nor anything that rests on it.
    secret = m.Task(
        contingency=plans[PLAN_A], name="U.S.-only reconnaissance orbit (fictional)",
        capability_type=types["MPA"], quantity=1, starts=_d("2027-04-01"),
        ends=_d("2027-05-31"), location="Strait", lead=_nation("USA"), priority=5,
        marking=_marking(NOFORN),
    )  # fmt: skip
    secret.save()
    m.Assignment(task=secret, nation=_nation("USA"), quantity=1, is_lead=True,
                 assigned_by=users["us.planner"], marking=_marking(NOFORN)).save()  # fmt: skip
    return created + 2


def _assumptions(
    users: dict[str, Any], types: dict[str, m.CapabilityType], plans: dict[str, m.Contingency]
) -> int:
    """What partners' planners assume the United States provides."""
    for plan, holder, provider, ctype, quantity, note, text, author in ASSUMPTIONS:
        m.Assumption(contingency=plans[plan], holder=_nation(holder),
                     provider=_nation(provider), capability_type=types[ctype],
                     quantity=quantity, note=note, recorded_by=users[author],
                     marking=_marking(text)).save()  # fmt: skip
    return len(ASSUMPTIONS)


def _requests(users: dict[str, Any], plans: dict[str, m.Contingency]) -> int:
    """Two open planning requests: Japan's on a plan, the Philippines' on none."""
    m.PlanningRequest(
        nation=_nation("JPN"), kind="confirm_role", contingency=plans[PLAN_A],
        title="Confirm U.S. missile defence of the bases Japan hosts",
        text=f"Japan's planners assume U.S. batteries defend the forward bases. {NOTE}",
        requested_by=users["jpn.liaison"], opened=_d("2026-11-10"),
        target=_d("2026-12-15"), marking=_marking("SECRET//REL TO USA, JPN"),
    ).save()  # fmt: skip
    m.PlanningRequest(
        nation=_nation("PHL"), kind="join", contingency=None,
        title="Join planning for a South China Sea contingency",
        text=f"The Philippines asks to take part in coalition planning for its own waters. "
        f"{NOTE}",
        requested_by=users["phl.liaison"], opened=_d("2026-11-12"),
        marking=_marking("CONFIDENTIAL//REL TO USA, PHL"),
    ).save()  # fmt: skip
    return 2


ANSWERS = (
    # (plan, task, nation, answer, conditions, reason, author, when)
    (PLAN_A, "Rear-area port and airfield support", "JPN", "conditional",
     "Only rear-area support from Japanese territory, under Japan's own command; no support to "
     f"combat operations before the Diet approves it. {NOTE}", "", "jpn.liaison",
     "2026-11-20T09:00:00+00:00"),
    (PLAN_B, "Missile defence of the capital region", "KOR", "declined", "",
     f"Our batteries are committed to the defence of the capital region under our own command; "
     f"we cannot place them under the combined plan. {NOTE}", "kor.liaison",
     "2026-11-22T09:00:00+00:00"),
)  # fmt: skip


def _answers(users: dict[str, Any], plans: dict[str, m.Contingency]) -> int:
    """Japan accepts its role with conditions; Korea declines one; the Philippines has not
    answered (its role is proposed), so neither plan is validated by partners."""
    from datetime import datetime

    for plan, task_name, nation, answer, conditions, reason, author, when in ANSWERS:
        task = m.Task.objects.get(contingency=plans[plan], name=task_name)
        m.RoleAnswer(
            task=task, nation=_nation(nation), answer=answer, conditions=conditions,
            reason=reason, answered_by=users[author], answered_at=datetime.fromisoformat(when),
            marking=task.marking,
        ).save()  # fmt: skip
    return len(ANSWERS)
