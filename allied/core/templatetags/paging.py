"""The link to another page of a list, keeping the list's filters (``core/pagination.html``)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context: template.Context, number: int) -> str:
    """``?<the request's own query>&page=<number>``: a filtered list stays filtered on page 2."""
    query = context["request"].GET.copy()
    query["page"] = str(number)
    return "?" + query.urlencode()
