"""The case-book import page (``arms:case-import``): U.S. case managers upload many cases at once.

The page shows only the person's own upload and its problems; no stored row is read here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from allied.arms import access, casebook
from allied.core.access import access_required
from allied.core.edit import explained_on, saved, status_of
from allied.core.restricted import restricted_view, viewer_of


class CaseBookForm(forms.Form):
    book = forms.FileField(
        label="Case book (JSON or CSV, UTF-8)",
        help_text="CSV: a header line naming the columns. JSON: a list of cases.",
    )


def imported(request: HttpRequest, form: CaseBookForm) -> list[Any]:
    """The cases of the uploaded book, written; ``CaseBookError`` lists why not."""
    try:
        text = form.cleaned_data["book"].read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise casebook.CaseBookError(
            [casebook.Problem(0, "book", "the file is not UTF-8 text")]
        ) from None
    rows = casebook.parse_text(text)
    return casebook.import_cases(rows, user=request.user, viewer=viewer_of(request))


@restricted_view
@access_required(access.IMPORTS_CASES)
def case_import(request: HttpRequest) -> HttpResponse:
    """Upload a case book; every case is imported, or none, with every problem listed."""
    form = CaseBookForm(request.POST or None, request.FILES or None)
    refused: casebook.CaseBookError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            with explained_on(form, what="these cases"):
                cases = imported(request, form)
        except casebook.CaseBookError as error:
            refused = error
        else:
            if saved(form):
                messages.success(request, f"{len(cases)} cases imported.")
                return redirect("arms:case-list")
    status = 400 if refused is not None else status_of(form)
    return render(
        request,
        "arms/case_import.html",
        {"form": form, "refused": refused, "fields": casebook.FIELDS},
        status=status,
    )
