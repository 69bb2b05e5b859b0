"""Every page's banner is the roll-up of what that viewer was shown, top and bottom, in colour."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from allied.core import demo_content

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(cast):
    demo_content.seed()
    return cast


def banners(html: str) -> list[tuple[str, str]]:
    return re.findall(r'class="allied-banner allied-banner--(?:top|bottom) allied-banner--(\w+)">'
                      r"([^<]+)</div>", html)  # fmt: skip


def page(seeded, username, path="/bulletins/"):
    client = Client()
    client.force_login(seeded[username])
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_the_banner_shows_at_the_top_and_the_bottom_of_every_page(seeded):
    found = banners(page(seeded, "us.analyst"))
    assert len(found) == 2 and found[0] == found[1]


def test_a_us_analyst_with_sci_sees_the_sci_roll_up_in_yellow(seeded):
    assert banners(page(seeded, "us.analyst"))[0] == ("yellow", "TOP SECRET//SI-G//NOFORN")


def test_a_us_officer_without_sci_sees_a_red_secret_noforn_banner(seeded):
    assert banners(page(seeded, "us.fdo"))[0] == ("red", "SECRET//NOFORN")


def test_the_japanese_liaison_sees_a_banner_releasable_to_japan(seeded):
    """Quad and Japan releases plus a DISPLAY ONLY item: view-only for Japan (P7, rule 24(f))."""
    assert banners(page(seeded, "jpn.liaison"))[0] == ("red", "SECRET//DISPLAY ONLY JPN")


def test_the_philippine_liaison_sees_a_blue_banner_for_its_confidential_release(seeded):
    assert banners(page(seeded, "phl.liaison"))[0] == ("blue", "CONFIDENTIAL//REL TO USA, PHL")


def test_a_page_with_nothing_marked_is_unclassified_in_green(seeded):
    assert banners(page(seeded, "jpn.liaison", "/institutions/"))[0] == ("green", "UNCLASSIFIED")


def test_the_viewers_nation_and_clearance_are_always_visible(seeded):
    html = page(seeded, "ind.liaison", "/institutions/")
    assert re.search(r'data-testid="viewer">IND &middot; Confidential<', html)


# --- the authoring form and the browsable API ---------------------------------------------------


def test_the_authoring_form_shown_back_after_a_failed_save_is_bannered_as_typed(cast):
    """Rule 24(a): a NOFORN portion makes the banner NOFORN; the form shows its text back."""
    from django.urls import reverse

    from allied.intel.tests.test_products_authoring import form_data, row

    client = Client()
    client.force_login(cast["us.analyst"])
    response = client.post(
        reverse("intel:product-create"),
        form_data(
            [
                row("(S//NF)", "Typed secret text (fictional).", order=1),
                row("(S//REL TO USA, JAP)", "A mark with a wrong country code.", order=2),
            ]
        ),
    )
    html = response.content.decode()
    assert response.status_code == 400 and "Typed secret text (fictional)." in html
    assert banners(html) == [("red", "SECRET//NOFORN")] * 2


def test_the_browsable_api_carries_the_roll_up_of_the_rows_it_serialised(cast):
    """Rule 24(a) again: the highest row shown, NOFORN, sets the banner of ?format=api."""
    from allied.intel.tests.test_products import make_product

    make_product(cast["us.analyst"], [(0, "(S//NF)", "Secret portion (fictional).")],
                 marking="SECRET//NOFORN")  # fmt: skip
    make_product(cast["us.analyst"], [(0, "(U)", "Plain portion (fictional).")])
    client = Client()
    client.force_login(cast["us.analyst"])
    response = client.get("/api/intel/products/?format=api")
    assert response.status_code == 200
    assert banners(response.content.decode()) == [("red", "SECRET//NOFORN")] * 2


def test_an_api_page_showing_nothing_marked_is_unclassified(cast, loaded_registry):
    client = Client()
    client.force_login(cast["jpn.liaison"])
    html = client.get("/api/nations/?format=api").content.decode()
    assert banners(html) == [("green", "UNCLASSIFIED")] * 2
