"""Lists that never scan or count a whole marked table, and still show exactly what they did.

* The products list filters on the markings products carry (``portion_markings``, kept by the
  database from the portions) and shows the same products in the same order, on every page, as
  the filter over the portions themselves (a product is shown when its viewer may see its
  metadata and at least one portion: an empty product would tell of what was withheld).
* Pages read one row more than the page and never count (``allied.core.pagination``); the API
  gives ``next`` and no ``count``, and its products pages leave out, and read on past, products
  whose version for the caller is all DISPLAY ONLY (rule 24(f): DISPLAY ONLY never leaves).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allied.core.models import StoredMarking, system_access
from allied.core.pagination import NextOnlyPaginator, NotCounted, page_of
from allied.intel.models import Portion, Product
from allied.intel.tests.test_products import client_for, make_product

pytestmark = pytest.mark.django_db

#: Portion marks cycled over the products: some every partner, some only Japan, some U.S. only,
#: one needing an SCI access, one DISPLAY ONLY to Japan.
MIXES = [
    [(0, "(U)", "Open.")],
    [(0, "(S//REL TO USA, JPN)", "For Japan.")],
    [(0, "(S//NF)", "U.S. only.")],
    [(0, "(S//NF)", "U.S. only."), (1, "(S//REL TO USA, JPN)", "Japan's tearline.")],
    [(0, "(TS//SI//NF)", "Needs SI.")],
    [(0, "(S//DISPLAY ONLY JPN)", "Japan may view.")],
    [(0, "(S//REL TO USA, PHL)", "For the Philippines.")],
]


@pytest.fixture
def many(cast: dict[str, Any]) -> list[Product]:
    """70 products (pages 1 to 3 of 25), newest last written."""
    products = []
    for n in range(70):
        mix = MIXES[n % len(MIXES)]
        marking = "UNCLASSIFIED" if n % 5 else "SECRET//NOFORN"
        products.append(
            make_product(cast["us.analyst"], mix, marking=marking, title=f"Product {n:02d}")
        )
    return products


def listed(client: Any, number: int) -> list[str]:
    response = client.get(reverse("intel:product-list"), {"page": number})
    assert response.status_code == 200
    return [row["product"].title for row in response.context["rows"]]


def by_scan(viewer: Any, number: int) -> list[str]:
    """The page as the filter over the portions (the definition) gives it."""
    rows = (
        Product.objects.visible_to(viewer)
        .with_visible_portions_by_scan()
        .order_by("-created", "-pk")[(number - 1) * 25 : number * 25]
    )
    return [p.title for p in rows]


@pytest.mark.parametrize("who", ["us.analyst", "jpn.liaison", "phl.liaison"])
def test_pages_one_and_three_show_what_the_portion_scan_shows(cast, many, who):
    viewer = cast[who].principal.viewer()
    client = client_for(cast[who])
    for number in (1, 2, 3):
        expected = by_scan(viewer, number)
        if not expected:  # a partner sees fewer than three pages: past the end is a 404
            assert client.get(reverse("intel:product-list"), {"page": number}).status_code == 404
            continue
        assert listed(client, number) == expected, (who, number)
    # The filter on the array and the scan agree on every product, not only on these pages.
    array = Product.objects.visible_to(viewer).with_visible_portions()
    scan = Product.objects.visible_to(viewer).with_visible_portions_by_scan()
    assert set(array.values_list("pk", flat=True)) == set(scan.values_list("pk", flat=True))
    if who != "us.analyst":
        assert array.count() < len(many)  # a partner has something withheld from it


def test_the_array_follows_every_portion_write(cast, many):
    product = many[0]
    stored = StoredMarking.objects.intern
    with system_access("tests: the array follows the portions"):
        marks = {stored("UNCLASSIFIED").pk}
        assert Product.objects.get(pk=product.pk).portion_markings == sorted(marks)
        secret = stored("SECRET//NOFORN")
        portion = Portion.objects.create(product=product, order=9, text="Added.", marking=secret)
        assert Product.objects.get(pk=product.pk).portion_markings == sorted(marks | {secret.pk})
        Portion.objects.filter(pk=portion.pk).update(marking=stored("SECRET//REL TO USA, JPN"))
        expected = sorted(marks | {stored("SECRET//REL TO USA, JPN").pk})
        assert Product.objects.get(pk=product.pk).portion_markings == expected
        # A stale copy saved by the ORM does not overwrite what the database keeps.
        stale = Product.objects.get(pk=product.pk)
        stale.portion_markings = []
        stale.title = "Renamed"
        stale.save()
        assert Product.objects.get(pk=product.pk).portion_markings == expected
        Portion.objects.filter(pk=portion.pk).delete()
        assert Product.objects.get(pk=product.pk).portion_markings == sorted(marks)


def test_a_product_whose_portions_were_all_deleted_leaves_the_list(cast, many):
    product = many[1]  # REL TO USA, JPN only
    jpn = cast["jpn.liaison"]
    assert Product.objects.visible_to(jpn).with_visible_portions().filter(pk=product.pk).exists()
    with system_access("tests: withdraw every portion"):
        Portion.objects.filter(product=product).delete()
    assert not Product.objects.visible_to(jpn).with_visible_portions().filter(pk=product.pk)


def test_the_products_list_never_counts(cast, many):
    client = client_for(cast["us.analyst"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("intel:product-list"), {"page": 2})
    assert response.status_code == 200
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "intel_" in q["sql"]]
    assert not counts
    page = response.context["page_obj"]
    assert page.has_previous() and page.has_next() and page.number == 2
    last = client.get(reverse("intel:product-list"), {"page": 3}).context["page_obj"]
    assert not last.has_next()
    assert client.get(reverse("intel:product-list"), {"page": 9}).status_code == 404


def test_the_api_pages_by_next_link_and_leaves_out_display_only_products(cast, many):
    """The API is an export: a product whose version for Japan is all DISPLAY ONLY is left out
    (rule 24(f)), the page is filled from the products after it, and there is no count."""
    api = client_for(cast["jpn.liaison"])
    seen: list[int] = []
    url: str | None = "/api/intel/products/?limit=5"
    while url:
        body = api.get(url).json()
        assert "count" not in body
        seen += [p["id"] for p in body["results"]]
        if body["next"]:
            assert len(body["results"]) == 5  # never short while more follow
        url = body["next"]
    display_only = {p.pk for n, p in enumerate(many) if n % len(MIXES) == 5}
    assert display_only and not display_only & set(seen)
    viewer = cast["jpn.liaison"].principal.viewer().for_export()
    exportable = [
        p.pk
        for p in Product.objects.visible_to(viewer).with_visible_portions_by_scan()
        if p.pk not in display_only
    ]
    assert seen == exportable and len(seen) == len(set(seen))


def test_the_next_only_paginator_refuses_to_count():
    paginator = NextOnlyPaginator(list(range(7)), 3)
    assert list(paginator.page(3)) == [6] and not paginator.page(3).has_next()
    assert paginator.page(2).has_next() and paginator.page(2).previous_page_number() == 1
    with pytest.raises(NotCounted):
        paginator.count  # noqa: B018
    assert list(page_of(list(range(7)), "x", 3)) == [0, 1, 2]
    assert list(page_of(list(range(7)), "5", 3)) == []


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row-level security is a PostgreSQL feature"
)


@postgres_only
def test_a_partners_write_keeps_every_portions_marking_and_the_policy_still_holds(cast):
    """As the application role, a Japanese viewer adds a portion to a product with a NOFORN
    portion: the array keeps the NOFORN marking (the trigger reads every portion), while the
    viewer's own reads of the portions are still cut by the policy (rule: NOFORN is never
    releasable to a foreign national)."""
    from datetime import date

    from django.db import transaction

    from allied.core.rls import APP_ROLE, grant_app_role
    from allied.core.visibility import viewer_settings

    product = make_product(
        cast["us.analyst"],
        [(0, "(S//NF)", "U.S. only."), (1, "(S//REL TO USA, JPN)", "Japan's tearline.")],
    )
    stored = StoredMarking.objects.intern
    noforn, rel = stored("SECRET//NOFORN").pk, stored("SECRET//REL TO USA, JPN").pk
    public = stored("UNCLASSIFIED").pk
    grant_app_role()
    settings = viewer_settings(cast["jpn.liaison"].principal.viewer(), date.today())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{APP_ROLE}"')
        for name, value in settings.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        cursor.execute(
            'INSERT INTO intel_portion (product_id, section, "order", text, version, marking_id)'
            " VALUES (%s, 1, 2, 'Added by Japan.', 1, %s)",
            [product.pk, public],
        )
        cursor.execute("SELECT marking_id FROM intel_portion WHERE product_id = %s", [product.pk])
        seen = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT current_setting('allied.system', true)")
        system_after = cursor.fetchone()[0]
        cursor.execute("RESET ROLE")
    assert seen == {rel, public}  # the policy still hides the NOFORN portion
    assert system_after == "off"  # the trigger's system setting did not outlive it
    with system_access("tests: read the array"):
        kept = Product.objects.get(pk=product.pk).portion_markings
    assert kept == sorted({noforn, rel, public})
