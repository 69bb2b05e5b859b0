"""The search page: products and collection requirements, within what the viewer may see.

The search itself is ``allied.intel.search`` (restricted querysets only); this page records
everything it shows (products, the portions their snippets come from, requirements) so that the
banner is the roll-up of what this viewer was actually shown, and the reads are audited. Without
a query it shows the form alone.
"""

from __future__ import annotations

import math

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from allied.core.restricted import restricted_view, show, viewer_of
from allied.intel.search import KINDS, PAGE_SIZE, search

MAX_PAGE = 500


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search for",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "usa-input", "type": "search"}),
    )
    kind = forms.ChoiceField(
        label="In",
        choices=[
            ("", "Products and requirements"),
            ("products", "Products"),
            ("requirements", "Collection requirements"),
        ],
        required=False,
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGE, required=False)


@restricted_view
def search_page(request: HttpRequest) -> HttpResponse:
    """Search products (metadata and visible portions) and requirements for the signed-in user."""
    form = SearchForm(request.GET or None)
    context: dict[str, object] = {"form": form, "results": None}
    if form.is_valid() and form.cleaned_data["q"].strip():
        kind = form.cleaned_data["kind"]
        page = form.cleaned_data["page"] or 1
        results = search(
            viewer_of(request),
            form.cleaned_data["q"],
            kinds=(kind,) if kind else KINDS,
            offset=(page - 1) * PAGE_SIZE,
        )
        show(request, results.shown())
        largest = max(results.product_count, results.requirement_count)
        pages = max(1, min(MAX_PAGE, math.ceil(largest / PAGE_SIZE)))
        context.update(
            results=results,
            kind=kind,
            page=page,
            pages=pages,
            previous_page=page - 1 if page > 1 else None,
            next_page=page + 1 if page < pages else None,
        )
    template = (
        "intel/search/_results.html"
        if request.headers.get("HX-Request") == "true"
        else "intel/search/search.html"
    )
    return render(request, template, context, status=400 if form.errors else 200)
