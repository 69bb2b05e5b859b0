"""The case-book import page (``arms:case-import``): U.S. case managers upload many cases at once.

The page shows only the person's own upload and its problems; no stored row is read here.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from allied.arms import casebook
from allied.arms.views.cases import is_case_manager
from allied.core.restricted import restricted_view, viewer_of


class CaseBookForm(forms.Form):
    book = forms.FileField(
        label="Case book (JSON or CSV, UTF-8)",
        help_text="CSV: a header line naming the columns. JSON: a list of cases.",
    )


@restricted_view
def case_import(request: HttpRequest) -> HttpResponse:
    """Upload a case book; every case is imported, or none, with every problem listed."""
    if not is_case_manager(request):
        raise PermissionDenied("Only a U.S. case manager may import a case book.")
    form = CaseBookForm(request.POST or None, request.FILES or None)
    refused: casebook.CaseBookError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            text = form.cleaned_data["book"].read().decode("utf-8-sig")
        except UnicodeDecodeError:
            refused = casebook.CaseBookError(
                [casebook.Problem(0, "book", "the file is not UTF-8 text")]
            )
        else:
            try:
                rows = casebook.parse_text(text)
                cases = casebook.import_cases(rows, user=request.user, viewer=viewer_of(request))
            except casebook.CaseBookError as error:
                refused = error
            else:
                messages.success(request, f"{len(cases)} cases imported.")
                return redirect("arms:case-list")
    status = 400 if refused is not None or form.errors else 200
    return render(
        request,
        "arms/case_import.html",
        {"form": form, "refused": refused, "fields": casebook.FIELDS},
        status=status,
    )
