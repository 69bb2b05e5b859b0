"""Public facts about who belongs to which community, each with the record it comes from.

Dates follow one rule: founding parties joined on the day they signed the founding treaty;
later members on the day of their accession, as the community's own public record gives it.
A record that gives only a year is stored as 1 January with year precision.

``load()`` is idempotent: it creates or updates rows by their natural keys and never deletes.

One community is the exception to "public facts": the Military Framework (``MILFW``). The policy
brief calls it "a U.S.-led forum of 14 countries" without naming them, so its membership is
configured locally with ``allied registry members MILFW --add ... --remove ...``; ``load()`` only
seeds the United States and never touches what was configured since.
"""

from __future__ import annotations

import datetime
import importlib.metadata
from collections.abc import Iterable
from dataclasses import dataclass

import pycountry
from django.db import transaction

from allied.core.models import (
    AgreementKind,
    Community,
    CommunityKind,
    DatePrecision,
    Membership,
    Nation,
    SecurityAgreement,
)

# The partners whose absence from a community matters most for Indo-Pacific planning. The
# institutions page lists, for each community, the ones it leaves out.
KEY_INDO_PACIFIC_PARTNERS: tuple[str, ...] = (
    "JPN",
    "KOR",
    "AUS",
    "PHL",
    "IND",
    "TWN",
    "NZL",
    "SGP",
    "VNM",
    "IDN",
    "THA",
    "GBR",
)

# Nations in the registry that belong to no community listed here, but matter to the region.
OTHER_NATIONS: tuple[str, ...] = (
    "CHN",
    "PRK",
    "TWN",
    "SGP",
    "VNM",
    "IDN",
    "MYS",
    "BRN",
    "KHM",
    "LAO",
    "MMR",
    "TLS",
    "MNG",
    "PNG",
    "RUS",
)


@dataclass(frozen=True)
class Member:
    iso3: str
    joined: datetime.date
    source: str
    precision: str = DatePrecision.DAY
    left: datetime.date | None = None


@dataclass(frozen=True)
class CommunityFacts:
    code: str
    name: str
    kind: str
    source: str
    members: tuple[Member, ...]


def _d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def _year(year: int) -> datetime.date:
    return datetime.date(year, 1, 1)


def _same_day(isos: Iterable[str], day: str, source: str) -> tuple[Member, ...]:
    return tuple(Member(iso3, _d(day), source) for iso3 in isos)


_NATO_PAGE = "NATO, member countries page (nato.int)"
_NATO_FOUNDERS = (
    "BEL",
    "CAN",
    "DNK",
    "FRA",
    "ISL",
    "ITA",
    "LUX",
    "NLD",
    "NOR",
    "PRT",
    "GBR",
    "USA",
)

NATO = CommunityFacts(
    code="NATO",
    name="North Atlantic Treaty Organization",
    kind=CommunityKind.ALLIANCE,
    source="North Atlantic Treaty, signed Washington, 4 April 1949; " + _NATO_PAGE,
    members=(
        *_same_day(_NATO_FOUNDERS, "1949-04-04", f"{_NATO_PAGE}: founding member, 1949"),
        *_same_day(("GRC", "TUR"), "1952-02-18", f"{_NATO_PAGE}: accession 18 February 1952"),
        *_same_day(("DEU",), "1955-05-06", f"{_NATO_PAGE}: accession 6 May 1955"),
        *_same_day(("ESP",), "1982-05-30", f"{_NATO_PAGE}: accession 30 May 1982"),
        *_same_day(("CZE", "HUN", "POL"), "1999-03-12", f"{_NATO_PAGE}: accession 12 March 1999"),
        *_same_day(
            ("BGR", "EST", "LVA", "LTU", "ROU", "SVK", "SVN"),
            "2004-03-29",
            f"{_NATO_PAGE}: accession 29 March 2004",
        ),
        *_same_day(("ALB", "HRV"), "2009-04-01", f"{_NATO_PAGE}: accession 1 April 2009"),
        *_same_day(("MNE",), "2017-06-05", f"{_NATO_PAGE}: accession 5 June 2017"),
        *_same_day(("MKD",), "2020-03-27", f"{_NATO_PAGE}: accession 27 March 2020"),
        *_same_day(("FIN",), "2023-04-04", f"{_NATO_PAGE}: accession 4 April 2023"),
        *_same_day(("SWE",), "2024-03-07", f"{_NATO_PAGE}: accession 7 March 2024"),
    ),
)

_UKUSA = "UKUSA Agreement (declassified by NSA and GCHQ, 2010)"
FIVE_EYES = CommunityFacts(
    code="FVEY",
    name="Five Eyes",
    kind=CommunityKind.INTELLIGENCE,
    source=f"{_UKUSA}; GCHQ and NSA public histories of the UKUSA partnership",
    members=(
        Member("USA", _d("1946-03-05"), f"{_UKUSA}: signed 5 March 1946"),
        Member("GBR", _d("1946-03-05"), f"{_UKUSA}: signed 5 March 1946"),
        Member("CAN", _year(1948), f"{_UKUSA}: extended to Canada, 1948", DatePrecision.YEAR),
        Member("AUS", _year(1956), f"{_UKUSA}: Australia a party from 1956", DatePrecision.YEAR),
        Member("NZL", _year(1956), f"{_UKUSA}: New Zealand a party from 1956", DatePrecision.YEAR),
    ),
)

_QUAD = "Australia-India-Japan-United States consultations, Manila, 12 November 2017 (State Dept.)"
QUAD = CommunityFacts(
    code="QUAD",
    name="Quadrilateral Security Dialogue (the Quad)",
    kind=CommunityKind.OTHER,
    source=f"{_QUAD}; the dialogue as revived in 2017",
    members=_same_day(("USA", "AUS", "IND", "JPN"), "2017-11-12", _QUAD),
)

_AUKUS = "Joint Leaders Statement on AUKUS, 15 September 2021 (White House)"
AUKUS = CommunityFacts(
    code="AUKUS",
    name="AUKUS (Australia, United Kingdom, United States)",
    kind=CommunityKind.OTHER,
    source=_AUKUS,
    members=_same_day(("AUS", "GBR", "USA"), "2021-09-15", _AUKUS),
)


def _bilateral(code: str, name: str, partner: str, signed: str, treaty: str) -> CommunityFacts:
    return CommunityFacts(
        code=code,
        name=name,
        kind=CommunityKind.ALLIANCE,
        source=treaty,
        members=_same_day(("USA", partner), signed, treaty),
    )


US_ALLIANCES_IN_ASIA = (
    _bilateral(
        "US-JPN",
        "U.S.-Japan alliance",
        "JPN",
        "1960-01-19",
        "Treaty of Mutual Cooperation and Security between Japan and the United States, "
        "signed Washington, 19 January 1960 (in force 23 June 1960)",
    ),
    _bilateral(
        "US-KOR",
        "U.S.-Republic of Korea alliance",
        "KOR",
        "1953-10-01",
        "Mutual Defense Treaty between the United States and the Republic of Korea, "
        "signed Washington, 1 October 1953 (in force 17 November 1954)",
    ),
    _bilateral(
        "US-PHL",
        "U.S.-Philippines alliance",
        "PHL",
        "1951-08-30",
        "Mutual Defense Treaty between the Republic of the Philippines and the United States, "
        "signed Washington, 30 August 1951 (in force 27 August 1952)",
    ),
    _bilateral(
        "US-AUS",
        "U.S.-Australia alliance (ANZUS)",
        "AUS",
        "1951-09-01",
        "Security Treaty between Australia, New Zealand and the United States (ANZUS), "
        "signed San Francisco, 1 September 1951; the United States suspended its obligations "
        "to New Zealand in 1986, so New Zealand is not listed as a U.S. treaty ally here",
    ),
    _bilateral(
        "US-THA",
        "U.S.-Thailand alliance",
        "THA",
        "1954-09-08",
        "Southeast Asia Collective Defense Treaty (Manila Pact), signed Manila, "
        "8 September 1954; reaffirmed bilaterally by the Thanat-Rusk communique, 6 March 1962",
    ),
)

# The brief names the forum and its size, never its members or a founding date. The United States
# leads it, so it is seeded as the one member, with a placeholder day shown as "not published".
MILFW_CONFIGURED_LOCALLY = (
    "membership configured locally with `allied registry members MILFW`: the policy brief calls "
    "the Military Framework a U.S.-led forum of 14 countries but does not publish its members"
)
UNPUBLISHED_DAY = datetime.date(1900, 1, 1)
MILITARY_FRAMEWORK = CommunityFacts(
    code="MILFW",
    name="Military Framework (U.S.-led forum of 14 countries)",
    kind=CommunityKind.OTHER,
    source=f"Policy brief behind Allied; {MILFW_CONFIGURED_LOCALLY}",
    members=(
        Member(
            "USA",
            UNPUBLISHED_DAY,
            "Policy brief behind Allied: the forum is U.S.-led; no founding date is published",
            DatePrecision.UNPUBLISHED,
        ),
    ),
)

# Communities whose membership is kept by `allied registry members`, not by this module.
LOCALLY_CONFIGURED: frozenset[str] = frozenset({MILITARY_FRAMEWORK.code})

COMMUNITIES: tuple[CommunityFacts, ...] = (
    FIVE_EYES,
    QUAD,
    AUKUS,
    NATO,
    *US_ALLIANCES_IN_ASIA,
    MILITARY_FRAMEWORK,
)


@dataclass(frozen=True)
class AgreementFacts:
    iso3: str
    kind: str
    title: str
    signed: datetime.date
    source: str
    in_force: datetime.date | None = None
    ended: datetime.date | None = None


# Only agreements whose signing date a public record at hand confirms. Entry into force is left
# blank unless that record states it. Left out for want of a confirmed date: a U.S.-United Kingdom
# agreement, the Republic of Korea's 1962 general security agreement that the 1987 one supplements,
# and Australia's 1962 GSOIA (exchange of notes of 2 May 1962) that the 2002 agreement replaced.
SECURITY_AGREEMENTS: tuple[AgreementFacts, ...] = (
    AgreementFacts(
        "JPN",
        AgreementKind.GSOMIA,
        "Agreement between the Government of Japan and the Government of the United States of "
        "America concerning Security Measures for the Protection of Classified Military "
        "Information",
        _d("2007-08-10"),
        "Signed at the Ministry of Foreign Affairs, Tokyo, 10 August 2007, by Ambassador Thomas "
        "Schieffer and Foreign Minister Taro Aso (Reuters, 10 August 2007)",
    ),
    AgreementFacts(
        "KOR",
        AgreementKind.GSOMIA,
        "Security Agreement between the Government of the Republic of Korea and the Government of "
        "the United States of America on the Protection of Military Secrets (English rendering "
        "of the Korean title)",
        _d("1987-09-24"),
        "Korean text of the agreement: signed at Washington, 24 September 1987, in force the same "
        "day; it supplements the general security agreement of 1 May 1962",
        in_force=_d("1987-09-24"),
    ),
    AgreementFacts(
        "IND",
        AgreementKind.GSOMIA,
        "General Security of Military Information Agreement between the Government of the United "
        "States of America and the Government of the Republic of India",
        _d("2002-01-17"),
        "Treaties and Other International Acts Series 02-117 (U.S. Department of State): "
        "agreement signed at Washington, 17 January 2002; reported as the GSOMIA by the Business "
        "Standard (23 December 2017)",
    ),
    AgreementFacts(
        "AUS",
        AgreementKind.GSOIA,
        "Agreement between the Government of Australia and the Government of the United States of "
        "America concerning Security Measures for the Reciprocal Protection of Classified "
        "Information",
        _d("2002-06-25"),
        "Parliament of Australia, Joint Standing Committee on Treaties, report on the agreement "
        "(2002): signed 25 June 2002; it supersedes the 1950 security arrangements and the 1962 "
        "General Security of Information Agreement",
    ),
    AgreementFacts(
        "PHL",
        AgreementKind.GSOMIA,
        "General Security of Military Information Agreement between the United States and the "
        "Philippines",
        _d("2024-11-18"),
        "Signed at Camp Aguinaldo, Quezon City, 18 November 2024, by Secretary of Defense Lloyd "
        "Austin and Secretary of National Defense Gilberto Teodoro (Philippine Department of "
        "National Defense; AFP and Reuters reports of 18 November 2024)",
    ),
)


def nation_codes() -> list[str]:
    """Every nation the registry knows: all members, the key partners, and the others."""
    codes = {m.iso3 for c in COMMUNITIES for m in c.members}
    codes.update(KEY_INDO_PACIFIC_PARTNERS, OTHER_NATIONS)
    return sorted(codes)


def nation_name(iso3: str) -> str:
    """The short name in common use (``Taiwan``, ``South Korea``), else the ISO short name."""
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        raise LookupError(f"{iso3} is not an ISO 3166-1 alpha-3 code")
    return str(getattr(country, "common_name", None) or country.name)


def _nation_source() -> str:
    version = importlib.metadata.version("pycountry")
    return f"ISO 3166-1 alpha-3 code; name as commonly used, from pycountry {version}"


@dataclass(frozen=True)
class LoadResult:
    nations: int
    communities: int
    memberships: int
    agreements: int = 0


@transaction.atomic
def load() -> LoadResult:
    """Create or update every nation, community and membership in this module."""
    if not Nation.objects.exists():
        return _load_into_empty()
    return _load_row_by_row()


def _load_row_by_row() -> LoadResult:
    source = _nation_source()
    for iso3 in nation_codes():
        Nation.objects.update_or_create(iso3=iso3, defaults=_nation_values(iso3, source))
    memberships = 0
    for facts in COMMUNITIES:
        community, _ = Community.objects.update_or_create(
            code=facts.code, defaults=_community_values(facts)
        )
        for member in facts.members:
            if facts.code in LOCALLY_CONFIGURED:
                # Seed once; what `allied registry members` recorded since stays as it is.
                if not Membership.objects.filter(
                    community=community, nation_id=member.iso3
                ).exists():
                    Membership.objects.create(
                        community=community,
                        nation_id=member.iso3,
                        joined=member.joined,
                        **_membership_values(member),
                    )
                memberships += 1
                continue
            Membership.objects.update_or_create(
                community=community,
                nation_id=member.iso3,
                joined=member.joined,
                defaults=_membership_values(member),
            )
            memberships += 1
    for agreement in SECURITY_AGREEMENTS:
        SecurityAgreement.objects.update_or_create(
            nation_id=agreement.iso3,
            kind=agreement.kind,
            signed=agreement.signed,
            defaults=_agreement_values(agreement),
        )
    return LoadResult(
        nations=len(nation_codes()),
        communities=len(COMMUNITIES),
        memberships=memberships,
        agreements=len(SECURITY_AGREEMENTS),
    )


def _load_into_empty() -> LoadResult:
    """The first load: the same rows as :func:`load` creates one by one, inserted in bulk (a
    handful of statements instead of several hundred)."""
    source = _nation_source()
    Nation.objects.bulk_create(
        Nation(iso3=iso3, **_nation_values(iso3, source)) for iso3 in nation_codes()
    )
    # SQLite and PostgreSQL both return the new ids from a bulk insert.
    communities = Community.objects.bulk_create(
        Community(code=facts.code, **_community_values(facts)) for facts in COMMUNITIES
    )
    by_code = {c.code: c for c in communities}
    memberships = Membership.objects.bulk_create(
        Membership(
            community=by_code[facts.code],
            nation_id=member.iso3,
            joined=member.joined,
            **_membership_values(member),
        )
        for facts in COMMUNITIES
        for member in facts.members
    )
    SecurityAgreement.objects.bulk_create(
        SecurityAgreement(nation_id=a.iso3, kind=a.kind, signed=a.signed, **_agreement_values(a))
        for a in SECURITY_AGREEMENTS
    )
    return LoadResult(
        nations=len(nation_codes()),
        communities=len(COMMUNITIES),
        memberships=len(memberships),
        agreements=len(SECURITY_AGREEMENTS),
    )


# What each kind of row holds besides the fields that identify it: both loads write these.


def _nation_values(iso3: str, source: str) -> dict[str, object]:
    return {"name": nation_name(iso3), "source": source}


def _community_values(facts: CommunityFacts) -> dict[str, object]:
    return {"name": facts.name, "kind": facts.kind, "source": facts.source}


def _membership_values(member: Member) -> dict[str, object]:
    return {"joined_precision": member.precision, "left": member.left, "source": member.source}


def _agreement_values(agreement: AgreementFacts) -> dict[str, object]:
    return {
        "title": agreement.title,
        "in_force": agreement.in_force,
        "ended": agreement.ended,
        "source": agreement.source,
    }
