"""Fifty case managers at once on one case (PostgreSQL only): editing it on its page and through
the API, and completing its stage. One change per version is kept, every other one is refused
with the version stored now, and no stage is completed twice (``allied.core.testing``)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from allied.arms.models import Case, HistoryEntry, StageRecord
from allied.core.models import system_access
from allied.core.testing.concurrency import (
    CLIENTS,
    EditTarget,
    audit_entries,
    edit_race,
    requires_postgresql,
    signed_in,
)

from .factories import DAY, case

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]

PHL = "CONFIDENTIAL//REL TO USA, PHL"
NOW_AT = "it is now at version 2"


def stored(obj: Case, field: str) -> tuple[int, Any]:
    with system_access("tests: read the case back"):
        row = Case.objects.get(pk=obj.pk)
    return row.version, getattr(row, field)


def test_fifty_managers_editing_one_case_on_its_page_and_through_the_api_one_wins(cast):
    obj = case("PHL", PHL)
    half = CLIENTS // 2
    pages = signed_in(cast["us.casemgr"], half)
    api = signed_in(cast["us.casemgr"], kind=APIClient)
    form = dict(pages[0].get(f"/arms/cases/{obj.pk}/edit/").context["form"].initial)
    assert form["version"] == 1

    def submit(i: int) -> Any:
        # Half edit on the page, half through the API: one version, one guard.
        if i < half:
            return pages[i].post(f"/arms/cases/{obj.pk}/edit/", {**form, "title": f"Edit {i}"})
        return api[i].patch(
            f"/api/arms/cases/{obj.pk}/", {"version": 1, "title": f"Edit {i}"}, format="json"
        )

    race = edit_race(
        EditTarget(
            submit=submit,
            accepted=lambda i: 302 if i < half else 200,
            read_back=lambda: stored(obj, "title"),
            change_of=lambda i: f"Edit {i}",
            entries=lambda: audit_entries("arms.case", obj.pk),
            start_version=1,
            conflict_says=(NOW_AT, "nothing was saved"),
        )
    )
    assert sum(race.statuses.values()) == CLIENTS


def test_fifty_submissions_of_one_stage_completion_complete_it_once(cast):
    obj = case("PHL", PHL, stage="lor_validated")
    half = CLIENTS // 2
    managers = signed_in(cast["us.casemgr"], half)
    api = signed_in(cast["us.casemgr"], kind=APIClient)
    given = {"on": DAY.isoformat(), "version": 1}

    def submit(i: int) -> Any:
        # Half from the case's page, half through the API: the same change, the same guard.
        if i < half:
            return managers[i].post(f"/arms/cases/{obj.pk}/advance/", given)
        return api[i].post(f"/api/arms/cases/{obj.pk}/advance/", given, format="json")

    race = edit_race(
        EditTarget(
            submit=submit,
            accepted=lambda i: 302 if i < half else 200,
            read_back=lambda: stored(obj, "stage"),
            change_of=lambda i: "reviews",
            entries=lambda: audit_entries("arms.case", obj.pk),
            start_version=1,
            conflict_says=(NOW_AT,),
        )
    )
    assert race.winner in range(CLIENTS)
    with system_access("tests: count what the stage change wrote"):
        assert StageRecord.objects.filter(case=obj, stage="reviews").count() == 1
        assert StageRecord.objects.filter(case=obj, completed__isnull=True).count() == 1
        assert HistoryEntry.objects.filter(case=obj).count() == 1
