"""Editing a case and completing its stage from a version: a change made from an older version
is refused whole, on the pages and through the API (the races themselves: test_concurrency)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from allied.arms.models import Case, HistoryEntry, StageRecord
from allied.core.models import AuditEntry, system_access

from .factories import DAY, case

pytestmark = pytest.mark.django_db

PHL = "CONFIDENTIAL//REL TO USA, PHL"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def stored(obj: Case) -> Case:
    with system_access("tests: read the case back"):
        return Case.objects.get(pk=obj.pk)


def form_of(client: Client, obj: Case, **changes: Any) -> dict[str, Any]:
    """The edit form as its page fills it, with ``changes``."""
    page = client.get(f"/arms/cases/{obj.pk}/edit/")
    assert page.status_code == 200
    form = page.context["form"]
    return {**{name: form.initial[name] for name in form.fields}, **changes}


def writes_on(obj: Case) -> int:
    return (
        AuditEntry.objects.filter(object_type="arms.case", object_id=str(obj.pk))
        .exclude(action="read")
        .count()
    )


def test_a_case_manager_edits_a_case_which_bumps_its_version_and_is_audited(cast):
    obj = case("PHL", PHL)
    client = client_for(cast["us.casemgr"])
    data = form_of(client, obj, title="Coastal radar (corrected)", capability="Radar")
    assert data["version"] == 1
    response = client.post(f"/arms/cases/{obj.pk}/edit/", data)
    assert response.status_code == 302
    fresh = stored(obj)
    assert (fresh.title, fresh.capability, fresh.version) == (
        "Coastal radar (corrected)",
        "Radar",
        2,
    )
    entry = AuditEntry.objects.get(object_type="arms.case", object_id=str(obj.pk), action="write")
    assert entry.detail["version"] == 2
    assert entry.detail["changed"]["title"] == [obj.title, "Coastal radar (corrected)"]


def test_an_edit_from_an_older_version_is_refused_whole_and_the_form_says_what_is_stored(cast):
    obj = case("PHL", PHL)
    client = client_for(cast["us.casemgr"])
    first = form_of(client, obj, title="First edit")
    second = form_of(client, obj, title="Second edit", capability="Lost?")
    assert client.post(f"/arms/cases/{obj.pk}/edit/", first).status_code == 302
    writes = writes_on(obj)
    response = client.post(f"/arms/cases/{obj.pk}/edit/", second)
    assert response.status_code == 409
    body = response.content.decode()
    assert "you opened version 1; it is now at version 2" in body
    assert "Now: First edit" in body and 'value="Second edit"' in body
    assert writes_on(obj) == writes
    assert (stored(obj).title, stored(obj).capability, stored(obj).version) == ("First edit", "", 2)


def test_a_bad_edit_names_the_field_and_writes_nothing(cast):
    obj = case("PHL", PHL)
    client = client_for(cast["us.casemgr"])
    response = client.post(f"/arms/cases/{obj.pk}/edit/", form_of(client, obj, title="x" * 201))
    assert response.status_code == 400
    assert "title" in response.context["form"].errors
    missing = form_of(client, obj, title="No version")
    del missing["version"]
    assert client.post(f"/arms/cases/{obj.pk}/edit/", missing).status_code == 400
    assert stored(obj).version == 1 and writes_on(obj) == 0


def test_only_us_case_managers_edit_and_a_hidden_case_is_not_found(cast):
    obj = case("PHL", PHL)
    assert client_for(cast["phl.liaison"]).get(f"/arms/cases/{obj.pk}/edit/").status_code == 403
    assert client_for(cast["us.analyst"]).get(f"/arms/cases/{obj.pk}/edit/").status_code == 403
    hidden = case("PHL", "SECRET//NOFORN")
    assert client_for(cast["phl.liaison"]).get(f"/arms/cases/{hidden.pk}/edit/").status_code == 404
    advance = f"/api/arms/cases/{hidden.pk}/advance/"
    assert api_for(cast["phl.liaison"]).get(advance).status_code == 404
    response = api_for(cast["phl.liaison"]).patch(
        f"/api/arms/cases/{hidden.pk}/", {"version": 1, "title": "x"}, format="json"
    )
    assert response.status_code == 404
    response = api_for(cast["phl.liaison"]).patch(
        f"/api/arms/cases/{obj.pk}/", {"version": 1, "title": "x"}, format="json"
    )
    assert response.status_code == 403
    assert stored(obj).version == 1


def test_the_api_edits_from_a_version_and_answers_a_stale_one_with_409_and_the_version(cast):
    obj = case("PHL", PHL)
    api = api_for(cast["us.casemgr"])
    url = f"/api/arms/cases/{obj.pk}/"
    assert api.get(url).json()["version"] == 1
    done = api.patch(url, {"version": 1, "stage_owner": "DSCA"}, format="json")
    assert done.status_code == 200, done.content
    assert (done.json()["version"], done.json()["stage_owner"]) == (2, "DSCA")
    stale = api.patch(url, {"version": 1, "title": "Stale"}, format="json")
    assert stale.status_code == 409
    assert stale.json()["version"] == 2
    assert "you opened version 1; it is now at version 2" in stale.json()["detail"]
    bad = api.patch(url, {"title": "No version"}, format="json")
    assert bad.status_code == 400 and "version" in bad.json()
    assert stored(obj).title != "Stale"


def test_submitting_one_stage_completion_twice_completes_one_stage(cast):
    obj = case("PHL", PHL, stage="lor_validated")
    client = client_for(cast["us.casemgr"])
    page = client.get(f"/arms/cases/{obj.pk}/").content.decode()
    assert '<input type="hidden" name="version" value="1">' in page
    data = {"on": DAY.isoformat(), "version": "1"}
    assert client.post(f"/arms/cases/{obj.pk}/advance/", data).status_code == 302
    again = client.post(f"/arms/cases/{obj.pk}/advance/", data)
    assert again.status_code == 409
    assert "it is now at version 2, stage TSFD and releasability reviews" in again.content.decode()
    with system_access("tests: count stage rows"):
        assert StageRecord.objects.filter(case=obj, stage="reviews").count() == 1
        assert HistoryEntry.objects.filter(case=obj).count() == 1
    assert stored(obj).stage == "reviews"


def test_the_api_completes_a_stage_from_a_version(cast):
    obj = case("PHL", PHL, stage="lor_validated")
    api = api_for(cast["us.casemgr"])
    url = f"/api/arms/cases/{obj.pk}/advance/"
    done = api.post(url, {"version": 1, "on": DAY.isoformat()}, format="json")
    assert done.status_code == 200, done.content
    assert (done.json()["stage"], done.json()["version"]) == ("reviews", 2)
    assert api.post(url, {"version": 1}, format="json").status_code == 409
    shown = api.get(url).json()
    assert (shown["stage"], shown["version"]) == ("reviews", 2)
    assert api_for(cast["phl.liaison"]).get(url).status_code == 403
    early = api.post(url, {"version": 2, "on": "2020-01-01"}, format="json")
    assert early.status_code == 400 and "cannot complete before it started" in early.json()["on"][0]
    assert stored(obj).version == 2
