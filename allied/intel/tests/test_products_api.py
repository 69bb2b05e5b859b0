"""The products API: the same portions as the pages, and no trace of the withheld ones."""

from __future__ import annotations

import json
from typing import Any

import pytest

from allied.core.models import AuditEntry, system_access
from allied.intel.models import Portion, Product
from allied.intel.tests.test_products import AUTHORITY_FIELDS, client_for, make_product

pytestmark = pytest.mark.django_db

API = "/api/intel/products/"
#: A product the API accepts from the U.S. analyst: a NOFORN body and a tearline for Japan.
PAYLOAD: dict[str, Any] = {
    "marking": "SECRET//REL TO USA, JPN",
    "title": "Written through the API (fictional)",
    "originator": "us_agency",
    "originator_agency": "Test analysis cell (fictional)",
    "category": 8,
    "topics": ["ports"],
    "regions": ["Western Pacific"],
    "portions": [
        {"section": 0, "order": 1, "portion_mark": "(S//NF)", "text": "Body."},
        {"section": 1, "order": 1, "portion_mark": "(S//REL TO USA, JPN)", "text": "Tear."},
    ],
    "classification_authority": AUTHORITY_FIELDS,
}


@pytest.fixture
def product(cast: dict[str, Any]) -> Product:
    return make_product(
        cast["us.analyst"],
        [
            (0, "(U)", "Opening for everyone."),
            (0, "(S//NF)", "Withheld WITHHELDTEXT."),
            (0, "(S//REL TO USA, QUAD)", "Quad portion."),
            (0, "(C//DISPLAY ONLY JPN)", "Shown to Japan, never given."),
            (1, "(S//REL TO USA, KOR)", "Tearline for Korea."),
        ],
        marking="UNCLASSIFIED",
        title="API product (fictional)",
    )


def test_api_json_shows_no_withheld_portion(cast, product):
    # The API is an export: DISPLAY ONLY stays on the page (rule 24(f)), the rest is renumbered.
    body = client_for(cast["jpn.liaison"]).get(f"{API}{product.pk}/").json()
    assert body["portions"] == [
        {"number": 1, "tearline": None, "portion_mark": "(U)",
         "text": "Opening for everyone.", "exportable": True},
        {"number": 2, "tearline": None, "portion_mark": "(S//REL TO USA, QUAD)",
         "text": "Quad portion.", "exportable": True},
    ]  # fmt: skip
    assert body["tearlines"] == []
    assert body["banner"] == "SECRET//REL TO USA, JPN, QUAD"  # Japan written beside the Quad
    text = json.dumps(body)
    for trace in ("WITHHELDTEXT", "NF", "KOR", "DISPLAY", "never given", "banner_all", "version"):
        assert trace not in text
    with system_access("test: portion ids"):
        ids = set(Portion.objects.filter(product=product).values_list("pk", flat=True))
    assert not any(str(pk) in json.dumps(body["portions"]) for pk in ids if pk > 3)


def test_a_foreign_caller_gets_its_tearline_in_the_api(cast, product):
    body = client_for(cast["kor.liaison"]).get(f"{API}{product.pk}/").json()
    assert [(p["number"], p["tearline"], p["portion_mark"]) for p in body["portions"]] == [
        (1, 1, "(S//REL TO USA, KOR)")
    ]
    assert body["tearlines"] == [{"number": 1, "banner": "SECRET//REL TO USA, KOR"}]
    assert body["banner"] == "SECRET//REL TO USA, KOR"


def test_the_api_list_counts_only_products_the_caller_may_see(cast, product):
    make_product(cast["us.analyst"], [(0, "(S//NF)", "U.S. only.")], marking="SECRET//NOFORN")
    jpn = client_for(cast["jpn.liaison"]).get(API).json()
    assert len(jpn["results"]) == 1 and [p["id"] for p in jpn["results"]] == [product.pk]
    assert len(client_for(cast["us.analyst"]).get(API).json()["results"]) == 2


def test_the_api_creates_a_product_with_its_portions(cast):
    analyst = client_for(cast["us.analyst"])
    response = analyst.post(API, PAYLOAD, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [p["portion_mark"] for p in body["portions"]] == ["(S//NF)", "(S//REL TO USA, JPN)"]
    with system_access("test: the stored banner"):
        assert Product.objects.get(pk=body["id"]).banner.text == "SECRET//NOFORN"
    assert AuditEntry.objects.filter(action="write", object_type="intel.portion").count() == 2


def test_the_api_refuses_an_invalid_portion_mark_with_rule_and_fix(cast):
    analyst = client_for(cast["us.analyst"])
    payload = {
        "marking": "UNCLASSIFIED",
        "title": "Bad mark",
        "originator": "us_agency",
        "originator_agency": "Test cell",
        "category": 8,
        "portions": [{"section": 0, "order": 1, "portion_mark": "(S//REL TO USA, JAP)",
                      "text": "x"}],
    }  # fmt: skip
    response = analyst.post(API, payload, content_type="application/json")
    assert response.status_code == 400
    problems = response.json()["portions"]["0"]["portion_mark"]
    assert any("rule 8" in p and "did you mean JPN?" in p for p in problems)
    with system_access("test: nothing written"):
        assert not Product.objects.exists()


def test_the_api_refuses_a_partner_portion_not_marked_as_its_information(cast):
    aus = client_for(cast["aus.liaison"])
    payload = {
        "marking": "SECRET//FGI AUS//REL TO USA, AUS",
        "title": "Australian product",
        "originator": "partner",
        "originator_nation": "AUS",
        "category": 8,
        "portions": [
            {"section": 0, "order": 1, "portion_mark": "(//AUS S//REL TO USA, AUS)", "text": "a"},
            {"section": 0, "order": 2, "portion_mark": "(S//REL TO USA, AUS)", "text": "b"},
        ],
        "classification_authority": AUTHORITY_FIELDS,
    }
    response = aus.post(API, payload, content_type="application/json")
    assert response.status_code == 400
    errors = response.json()["portions"]
    assert list(errors) == ["1"]
    assert "or add FGI AUS (rule 12)" in errors["1"]["portion_mark"][0]
    payload["portions"][1]["portion_mark"] = "(S//FGI AUS//REL TO USA, AUS)"
    assert aus.post(API, payload, content_type="application/json").status_code == 201


def test_partners_without_the_author_role_cannot_write_through_the_api(cast):
    response = client_for(cast["jpn.liaison"]).post(API, {}, content_type="application/json")
    assert response.status_code == 403


def test_the_api_export_excludes_display_only_portions_and_is_audited(cast, product):
    response = client_for(cast["jpn.liaison"]).get(f"{API}{product.pk}/export/?as=md")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="product-{product.pk}.md"'
    text = response.content.decode()
    assert "Quad portion." in text and "Shown to Japan" not in text
    assert text.splitlines()[0] == "**SECRET//REL TO USA, JPN, QUAD**"
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.actor_name == "jpn.liaison" and entry.detail["via"] == "api"


def test_the_schema_still_generates_with_the_products_api(cast):
    response = client_for(cast["us.analyst"]).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/intel/products/" in paths
    assert "/api/intel/products/{id}/export/" in paths
