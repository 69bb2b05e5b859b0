"""The LOR checker (``arms:lor-check``) and the notification engine with its "what if" scenarios
(``arms:notification``), judged against the past cases the viewer may see.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from allied.arms import access, cases
from allied.arms.forms import LorForm
from allied.arms.rules import lor
from allied.arms.rules.notification import (
    LAW,
    SCENARIOS,
    NotificationInputError,
    compare_all,
    decide,
    sale_of_query,
)
from allied.core.models import StoredMarking
from allied.core.restricted import restricted_view, shown, viewer_of

# --- the LOR checker --------------------------------------------------------------------------


SYSTEM_FIELDS = sorted({c.field.removeprefix("system.") for c in lor.SYSTEM_CHECKS})


@restricted_view
def lor_check(request: HttpRequest) -> HttpResponse:
    """A purchaser checks a draft LOR before submitting: each gap and why it delays a case.

    Nothing is stored: the draft stays with the purchaser.
    """
    form = LorForm(request.POST or None)
    gaps = None
    system_answers = {f: request.POST.get(f"system_{f}", "") for f in SYSTEM_FIELDS}
    if request.method == "POST" and form.is_valid():
        draft = dict(form.cleaned_data)
        draft["system_answers"] = system_answers
        gaps = lor.check(draft)
    status = 400 if form.errors else 200
    system_checks = [c for c in lor.SYSTEM_CHECKS if c.system == request.POST.get("system")]
    return render(
        request,
        "arms/lor_check.html",
        {
            "form": form,
            "gaps": gaps,
            "actionable": gaps is not None and all(g.severity < lor.Severity.BLOCKS for g in gaps),
            "checks": lor.COMMON,
            "system_checks": system_checks,
            "system_inputs": [(f, system_answers[f]) for f in SYSTEM_FIELDS],
        },
        status=status,
    )


# --- notification engine and what if ---------------------------------------------------------


def what_if(request: HttpRequest) -> tuple[list[Any], int]:
    """Each pending bill against the past cases the viewer may see, and how many there were."""
    visible = access.cases(viewer_of(request)).filter(lor_received__isnull=False)
    rows = list(
        visible.values(
            "identifier",
            "partner_id",
            "lor_received",
            "mde_value",
            "total_value",
            "design_construction_value",
            "emergency",
            "marking_id",
        )
    )
    # The counts are drawn from these cases: the banner rolls up their markings.
    collector = shown(request)
    ids = {row["marking_id"] for row in rows}
    for text in StoredMarking.objects.filter(pk__in=ids).values_list("text", flat=True):
        collector.add(text)
    past = cases.past_sales(rows)
    return list(zip(SCENARIOS, compare_all(SCENARIOS, past), strict=True)), len(past)


@restricted_view
def notification(request: HttpRequest) -> HttpResponse:
    """The notification engine as a form, and what each pending bill would change for the
    past cases the viewer may see."""
    params = request.GET
    decision = error = sale = None
    if params.get("partner"):
        try:
            sale, law = sale_of_query(params, datetime.date.today())
            decision = decide(sale, law)
        except NotificationInputError as exc:
            error = exc
    comparisons: list[Any] = []
    past_count = None
    if params.get("compare") == "1":
        # Judging every visible past case (pure Python, about 1.5 s per 50,000 cases) is done on
        # request, not on every visit to the page.
        comparisons, past_count = what_if(request)
    return render(
        request,
        "arms/notification.html",
        {
            "decision": decision,
            "error": error,
            "params": params,
            "sale": sale,
            "scenarios": SCENARIOS,
            "comparisons": comparisons,
            "past_count": past_count,
            "korea": LAW.group_history("KOR"),
        },
        status=400 if error else 200,
    )
