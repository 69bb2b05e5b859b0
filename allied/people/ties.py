"""From the viewer's restricted querysets to the pure people rules, and back.

Every function here takes a viewer and reads only through ``visible_to(viewer)``; joined marked
rows are restricted too (``restrict_to`` on each joined marking), so a visible posting of a hidden
official, or a visible contact with a hidden participant, adds nothing the viewer may not see.
The rules (``allied.people.rules``) then compute coverage, rotation risk, language coverage and
the network from those rows alone.

Scope: the summaries (coverage, rotation risk, languages, network) of a U.S. viewer cover every
partner; those of a foreign viewer (a liaison officer) cover its own nation only, whatever else
its markings would allow. Records (an official, a billet, a pair, a contact) are readable as
their markings allow.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, Max, Min, Q

from allied.core.models.marked import (
    MarkedModel,
    MarkedQuerySet,
    OneOf,
    restrict_to,
    visible_marking_ids,
)
from allied.core.models.principals import US
from allied.markings.access import Viewer
from allied.people.models import (
    Billet,
    Contact,
    CrisisPair,
    LanguageSkill,
    Official,
    Participation,
    Posting,
)
from allied.people.rules import coverage as cov
from allied.people.rules import network as net
from allied.people.rules.ilr import Proficiency
from allied.people.rules.languages import PartnerLanguage, language_coverage
from allied.people.rules.rotation import HORIZON_DAYS, Risk, current_holders, rotation_risks
from allied.people.rules.rotation import Posting as RulePosting

#: Contacts older than this do not count as ties in the network view.
NETWORK_YEARS = 3
#: The network view draws at most this many people (the best connected first).
NETWORK_MAX_PEOPLE = 250
#: ... from at most this many participations, the most recent first.
NETWORK_MAX_ROWS = 50_000


def partner_scope(viewer: Viewer) -> str | None:
    """The one partner a foreign viewer is limited to, or ``None`` for a U.S. viewer."""
    return None if viewer.nation == US else viewer.nation


def visible(model: type[MarkedModel], viewer: Viewer, on: date | None = None) -> MarkedQuerySet:
    return model.objects.visible_to(viewer, on=on)  # type: ignore[no-any-return]


def joined(queryset: MarkedQuerySet, *paths: str) -> MarkedQuerySet:
    """``queryset`` with the marking of each joined (single-valued) row at ``paths`` restricted."""
    scope = queryset.scope
    if scope is None:  # pragma: no cover - a programming error
        raise ValueError("restrict the queryset to a viewer first")
    for path in paths:
        queryset = restrict_to(queryset, f"{path}__marking_id", scope.compiled)
    return queryset


# --- crisis pairs and holders --------------------------------------------------------------------


def pairs_of(viewer: Viewer, partner: str | None = None, *, scoped: bool = True) -> MarkedQuerySet:
    """Crisis pairs the viewer may see, both billets visible too; with ``scoped`` (for the
    summaries) only those of a foreign viewer's own nation."""
    rows = visible(CrisisPair, viewer).select_related(
        "marking", "us_billet", "partner_billet", "us_billet__marking", "partner_billet__marking"
    )
    limit = partner_scope(viewer) if scoped else None
    if limit is not None:
        rows = rows.filter(partner_billet__nation_id=limit)
    if partner:
        rows = rows.filter(partner_billet__nation_id=partner)
    return rows


def rule_pair(pair: CrisisPair) -> cov.Pair:
    return cov.Pair(
        pair.pk, pair.us_billet_id, pair.partner_billet_id, pair.partner_billet.nation_id
    )


def postings_of(viewer: Viewer, billets: Iterable[int], since: date) -> MarkedQuerySet:
    """Visible postings (of visible officials) to ``billets`` that have not ended before
    ``since``."""
    rows = joined(visible(Posting, viewer), "official", "billet")
    return rows.filter(billet_id__in=list(billets)).filter(
        Q(ends__isnull=True) | Q(ends__gte=since)
    )


def rule_posting(row: Any) -> RulePosting:
    return RulePosting(row["pk"], row["official_id"], row["billet_id"], row["starts"], row["ends"])


def met_between(
    viewer: Viewer, side_a: Iterable[int], side_b: Iterable[int], until: date
) -> dict[tuple[Any, Any], cov.Met]:
    """For people of ``side_a`` and ``side_b`` who took part in the same visible contact (on or
    before ``until``), how often and when. Every row read is restricted: the contact, both
    participations and both officials.

    One query: the participations of ``side_a`` joined to the same contact's participations of
    ``side_b``, grouped by the two people. The join's conditions sit in one ``filter()`` call, so
    they apply to the same joined participation (its marking included).
    """
    a, b = sorted(set(side_a)), sorted(set(side_b))
    if not a or not b:
        return {}
    rows = joined(visible(Participation, viewer), "contact", "official")
    scope = rows.scope
    assert scope is not None
    other_markings = visible_marking_ids(scope.compiled, using=rows.db)
    other_officials = visible_marking_ids(scope.compiled, using=rows.db)
    rows = rows.filter(
        OneOf(F("contact__participations__marking_id"), other_markings),
        OneOf(F("contact__participations__official__marking_id"), other_officials),
        official_id__in=a,
        contact__participations__official_id__in=b,
        contact__starts__lte=until,
    )
    grouped = (
        rows.values_list("official_id", "contact__participations__official_id")
        .annotate(
            n=Count("contact_id", distinct=True),
            first=Min("contact__starts"),
            last=Max("contact__starts"),
        )
        .order_by()
    )
    out: dict[tuple[Any, Any], cov.Met] = {}
    for x, y, n, first, last in grouped:
        if x == y:
            continue
        key = cov.pair_key(x, y)
        seen = out.get(key)
        if seen is None or seen.count < n:
            out[key] = cov.Met(n, first, last)
    return out


@dataclass
class Coverage:
    """The coverage of the pairs a viewer may see, with the rows it was computed from."""

    today: date
    pairs: dict[int, CrisisPair]
    officials: dict[int, Official]
    results: list[cov.PairCoverage]
    summaries: list[cov.PartnerSummary]
    postings: list[RulePosting] = field(default_factory=list)
    met: dict[tuple[Any, Any], cov.Met] = field(default_factory=dict)

    @property
    def markings(self) -> set[str]:
        """Every marking the figures were computed from (for the page banner)."""
        texts = {p.marking.text for p in self.pairs.values()}
        texts |= {p.us_billet.marking.text for p in self.pairs.values()}
        texts |= {p.partner_billet.marking.text for p in self.pairs.values()}
        texts |= {o.marking.text for o in self.officials.values()}
        return texts


def compute(
    viewer: Viewer,
    *,
    today: date | None = None,
    partner: str | None = None,
    horizon_days: int = 0,
    scoped: bool = True,
) -> Coverage:
    """Coverage of every visible pair today; with ``horizon_days`` the postings and meetings of
    the people who will hold the pairs' billets within it are read too (for rotation risk)."""
    day = today or date.today()
    pairs = {p.pk: p for p in pairs_of(viewer, partner, scoped=scoped)}
    us_billets = {p.us_billet_id for p in pairs.values()}
    partner_billets = {p.partner_billet_id for p in pairs.values()}
    posting_rows = list(
        postings_of(viewer, us_billets | partner_billets, day)
        .filter(starts__lte=day + timedelta(days=horizon_days))
        .values("pk", "official_id", "billet_id", "starts", "ends")
    )
    postings = [rule_posting(row) for row in posting_rows]
    side_a = {p.official for p in postings if p.billet in us_billets}
    side_b = {p.official for p in postings if p.billet in partner_billets}
    met = met_between(viewer, side_a, side_b, day)
    holders = current_holders(postings, day)
    rule_pairs = [rule_pair(p) for p in pairs.values()]
    results = cov.cover(rule_pairs, holders, met, day)
    shown_people = {h for h in holders.values()}
    officials = {
        o.pk: o
        for o in visible(Official, viewer).select_related("marking").filter(pk__in=shown_people)
    }
    return Coverage(day, pairs, officials, results, cov.by_partner(results), postings, met)


def risks(
    viewer: Viewer,
    *,
    today: date | None = None,
    partner: str | None = None,
    horizon_days: int = HORIZON_DAYS,
    scoped: bool = True,
) -> tuple[Coverage, list[Risk]]:
    """Rotation risks of the visible pairs within ``horizon_days``, and the coverage behind them."""
    data = compute(viewer, today=today, partner=partner, horizon_days=horizon_days, scoped=scoped)
    found = rotation_risks(
        [rule_pair(p) for p in data.pairs.values()],
        data.postings,
        data.met,
        data.today,
        horizon_days=horizon_days,
    )
    people = {p.official for p in data.postings} - set(data.officials)
    data.officials.update(
        (o.pk, o) for o in visible(Official, viewer).select_related("marking").filter(pk__in=people)
    )
    return data, found


# --- languages ----------------------------------------------------------------------------------


@dataclass
class Languages:
    entries: list[PartnerLanguage]
    markings: set[str]


def languages(viewer: Viewer, *, today: date | None = None) -> Languages:
    """U.S. officials now holding visible U.S. billets that work with a partner (or a pair's U.S.
    billet), counted by working level in that partner's language."""
    day = today or date.today()
    limit = partner_scope(viewer)
    billets = visible(Billet, viewer).filter(nation_id=US)
    by_billet: dict[int, set[str]] = defaultdict(set)
    markings: set[str] = set()
    for pk, partner, text in billets.filter(partner__isnull=False).values_list(
        "pk", "partner_id", "marking__text"
    ):
        by_billet[pk].add(partner)
        markings.add(text)
    for pair in pairs_of(viewer):
        by_billet[pair.us_billet_id].add(pair.partner_billet.nation_id)
        markings.update({pair.marking.text, pair.partner_billet.marking.text})
    if limit is not None:
        by_billet = {k: {p for p in v if p == limit} for k, v in by_billet.items()}
    working_with: dict[int, set[str]] = defaultdict(set)
    for row in (
        postings_of(viewer, by_billet, day)
        .filter(starts__lte=day, official__nation_id=US)
        .values("official_id", "billet_id", "marking__text", "official__marking__text")
    ):
        working_with[row["official_id"]] |= by_billet[row["billet_id"]]
        markings.update({row["marking__text"], row["official__marking__text"]})
    skills: dict[int, list[Proficiency]] = defaultdict(list)
    for row in (
        joined(visible(LanguageSkill, viewer), "official")
        .filter(official_id__in=list(working_with))
        .values("official_id", "language", "listening", "reading", "speaking", "marking__text")
    ):
        skills[row["official_id"]].append(
            Proficiency(row["language"], row["listening"], row["reading"], row["speaking"])
        )
        markings.add(row["marking__text"])
    entries = [e for e in language_coverage(working_with, skills) if e.partner != US]
    return Languages(entries, markings)


# --- the network ---------------------------------------------------------------------------------


@dataclass
class Network:
    graph: Any
    officials: dict[int, Official]
    measures: net.Measures
    positions: dict[Any, tuple[float, float]]
    contacts: int
    trimmed: int
    markings: set[str]
    capped: bool = False


def network(
    viewer: Viewer,
    *,
    partner: str | None = None,
    today: date | None = None,
    years: int = NETWORK_YEARS,
) -> Network:
    """Officials and their ties from visible contacts of the last ``years`` years: U.S.
    officials and those of ``partner`` (or of every partner in the viewer's scope)."""
    day = today or date.today()
    limit = partner_scope(viewer)
    nations = {US, limit} if limit else ({US, partner} if partner else None)
    rows = joined(visible(Participation, viewer), "contact", "official").filter(
        contact__starts__gte=day - timedelta(days=365 * years), contact__starts__lte=day
    )
    if nations is not None:
        rows = rows.filter(official__nation_id__in=sorted(nations))
    by_contact: dict[int, set[int]] = defaultdict(set)
    markings: set[str] = set()
    read = rows.order_by("-contact__starts", "-contact_id").values_list(
        "contact_id", "official_id", "marking__text"
    )[: NETWORK_MAX_ROWS + 1]
    capped = False
    for n, (contact_id, official_id, text) in enumerate(read):
        if n == NETWORK_MAX_ROWS:
            capped = True
            break
        by_contact[contact_id].add(official_id)
        markings.add(text)
    weights: dict[tuple[Any, Any], int] = defaultdict(int)
    for people in by_contact.values():
        ordered = sorted(people)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                weights[(a, b)] += 1
    degree: dict[int, int] = defaultdict(int)
    for a, b in weights:
        degree[a] += 1
        degree[b] += 1
    people = {p for c in by_contact.values() for p in c}
    keep = set(sorted(people, key=lambda p: (-degree[p], p))[:NETWORK_MAX_PEOPLE])
    officials = {
        o.pk: o for o in visible(Official, viewer).select_related("marking").filter(pk__in=keep)
    }
    markings |= {o.marking.text for o in officials.values()}
    graph = net.build(
        {pk: o.nation_id for pk, o in officials.items()},
        [net.Tie(a, b, w) for (a, b), w in weights.items()],
    )
    return Network(
        graph,
        officials,
        net.measures(graph),
        net.layout(graph),
        len(by_contact),
        len(people) - len(keep),
        markings,
        capped,
    )


def contacts_of(viewer: Viewer) -> MarkedQuerySet:
    """Visible contacts (the contact log is decided by markings alone)."""
    return visible(Contact, viewer).select_related("marking")


def participants(viewer: Viewer, contact_ids: Iterable[int]) -> dict[int, list[Participation]]:
    """The visible participations (of visible officials) of each contact."""
    out: dict[int, list[Participation]] = defaultdict(list)
    rows = (
        visible(Participation, viewer)
        .select_related("official", "official__marking", "marking")
        .filter(contact_id__in=list(contact_ids))
        .order_by("contact_id", "official__nation_id", "official__name")
    )
    for row in rows:
        out[row.contact_id].append(row)
    return out
