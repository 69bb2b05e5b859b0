"""The pager's links keep the list's filters (``core/pagination.html``).

A case manager who filters the case list by stage and partner and goes to page 2 must get page 2
of the filtered list, not of every case.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import RequestFactory

from allied.core.pagination import NextOnlyPage


def render(query: str, page: NextOnlyPage) -> str:
    request = RequestFactory().get("/arms/cases/" + query)
    return render_to_string("core/pagination.html", {"page_obj": page}, request=request)


def test_next_and_previous_keep_every_filter_and_replace_only_the_page() -> None:
    page = NextOnlyPage(list(range(51)), number=2, per_page=50)
    html = render("?stage=loa&partner=JPN&open=1&page=2", page)
    assert 'href="?stage=loa&amp;partner=JPN&amp;open=1&amp;page=3">Next' in html
    assert 'href="?stage=loa&amp;partner=JPN&amp;open=1&amp;page=1">Previous' in html
    assert "Page 2" in html


def test_a_filter_value_is_quoted_not_passed_through() -> None:
    page = NextOnlyPage(list(range(51)), number=1, per_page=50)
    html = render("?q=a%26page%3D9%22%3E", page)
    assert 'href="?q=a%26page%3D9%22%3E&amp;page=2"' in html
    assert "Previous" not in html


def test_one_page_shows_no_pager() -> None:
    assert "usa-pagination" not in render("?stage=loa", NextOnlyPage([1, 2], 1, 50))
