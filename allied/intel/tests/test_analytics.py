"""The analytics page: figures over what the viewer may see, U.S. users only, charts as tables."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from allied.core.models import AuditEntry
from allied.intel.tests.test_disclosure import make_product

pytestmark = pytest.mark.django_db

URL = "/intel/analytics/"


def page(user) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.get(URL)
    return response.status_code, response.content.decode()


def table_rows(html: str, chart_id: str) -> list[list[str]]:
    figure = html[html.index(f'id="{chart_id}-title"') :]
    body = figure[figure.index("<tbody>") : figure.index("</tbody>")]
    return [re.findall(r"<td>(.*?)</td>", row) for row in body.split("</tr>") if "<td>" in row]


def test_url_is_named():
    assert reverse("intel:analytics") == URL


def test_shares_blockers_and_noforn_follow_the_portion_markings(cast):
    author = cast["us.analyst"]
    # Rule 24: REL TO USA, JPN goes to Japan only; NOFORN (rule 24a) keeps a product back whole.
    make_product(author, ["SECRET//REL TO USA, JPN"])
    make_product(author, ["SECRET//REL TO USA, JPN, KOR", "SECRET//NOFORN"])
    status, html = page(cast["us.fdo"])
    assert status == 200
    assert re.search(r'data-testid="product-count">2<', html)
    shares = {(r[0], r[1]): r[2] for r in table_rows(html, "release-share")}
    assert shares[("Japan", "Whole product")] == "50.0"
    assert shares[("Japan", "Some portions (tearline)")] == "50.0"
    korea = next(name for name, what in shares if "Korea" in name)
    assert shares[(korea, "Nothing")] == "50.0"
    # Every key partner but Japan and Korea gets nothing of either product; the NOFORN portion
    # blocks the second product for every partner (rule 24a).
    partners = {name for name, _ in shares}
    blockers = {r[0]: int(r[1]) for r in table_rows(html, "blockers")}
    assert blockers["(S//NF)"] == len(partners)
    noforn = table_rows(html, "noforn-share")
    assert noforn[0][1] == "50.0"


def test_figures_count_only_portions_the_us_reader_may_see(cast):
    # A SECRET reader does not see the TOP SECRET portion: the product counts as wholly
    # releasable to Japan on what that reader sees, and its TS marking appears nowhere.
    make_product(cast["us.analyst"], ["SECRET//REL TO USA, JPN", "TOP SECRET//NOFORN"])
    status, html = page(cast["us.casemgr"])  # U.S., SECRET
    assert status == 200
    assert "(TS//NF)" not in html and "TOP SECRET//NOFORN" not in html
    assert [r[0] for r in table_rows(html, "blockers")] == ["(S//REL TO USA, JPN)"]
    shares = {(r[0], r[1]): r[2] for r in table_rows(html, "release-share")}
    assert shares[("Japan", "Whole product")] == "100.0"


@pytest.mark.parametrize("username", ["jpn.liaison", "aus.liaison", "phl.liaison"])
def test_partners_may_not_compare_partners(cast, username):
    make_product(cast["us.analyst"], ["SECRET//REL TO USA, AUS, JPN, PHL"])
    status, html = page(cast[username])
    assert status == 403
    assert "Whole product" not in html


def test_every_counted_row_is_an_audited_read(cast):
    product, portions = make_product(cast["us.analyst"], ["SECRET//REL TO USA, JPN"])
    status, _ = page(cast["us.fdo"])
    assert status == 200
    reads = set(
        AuditEntry.objects.filter(action="read", actor_name="us.fdo").values_list(
            "object_type", "object_id"
        )
    )
    assert ("intel.product", str(product.pk)) in reads
    assert ("intel.portion", str(portions[0].pk)) in reads
