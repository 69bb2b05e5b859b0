"""The site's primary navigation: each link is offered only to people its page will answer.

Whether a page answers is the rule its view declares (``allied.core.access``), so the
navigation cannot offer what the view refuses. A link with several targets goes to the first
the person may open ("Requests": the working group's queue, or a partner's status page).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from allied.core.access import may_open


@dataclass(frozen=True)
class Entry:
    label: str
    targets: tuple[str, ...]
    #: The URL namespace whose pages mark this link as the current one: "" for the target page
    #: itself, None for never (a link inside a section already marked).
    namespace: str | None = ""


ENTRIES: tuple[Entry, ...] = (
    Entry("Home", ("home",)),
    Entry("Intelligence", ("intel:product-list",), "intel"),
    Entry("Search", ("intel:search",), None),
    Entry("Arms sales", ("arms:case-list",), "arms"),
    Entry("Planning", ("planning:plan-list",), "planning"),
    Entry("People", ("people:coverage",), "people"),
    Entry("Requests", ("wg:queue", "wg:status"), "wg"),
    Entry("Institutions", ("institutions",)),
    Entry("Partners", ("partners",)),
    Entry("API", ("api-root",)),
    Entry("API docs", ("api-docs",)),
)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool


class Navigation:
    """The links for one request, worked out when a template first iterates over them."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self._links: list[Link] | None = None

    def links(self) -> list[Link]:
        if self._links is None:
            self._links = [link for entry in ENTRIES if (link := self._link(entry))]
        return self._links

    def __iter__(self) -> Iterator[Link]:
        return iter(self.links())

    def _link(self, entry: Entry) -> Link | None:
        for name in entry.targets:
            if not may_open(self.request, name):
                continue
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue
            match = getattr(self.request, "resolver_match", None)
            if match is None or entry.namespace is None:
                current = False
            elif entry.namespace:
                current = match.namespace == entry.namespace
            else:
                current = match.view_name == name
            return Link(entry.label, url, current)
        return None
