"""Statutory notification to Congress of arms sales (AECA section 36), as effective-dated data.

Given a partner, a channel (FMS under 36(b)(1), DCS licences under 36(c)), the values of a sale
and a date, ``decide`` says whether formal notification is required, how long the review period
is, and why, citing the statute and the reference each number comes from. A sale is judged by
the law in force on its date: thresholds and the partner groups that enjoy the higher thresholds
and the shorter period are both effective-dated, so the Republic of Korea is judged as an
ordinary partner on 14 October 2008 and as a NATO+ partner from 15 October 2008.

"What if" scenarios (pending bills) are the same data changed: ``Scenario.apply`` gives the law
as it would read had the bill been in force, and ``compare`` counts the past sales that would no
longer need notification and the review days they would have saved.

Every public fact carries its source; facts the project's reference could not confirm say so
(``confirmed=False``) and are shown as such in the basis of a decision.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

M = 1_000_000

CRS_RL31675 = (
    "CRS RL31675 (28 Mar 2025), Arms Sales: Congressional Review Process, "
    "https://www.everycrsreport.com/files/2025-03-28_RL31675_53ce78a239f45fc8f5ff3ec55bf5a8e04e38e426.html"
)
ITAR_123_15 = "22 CFR 123.15 (ITAR), https://checkoutapi.com/regulations/title22_chapterI_part123_section123.15"
ECD_2024 = (
    "Export Compliance Daily (8 Feb 2024) on current law, "
    "https://exportcompliancedaily.com/article/2024/02/08/house-committee-approves-threshold-increases-for-arms-sales-notifications-2402070048"
)
NATO_PAGE = "NATO, member countries page (nato.int)"
OLD_SAMM_C5_5 = "SAMM C5.5 (older edition), http://www.dsca.osd.mil/samm/ESAMM/C05/5.05.htm"
LSB10304 = "CRS LSB10304 (29 May 2019), https://www.everycrsreport.com/reports/LSB10304.html"


class Channel(enum.StrEnum):
    FMS = "fms"
    DCS = "dcs"


class Group(enum.StrEnum):
    """The two threshold groups of AECA 36(b) and 36(c)."""

    NATO_PLUS = "nato_plus"
    OTHER = "other"

    @property
    def label(self) -> str:
        return "NATO, NATO members and NATO+ partners" if self is Group.NATO_PLUS else "others"


class NotificationInputError(ValueError):
    """A question the engine cannot answer; the message names the field."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


# --- thresholds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """Values at or above which a sale to one group must be notified, and its review period."""

    mde: int
    articles: int
    #: Design and construction services (36(b)(1) only); None where the channel has none.
    design_construction: int | None
    review_days: int
    #: Informal ("tiered") review before formal notification, not in statute.
    informal_days: int


@dataclass(frozen=True)
class ThresholdSet:
    """The thresholds of both groups and both channels, in force from ``effective_from``."""

    name: str
    effective_from: date
    fms: Mapping[Group, Thresholds]
    dcs: Mapping[Group, Thresholds]
    #: USML Category I(a)-(g) firearms licences under 36(c) at or above this value.
    firearms: int
    firearms_review_days: int
    sources: tuple[str, ...]
    confirmed: bool = True
    enacted: bool = True
    #: Cumulative thresholds of a bill, kept as data but not applied per sale.
    notes: tuple[str, ...] = ()

    def for_channel(self, channel: Channel) -> Mapping[Group, Thresholds]:
        return self.fms if channel is Channel.FMS else self.dcs


# The ordinary thresholds (14/50/200 M, 30 days) and the NATO+ ones (25/100/300 M, 15 days).
# The NATO+ values date from the Foreign Relations Authorization Act, FY2003 (P.L. 107-228,
# 30 Sep 2002) as far as the project knows; the reference confirms the values, not that date,
# so the engine refuses to judge earlier dates rather than guess older law.
COVERAGE_FROM = date(2002, 9, 30)

_INFORMAL_NOTE = (
    "informal (tiered) review of 20 days (NATO+) or 40 days (others) before formal notification "
    "is practice, not statute (unconfirmed values; reference section 2)"
)

CURRENT_LAW = ThresholdSet(
    name="AECA 36(b)(1) and 36(c) as in force",
    effective_from=COVERAGE_FROM,
    fms={
        Group.OTHER: Thresholds(14 * M, 50 * M, 200 * M, 30, 40),
        Group.NATO_PLUS: Thresholds(25 * M, 100 * M, 300 * M, 15, 20),
    },
    dcs={
        Group.OTHER: Thresholds(14 * M, 50 * M, None, 30, 0),
        Group.NATO_PLUS: Thresholds(25 * M, 100 * M, None, 15, 0),
    },
    firearms=1 * M,
    # The reference gives 30 days for the firearms notification without a NATO+ distinction.
    firearms_review_days=30,
    sources=(
        "22 U.S.C. 2776(b)(1) (AECA 36(b)(1))",
        "22 U.S.C. 2776(c) (AECA 36(c))",
        CRS_RL31675,
        ECD_2024,
        ITAR_123_15,
    ),
    notes=(
        "Start date of the NATO+ values is P.L. 107-228 (30 Sep 2002): unconfirmed by the "
        "reference; earlier dates are not judged.",
    ),
)


# --- partner groups -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupEntry:
    """A partner in the NATO+ group from ``since`` (until ``until``, exclusive, if it left)."""

    iso3: str
    since: date
    basis: str
    source: str
    until: date | None = None
    confirmed: bool = True

    def in_force(self, day: date) -> bool:
        return self.since <= day and (self.until is None or day < self.until)


def _nato(iso3s: str, day: str, what: str) -> list[GroupEntry]:
    return [
        GroupEntry(code, date.fromisoformat(day), f"NATO member ({what})", NATO_PAGE)
        for code in iso3s.split()
    ]


# NATO members with the day they joined (founders on the day the treaty was signed, as the
# registry records them).
NATO_MEMBERS: tuple[GroupEntry, ...] = (
    *_nato("BEL CAN DNK FRA ISL ITA LUX NLD NOR PRT GBR USA", "1949-04-04", "founding member"),
    *_nato("GRC TUR", "1952-02-18", "accession 18 Feb 1952"),
    *_nato("DEU", "1955-05-06", "accession 6 May 1955"),
    *_nato("ESP", "1982-05-30", "accession 30 May 1982"),
    *_nato("CZE HUN POL", "1999-03-12", "accession 12 Mar 1999"),
    *_nato("BGR EST LVA LTU ROU SVK SVN", "2004-03-29", "accession 29 Mar 2004"),
    *_nato("ALB HRV", "2009-04-01", "accession 1 Apr 2009"),
    *_nato("MNE", "2017-06-05", "accession 5 Jun 2017"),
    *_nato("MKD", "2020-03-27", "accession 27 Mar 2020"),
    *_nato("FIN", "2023-04-04", "accession 4 Apr 2023"),
    *_nato("SWE", "2024-03-07", "accession 7 Mar 2024"),
)

# The partners that share NATO's thresholds and period ("NATO+5"), with the day each was added.
NATO_PLUS_PARTNERS: tuple[GroupEntry, ...] = (
    GroupEntry(
        "JPN",
        COVERAGE_FROM,
        "named in AECA 36(b)(1) and 36(c) (NATO+5)",
        CRS_RL31675,
        confirmed=True,
    ),
    GroupEntry("AUS", COVERAGE_FROM, "named in AECA 36(b)(1) and 36(c) (NATO+5)", CRS_RL31675),
    GroupEntry("NZL", COVERAGE_FROM, "named in AECA 36(b)(1) and 36(c) (NATO+5)", CRS_RL31675),
    GroupEntry(
        "KOR",
        date(2008, 10, 15),
        "added by P.L. 110-429 section 3 (15 Oct 2008)",
        "DSCA 08-40, https://samm.dsca.mil/policy-memoranda/dsca-08-40",
    ),
    GroupEntry(
        "ISR",
        COVERAGE_FROM,
        "named in AECA 36(b)(1) and 36(c) (NATO+5); the day it was added is unconfirmed and "
        "it is treated as in the group throughout the engine's coverage",
        CRS_RL31675,
        confirmed=False,
    ),
)

# Japan, Australia and New Zealand were in the group before the start of the engine's coverage
# (30 Sep 2002).


@dataclass(frozen=True)
class Law:
    """Threshold sets by effective date and the NATO+ group, as one body of law to judge by."""

    threshold_sets: tuple[ThresholdSet, ...]
    group: tuple[GroupEntry, ...]
    name: str = "law in force"

    def thresholds_on(self, day: date) -> ThresholdSet:
        started = [s for s in self.threshold_sets if s.effective_from <= day]
        if not started:
            first = min(s.effective_from for s in self.threshold_sets)
            raise NotificationInputError(
                "date",
                f"{day.isoformat()} is before {first.isoformat()}, the earliest date whose "
                "thresholds the engine holds",
            )
        return max(started, key=lambda s: s.effective_from)

    @functools.cached_property
    def _entries(self) -> dict[str, tuple[GroupEntry, ...]]:
        by: dict[str, list[GroupEntry]] = {}
        for entry in self.group:
            by.setdefault(entry.iso3, []).append(entry)
        return {k: tuple(v) for k, v in by.items()}

    def group_of(self, iso3: str, day: date) -> tuple[Group, GroupEntry | None]:
        for entry in self._entries.get(iso3, ()):
            if entry.in_force(day):
                return Group.NATO_PLUS, entry
        return Group.OTHER, None

    def group_history(self, iso3: str) -> list[GroupEntry]:
        return sorted((e for e in self.group if e.iso3 == iso3), key=lambda e: e.since)


LAW = Law((CURRENT_LAW,), (*NATO_MEMBERS, *NATO_PLUS_PARTNERS))


@functools.cache
def known_partner(iso3: str) -> bool:
    """Whether ``iso3`` is an ISO 3166-1 alpha-3 code (Taiwan's TWN included)."""
    import pycountry

    return pycountry.countries.get(alpha_3=iso3) is not None


# --- the question and the answer ------------------------------------------------------------------

_USML_CATEGORIES = frozenset(
    {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV"}
    | {"XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI"}
)
_USML = re.compile(r"^\s*([IVXivx]+)(?:\(([a-zA-Z])\)|[.\s]?([a-zA-Z]))?\s*$")


@dataclass(frozen=True)
class UsmlCategory:
    """A USML category (I to XXI) and an optional paragraph letter, e.g. I(a)."""

    category: str
    paragraph: str | None = None

    @classmethod
    def parse(cls, text: str) -> UsmlCategory:
        match = _USML.match(text or "")
        if not match or match.group(1).upper() not in _USML_CATEGORIES:
            raise NotificationInputError(
                "usml_category",
                f"{text!r} is not a USML category: give I to XXI, optionally with a "
                "paragraph, e.g. I(a) or XI",
            )
        letter = match.group(2) or match.group(3)
        paragraph = letter.lower() if letter else None
        return cls(match.group(1).upper(), paragraph)

    @property
    def firearms(self) -> bool:
        """Category I(a)-(g); a bare Category I is read as firearms (the cautious reading)."""
        return self.category == "I" and (self.paragraph is None or self.paragraph in "abcdefg")

    def __str__(self) -> str:
        return self.category + (f"({self.paragraph})" if self.paragraph else "")


@dataclass(frozen=True)
class Sale:
    """What the engine is asked about. Values are in U.S. dollars."""

    partner: str
    channel: Channel
    on: date
    mde: int = 0
    total: int = 0
    design_construction: int = 0
    usml_category: UsmlCategory | None = None
    emergency: bool = False

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z]{3}", self.partner):
            raise NotificationInputError(
                "partner", f"{self.partner!r} is not an ISO 3166-1 alpha-3 code (e.g. JPN)"
            )
        if self.partner == "USA":
            raise NotificationInputError("partner", "the United States is not a foreign partner")
        for name in ("mde", "total", "design_construction"):
            value = getattr(self, name)
            if value < 0:
                raise NotificationInputError(name, f"must not be negative (got {value})")
        if self.mde > self.total and self.total:
            raise NotificationInputError(
                "mde", "the MDE value cannot exceed the total value of articles and services"
            )
        if not known_partner(self.partner):
            raise NotificationInputError(
                "partner", f"{self.partner!r} is not a known ISO 3166-1 alpha-3 code"
            )
        if self.channel is Channel.DCS and self.design_construction:
            raise NotificationInputError(
                "design_construction",
                "design and construction services are an FMS (36(b)(1)) value; a DCS licence "
                "has none",
            )

    @property
    def articles_total(self) -> int:
        """The value of articles and services, which includes the MDE value."""
        return max(self.total, self.mde)


@dataclass(frozen=True)
class Decision:
    required: bool
    review_days: int
    basis: tuple[str, ...]
    group: Group
    section: str
    informal_days: int = 0
    emergency_waiver: bool = False
    triggers: tuple[str, ...] = ()
    law: str = "law in force"

    def as_dict(self) -> dict[str, object]:
        return {
            "required": self.required,
            "review_days": self.review_days,
            "basis": list(self.basis),
            "group": self.group.value,
            "section": self.section,
            "informal_review_days": self.informal_days,
            "emergency_waiver": self.emergency_waiver,
            "triggers": list(self.triggers),
            "law": self.law,
        }


def _usd(value: int) -> str:
    if value >= M and value % (M // 10) == 0:
        text = f"{value / M:,.1f}".removesuffix(".0")
        return f"${text}M"
    return f"${value:,}"


def decide(sale: Sale, law: Law = LAW) -> Decision:
    """Whether ``sale`` must be formally notified to Congress under ``law``, and for how long."""
    rules = law.thresholds_on(sale.on)
    group, entry = law.group_of(sale.partner, sale.on)
    limits = rules.for_channel(sale.channel)[group]
    section = "36(b)(1)" if sale.channel is Channel.FMS else "36(c)"
    triggers, values = _value_checks(sale, rules, limits, group, section)
    review, firearms = _firearms_check(sale, rules, triggers, limits.review_days)
    basis = [_group_line(sale, law, entry), *values, *firearms]
    if not rules.enacted:
        basis.append(f"hypothetical: {rules.name} is not law")
    if not triggers:
        basis.insert(0, f"No formal notification under AECA {section} is required.")
        return Decision(False, 0, tuple(basis), group, section, law=law.name)
    return _notified(sale, law, limits, group, section, review, basis, triggers)


def _group_line(sale: Sale, law: Law, entry: GroupEntry | None) -> str:
    """Why the sale is judged by the NATO+ thresholds, or by the ordinary ones, on its day."""
    if entry is not None:
        flag = "" if entry.confirmed else " [unconfirmed]"
        return (
            f"{sale.partner} is in the NATO+ group on {sale.on.isoformat()}: {entry.basis} "
            f"({entry.source}){flag}"
        )
    later = [e for e in law.group_history(sale.partner) if e.since > sale.on]
    return (
        f"{sale.partner} is not NATO, a NATO member or a NATO+ partner on "
        f"{sale.on.isoformat()}: ordinary thresholds apply"
        + (f" (it joins the group on {later[0].since.isoformat()})" if later else "")
    )


def _value_checks(
    sale: Sale, rules: ThresholdSet, limits: Thresholds, group: Group, section: str
) -> tuple[list[str], list[str]]:
    """Each value of the sale against its threshold: the values at or above one (the triggers)
    and, for every value, the line of the basis that says so."""
    checks: list[tuple[str, int, int | None]] = [
        ("major defense equipment", sale.mde, limits.mde),
        ("defense articles and services", sale.articles_total, limits.articles),
    ]
    if sale.channel is Channel.FMS:
        checks.append(
            (
                "design and construction services",
                sale.design_construction,
                limits.design_construction,
            )
        )
    triggers: list[str] = []
    basis: list[str] = []
    for what, value, limit in checks:
        if limit is None:
            continue
        if value >= limit:
            triggers.append(what)
            basis.append(
                f"AECA {section}: {what} {_usd(value)} is at or above the {_usd(limit)} "
                f"threshold for {group.label} ({rules.name}; {rules.sources[2]})"
            )
        else:
            basis.append(
                f"AECA {section}: {what} {_usd(value)} is below the {_usd(limit)} threshold "
                f"for {group.label}"
            )
    return triggers, basis


def _firearms_check(
    sale: Sale, rules: ThresholdSet, triggers: list[str], review: int
) -> tuple[int, list[str]]:
    """A DCS licence of USML Category I firearms against the firearms threshold: the review
    period and the lines of the basis. A licence at or above it adds ``"firearms"`` to
    ``triggers``; firearms alone take the firearms review period."""
    usml = sale.usml_category
    if sale.channel is not Channel.DCS or usml is None or not usml.firearms:
        return review, []
    if sale.articles_total < rules.firearms:
        return review, [
            f"AECA 36(c): USML Category {usml} firearms "
            f"{_usd(sale.articles_total)} below {_usd(rules.firearms)}"
        ]
    triggers.append("firearms")
    only_firearms = len(triggers) == 1
    review = (
        rules.firearms_review_days if only_firearms else max(review, rules.firearms_review_days)
    )
    return review, [
        f"AECA 36(c): USML Category {usml} firearms "
        f"{_usd(sale.articles_total)} at or above {_usd(rules.firearms)} "
        f"({rules.firearms_review_days}-day review; {ITAR_123_15})"
    ]


def _notified(
    sale: Sale,
    law: Law,
    limits: Thresholds,
    group: Group,
    section: str,
    review: int,
    basis: list[str],
    triggers: list[str],
) -> Decision:
    """The decision for a sale that must be notified: the review period, unless waived."""
    basis.insert(
        0,
        f"Formal notification under AECA {section} is required: {review}-day review period "
        f"for {group.label}.",
    )
    if sale.channel is Channel.FMS:
        basis.append(
            f"The LOA may not be offered before the review period ends ({OLD_SAMM_C5_5}); "
            + _INFORMAL_NOTE
        )
    if sale.emergency:
        basis.append(
            f"Emergency waiver: the President states that an emergency exists which requires "
            f"the sale in the national security interest of the United States, so the review "
            f"period is waived (AECA {section}; {LSB10304}). Notification is still sent."
        )
        return Decision(
            True, 0, tuple(basis), group, section, 0, True, tuple(triggers), law=law.name
        )
    informal = limits.informal_days if sale.channel is Channel.FMS else 0
    return Decision(
        True, review, tuple(basis), group, section, informal, False, tuple(triggers), law=law.name
    )


# --- what if ------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A proposed change to the law: new thresholds and/or partners added to the NATO+ group."""

    key: str
    name: str
    status: str
    source: str
    fms: Mapping[Group, Thresholds] | None = None
    dcs: Mapping[Group, Thresholds] | None = None
    firearms: int | None = None
    add_partners: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def apply(self, law: Law = LAW) -> Law:
        """The law as it would read had this change always been in force."""
        sets = tuple(
            replace(
                s,
                name=f"{s.name}, as changed by {self.name}",
                fms=self.fms or s.fms,
                dcs=self.dcs or s.dcs,
                firearms=self.firearms if self.firearms is not None else s.firearms,
                enacted=False,
            )
            for s in law.threshold_sets
        )
        start = min(s.effective_from for s in law.threshold_sets)
        added = tuple(
            GroupEntry(iso3, start, f"added by {self.name} (not law)", self.source)
            for iso3 in self.add_partners
        )
        return Law(sets, law.group + added, name=self.name)


def _both(
    other: tuple[int, int, int | None], nato: tuple[int, int, int | None], dcs: bool = False
) -> dict[Group, Thresholds]:
    base = CURRENT_LAW.dcs if dcs else CURRENT_LAW.fms
    return {
        Group.OTHER: replace(
            base[Group.OTHER],
            mde=other[0],
            articles=other[1],
            design_construction=None if dcs else other[2],
        ),
        Group.NATO_PLUS: replace(
            base[Group.NATO_PLUS],
            mde=nato[0],
            articles=nato[1],
            design_construction=None if dcs else nato[2],
        ),
    }


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "tiger",
        "FMS TIGER Act (118th Congress)",
        "passed the House Foreign Affairs Committee 26-20 on 6 Feb 2024; not enacted",
        ECD_2024,
        fms=_both((23 * M, 83 * M, 332 * M), (42 * M, 166 * M, 500 * M)),
        dcs=_both((23 * M, 83 * M, None), (42 * M, 166 * M, None), dcs=True),
        notes=(
            "Its cumulative thresholds ($5B over 3 years for NATO+, $1B for others) are not "
            "applied per sale.",
            "Applied to 36(c) as to 36(b)(1): an assumption.",
        ),
    ),
    Scenario(
        "hr3613",
        "Streamlining Foreign Military Sales Act of 2025 (H.R. 3613)",
        "introduced 23 May 2025, referred to HFAC; not enacted",
        "https://congress.wiki/map/legislation/streamlining-foreign-military-sales-act-of-2025-119hr3613",
        fms=_both((30 * M, 55 * M, 200 * M), (30 * M, 100 * M, 300 * M)),
        dcs=_both((30 * M, 55 * M, None), (30 * M, 100 * M, None), dcs=True),
        notes=(
            "Read as MDE $30M and articles and services $55M for ordinary partners and MDE $30M "
            "for NATO+ (its other NATO+ values unchanged): the reference gives only the two "
            "figures.",
        ),
    ),
    Scenario(
        "hr3998",
        "H.R. 3998 (119th Congress): firearms notification at $4M",
        "pending; not law",
        "https://codifylegalpublishing.com/blog-article?id=bill-us-united-states-119th-hb3998-firearms-congressional-notification",
        firearms=4 * M,
    ),
    Scenario(
        "taiwan-plus",
        "Taiwan PLUS Act",
        "introduced May 2025 in both chambers; not enacted",
        "https://exportcompliancedaily.com/news/2025/05/23/Bicameral-Bill-Could-Speed-Up-Arms-Sales-to-Taiwan-2505220001",
        add_partners=("TWN",),
    ),
)
SCENARIOS_BY_KEY = {s.key: s for s in SCENARIOS}


@dataclass(frozen=True)
class PastSale:
    """A past sale and the review days it actually spent (formal plus informal, if known)."""

    key: str
    sale: Sale


@dataclass(frozen=True)
class Comparison:
    scenario: str
    sales: int
    required_now: int
    required_then: int
    no_longer_required: tuple[str, ...]
    days_saved: int
    per_partner: Mapping[str, tuple[int, int]]

    def as_dict(self) -> dict[str, object]:
        return {
            "scenario": self.scenario,
            "sales": self.sales,
            "required_under_law": self.required_now,
            "required_under_scenario": self.required_then,
            "no_longer_required": len(self.no_longer_required),
            "days_saved": self.days_saved,
            "per_partner": {
                k: {"no_longer_required": v[0], "days_saved": v[1]}
                for k, v in sorted(self.per_partner.items())
            },
        }


def outcome(sale: Sale, law: Law = LAW) -> tuple[bool, int, int]:
    """``(required, review_days, informal_days)`` of ``decide(sale, law)``, without its basis.

    For counting many sales (what-if comparisons); a property test keeps it equal to ``decide``.
    """
    rules = law.thresholds_on(sale.on)
    group, _ = law.group_of(sale.partner, sale.on)
    limits = rules.for_channel(sale.channel)[group]
    review = limits.review_days
    hit = sale.mde >= limits.mde or sale.articles_total >= limits.articles
    if sale.channel is Channel.FMS and limits.design_construction is not None:
        hit = hit or sale.design_construction >= limits.design_construction
    usml = sale.usml_category
    firearms = (
        sale.channel is Channel.DCS
        and usml is not None
        and usml.firearms
        and sale.articles_total >= rules.firearms
    )
    if firearms:
        review = max(review, rules.firearms_review_days) if hit else rules.firearms_review_days
    if not (hit or firearms):
        return False, 0, 0
    if sale.emergency:
        return True, 0, 0
    return True, review, limits.informal_days if sale.channel is Channel.FMS else 0


def review_total(decision: Decision) -> int:
    """Days a decision adds before an offer: formal review plus informal review."""
    return decision.review_days + decision.informal_days if decision.required else 0


def compare(scenario: Scenario, past: Iterable[PastSale], law: Law = LAW) -> Comparison:
    """How many of ``past`` would no longer need notification under ``scenario``, days saved."""
    return compare_all((scenario,), past, law)[0]


def compare_all(
    scenarios: Sequence[Scenario], past: Iterable[PastSale], law: Law = LAW
) -> list[Comparison]:
    """``compare`` for several scenarios in one pass (each sale judged once under ``law``)."""
    changed = [s.apply(law) for s in scenarios]
    n = len(scenarios)
    sales = 0
    now = 0
    then = [0] * n
    dropped: list[list[str]] = [[] for _ in scenarios]
    saved = [0] * n
    per_partner: list[dict[str, tuple[int, int]]] = [{} for _ in scenarios]
    for item in past:
        sales += 1
        actual = outcome(item.sale, law)
        now += actual[0]
        for i, other in enumerate(changed):
            proposed = outcome(item.sale, other)
            then[i] += proposed[0]
            gone = actual[0] and not proposed[0]
            if gone:
                dropped[i].append(item.key)
            days = max(sum(actual[1:]) - sum(proposed[1:]), 0)
            saved[i] += days
            count, total = per_partner[i].get(item.sale.partner, (0, 0))
            per_partner[i][item.sale.partner] = (count + gone, total + days)
    return [
        Comparison(s.name, sales, now, then[i], tuple(dropped[i]), saved[i], per_partner[i])
        for i, s in enumerate(scenarios)
    ]


# --- parsing helpers for the CLI and forms ----------------------------------------

_MONEY = re.compile(r"^\$?\s*([0-9][0-9,_]*(?:\.[0-9]+)?)\s*([kKmMbB]?)\s*$")


def parse_usd(field_name: str, text: str) -> int:
    """``"25000000"``, ``"$25,000,000"``, ``"25M"`` or ``"1.5B"`` as whole dollars."""
    match = _MONEY.match(text or "")
    if not match:
        raise NotificationInputError(
            field_name, f"{text!r} is not an amount in U.S. dollars (e.g. 25000000 or 25M)"
        )
    number = float(match.group(1).replace(",", "").replace("_", ""))
    scale = {"": 1, "k": 1_000, "m": M, "b": 1_000 * M}[match.group(2).lower()]
    return round(number * scale)


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise NotificationInputError("date", f"{text!r} is not a date as YYYY-MM-DD") from exc


def channel_of(text: str) -> Channel:
    try:
        return Channel(text.lower())
    except ValueError as exc:
        raise NotificationInputError("channel", f"{text!r} is not fms or dcs") from exc


#: How a yes-or-no input is written: a page's checkbox sends "1", an API caller "true".
_YES = frozenset({"1", "true", "on", "yes"})
_NO = frozenset({"", "0", "false", "off", "no"})


def parse_flag(field_name: str, text: str | None) -> bool:
    """``"1"``, ``"true"``, ``"on"`` or ``"yes"`` (any case) as yes; blank, ``"0"``, ``"false"``,
    ``"off"`` or ``"no"`` as no; anything else is refused naming the field."""
    value = (text or "").strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise NotificationInputError(field_name, f"{text!r} is not yes or no (1 or 0, true or false)")


def sale_of_query(query: Mapping[str, str], today: date) -> tuple[Sale, Law]:
    """The sale and the law to judge it by, read from the inputs of the notification page and
    the API alike (``partner``, ``channel``, ``mde``, ``total``, ``design_construction``,
    ``usml_category``, ``date``, ``emergency``, ``what_if``; a blank or absent value takes its
    default): the one reading of them, so a query means the same on both."""
    partner = (query.get("partner") or "").strip().upper()
    if not partner:
        raise NotificationInputError("partner", "required (an ISO 3166-1 alpha-3 code)")
    what_if = query.get("what_if") or ""
    if what_if and what_if not in SCENARIOS_BY_KEY:
        raise NotificationInputError("what_if", f"one of {', '.join(SCENARIOS_BY_KEY)}")
    day = query.get("date")
    usml = query.get("usml_category")
    sale = Sale(
        partner=partner,
        channel=channel_of(query.get("channel") or "fms"),
        on=parse_day(day) if day else today,
        mde=parse_usd("mde", query.get("mde") or "0"),
        total=parse_usd("total", query.get("total") or "0"),
        design_construction=parse_usd(
            "design_construction", query.get("design_construction") or "0"
        ),
        usml_category=UsmlCategory.parse(usml) if usml else None,
        emergency=parse_flag("emergency", query.get("emergency")),
    )
    return sale, SCENARIOS_BY_KEY[what_if].apply(LAW) if what_if else LAW
