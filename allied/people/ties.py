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
)
from allied.core.models.principals import US
from allied.markings.access import Viewer
from allied.people.models import (
    Billet,
    Contact,
    CrisisPair,
    LanguageSkill,
    Official,
    PairContact,
    Participation,
    Posting,
    pair_contact_key,
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
    return model.objects.visible_to(viewer, on=on)


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


def postings_of(viewer: Viewer, billets: Iterable[int], since: date) -> MarkedQuerySet:
    """Visible postings (of visible officials) to ``billets`` that have not ended before
    ``since``."""
    rows = joined(visible(Posting, viewer), "official", "billet")
    return rows.filter(OneOf(F("billet_id"), sorted(set(billets)))).filter(
        Q(ends__isnull=True) | Q(ends__gte=since)
    )


def rule_posting(row: Any) -> RulePosting:
    return RulePosting(row["pk"], row["official_id"], row["billet_id"], row["starts"], row["ends"])


def met_between(
    viewer: Viewer, people: Iterable[tuple[int, int]], until: date
) -> tuple[dict[tuple[Any, Any], cov.Met], set[int]]:
    """For each pair of officials in ``people`` who took part in the same visible contact (on
    or before ``until``), how often and when; and the markings of the contacts that counted.

    The officials must be ones the viewer may see (callers take them from ``postings_of``, which
    restricts each posting's official). Reads the derived pair rows by key: each row counts only
    if the viewer may see the contact (the row's marking) and both participations.
    """
    keys = sorted({pair_contact_key(a, b) for a, b in people if a != b})
    if not keys:
        return {}, set()
    rows = visible(PairContact, viewer)
    scope = rows.scope
    assert scope is not None
    rows = restrict_to(rows, "marking_a_id", scope.compiled)
    rows = restrict_to(rows, "marking_b_id", scope.compiled)
    grouped = (
        rows.filter(OneOf(F("key"), keys), day__lte=until)
        .values_list("official_a_id", "official_b_id", "marking_id")
        .annotate(n=Count("contact_id", distinct=True), first=Min("day"), last=Max("day"))
        .order_by()
    )
    out: dict[tuple[Any, Any], cov.Met] = {}
    markings: set[int] = set()
    for x, y, marking, n, first, last in grouped:
        markings.add(marking)
        key = cov.pair_key(x, y)
        seen = out.get(key)
        if seen is None:
            out[key] = cov.Met(n, first, last)
        else:
            # A contact has one marking, so the groups of one pair count different contacts.
            out[key] = cov.Met(seen.count + n, min(seen.first, first), max(seen.last, last))
    return out, markings


@dataclass(frozen=True)
class PairRow:
    """A visible pair as the computation needs it: ids and markings only."""

    pk: int
    us_billet: int
    partner_billet: int
    partner: str
    markings: tuple[int, int, int]


@dataclass
class Coverage:
    """The coverage of the pairs a viewer may see, with the rows it was computed from.

    Model objects are loaded (``load``) only for what a page shows: the computation itself
    reads ids, dates and markings.
    """

    viewer: Viewer
    today: date
    rows: dict[int, PairRow]
    results: list[cov.PairCoverage]
    summaries: list[cov.PartnerSummary]
    postings: list[RulePosting] = field(default_factory=list)
    met: dict[tuple[Any, Any], cov.Met] = field(default_factory=dict)
    marking_ids: set[int] = field(default_factory=set)
    pairs: dict[int, CrisisPair] = field(default_factory=dict)
    officials: dict[int, Official] = field(default_factory=dict)

    def load(self, pairs: Iterable[Any] = (), officials: Iterable[Any] = ()) -> None:
        """Load the visible pairs and officials with these ids (others are left out)."""
        want_pairs = set(pairs) - set(self.pairs)
        if want_pairs:
            rows = pairs_of(self.viewer, scoped=False).filter(pk__in=sorted(want_pairs))
            self.pairs.update((p.pk, p) for p in rows)
        want_people = {o for o in officials if o is not None} - set(self.officials)
        if want_people:
            people = visible(Official, self.viewer).select_related("marking")
            self.officials.update((o.pk, o) for o in people.filter(pk__in=sorted(want_people)))

    def load_all(self) -> None:
        self.load(self.rows, {p.official for p in self.postings})

    @property
    def markings(self) -> set[str]:
        """Every marking the figures were computed from (for the page banner)."""
        from allied.core.models.marked import StoredMarking

        ids = sorted(self.marking_ids)
        return set(StoredMarking.objects.filter(pk__in=ids).values_list("text", flat=True))

    def pair_items(self) -> list[tuple[str, str]]:
        """(object, marking) of every pair the figures come from, for one audit entry."""
        from allied.core.models.marked import StoredMarking

        texts = dict(
            StoredMarking.objects.filter(
                pk__in=sorted({r.markings[0] for r in self.rows.values()})
            ).values_list("pk", "text")
        )
        return [(f"people.crisispair:{r.pk}", texts[r.markings[0]]) for r in self.rows.values()]


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
    rows = {
        r["pk"]: PairRow(
            r["pk"],
            r["us_billet_id"],
            r["partner_billet_id"],
            r["partner_billet__nation_id"],
            (r["marking_id"], r["us_billet__marking_id"], r["partner_billet__marking_id"]),
        )
        for r in pairs_of(viewer, partner, scoped=scoped)
        .order_by()
        .values(
            "pk",
            "us_billet_id",
            "partner_billet_id",
            "partner_billet__nation_id",
            "marking_id",
            "us_billet__marking_id",
            "partner_billet__marking_id",
        )
    }
    rows = {pk: rows[pk] for pk in sorted(rows)}  # a stable order for the pages
    us_billets = {r.us_billet for r in rows.values()}
    partner_billets = {r.partner_billet for r in rows.values()}
    posting_rows = list(
        postings_of(viewer, us_billets | partner_billets, day)
        .filter(starts__lte=day + timedelta(days=horizon_days))
        .order_by()
        .values(
            "pk", "official_id", "billet_id", "starts", "ends", "marking_id", "official__marking_id"
        )
    )
    postings = [rule_posting(row) for row in posting_rows]
    on_billet: dict[int, set[int]] = defaultdict(set)
    for p in postings:
        on_billet[p.billet].add(p.official)
    # Only the people who hold, or will hold, the two billets of one pair need to have met.
    people = {
        (a, b)
        for r in rows.values()
        for a in on_billet.get(r.us_billet, ())
        for b in on_billet.get(r.partner_billet, ())
    }
    met, contact_markings = met_between(viewer, people, day)
    holders = current_holders(postings, day)
    rule_pairs = [cov.Pair(r.pk, r.us_billet, r.partner_billet, r.partner) for r in rows.values()]
    results = cov.cover(rule_pairs, holders, met, day)
    marking_ids = {m for r in rows.values() for m in r.markings} | contact_markings
    held = set(holders.values())
    marking_ids |= {
        m
        for row in posting_rows
        if row["official_id"] in held
        for m in (row["marking_id"], row["official__marking_id"])
    }
    return Coverage(viewer, day, rows, results, cov.by_partner(results), postings, met, marking_ids)


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
        [cov.Pair(r.pk, r.us_billet, r.partner_billet, r.partner) for r in data.rows.values()],
        data.postings,
        data.met,
        data.today,
        horizon_days=horizon_days,
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
        .filter(OneOf(F("official_id"), sorted(working_with)))
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
