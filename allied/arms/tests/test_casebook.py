"""Importing a case book: all cases or none, every problem named by row and field."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from allied.arms.models import Case, StageRecord
from allied.core.models import AuditEntry, system_access

pytestmark = pytest.mark.django_db
API = "/api/arms/cases/import/"
PAGE = "/arms/cases/import/"


def row(n: int, **fields: object) -> dict[str, object]:
    return {
        "identifier": f"BK-{n:05d}",
        "partner": "PHL",
        "title": f"Coastal radar lot {n} (fictional)",
        "implementing_agency": "Navy (NIPO)",
        "stage": "reviews",
        "stage_entered": "2026-10-01",
        "lor_received": "2026-09-01",
        "mde_value": 12_000_000,
        "total_value": 30_000_000,
        "marking": "SECRET//REL TO USA, PHL",
        **fields,
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def stored() -> tuple[int, int]:
    with system_access("tests: count imported cases"):
        return (
            Case.objects.filter(identifier__startswith="BK-").count(),
            StageRecord.objects.filter(case__identifier__startswith="BK-").count(),
        )


def test_a_json_book_is_imported_whole_with_stage_records_and_one_audit_entry(cast) -> None:
    response = client_for(cast["us.casemgr"]).post(
        API, json.dumps([row(n) for n in range(1, 26)]), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["imported"] == 25
    assert stored() == (25, 25)
    [entry] = AuditEntry.objects.filter(action="write", object_type="arms.case")
    assert entry.object_id == "case book of 25" and entry.actor_name == "us.casemgr"
    assert len(entry.detail["objects_by_marking"]["SECRET//REL TO USA, PHL"]) == 25


def test_a_csv_book_is_imported_too(cast) -> None:
    book = "identifier,partner,title,implementing_agency,stage,stage_entered,marking\n"
    book += 'BK-00001,PHL,Patrol boats,Navy (NIPO),reviews,2026-10-01,"SECRET//REL TO USA, PHL"\n'
    book += "BK-00002,JPN,Radar spares,Air Force (SAF/IA),loa_development,2026-09-15,SECRET\n"
    response = client_for(cast["us.casemgr"]).post(API, book, content_type="text/csv")
    assert response.status_code == 201, response.content
    assert stored() == (2, 2)


def test_a_csv_row_longer_than_its_header_is_named(cast) -> None:
    book = "identifier,partner,title,implementing_agency,stage,stage_entered,marking\n"
    book += "BK-00001,PHL,Patrol boats,Navy (NIPO),reviews,2026-10-01,SECRET,surplus\n"
    response = client_for(cast["us.casemgr"]).post(API, book, content_type="text/csv")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["row"], error["field"]) == (1, "(beyond the header)")
    assert stored() == (0, 0)


def test_a_book_with_bad_rows_stores_nothing_and_names_every_problem(cast) -> None:
    rows = [
        row(1),
        row(2, partner="XYZ"),
        row(3, title=""),
        row(4, stage_entered="01/10/2026", mde_value=-5),
        row(1, title="Same identifier again"),
        row(6, marking="SECRET//REL TO USA,PHL"),
        row(7, colour="red"),
        row(8, stage_entered=20261001, title=["not", "text"]),
    ]
    response = client_for(cast["us.casemgr"]).post(
        API, json.dumps({"cases": rows}), content_type="application/json"
    )
    assert response.status_code == 400
    errors = {(e["row"], e["field"]) for e in response.json()["errors"]}
    assert errors == {
        (2, "partner"),
        (3, "title"),
        (4, "stage_entered"),
        (4, "mde_value"),
        (5, "identifier"),
        (6, "marking"),
        (7, "colour"),
        (8, "stage_entered"),
        (8, "title"),
    }
    assert "nothing was imported" in response.json()["detail"]
    assert stored() == (0, 0)


def test_an_identifier_already_taken_refuses_the_book(cast) -> None:
    client = client_for(cast["us.casemgr"])
    first = client.post(API, json.dumps([row(1)]), content_type="application/json")
    assert first.status_code == 201
    again = client.post(API, json.dumps([row(2), row(1)]), content_type="application/json")
    assert again.status_code == 400
    assert again.json()["errors"] == [
        {"row": 2, "field": "identifier", "message": "BK-00001 is already taken"}
    ]
    assert stored() == (1, 1)


def test_a_case_marked_above_the_importers_clearance_is_refused(cast) -> None:
    response = client_for(cast["us.casemgr"]).post(
        API, json.dumps([row(1, marking="TOP SECRET//NOFORN")]), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "marking"
    assert "you could not read" in response.json()["errors"][0]["message"]
    assert stored() == (0, 0)


@pytest.mark.parametrize("person", ["phl.liaison", "us.analyst"])
def test_only_a_us_case_manager_may_import(cast, person) -> None:
    client = client_for(cast[person])
    response = client.post(API, json.dumps([row(1)]), content_type="application/json")
    assert response.status_code == 403
    assert client.get(PAGE).status_code == 403
    assert stored() == (0, 0)


def test_the_page_imports_an_upload_or_lists_its_problems(cast) -> None:
    client = client_for(cast["us.casemgr"])
    assert client.get(PAGE).status_code == 200
    bad = SimpleUploadedFile("book.json", json.dumps([row(1), row(2, stage="later")]).encode())
    refused = client.post(PAGE, {"book": bad})
    assert refused.status_code == 400
    assert b"Nothing was imported: 1 problem" in refused.content and b"later" in refused.content
    assert stored() == (0, 0)
    good = SimpleUploadedFile("book.json", json.dumps([row(1), row(2)]).encode())
    response = client.post(PAGE, {"book": good})
    assert response.status_code == 302
    assert stored() == (2, 2)


def test_a_book_its_importer_could_not_read_back_is_explained_by_the_kit(cast, monkeypatch) -> None:
    from allied.arms import casebook
    from allied.core.models.marked import NotVisibleAfterWrite

    def unreadable(*args: object) -> None:
        raise NotVisibleAfterWrite("a case would not be visible to its author")

    monkeypatch.setattr(casebook, "_write", unreadable)
    client = client_for(cast["us.casemgr"])
    api = client.post(API, json.dumps([row(1)]), content_type="application/json")
    assert api.status_code == 400
    assert "nothing was saved" in api.json()["marking"][0]
    upload = SimpleUploadedFile("book.json", json.dumps([row(1)]).encode())
    page = client.post(PAGE, {"book": upload})
    assert page.status_code == 400
    assert b"so you cannot write it. Nothing was saved." in page.content
