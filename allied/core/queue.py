"""The working group's queue reads allied requests from the modules that own them.

Each module that holds allied requests (disclosure requests, letters of request, FMS cases, DCS
licences, planning requests...) registers a ``Source``: its restricted queryset of open requests,
annotated with the columns the queue ranks by, and a way to read the rows of one page as
``QueueItem``s. The working group keeps one narrow queue table from the sources, marked and
restricted as their rows are, to rank them with one indexed statement; the items of a page are
still read through each module's own restricted querysets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest


@dataclass(frozen=True)
class QueueItem:
    #: ``"<app_label>.<model_name>:<pk>"`` of the row it is read from, e.g.
    #: ``"intel.disclosurerequest:42"``: unique across modules, and what its read is audited as.
    key: str
    #: Request type code, e.g. ``"fms_case"``, ``"dcs_licence"``, ``"disclosure"``, ``"planning"``.
    kind: str
    #: ISO 3166 alpha-3 code of the partner the request comes from or is for.
    partner: str
    title: str
    #: The U.S. agency or office that owns the next step.
    owner: str
    opened: date
    #: When the request is due, if its module sets a target; the queue applies its own otherwise.
    target: date | None
    status: str
    #: Why it is stuck, in words releasable with the request.
    blockers: tuple[str, ...]
    #: Where the request lives in its module.
    url: str
    #: The marking of what the item shows (its row's marking).
    marking: str
    #: Strategic flags the module knows (e.g. ``"coordinated"``, ``"emergency"``).
    flags: tuple[str, ...] = ()

    @property
    def portion_mark(self) -> str:
        """The item's marking as a portion mark, ``(S//REL TO USA, JPN)``, to show beside it."""
        return _portion(self.marking)


@lru_cache(maxsize=4096)
def _portion(text: str) -> str:
    from allied.core import vocabulary
    from allied.markings import render

    return render(vocabulary.parse(text), "portion")


def show_items(request: HttpRequest, items: list[QueueItem]) -> None:
    """The banner rolls up the items shown; each is an audited read."""
    from allied.core import audit
    from allied.core.restricted import shown

    collector = shown(request)
    for item in items:
        collector.add(item.marking)
    audit.record_item_reads(request.user, ((*split_key(i.key), i.marking) for i in items))


@dataclass(frozen=True)
class Source:
    """Where the queue reads one module's open requests.

    ``rows(who, on)`` is the module's restricted queryset of the open requests ``who`` may see on
    ``on``, annotated with the columns the queue ranks by: ``q_partner`` (ISO3), ``q_kind`` (type
    code), ``q_opened`` (a date), ``q_target`` (a date or null) and ``q_flags`` (``",a,b,"``, or
    ``""``). The queue scores and orders them in the database, so 50,000 requests never travel to
    Python. ``items(who, on, pks)`` then gives the ``QueueItem`` of each row on the page, read again
    through the restricted querysets (blockers included, as far as ``who`` may see them).

    The dates and flags a source ranks by must be ones no requester chooses: set by the server
    when the request is recorded, or recorded by the U.S. official whose role it is (a case
    manager's day a stage completed, never a day still to come). A date a page or the API lets a
    partner set would let it put its requests first.
    """

    name: str
    rows: Callable[[Any, date], Any]
    items: Callable[[Any, date, Sequence[Any]], dict[Any, QueueItem]]
    #: The model whose rows are the requests, and ``entries(queryset)``: the open ones of an
    #: unrestricted ``queryset`` of it (read as system work), annotated as ``rows`` annotates them
    #: plus ``q_title``, ``q_marking`` (the marking a viewer must be able to see) and, where the
    #: request hides with another row, ``q_plan_marking``. The working group keeps its queue table
    #: from these (``allied.working_group.entries``); a source without them is not in the queue.
    model: Any = None
    entries: Callable[[Any], Any] | None = None
    #: A partner sees a request of this source only when it is its own nation's.
    own_nation: bool = False
    #: Lookups from ``model`` to the rows its requests hide with (``q_plan_marking``), e.g.
    #: ``("contingency",)`` for the plan a planning request is about: saving such a row (a plan
    #: re-marked) re-reads the queue rows of the requests under it.
    hides_with: tuple[str, ...] = ()
    #: Where this source's requests come among equals (the same score and day) in the queue, and
    #: in the order of ``SOURCES``: lower first. Declared by each source, so that the order does not
    #: hang on the order in which the apps happen to register them.
    rank: int = 0


SOURCES: dict[str, Source] = {}

#: Called with ``(model, pks)`` by ``rows_written``: the working group keeps its queue table
#: from it (``allied.working_group.entries``), so the modules need not know the working group.
ROWS_WRITTEN_HOOKS: list[Callable[[Any, list[Any]], None]] = []


def rows_written(model: Any, pks: Iterable[Any]) -> None:
    """Requests of ``model`` were written by a bulk create or an update, which send no
    ``post_save``: tell whoever keeps a copy of them (the queue table), in the same transaction."""
    listed = list(pks)
    for hook in ROWS_WRITTEN_HOOKS:
        hook(model, listed)


def register_source(source: Source) -> Source:
    """Register (or replace) a module's source, by its name; ``SOURCES`` stays in rank order."""
    SOURCES[source.name] = source
    ordered = sorted(SOURCES.values(), key=lambda s: s.rank)  # stable: equal ranks keep their turn
    SOURCES.clear()
    SOURCES.update((s.name, s) for s in ordered)
    return source


def open_requests(who: Any, on: date, *, partner: str = "") -> list[QueueItem]:
    """Every open request ``who`` may see (of one partner, if given), from every source.

    For pages that show a bounded set (one partner's status page); the queue itself ranks in the
    database instead.
    """
    return [item for source in SOURCES.values() for item in source_items(source, who, on, partner)]


def open_requests_page(
    who: Any, on: date, *, partner: str, number: int, per_page: int
) -> tuple[list[QueueItem], bool]:
    """Page ``number`` of ``partner``'s open requests ``who`` may see, oldest first, cut in SQL.

    One UNION of the sources' restricted querysets, ordered by (opened, source, id) and read
    ``per_page + 1`` rows at a time (``allied.core.pagination``): only that page's items are
    built, shown and audited, never the partner's thousands. Returns the items and whether
    another page follows.
    """
    from django.db.models import F, Value

    sources = list(SOURCES.values())
    parts = [
        source.rows(who, on)
        .filter(q_partner=partner)
        .annotate(q_source=Value(index), q_id=F("pk"))
        .order_by()
        .values("q_source", "q_id", "q_opened")
        for index, source in enumerate(sources)
    ]
    if not parts:
        return [], False
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    start = (number - 1) * per_page
    rows = list(union.order_by("q_opened", "q_source", "q_id")[start : start + per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    wanted: dict[int, list[Any]] = {}
    for row in rows:
        wanted.setdefault(row["q_source"], []).append(row["q_id"])
    found = {
        (index, pk): item
        for index, pks in wanted.items()
        for pk, item in sources[index].items(who, on, pks).items()
    }
    items = [found[key] for r in rows if (key := (r["q_source"], r["q_id"])) in found]
    return items, more


def source_items(source: Source, who: Any, on: date, partner: str = "") -> list[QueueItem]:
    """Every open request of one source ``who`` may see (of one partner, if given)."""
    rows = source.rows(who, on)
    if partner:
        rows = rows.filter(q_partner=partner)
    pks = list(rows.values_list("pk", flat=True))
    found = source.items(who, on, pks)
    return [found[pk] for pk in pks if pk in found]


def split_key(key: str) -> tuple[str, str]:
    """``("intel.disclosurerequest", "42")`` from ``"intel.disclosurerequest:42"``."""
    object_type, _, object_id = key.rpartition(":")
    return object_type, object_id
