"""One export rule for every machine-readable surface (rule 24(f)).

TAXII (both collections: objects, object, manifest), the REST API and every download are exports:
they carry no DISPLAY ONLY content, which is shown on rendered pages only. And every surface gives
a partner the same version of a product: the body or tearline its page shows, less DISPLAY ONLY.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from allied.core.models import system_access
from allied.intel.models import Product
from allied.intel.tests.test_products import client_for, make_product
from allied.intel.views.taxii import COLLECTIONS

pytestmark = pytest.mark.django_db

TAXII = "/taxii2/api/collections/"
PRODUCTS = f"{TAXII}{COLLECTIONS['products']['id']}/"
API = "/api/intel/products/"


def taxii_pages(client: Any, endpoint: str, **params: str) -> list[dict[str, Any]]:
    """Every page of a TAXII endpoint, followed through ``next`` with pages of one product."""
    objects: list[dict[str, Any]] = []
    token = None
    while True:
        query = {"limit": "1", **params, **({"next": token} if token else {})}
        response = client.get(f"{PRODUCTS}{endpoint}/", query)
        assert response.status_code == 200, response.content
        page = response.json()
        objects += page["objects"]
        if not page["more"]:
            return objects
        token = page["next"]


@pytest.fixture
def korea_display_only(cast: dict[str, Any]) -> Product:
    """The demo's maritime summary in small: a portion Korea may be shown, never given."""
    return make_product(
        cast["us.analyst"],
        [
            (0, "(S//REL TO USA, KOR)", "Released to Korea KORRELEASED."),
            (0, "(C//DISPLAY ONLY KOR)", "Trawler with unregistered equipment KORDISPLAYONLY."),
        ],
        title="Maritime summary (fictional)",
    )


def test_rule_24f_taxii_gives_korea_no_display_only_portion(cast, korea_display_only):
    kor = client_for(cast["kor.liaison"])
    page = kor.get(reverse("intel:product-detail", args=[korea_display_only.pk]))
    assert b"KORDISPLAYONLY" in page.content  # shown on the page, marked there
    objects = kor.get(f"{PRODUCTS}objects/", {"limit": 1000}).json()["objects"]
    text = json.dumps(objects)
    assert "KORRELEASED" in text and "KORDISPLAYONLY" not in text
    assert "DISPLAY ONLY" not in text
    manifest = kor.get(f"{PRODUCTS}manifest/", {"limit": 1000}).json()["objects"]
    assert {o["id"] for o in manifest} == {o["id"] for o in objects}
    # The note of the withheld portion, as the U.S. analyst's feed names it, is not found.
    us = client_for(cast["us.analyst"])
    us_notes = us.get(f"{PRODUCTS}objects/", {"limit": 1000}).json()["objects"]
    hidden = next(o["id"] for o in us_notes if "KORDISPLAYONLY" in o.get("content", ""))
    assert kor.get(f"{PRODUCTS}objects/{hidden}/").status_code == 404
    assert kor.get(f"{PRODUCTS}objects/{hidden}/versions/").status_code == 404
    released = next(o for o in objects if "KORRELEASED" in o.get("content", ""))
    versions = kor.get(f"{PRODUCTS}objects/{released['id']}/versions/").json()
    assert versions == {"more": False, "versions": [released["modified"]]}


def test_rule_24f_taxii_serves_no_display_only_import(cast):
    from allied.intel.tests.stix_objects import indicator

    imports = f"{TAXII}{COLLECTIONS['imports']['id']}/"
    shown_only = indicator("Shown to Japan SHOWNONLY", "CONFIDENTIAL//DISPLAY ONLY JPN")
    released = indicator("Released to Japan RELEASEDJPN", "SECRET//REL TO USA, JPN")
    analyst = client_for(cast["us.analyst"])
    posted = analyst.post(
        f"{imports}objects/?marking=SECRET//NOFORN",
        json.dumps({"objects": [shown_only, released]}),
        content_type="application/taxii+json;version=2.1",
    )
    assert posted.status_code == 202, posted.content
    jpn = client_for(cast["jpn.liaison"])
    for url in (f"{imports}objects/", f"{imports}manifest/"):
        body = jpn.get(url, {"limit": 1000}).content
        assert b"SHOWNONLY" not in body and shown_only["id"].encode() not in body, url
        assert released["id"].encode() in body, url
    for suffix in ("", "versions/"):
        assert jpn.get(f"{imports}objects/{shown_only['id']}/{suffix}").status_code == 404
        assert jpn.get(f"{imports}objects/{released['id']}/{suffix}").status_code == 200


def test_rule_24f_no_display_only_on_any_page_of_the_feed_or_after_added_after(cast):
    analyst = cast["us.analyst"]
    made = []
    for n in range(3):
        made.append(make_product(
            analyst,
            [
                (0, "(S//REL TO USA, JPN)", f"Released to Japan {n} JPNRELEASED."),
                (0, "(C//DISPLAY ONLY JPN)", f"Shown to Japan {n} JPNDISPLAYONLY."),
            ],
            title=f"Feed product {n} (fictional)",
        ))  # fmt: skip
    jpn = client_for(cast["jpn.liaison"])
    objects = taxii_pages(jpn, "objects")
    after = taxii_pages(jpn, "objects", added_after=made[0].updated.isoformat())
    manifest = taxii_pages(jpn, "manifest")
    assert len([o for o in objects if o["type"] == "report"]) == 3
    assert len([o for o in after if o["type"] == "report"]) == 2
    for feed in (objects, after, manifest):
        assert "JPNDISPLAYONLY" not in json.dumps(feed)
    assert json.dumps(objects).count("JPNRELEASED") == 3


def test_rule_24f_the_api_lists_and_reads_no_display_only_portion(cast, korea_display_only):
    kor = client_for(cast["kor.liaison"])
    for url in (API, f"{API}?format=api", f"{API}{korea_display_only.pk}/"):
        response = kor.get(url)
        assert response.status_code == 200
        assert b"KORRELEASED" in response.content
        assert b"KORDISPLAYONLY" not in response.content, url


def test_rule_24f_a_product_that_is_all_display_only_is_not_found_in_the_api(cast):
    product = make_product(
        cast["us.analyst"], [(0, "(C//DISPLAY ONLY KOR)", "Only shown ONLYSHOWN.")]
    )
    kor = client_for(cast["kor.liaison"])
    assert kor.get(reverse("intel:product-detail", args=[product.pk])).status_code == 200
    missing = kor.get(f"{API}987654321/")
    hidden = kor.get(f"{API}{product.pk}/")
    assert hidden.status_code == 404 and hidden.content == missing.content
    assert b"ONLYSHOWN" not in kor.get(API).content


@pytest.fixture
def japan_tearline(cast: dict[str, Any]) -> Product:
    """A body Japan may read and a tearline for Japan that holds a DISPLAY ONLY portion."""
    return make_product(
        cast["us.analyst"],
        [
            (0, "(S//REL TO USA, JPN)", "Body released to Japan JPNBODY."),
            (0, "(S//NF)", "U.S.-only body USONLY."),
            (1, "(S//REL TO USA, JPN)", "Tearline for Japan JPNTEAR."),
            (1, "(C//DISPLAY ONLY JPN)", "Tearline shown to Japan JPNTEARSHOWN."),
        ],
    )


def surfaces(client: Any, product: Product) -> dict[str, str]:
    """What each surface gives ``client`` of ``product``, as text."""
    taxii = client.get(f"{PRODUCTS}objects/", {"limit": 1000}).json()["objects"]
    refs = [o for o in taxii if o["type"] == "report" and o["name"] == product.title]
    notes = [o for o in taxii if refs and o["id"] in refs[0]["object_refs"]]
    return {
        "page": client.get(reverse("intel:product-detail", args=[product.pk])).content.decode(),
        "api": client.get(f"{API}{product.pk}/").content.decode(),
        "download": client.get(reverse("intel:product-export", args=[product.pk])).content.decode(),
        "api download": client.get(f"{API}{product.pk}/export/").content.decode(),
        "taxii": json.dumps(notes),
    }


def test_every_surface_gives_a_partner_its_tearline_not_the_body(cast, japan_tearline):
    shown = surfaces(client_for(cast["jpn.liaison"]), japan_tearline)
    assert "JPNTEARSHOWN" in shown.pop("page")
    for surface, text in shown.items():
        assert "JPNTEAR." in text, surface
        assert "JPNBODY" not in text and "USONLY" not in text, surface
        assert "JPNTEARSHOWN" not in text, surface


def test_an_export_of_a_tearline_that_is_all_display_only_gives_nothing_not_the_body(cast):
    product = make_product(
        cast["us.analyst"],
        [
            (0, "(S//REL TO USA, JPN)", "Body released to Japan JPNBODY."),
            (1, "(C//DISPLAY ONLY JPN)", "Tearline shown to Japan JPNTEARSHOWN."),
        ],
    )
    jpn = client_for(cast["jpn.liaison"])
    page = jpn.get(reverse("intel:product-detail", args=[product.pk])).content.decode()
    assert "JPNTEARSHOWN" in page and "JPNBODY" not in page
    assert jpn.get(reverse("intel:product-export", args=[product.pk])).status_code == 409
    assert jpn.get(f"{API}{product.pk}/").status_code == 404
    taxii = jpn.get(f"{PRODUCTS}objects/", {"limit": 1000}).content.decode()
    assert "JPNBODY" not in taxii and "JPNTEARSHOWN" not in taxii


def test_a_us_reader_still_gets_every_portion_everywhere(cast, japan_tearline):
    shown = surfaces(client_for(cast["us.analyst"]), japan_tearline)
    for surface, text in shown.items():
        for word in ("JPNBODY", "USONLY", "JPNTEAR.", "JPNTEARSHOWN"):
            assert word in text, (surface, word)
    with system_access("test: the product is unchanged"):
        assert Product.objects.filter(pk=japan_tearline.pk).exists()


@pytest.mark.parametrize("username", ["kor.liaison", "jpn.liaison"])
def test_rule_24f_the_demo_gives_no_display_only_text_to_any_machine_surface(cast, username):
    """As the demo is seen: Korea's DISPLAY ONLY portion of the maritime summary and the
    DISPLAY ONLY bulletin, on no TAXII page (``next``, ``added_after``), nor in the API."""
    from allied.core import demo_content
    from allied.intel.demo import products as demo

    demo_content.seed()
    demo.seed()
    nation = username[:3].upper()
    secrets = [
        text
        for product in demo.PRODUCTS
        for _, mark, text in product.portions
        if "DISPLAY ONLY" in mark and nation in mark
    ] + [
        title
        for marking, title, _ in demo_content.BULLETINS
        if "DISPLAY ONLY" in marking and nation in marking
    ]
    assert secrets
    client = client_for(cast[username])
    page = client.get("/bulletins/").content.decode()  # a page shows it, marked display only
    feeds = [
        json.dumps(taxii_pages(client, "objects")),
        json.dumps(taxii_pages(client, "manifest")),
        json.dumps(taxii_pages(client, "objects", added_after="2000-01-01T00:00:00Z")),
        client.get(API, {"limit": 1000}).content.decode(),
        client.get("/api/bulletins/", {"limit": 1000}).content.decode(),
    ]
    for text in secrets:
        for feed in feeds:
            assert text not in feed
    assert any(text in page for text in secrets)


def test_rule_24f_the_search_api_finds_no_display_only_portion(cast):
    make_product(
        cast["us.analyst"],
        [
            (0, "(S//REL TO USA, JPN)", "Released SEARCHRELEASED."),
            (0, "(C//DISPLAY ONLY JPN)", "Shown only SEARCHSHOWNONLY."),
        ],
    )
    jpn = client_for(cast["jpn.liaison"])
    page = jpn.get(reverse("intel:search"), {"q": "SEARCHSHOWNONLY"}).content.decode()
    assert "Shown only" in page  # the hit and its snippet, on the page
    nowhere = jpn.get("/api/intel/search/", {"q": "NOWHERE000"}).json()
    found = jpn.get("/api/intel/search/", {"q": "SEARCHSHOWNONLY"}).json()
    found["query"] = nowhere["query"]
    assert found == nowhere
    released = jpn.get("/api/intel/search/", {"q": "SEARCHRELEASED"}).json()
    assert released["products"]["count"] == 1
