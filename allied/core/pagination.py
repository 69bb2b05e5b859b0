"""One page of a list without counting the list: fetch one row more than the page.

Lists show "Page N" with Previous and Next (``core/pagination.html``) and never a total, so
counting every row the viewer may see (Django's ``Paginator`` does, to know whether there is a
next page) is whole-table work under row-level security for nothing. Here a page reads
``per_page + 1`` rows with ``LIMIT``/``OFFSET``: the extra row says whether there is a next page,
and is not shown. Nothing here knows how many rows there are, so nothing can tell anyone.

* ``page_of`` for function views; ``NextOnlyPaginator`` for class-based ``ListView`` s
  (``RestrictedMixin`` sets it, so every restricted list uses it).
* ``NextOnlyPage`` has the attributes the template and ``ListView`` use (``number``,
  ``has_next``, ``has_previous``, ``next_page_number``, ``previous_page_number``,
  ``has_other_pages``, ``object_list``); ``count`` and ``num_pages`` are not known and raise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import EmptyPage, InvalidPage, PageNotAnInteger, Paginator
from django.http import Http404


class NotCounted(Http404):
    """Raised by ``count``/``num_pages``: a next-only list never counts its rows.

    A 404 when it escapes (``?page=last`` on a ``ListView`` asks for the last page's number).
    """


class NextOnlyPage(Sequence[Any]):
    """One page and whether another follows, learnt from the one extra row fetched."""

    def __init__(self, rows: list[Any], number: int, per_page: int, paginator: Any = None):
        self.object_list = rows[:per_page]
        self.number = number
        self.per_page = per_page
        self.paginator = paginator
        self._more = len(rows) > per_page

    def __len__(self) -> int:
        return len(self.object_list)

    def __getitem__(self, index: Any) -> Any:
        return self.object_list[index]

    def __repr__(self) -> str:
        return f"<Page {self.number}{' and more' if self._more else ''}>"

    def has_next(self) -> bool:
        return self._more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        if not self._more:
            raise EmptyPage("That page contains no results")
        return self.number + 1

    def previous_page_number(self) -> int:
        if self.number <= 1:
            raise EmptyPage("That page number is less than 1")
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


def page_number(value: Any) -> int:
    """The page asked for; ``PageNotAnInteger``/``EmptyPage`` for anything but 1, 2, ..."""
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise PageNotAnInteger("That page number is not an integer") from exc
    if number < 1:
        raise EmptyPage("That page number is less than 1")
    return number


def fetch_page(rows: Any, number: int, per_page: int, paginator: Any = None) -> NextOnlyPage:
    """Page ``number`` of ``rows`` (an ordered queryset or a list): one ``LIMIT per_page + 1``."""
    start = (number - 1) * per_page
    return NextOnlyPage(list(rows[start : start + per_page + 1]), number, per_page, paginator)


def page_of(rows: Any, value: Any, per_page: int) -> NextOnlyPage:
    """For function views, as ``Paginator.get_page``: a bad page number gives page 1, and a page
    past the end gives an empty page (its Previous link leads back), since finding the last page
    would mean counting."""
    try:
        number = page_number(value if value not in (None, "") else 1)
    except InvalidPage:
        number = 1
    return fetch_page(rows, number, per_page)


class NextOnlyPaginator(Paginator):
    """``Paginator`` for ``ListView``: ``page(n)`` reads one row more than the page, no COUNT.

    As Django's ``ListView`` does with its own paginator, an empty page other than the first is
    an ``EmptyPage`` (a 404). ``count``, ``num_pages`` and ``page_range`` are not known: asking
    for them is a bug (it would count everything the viewer may see) and raises ``NotCounted``.
    """

    def validate_number(self, number: Any) -> int:
        return page_number(number)

    def page(self, number: Any) -> NextOnlyPage:
        page = fetch_page(self.object_list, self.validate_number(number), self.per_page, self)
        if not page.object_list and page.number > 1:
            raise EmptyPage("That page contains no results")
        return page

    def get_page(self, number: Any) -> NextOnlyPage:
        return page_of(self.object_list, number, self.per_page)

    @property
    def count(self) -> int:
        raise NotCounted("a next-only list is never counted")

    @property
    def num_pages(self) -> int:
        raise NotCounted("a next-only list is never counted")

    @property
    def page_range(self) -> range:
        raise NotCounted("a next-only list is never counted")


__all__ = ["NextOnlyPage", "NextOnlyPaginator", "NotCounted", "fetch_page", "page_of"]
