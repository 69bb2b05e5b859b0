"""A fictional FMS case book and DCS licences across the Asian partners, for the demo.

Every case, licence, exporter, reference and blocker here is invented (each case says so). What
is real is their shape: stage durations are drawn around the published targets and worked
timelines in the project's reference (LOR validation within 5 days, notification data within 10
days, 15- or 30-day formal review after 20 or 40 days of informal review, offers accepted within
the 85-day offer window, the Tomahawk notification-to-LOA of about two months, execution of
years), and the notification decision of each case is the engine's, on its LOR date.

``seed()`` is idempotent: it does nothing once the demo cases exist.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from allied.arms import stats
from allied.arms.cases import FORECAST_FIELDS, forecast_cases, histories
from allied.arms.models import (
    Blocker,
    Case,
    CoordinationGroup,
    HistoryEntry,
    Item,
    Licence,
    Review,
    StageRecord,
)
from allied.arms.rules.lifecycle import (
    OED_DAYS,
    STAGE_INFO,
    STAGES,
    AodGroup,
    DcsStep,
    ReviewType,
    Stage,
    anticipated_offer_date,
)
from allied.arms.rules.notification import Channel, Sale, UsmlCategory, decide, review_total
from allied.core.models import Nation, StoredMarking
from allied.core.models.marked import system_access

M = 1_000_000
TODAY = datetime.date(2026, 11, 1)
FICTION = "Fictional demo case."

# Partner, its SCIP-style two-letter code, and the marking of its cases (released to it).
PARTNERS: dict[str, tuple[str, str]] = {
    "JPN": ("JA", "CONFIDENTIAL//REL TO USA, JPN"),
    "KOR": ("KS", "CONFIDENTIAL//REL TO USA, KOR"),
    "AUS": ("AT", "CONFIDENTIAL//REL TO USA, AUS"),
    "PHL": ("RP", "CONFIDENTIAL//REL TO USA, PHL"),
    "IND": ("IN", "CONFIDENTIAL//REL TO USA, IND"),
    "NZL": ("NZ", "CONFIDENTIAL//REL TO USA, NZL"),
    "VNM": ("VM", "CONFIDENTIAL//NOFORN"),
    # Taiwan's cases are notified under the name TECRO; kept NOFORN in the demo.
    "TWN": ("TW", "SECRET//NOFORN"),
}
AGENCIES = ("Army (USASAC)", "Navy (NIPO)", "Air Force (SAF/IA)")

# (title, capability, AOD group, MDE share, total value range in $M, USML, sensitivity, system)
CATALOGUE: tuple[tuple[str, str, str, float, tuple[int, int], str, tuple[str, ...]], ...] = (
    ("Utility helicopters and spares", "Rotary-wing lift", "C", 0.7, (150, 900), "VIII", ("NVD",)),
    ("Coastal surveillance radars", "Maritime domain awareness", "B", 0.5, (20, 140), "XI", ()),
    ("Air-to-air missiles", "Air defence", "C", 0.9, (60, 700), "IV", ("MTCR",)),
    ("Sustainment of patrol aircraft", "Maritime patrol", "A", 0.0, (5, 60), "VIII", ()),
    (
        "Air and missile defence interceptors",
        "Integrated air and missile defence",
        "C",
        0.85,
        (300, 2500),
        "IV",
        ("COMSEC", "data links"),
    ),
    ("Training ammunition", "Readiness", "A", 0.0, (2, 30), "III", ()),
    (
        "Medium-altitude unmanned aircraft",
        "ISR",
        "C",
        0.8,
        (200, 1500),
        "VIII",
        ("MTCR", "intelligence"),
    ),
    ("Night-vision devices", "Night operations", "B", 0.6, (10, 80), "XII", ("NVD",)),
    (
        "Cruise missiles and support",
        "Long-range strike",
        "C",
        0.9,
        (500, 2500),
        "IV",
        ("MTCR", "anti-tamper"),
    ),
    (
        "Tactical data-link terminals",
        "Interoperability",
        "B",
        0.4,
        (15, 160),
        "XI",
        ("COMSEC", "data links"),
    ),
    ("Rifles and carbines", "Infantry modernisation", "A", 0.0, (2, 25), "I(a)", ()),
    ("Light armoured vehicles", "Mobility", "B", 0.75, (40, 400), "VII", ()),
)

# Days per stage: (low, typical, high) for a triangular draw; formal review is set by law.
DURATIONS: dict[Stage, tuple[int, int, int]] = {
    Stage.LOR_RECEIVED: (1, 4, 20),
    Stage.LOR_VALIDATED: (1, 3, 15),
    Stage.REVIEWS: (10, 45, 250),
    Stage.NOTIFICATION_DATA: (1, 4, 20),
    Stage.LOA_DEVELOPMENT: (30, 80, 220),
    Stage.LOA_OFFERED: (10, 50, 84),
    Stage.ACCEPTED: (5, 20, 60),
    Stage.IMPLEMENTED: (20, 60, 200),
    Stage.EXECUTION: (300, 900, 2800),
    Stage.DELIVERED: (500, 800, 1100),
}


@dataclass
class Plan:
    identifier: str
    partner: str
    title: str
    capability: str
    aod: str
    agency: str
    mde: int
    total: int
    usml: str
    sensitivity: tuple[str, ...]
    lor: datetime.date


def _marking(text: str) -> StoredMarking:
    return StoredMarking.objects.intern(text)


def _duration(
    rng: np.random.Generator,
    stage: Stage,
    sale: Sale,
    required: bool,
    review_days: int,
    informal: int,
    sensitive: bool = True,
    aod: str = "B",
) -> int:
    if stage is Stage.INFORMAL_REVIEW:
        if not required:
            return 0
        hold = int(rng.choice([0, 0, 0, 0, 15, 60, 180]))  # SFRC/HFAC holds now and then
        return informal + hold
    if stage is Stage.FORMAL_NOTIFICATION:
        return review_days if required else 0
    if stage is Stage.CLOSED:
        return 0
    low, mode, high = DURATIONS[stage]
    if stage is Stage.REVIEWS:
        low, mode, high = (
            (2, 7, 40) if not sensitive else (8, 30, 140) if aod == "C" else (5, 20, 90)
        )
    if stage is Stage.LOA_DEVELOPMENT:
        low, mode, high = {"A": (6, 12, 40), "B": (12, 28, 80), "C": (20, 45, 130)}[aod]
    return round(float(rng.triangular(low, mode, high)))


def _plans(rng: np.random.Generator) -> list[Plan]:
    plans = []
    serial = 0
    for partner, (code, _) in PARTNERS.items():
        count = 16 if partner in ("JPN", "KOR", "AUS", "PHL") else 10
        for _n in range(count):
            serial += 1
            title, capability, aod, share, (lo, hi), usml, sens = CATALOGUE[
                int(rng.integers(0, len(CATALOGUE)))
            ]
            total = int(rng.integers(lo, hi + 1)) * M
            agency = AGENCIES[int(rng.integers(0, 3))]
            letters = "".join(chr(65 + int(x)) for x in rng.integers(0, 26, size=3))
            lor = datetime.date(2014, 1, 1) + datetime.timedelta(
                days=int(rng.integers(0, (TODAY - datetime.date(2014, 1, 1)).days - 20))
            )
            plans.append(
                Plan(
                    f"{code}-{agency[0]}-{letters}{serial:02d}",
                    partner,
                    title,
                    capability,
                    aod,
                    agency,
                    int(total * share),
                    total,
                    usml,
                    sens,
                    lor,
                )
            )
    return plans


def _history(case: Case, text: str, at: datetime.date, marking: StoredMarking) -> None:
    when = timezone.make_aware(datetime.datetime.combine(at, datetime.time(9, 0)))
    HistoryEntry(case=case, at=when, text=text, marking=marking).save()


def _build(plan: Plan, rng: np.random.Generator, manager: object) -> Case:
    marking = _marking(PARTNERS[plan.partner][1])
    sale = Sale(plan.partner, Channel.FMS, plan.lor, plan.mde, plan.total)
    decision = decide(sale)
    case = Case(
        identifier=plan.identifier,
        partner_id=plan.partner,
        title=plan.title,
        capability=f"{plan.capability}. {FICTION}",
        implementing_agency=plan.agency,
        aod_group=plan.aod,
        stage=Stage.LOR_RECEIVED,
        stage_entered=plan.lor,
        lor_received=plan.lor,
        lor_reference=f"{PARTNERS[plan.partner][0]}-LOR-{plan.lor.year}-{plan.identifier[-2:]}",
        mde_value=plan.mde,
        total_value=plan.total,
        usml_category=plan.usml,
        sensitivity=list(plan.sensitivity),
        notification_required=decision.required,
        review_days=decision.review_days,
        manager=manager,
        marking=marking,
        fictional=True,
    )
    case.save()
    day = plan.lor
    walk = [s.stage for s in STAGES if s.stage is not Stage.PRE_LOR]
    for stage in walk:
        info = STAGE_INFO[stage]
        if stage in (Stage.INFORMAL_REVIEW, Stage.FORMAL_NOTIFICATION) and not decision.required:
            continue
        days = _duration(
            rng,
            stage,
            sale,
            decision.required,
            decision.review_days,
            decision.informal_days,
            bool(plan.sensitivity),
            plan.aod,
        )
        target = decision.review_days if stage is Stage.FORMAL_NOTIFICATION else info.target_days
        owner = plan.agency if info.owner == "Implementing agency" else info.owner
        done = day + datetime.timedelta(days=days)
        finished = stage is not Stage.CLOSED and done <= TODAY
        StageRecord(
            case=case,
            stage=stage.value,
            entered=day,
            completed=done if finished else None,
            days=days if finished else None,
            owner=owner,
            target_days=target,
            marking=marking,
        ).save()
        case.stage, case.stage_entered, case.stage_owner = stage.value, day, owner
        if stage is Stage.LOR_VALIDATED:
            case.anticipated_offer = anticipated_offer_date(
                day, AodGroup(plan.aod), review_total(decision)
            )
        if stage is Stage.FORMAL_NOTIFICATION:
            case.notified = day
        if stage is Stage.LOA_OFFERED:
            case.offered = day
            case.offer_expires = day + datetime.timedelta(days=OED_DAYS)
        if stage is Stage.DELIVERED:
            case.delivered = day
        if stage is Stage.CLOSED:
            case.closed = day
        if stage is Stage.REVIEWS:
            _reviews(case, plan, day, days if finished else None, marking, rng)
        _history(case, f"{info.label} started ({owner}).", day, marking)
        if not finished:
            break
        day = done
    case.save()
    _items(case, plan, marking)
    return case


def _reviews(
    case: Case,
    plan: Plan,
    start: datetime.date,
    length: int | None,
    marking: StoredMarking,
    rng: np.random.Generator,
) -> None:
    kinds = [ReviewType.TSFD, ReviewType.NDP]
    extra = {
        "MTCR": ReviewType.MTCR,
        "NVD": ReviewType.NVD,
        "COMSEC": ReviewType.COMSEC,
        "data links": ReviewType.DATA_LINKS,
        "intelligence": ReviewType.INTELLIGENCE,
        "anti-tamper": ReviewType.ANTI_TAMPER,
    }
    kinds += [extra[s] for s in plan.sensitivity if s in extra]
    internal = _marking("SECRET//NOFORN")
    for n, kind in enumerate(kinds):
        # The longest review is the stage; the others finish earlier, in parallel.
        days = None if length is None else (length if n == 0 else int(length * rng.uniform(0.3, 1)))
        Review(
            case=case,
            review_type=kind.value,
            owner="TSFDO / ATTR SSG" if n == 0 else "DTSA",
            started=start,
            decided=start + datetime.timedelta(days=days) if days is not None else None,
            days=days,
            decision="approved" if days is not None else "pending",
            note=f"{FICTION} Internal assessment of the {kind.value} release."
            if kind in (ReviewType.MTCR, ReviewType.INTELLIGENCE)
            else "",
            marking=internal
            if kind in (ReviewType.MTCR, ReviewType.INTELLIGENCE, ReviewType.ANTI_TAMPER)
            else marking,
        ).save()


def _items(case: Case, plan: Plan, marking: StoredMarking) -> None:
    if plan.mde:
        Item(
            case=case,
            description=f"{plan.title} (major end items)",
            quantity=12,
            mde=True,
            usml_category=plan.usml,
            value=plan.mde,
            marking=marking,
        ).save()
    Item(
        case=case,
        description="Spares, support equipment, training and publications",
        quantity=1,
        mde=False,
        usml_category="",
        value=plan.total - plan.mde,
        marking=marking,
    ).save()


def _blockers(cases: list[Case], rng: np.random.Generator) -> None:
    noforn = _marking("SECRET//NOFORN")
    open_cases = [c for c in cases if c.delivered is None]
    releasable_texts = (
        ("Partner to confirm delivery address and freight forwarder", "Purchaser"),
        (
            "Pricing data for support equipment awaited from the program office",
            "Implementing agency",
        ),
        ("Letter of request lacks training quantities; questions sent to the SCO", "SCO"),
        ("Funding commitment awaited from the purchaser's ministry", "Purchaser"),
    )
    internal_texts = (
        ("Anti-tamper plan not yet approved by the program office", "DTSA"),
        ("Exception to National Disclosure Policy under review", "TSFDO / ATTR SSG"),
        ("Informal review hold placed by a committee member", "State PM/RSAT"),
    )
    for case in open_cases:
        if rng.random() < 0.55:
            text, owner = releasable_texts[int(rng.integers(0, len(releasable_texts)))]
            Blocker(
                case=case,
                text=f"{text}. ({FICTION})",
                owner=owner,
                opened=case.stage_entered,
                marking=case.marking,
            ).save()
        if rng.random() < 0.4:
            text, owner = internal_texts[int(rng.integers(0, len(internal_texts)))]
            Blocker(
                case=case,
                text=f"{text}. ({FICTION})",
                owner=owner,
                opened=case.stage_entered,
                marking=noforn,
            ).save()


def _coordinated(cases: list[Case], manager: object) -> None:
    """Two coordination groups of cases meant to move together, added to ``cases``."""
    cases.extend(_interceptor_buy(manager))
    cases.extend(_patrol_sustainment(manager))


def _interceptor_buy(manager: object) -> list[Case]:
    """Japan and the Republic of Korea buying the same interceptor, meant to move together."""
    marking = _marking("CONFIDENTIAL//REL TO USA, JPN, KOR")
    group = CoordinationGroup(
        name="Interceptor buy, Japan and Republic of Korea (fictional)",
        capability="Integrated air and missile defence",
        description="Two cases for the same interceptor, coordinated so that both partners' "
        "data-link and disclosure decisions are taken once, for both. " + FICTION,
        marking=marking,
    )
    group.save()
    sm = _marking
    jpn = _special(
        "JA-P-IAD91",
        "JPN",
        "Air and missile defence interceptors",
        Stage.REVIEWS,
        140,
        group,
        sm(PARTNERS["JPN"][1]),
        manager,
    )
    kor = _special(
        "KS-P-IAD92",
        "KOR",
        "Air and missile defence interceptors",
        Stage.LOA_DEVELOPMENT,
        40,
        group,
        sm(PARTNERS["KOR"][1]),
        manager,
    )
    Blocker(
        case=kor,
        text="Waiting for the common data-link disclosure decision taken on the "
        f"Japanese case. ({FICTION})",
        owner="TSFDO / ATTR SSG",
        opened=kor.stage_entered,
        waits_on=jpn,
        marking=sm(PARTNERS["KOR"][1]),
    ).save()
    Blocker(
        case=jpn,
        text="Waveform configuration to be agreed with the Korean case before the "
        f"review closes. ({FICTION})",
        owner="DTSA",
        opened=jpn.stage_entered,
        waits_on=kor,
        marking=sm(PARTNERS["JPN"][1]),
    ).save()
    Blocker(
        case=jpn,
        text=f"Data-link review found a disclosure issue. ({FICTION})",
        owner="DTSA",
        opened=jpn.stage_entered,
        marking=sm("SECRET//NOFORN"),
    ).save()
    return [jpn, kor]


def _patrol_sustainment(manager: object) -> list[Case]:
    """The Philippines and Japan sustaining the same patrol aircraft."""
    sm = _marking
    group2 = CoordinationGroup(
        name="Maritime patrol sustainment, Philippines and Japan (fictional)",
        capability="Maritime patrol",
        description="Sustainment cases for the same aircraft type. " + FICTION,
        marking=sm("CONFIDENTIAL//REL TO USA, JPN, PHL"),
    )
    group2.save()
    phl = _special(
        "RP-D-MPS93",
        "PHL",
        "Sustainment of patrol aircraft",
        Stage.LOR_VALIDATED,
        9,
        group2,
        sm(PARTNERS["PHL"][1]),
        manager,
    )
    jp2 = _special(
        "JA-D-MPS94",
        "JPN",
        "Sustainment of patrol aircraft",
        Stage.LOA_DEVELOPMENT,
        30,
        group2,
        sm(PARTNERS["JPN"][1]),
        manager,
    )
    Blocker(
        case=phl,
        text=f"Common spares package priced on the Japanese case first. ({FICTION})",
        owner="Navy (NIPO)",
        opened=phl.stage_entered,
        waits_on=jp2,
        marking=sm(PARTNERS["PHL"][1]),
    ).save()
    return [phl, jp2]


def _special(
    identifier: str,
    partner: str,
    title: str,
    stage: Stage,
    elapsed: int,
    group: CoordinationGroup,
    marking: StoredMarking,
    manager: object,
) -> Case:
    entered = TODAY - datetime.timedelta(days=elapsed)
    lor = entered - datetime.timedelta(days=30 + 20 * (stage is not Stage.LOR_VALIDATED))
    total = 900 * M if "interceptor" in title.lower() else 40 * M
    decision = decide(Sale(partner, Channel.FMS, lor, int(total * 0.85), total))
    case = Case(
        identifier=identifier,
        partner_id=partner,
        title=title,
        capability=f"{group.capability}. {FICTION}",
        implementing_agency="Navy (NIPO)",
        aod_group="C" if total > 100 * M else "A",
        stage=stage.value,
        stage_entered=entered,
        stage_owner=STAGE_INFO[stage].owner,
        lor_received=lor,
        lor_reference=f"{identifier}-LOR",
        mde_value=int(total * 0.85),
        total_value=total,
        notification_required=decision.required,
        review_days=decision.review_days,
        group=group,
        manager=manager,
        marking=marking,
        fictional=True,
        anticipated_offer=lor + datetime.timedelta(days=150 if total > 100 * M else 45),
    )
    case.save()
    previous = [s.stage for s in STAGES if s.stage is not Stage.PRE_LOR]
    day = lor
    for s in previous[: previous.index(stage)]:
        if s in (Stage.INFORMAL_REVIEW, Stage.FORMAL_NOTIFICATION):
            continue
        span = max(1, (entered - lor).days // max(1, previous.index(stage)))
        StageRecord(
            case=case,
            stage=s.value,
            entered=day,
            completed=day + datetime.timedelta(days=span),
            days=span,
            owner=STAGE_INFO[s].owner,
            marking=marking,
        ).save()
        day = day + datetime.timedelta(days=span)
    StageRecord(
        case=case,
        stage=stage.value,
        entered=entered,
        owner=STAGE_INFO[stage].owner,
        target_days=STAGE_INFO[stage].target_days,
        marking=marking,
    ).save()
    if stage is Stage.REVIEWS:
        for kind in (ReviewType.TSFD, ReviewType.DATA_LINKS, ReviewType.COMSEC):
            Review(
                case=case,
                review_type=kind.value,
                owner="TSFDO / ATTR SSG",
                started=entered,
                marking=marking,
            ).save()
    _history(case, f"{STAGE_INFO[stage].label} started.", entered, marking)
    return case


def _licences(rng: np.random.Generator) -> None:
    rows = (
        ("JPN", "XI", 0, 30 * M, "Radar subassemblies"),
        ("KOR", "IV", 26 * M, 40 * M, "Missile components"),
        ("AUS", "VIII", 0, 120 * M, "Aircraft engine parts and services"),
        ("PHL", "I(a)", 0, 3 * M, "Rifles for the national police training centre"),
        ("PHL", "XII", 0, 8 * M, "Thermal imaging sights"),
        ("IND", "VIII", 20 * M, 60 * M, "Transport aircraft upgrade kits"),
        ("IND", "I(a)", 0, 800_000, "Sporting rifles for a shooting federation"),
        ("JPN", "XV", 0, 12 * M, "Satellite ground station components"),
        ("KOR", "XI", 0, 55 * M, "Electronic warfare test sets"),
        ("AUS", "I(c)", 0, 2 * M, "Carbines for special forces training"),
    )
    steps = [
        DcsStep.SUBMITTED,
        DcsStep.STAFFING,
        DcsStep.NOTIFICATION,
        DcsStep.APPROVED,
        DcsStep.PROVISO,
    ]
    for n, (partner, usml, mde, total, text) in enumerate(rows, start=1):
        submitted = TODAY - datetime.timedelta(days=int(rng.integers(5, 400)))
        decision = decide(
            Sale(
                partner, Channel.DCS, submitted, mde, total, usml_category=UsmlCategory.parse(usml)
            )
        )
        step = steps[n % len(steps)]
        Licence(
            reference=f"DCS-DEMO-{n:04d}",
            partner_id=partner,
            applicant=f"Example Defense Products {chr(64 + n)} (fictional exporter)",
            description=f"{text} (fictional)",
            usml_category=usml,
            mde_value=mde,
            total_value=total,
            step=step.value,
            submitted=submitted,
            decided=submitted + datetime.timedelta(days=40)
            if step in (DcsStep.APPROVED, DcsStep.PROVISO)
            else None,
            notification_required=decision.required,
            review_days=decision.review_days,
            marking=_marking(PARTNERS[partner][1]),
            fictional=True,
        ).save()


def seed() -> None:
    """Create the fictional case book once (idempotent), with forecasts for its open cases."""
    for iso3 in PARTNERS:
        if not Nation.objects.filter(iso3=iso3).exists():
            return  # the registry is not loaded: nothing to attach cases to
    User = get_user_model()
    manager = User.objects.filter(username="us.casemgr").first()
    with system_access("arms demo: seed the fictional case book"), transaction.atomic():
        if Case.objects.filter(fictional=True, identifier="JA-P-IAD91").exists():
            return
        rng = np.random.default_rng(20261101)
        cases = [_build(plan, rng, manager) for plan in _plans(rng)]
        _coordinated(cases, manager)
        _blockers([c for c in cases if c.group_id is None], rng)
        _licences(rng)
        stats.rebuild()
        if manager is not None:
            visible = Case.objects.visible_to(manager, on=TODAY)
            history = histories(visible)
            open_cases = [c for c in cases if c.delivered is None]
            updated = forecast_cases(open_cases, history, TODAY)
            for case in updated:
                case.save(update_fields=FORECAST_FIELDS)
