"""The working group's queue reads allied requests from the modules that own them.

Each module that holds allied requests (disclosure requests, letters of request, FMS cases, DCS
licences, planning requests...) registers a source: a function that, for one viewer and one day,
yields a ``QueueItem`` per open request that viewer may see, read from the module's own tables
through its visible querysets. Nothing is copied into a queue table, so the queue can never show
a request its module would not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class QueueItem:
    #: Unique across modules, e.g. ``"arms.case:42"``.
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


#: ``source(who, on)`` yields the open requests ``who`` may see on day ``on``.
Source = Callable[[Any, date], Iterable[QueueItem]]
SOURCES: dict[str, Source] = {}


def register_source(name: str, source: Source) -> Source:
    """Register (or replace) the module source called ``name``."""
    SOURCES[name] = source
    return source


def open_requests(who: Any, on: date) -> list[QueueItem]:
    """Every open request ``who`` may see, from every registered source."""
    items: list[QueueItem] = []
    for source in SOURCES.values():
        items.extend(source(who, on))
    return items
