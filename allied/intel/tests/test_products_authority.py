"""The classification authority block of a product: required on a classified one, refused with
the field named when invalid, and carried by the page, every download, the API and STIX.

Rule 32 (IC-ISM ``classifiedBy``, ``derivedFrom``, ``declassDate``, ``declassException``);
EO 13526 secs. 1.5, 1.6 and 3.3.
"""

from __future__ import annotations

import importlib
import json
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse
from stix2validator import ValidationOptions, validate_instance

from allied.core.models import StoredMarking, system_access
from allied.intel import stix
from allied.intel.models import Product
from allied.intel.tests.test_products import AUTHORITY, client_for, make_product, page
from allied.intel.tests.test_products_authoring import edit_data, form_data, row, stored_products
from allied.markings import Level
from allied.markings.authority import Authority, check_authority, years_after

pytestmark = pytest.mark.django_db

API = "/api/intel/products/"
TODAY = date.today()
EXEMPT = Authority(
    classified_by="R. Officer, Branch Chief (fictional)",
    derived_from="SIGINT classification guide (fictional)",
    declassify_on=years_after(TODAY, 40),
    declass_exemption="25X1",
)


@pytest.fixture
def product(cast: dict[str, Any]) -> Product:
    """A SECRET body for U.S. readers, a tearline for Japan, and a U portion for Korea's view."""
    return make_product(
        cast["us.analyst"],
        [
            (0, "(S//NF)", "U.S.-only body."),
            (1, "(S//REL TO USA, JPN)", "Tearline for Japan."),
            (2, "(U)", "Unclassified tearline."),
        ],
        marking="UNCLASSIFIED",
        authority=EXEMPT,
    )


def secret_form(**authority: Any) -> dict[str, Any]:
    data = form_data([row("(S//REL TO USA, JPN)", "Text.")], marking="SECRET//REL TO USA, JPN")
    for name in ("classified_by", "derived_from", "declassify_on"):
        data.pop(name, None)
    return {**data, **authority}


def errors_of(response: Any) -> dict[str, list[str]]:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


# --- authoring ----------------------------------------------------------------------------------


def test_rule_32_a_secret_product_without_its_block_is_refused_naming_each_field(cast):
    analyst = client_for(cast["us.analyst"])
    response = analyst.post(reverse("intel:product-create"), secret_form())
    assert response.status_code == 400
    errors = errors_of(response)
    assert "Classified By is required" in errors["classified_by"][0]
    assert "Derived From" in errors["derived_from"][0]
    assert "Declassify On is required" in errors["declassify_on"][0]
    assert "Classified By is required" in response.content.decode()
    assert stored_products() == 0


def test_rule_32_a_date_30_years_out_without_25x_is_a_form_error_and_with_25x1_it_saves(cast):
    analyst = client_for(cast["us.analyst"])
    block = {
        "classified_by": "T. Analyst, Senior Analyst",
        "derived_from": "Multiple Sources",
        "declassify_on": years_after(TODAY, 30).isoformat(),
    }
    response = analyst.post(reverse("intel:product-create"), secret_form(**block))
    assert response.status_code == 400
    problem = errors_of(response)["declassify_on"][0]
    assert "more than 25 years" in problem and "25X exemption" in problem
    assert stored_products() == 0

    response = analyst.post(
        reverse("intel:product-create"), secret_form(**block, declass_exemption="25X1")
    )
    assert response.status_code == 302
    with system_access("test: the stored block"):
        stored = Product.objects.get()
    assert (stored.declass_exemption, stored.declassify_on) == ("25X1", years_after(TODAY, 30))


def test_rule_32_an_unclassified_product_needs_no_block(cast):
    analyst = client_for(cast["us.analyst"])
    data = form_data([row("(U)", "Open text.")])
    assert "classified_by" not in data
    assert analyst.post(reverse("intel:product-create"), data).status_code == 302


def test_an_invalid_date_is_a_form_error_not_a_500(cast):
    analyst = client_for(cast["us.analyst"])
    data = secret_form(classified_by="x", derived_from="y", declassify_on="2051-13-45")
    response = analyst.post(reverse("intel:product-create"), data)
    assert response.status_code == 400
    assert "declassify_on" in errors_of(response)


def test_the_edit_form_keeps_the_block_and_counts_25_years_from_the_first_writing(cast, product):
    analyst = client_for(cast["us.analyst"])
    response = analyst.get(reverse("intel:product-edit", args=[product.pk]))
    initial = response.context["form"].initial
    assert initial["declass_exemption"] == "25X1"
    assert initial["declassify_on"] == EXEMPT.declassify_on
    assert 'name="classified_by"' in response.content.decode()


# --- the API ------------------------------------------------------------------------------------


def api_payload(**authority: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "marking": "SECRET//REL TO USA, JPN",
        "title": "Through the API (fictional)",
        "originator": "us_agency",
        "originator_agency": "Test cell (fictional)",
        "category": 8,
        "portions": [{"section": 0, "order": 1, "portion_mark": "(S//NF)", "text": "x"}],
    }
    if authority:
        payload["classification_authority"] = authority
    return payload


def test_rule_32_the_api_answers_400_naming_the_missing_field_of_a_secret_product(cast):
    analyst = client_for(cast["us.analyst"])
    response = analyst.post(API, api_payload(), content_type="application/json")
    assert response.status_code == 400
    errors = response.json()["classification_authority"]
    assert {"classified_by", "derived_from", "declassify_on"} <= set(errors)
    assert stored_products() == 0


def test_rule_32_the_api_refuses_30_years_without_25x_and_a_bad_date_with_a_400(cast):
    analyst = client_for(cast["us.analyst"])
    thirty = years_after(TODAY, 30).isoformat()
    block = {"classified_by": "x", "derived_from": "y", "declassify_on": thirty}
    response = analyst.post(API, api_payload(**block), content_type="application/json")
    assert response.status_code == 400
    assert "more than 25 years" in response.json()["classification_authority"]["declassify_on"][0]
    block["declassify_on"] = "not a date"
    response = analyst.post(API, api_payload(**block), content_type="application/json")
    assert response.status_code == 400
    assert "declassify_on" in response.json()["classification_authority"]
    block["declass_exemption"] = "25X1-human"
    block["declassify_on"] = thirty
    response = analyst.post(API, api_payload(**block), content_type="application/json")
    assert "50X1-HUM" in response.json()["classification_authority"]["declass_exemption"][0]
    assert stored_products() == 0


def test_the_api_shows_the_block_of_a_classified_view_and_none_of_an_unclassified_one(
    cast, product
):
    body = client_for(cast["us.analyst"]).get(f"{API}{product.pk}/").json()
    assert body["classification_authority"]["declassify_line"] == (
        f"25X1, {EXEMPT.declassify_on:%Y%m%d}"
    )
    assert body["classification_authority"]["classified_by"] == EXEMPT.classified_by
    jpn = client_for(cast["jpn.liaison"]).get(f"{API}{product.pk}/").json()
    assert jpn["classification_authority"]["derived_from"] == EXEMPT.derived_from
    # Korea is shown only the unclassified tearline: no block tells it the rest is classified.
    kor = client_for(cast["kor.liaison"]).get(f"{API}{product.pk}/").json()
    assert kor["banner"] == "UNCLASSIFIED" and kor["classification_authority"] is None


# --- the page, the downloads and STIX -----------------------------------------------------------


def test_rule_32_the_page_shows_the_block_on_a_classified_view_only(cast, product):
    html = page(client_for(cast["us.analyst"]), product).content.decode()
    assert 'data-testid="classification-authority"' in html
    assert EXEMPT.classified_by in html and f"25X1, {EXEMPT.declassify_on:%Y%m%d}" in html
    kor = page(client_for(cast["kor.liaison"]), product).content.decode()
    assert "Unclassified tearline." in kor
    assert 'data-testid="classification-authority"' not in kor and EXEMPT.classified_by not in kor


@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_rule_32_every_download_carries_the_block(cast, product, fmt):
    for user in ("us.analyst", "jpn.liaison"):
        url = reverse("intel:product-export", args=[product.pk]) + f"?as={fmt}"
        text = client_for(cast[user]).get(url).content.decode()
        assert f"Classified By: {EXEMPT.classified_by}" in text
        assert f"Derived From: {EXEMPT.derived_from}" in text
        assert f"Declassify On: 25X1, {EXEMPT.declassify_on:%Y%m%d}" in text
        api = client_for(cast[user]).get(f"{API}{product.pk}/export/?as={fmt}")
        assert f"Declassify On: 25X1, {EXEMPT.declassify_on:%Y%m%d}" in api.content.decode()
    kor = client_for(cast["kor.liaison"]).get(reverse("intel:product-export", args=[product.pk]))
    assert "Classified By" not in kor.content.decode()


def test_rule_32_the_stix_report_carries_the_block_in_the_allied_marking_extension(cast, product):
    from allied.intel.views.taxii import COLLECTIONS

    url = f"/taxii2/api/collections/{COLLECTIONS['products']['id']}/objects/"
    body = client_for(cast["jpn.liaison"]).get(url).json()
    report = next(o for o in body["objects"] if o["type"] == "report")
    extension = report["extensions"][stix.ALLIED_MARKING_EXTENSION]
    assert extension["banner"] == "SECRET//REL TO USA, JPN"
    assert extension["classified_by"] == EXEMPT.classified_by
    assert extension["derived_from"] == EXEMPT.derived_from
    assert extension["declass_date"] == EXEMPT.declassify_on.isoformat()
    assert extension["declass_exception"] == "25X1"
    result = validate_instance(report, ValidationOptions(version="2.1", strict=False))
    assert result.is_valid, [str(e) for e in result.errors]
    kor = client_for(cast["kor.liaison"]).get(url).json()
    assert "classified_by" not in json.dumps(kor)


# --- existing and demo products -----------------------------------------------------------------


def test_rule_32_the_migration_gives_every_existing_classified_product_a_valid_block(cast):
    intern = StoredMarking.objects.intern
    with system_access("test: products written before the block existed"):
        secret = Product(
            title="Old secret (fictional)",
            originator="us_agency",
            category=8,
            author=cast["us.analyst"],
            marking=intern("UNCLASSIFIED"),
            banner=intern("SECRET//NOFORN"),
        )
        secret.save()
        open_one = Product(
            title="Old open (fictional)",
            originator="us_agency",
            category=8,
            author=cast["us.analyst"],
            marking=intern("UNCLASSIFIED"),
            banner=intern("UNCLASSIFIED"),
        )
        open_one.save()
    migration = importlib.import_module(
        "allied.intel.migrations.0004_product_classification_authority"
    )

    class Editor:
        class connection:
            vendor = "sqlite"

    with system_access("test: the data migration, with today's models"):
        migration.fill_blocks(apps, Editor())
        secret.refresh_from_db()
        open_one.refresh_from_db()
    assert secret.classified_by == "us.analyst, product author"
    assert check_authority(secret.authority, Level.S, decided_on=secret.created.date()) == {}
    assert open_one.authority.empty


def test_rule_32_every_classified_demo_product_carries_a_valid_block(cast):
    from allied.intel.demo import disclosure, products

    assert products.seed() == len(products.PRODUCTS)
    with system_access("test: the disclosure demo's products"):
        disclosure.seed_products(cast["us.analyst"])
    with system_access("test: every demo product's block"):
        rows = list(Product.objects.select_related("banner"))
    assert rows
    for stored in rows:
        level = max(stored.banner.level, stored.marking.level)
        problems = check_authority(
            stored.authority, Level(level), decided_on=stored.created.date(), today=TODAY
        )
        assert problems == {}, (stored.title, problems)
        assert level == Level.U or not stored.authority.empty


def test_make_product_gives_a_classified_test_product_the_shared_block(cast):
    made = make_product(cast["us.analyst"], [(0, "(S//NF)", "x")])
    assert made.authority == AUTHORITY.normalised()


def test_an_editor_shown_nothing_classified_is_not_given_the_block_and_it_stays(cast):
    analyst = client_for(cast["us.analyst"])
    product = make_product(
        cast["us.analyst"],
        [(0, "(U)", "Open text."), (0, "(TS//SI-G//NF)", "Compartmented.")],
        authority=EXEMPT,
    )
    principal = cast["us.analyst"].principal
    principal.accesses = ["SI", "TK"]  # the author loses SI-G
    principal.save()
    data = edit_data(product, analyst, title="Retitled (fictional)")
    html = page(analyst, product, "intel:product-edit").content.decode()
    assert EXEMPT.classified_by not in html and "25X1" not in data.get("declass_exemption", "")
    assert analyst.post(reverse("intel:product-edit", args=[product.pk]), data).status_code == 302
    with system_access("test: the block of the hidden portion stays"):
        product.refresh_from_db()
    assert product.title == "Retitled (fictional)"
    assert product.authority == EXEMPT.normalised()
