"""People records as pages and the API show and check them: a billet's holder, a posting's fit.

* ``holdings(viewer, billets)``: for each billet, who holds it today (by name), or since when it
  is vacant, computed from the postings and officials releasable to the viewer. A page shows a
  billet by its title and this, never by an internal key.
* ``posting_problems`` / ``pair_problems`` / ``billet_problems`` / ``skill_problems``: the checks
  the analysis relies on, by field, shared by the page forms and the API serializers so that
  both refuse the same input with the same words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import F

from allied.core.models.marked import OneOf, system_access
from allied.core.models.principals import US
from allied.markings.access import Viewer
from allied.people import ties
from allied.people.models import Billet, LanguageSkill, Official, Posting
from allied.people.rules import rotation


@dataclass(frozen=True)
class Holding:
    """Who holds a billet today, or since when nobody does (as far as the viewer may see)."""

    holder: Official | None
    since: date | None
    vacant_since: date | None

    @property
    def text(self) -> str:
        if self.holder is not None:
            return f"held by {self.holder.name} since {self.since}"
        if self.vacant_since is not None:
            return f"vacant since {self.vacant_since}"
        return "vacant: no holder known to you"


def holdings(viewer: Viewer, billets: Iterable[int], day: date | None = None) -> dict[int, Holding]:
    """Each billet's ``Holding`` on ``day`` (today), from the postings of visible officials."""
    today = day or date.today()
    keys = sorted(set(billets))
    if not keys:
        return {}
    rows = list(
        ties.joined(ties.visible(Posting, viewer), "official", "billet")
        .filter(OneOf(F("billet_id"), keys))
        .select_related("official", "official__marking")
    )
    by_billet: dict[int, list[Posting]] = defaultdict(list)
    for row in rows:
        by_billet[row.billet_id].append(row)
    out: dict[int, Holding] = {}
    for key in keys:
        mine = by_billet.get(key, [])
        spans = [rotation.Posting(p.pk, p.official_id, key, p.starts, p.ends) for p in mine]
        held = rotation.holder_on(spans, today)
        if held is None:
            out[key] = Holding(None, None, rotation.vacant_since(spans, today))
        else:
            posting = next(p for p in mine if p.pk == held.key)
            out[key] = Holding(posting.official, posting.starts, None)
    return out


def billet_label(billet: Billet, holding: Holding | None) -> str:
    """A billet as a choice or a line: its title, nation and code, and its holder or vacancy."""
    mark = billet.marking.portion()
    head = f"{mark} {billet.title} ({billet.nation_id} {billet.code})"
    return f"{head}, {holding.text}" if holding is not None else head


# --- the checks the analysis relies on ----------------------------------------------------------


def posting_problems(viewer: Viewer, values: dict[str, Any], pk: int | None) -> dict[str, str]:
    """What is wrong with a posting (``values``: official, billet, starts, ends) beside the other
    postings of its billet that the author may see; by field."""
    billet, starts = values.get("billet"), values.get("starts")
    if billet is None or starts is None:
        return {}
    others = (
        ties.joined(ties.visible(Posting, viewer), "official")
        .filter(billet=billet)
        .exclude(pk=pk)
        .select_related("official")
    )
    spans = [rotation.Span(p.starts, p.ends, p.official.name) for p in others]
    official = values.get("official")
    name = official.name if official is not None else "this holder"
    return rotation.posting_problems(rotation.Span(starts, values.get("ends"), name), spans)


def pair_problems(values: dict[str, Any]) -> dict[str, str]:
    """A crisis pair is a U.S. billet and a partner's billet (two billets, never one)."""
    us, partner = values.get("us_billet"), values.get("partner_billet")
    problems: dict[str, str] = {}
    if us is not None and us.nation_id != US:
        problems["us_billet"] = (
            f"The U.S. side of a pair is a U.S. billet; this is {us.nation_id}'s."
        )
    if partner is not None and partner.nation_id == US:
        problems["partner_billet"] = (
            "The partner side of a pair is a partner's billet, not a U.S. one."
        )
    return problems


def billet_problems(values: dict[str, Any]) -> dict[str, str]:
    """Only a U.S. billet names the partner its holder works with."""
    nation, partner = values.get("nation"), values.get("partner")
    if partner is None or nation is None:
        return {}
    if nation.pk != US:
        return {"partner": "Only a U.S. billet names a partner; leave it empty for a partner's."}
    if partner.pk == US:
        return {"partner": "The partner is another nation than the United States."}
    return {}


def skill_problems(values: dict[str, Any], pk: int | None) -> dict[str, str]:
    """One language result per official and language: a new test result replaces the old one.

    Asked of every row, visible or not (a named system access): the database holds one row per
    official and language, and a second would fail there. The words do not say whether the row
    found is one the author may see.
    """
    official, language = values.get("official"), values.get("language")
    if official is None or not language:
        return {}
    with system_access("people: one language result per official and language"):
        taken = (
            LanguageSkill.objects.filter(official=official, language=language)
            .exclude(pk=pk)
            .exists()
        )
    if taken:
        return {
            "language": "This official has a result in this language already: edit that record "
            "with the new test's levels and date."
        }
    return {}
