"""Reading intelligence products: each viewer sees only its portions, and no trace of the rest."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from allied.core import audit
from allied.core.models import AuditEntry, system_access
from allied.intel.models import Portion, Product
from allied.intel.products.authoring import (
    PortionDraft,
    ProductDraft,
    authority_problems,
    save_product,
)
from allied.markings.authority import Authority, years_after

pytestmark = pytest.mark.django_db

#: A valid derivative classification authority block (EO 13526 sec. 1.6), 10 years out.
AUTHORITY = Authority(
    classified_by="T. Analyst, Senior Analyst (fictional)",
    derived_from="Multiple Sources",
    declassify_on=years_after(date.today(), 10),
)
#: The same block as the authoring form and the API take it.
AUTHORITY_FIELDS = {
    "classified_by": AUTHORITY.classified_by,
    "derived_from": AUTHORITY.derived_from,
    "declassify_on": AUTHORITY.declassify_on.isoformat() if AUTHORITY.declassify_on else "",
}


def make_product(
    author: Any,
    portions: list[tuple[int, str, str]],
    *,
    marking: str = "UNCLASSIFIED",
    title: str = "Fictional test product",
    partner: str | None = None,
    authority: Authority | None = None,
) -> Product:
    """A product written through the same path as the pages: (section, portion mark, text).

    A classified one gets ``AUTHORITY`` unless it is given a block of its own."""
    draft = ProductDraft(
        title=title,
        originator="partner" if partner else "us_agency",
        originator_agency="" if partner else "Test analysis cell (fictional)",
        originator_nation=partner,
        category=8,
        topics=["test topic"],
        regions=["test region"],
        marking=marking,
    )
    orders: dict[int, int] = {}
    drafts = []
    for section, mark, text in portions:
        orders[section] = orders.get(section, 0) + 1
        drafts.append(PortionDraft(section, orders[section], mark, text))
    if authority is None and authority_problems(draft, drafts):
        authority = AUTHORITY  # a classified product carries its block (EO 13526 sec. 1.6)
    draft = dataclasses.replace(draft, authority=authority or Authority())
    return save_product(draft, drafts, author=author, viewer=author.principal.viewer())


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client: Client, product: Product | int, name: str = "intel:product-detail") -> Any:
    pk = product if isinstance(product, int) else product.pk
    return client.get(reverse(name, args=[pk]))


def banners(html: str) -> list[str]:
    return re.findall(r'<div class="allied-banner [^"]*">([^<]*)</div>', html)


def numbered(html: str) -> list[tuple[str, str]]:
    """(number, portion mark) of each portion on a product page, in order."""
    return re.findall(r'<li value="(\d+)" class="allied-portion"><code class="allied-mark">'
                      r"([^<]*)</code>", html)  # fmt: skip


def without_tokens(html: str) -> str:
    """A page without its per-request CSRF tokens, so that two fetches can be compared."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


@pytest.fixture
def tearline_product(cast: dict[str, Any]) -> Product:
    """NOFORN body with a tearline releasable to Japan (rule 31, P8)."""
    return make_product(
        cast["us.analyst"],
        [
            (0, "(S//NF)", "Body one: sensitive sources BODYSECRET1."),
            (0, "(S//REL TO USA, JPN)", "Body two, releasable to Japan."),
            (0, "(S//NF)", "Body three BODYSECRET3."),
            (1, "(S//REL TO USA, JPN)", "Tearline one for Japan."),
            (1, "(C//REL TO USA, JPN)", "Tearline two for Japan."),
        ],
        marking="SECRET//REL TO USA, JPN",
        title="Strait transits (fictional)",
    )


@pytest.fixture
def mixed_product(cast: dict[str, Any]) -> Product:
    """Portions released to different partners, one of them for display only."""
    return make_product(
        cast["us.analyst"],
        [
            (0, "(U)", "Summary for every partner."),
            (0, "(S//REL TO USA, FVEY)", "Five Eyes portion FVEYTEXT."),
            (0, "(S//REL TO USA, QUAD)", "Quad portion QUADTEXT."),
            (0, "(C//REL TO USA, PHL)", "Philippine portion PHLTEXT."),
            (0, "(C//DISPLAY ONLY KOR)", "Display-only portion for Korea KORTEXT."),
        ],
        title="Partner picture (fictional)",
    )


# --- what each viewer sees ----------------------------------------------------------------------


def test_a_japanese_viewer_sees_only_releasable_portions_numbered_without_gaps(cast, mixed_product):
    html = page(client_for(cast["jpn.liaison"]), mixed_product).content.decode()
    assert numbered(html) == [("1", "(U)"), ("2", "(S//REL TO USA, QUAD)")]
    assert "QUADTEXT" in html
    for withheld in ("FVEYTEXT", "PHLTEXT", "KORTEXT", "FVEY)", "PHL)", "KOR)"):
        assert withheld not in html


def test_a_japanese_viewer_gets_its_tearline_with_its_own_banner(cast, tearline_product):
    response = page(client_for(cast["jpn.liaison"]), tearline_product)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tearline one for Japan." in html and "Tearline two for Japan." in html
    # The body is not shown to a foreign viewer who has a tearline, not even its Japan portion.
    assert "Body two" not in html and "BODYSECRET" not in html
    assert numbered(html) == [("1", "(S//REL TO USA, JPN)"), ("2", "(C//REL TO USA, JPN)")]
    tearline_banner = re.findall(r'data-testid="tearline-banner">([^<]*)<', html)
    assert tearline_banner == ["SECRET//REL TO USA, JPN"]
    assert "Tearline 1" in html
    assert banners(html) == ["SECRET//REL TO USA, JPN", "SECRET//REL TO USA, JPN"]


def test_a_us_viewer_sees_the_body_then_each_tearline_labelled(cast, tearline_product):
    html = page(client_for(cast["us.analyst"]), tearline_product).content.decode()
    assert [number for number, _ in numbered(html)] == ["1", "2", "3", "4", "5"]
    assert html.index("BODYSECRET3") < html.index("Tearline 1") < html.index("Tearline one")
    # The page shows NOFORN portions, so its banner says so (P8: all portions roll up).
    assert banners(html)[0] == "SECRET//NOFORN"


def test_a_us_viewer_without_an_sci_access_sees_no_trace_of_that_portion(cast):
    product = make_product(
        cast["us.analyst"],
        [
            (0, "(S//NF)", "First."),
            (0, "(TS//SI-G//NF)", "Compartmented SIGTEXT."),
            (0, "(S//NF)", "Third."),
        ],
        marking="SECRET//NOFORN",
    )
    html = page(client_for(cast["us.fdo"]), product).content.decode()
    assert numbered(html) == [("1", "(S//NF)"), ("2", "(S//NF)")]
    assert "SIGTEXT" not in html and "SI-G" not in html
    assert banners(html)[0] == "SECRET//NOFORN"


def test_the_philippine_viewer_cannot_tell_a_withheld_portion_existed(cast):
    product = make_product(
        cast["us.analyst"],
        [
            (0, "(U)", "Opening summary."),
            (0, "(C//REL TO USA, PHL)", "For the Philippines."),
            (0, "(S//NF)", "Withheld WITHHELDTEXT with a long body " + "x" * 500),
            (0, "(C//REL TO USA, PHL)", "Also for the Philippines."),
        ],
        marking="UNCLASSIFIED",
    )
    phl = client_for(cast["phl.liaison"])
    urls = [
        reverse("intel:product-detail", args=[product.pk]),
        reverse("intel:product-list"),
        reverse("intel:product-export", args=[product.pk]),
        f"/api/intel/products/{product.pk}/",
        "/api/intel/products/",
        f"/api/intel/products/{product.pk}/export/",
    ]
    before = [without_tokens(phl.get(url).content.decode()) for url in urls]
    assert "WITHHELDTEXT" not in "".join(before)
    with system_access("test: remove the withheld portion"):
        Portion.objects.filter(product=product, text__startswith="Withheld").delete()
    after = [without_tokens(phl.get(url).content.decode()) for url in urls]
    for url, seen, unseen in zip(urls, before, after, strict=True):
        assert seen == unseen, url


def test_a_noforn_only_product_is_a_404_for_partners_exactly_like_a_missing_one(cast):
    product = make_product(
        cast["us.analyst"],
        [(0, "(S//NF)", "U.S. only NOFORNTEXT."), (0, "(C//NF)", "Also U.S. only.")],
        marking="SECRET//NOFORN",
    )
    missing = product.pk + 1000
    for username in ("jpn.liaison", "phl.liaison", "gbr.liaison", "aus.liaison"):
        client = client_for(cast[username])
        for name in ("intel:product-detail", "intel:product-export", "intel:product-edit"):
            hidden = page(client, product, name)
            absent = page(client, missing, name)
            assert hidden.status_code == absent.status_code == 404, (username, name)
            assert hidden.content == absent.content.replace(
                str(missing).encode(), str(product.pk).encode()
            )
        for suffix in ("", "export/"):
            hidden = client.get(f"/api/intel/products/{product.pk}/{suffix}")
            absent = client.get(f"/api/intel/products/{missing}/{suffix}")
            assert hidden.status_code == absent.status_code == 404
            assert hidden.content == absent.content
        listing = client.get(reverse("intel:product-list")).content.decode()
        assert "NOFORNTEXT" not in listing and product.title not in listing
    assert page(client_for(cast["us.analyst"]), product).status_code == 200


def test_a_product_whose_every_portion_is_withheld_is_left_out_of_the_list(cast):
    """Visible metadata alone would say that something was withheld."""
    hidden = make_product(
        cast["us.analyst"], [(0, "(S//NF)", "Nothing for partners.")], title="Empty for Japan"
    )
    shown = make_product(
        cast["us.analyst"], [(0, "(S//REL TO USA, JPN)", "For Japan.")], title="Kept for Japan"
    )
    jpn = client_for(cast["jpn.liaison"])
    html = jpn.get(reverse("intel:product-list")).content.decode()
    assert "Kept for Japan" in html and "Empty for Japan" not in html
    assert page(jpn, hidden).status_code == 404
    assert page(jpn, shown).status_code == 200
    body = jpn.get("/api/intel/products/").json()
    assert len(body["results"]) == 1 and [p["title"] for p in body["results"]] == ["Kept for Japan"]


def test_the_list_shows_each_viewer_the_banner_of_what_it_sees(cast, tearline_product):
    listing = client_for(cast["jpn.liaison"]).get(reverse("intel:product-list"))
    rows = listing.context["rows"]
    assert [row["reading"].banner.render() for row in rows] == ["SECRET//REL TO USA, JPN"]
    analyst = client_for(cast["us.analyst"]).get(reverse("intel:product-list"))
    assert [row["reading"].banner.render() for row in analyst.context["rows"]] == ["SECRET//NOFORN"]


def test_display_only_portions_are_shown_on_the_page_as_view_only(cast, mixed_product):
    html = page(client_for(cast["kor.liaison"]), mixed_product).content.decode()
    assert numbered(html) == [("1", "(U)"), ("2", "(C//DISPLAY ONLY KOR)")]
    assert "view only: not exported" in html


def test_each_read_is_audited(cast, tearline_product):
    before = AuditEntry.objects.filter(action="read").count()
    page(client_for(cast["jpn.liaison"]), tearline_product)
    reads = audit.objects_named(AuditEntry.objects.filter(action="read").order_by("id")[before:])
    assert {kind for kind, _, _ in reads} == {"intel.product", "intel.portion"}
    # Both portions, listed in the page's one entry for them (issue 15, point 6).
    assert len([kind for kind, _, _ in reads if kind == "intel.portion"]) == 2


# --- exports ------------------------------------------------------------------------------------


def test_the_export_excludes_display_only_portions_and_is_audited(cast, mixed_product):
    kor = client_for(cast["kor.liaison"])
    response = kor.get(reverse("intel:product-export", args=[mixed_product.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="product-{mixed_product.pk}.txt"'
    )
    text = response.content.decode()
    assert "Summary for every partner." in text
    assert "KORTEXT" not in text and "DISPLAY ONLY" not in text
    assert text.splitlines()[0] == text.splitlines()[-1] == "UNCLASSIFIED"
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.actor_name == "kor.liaison" and entry.object_id == str(mixed_product.pk)
    assert entry.marking == "UNCLASSIFIED"
    assert len(entry.detail["portions"]) == 1


def test_the_export_banner_is_the_roll_up_of_what_was_exported(cast, mixed_product):
    jpn = client_for(cast["jpn.liaison"])
    text = jpn.get(
        reverse("intel:product-export", args=[mixed_product.pk]) + "?as=md"
    ).content.decode()
    lines = text.splitlines()
    # (U) and (S//REL TO USA, QUAD) read by a Quad member: the banner names Japan (P7).
    assert lines[0] == lines[-1] == "**SECRET//REL TO USA, JPN, QUAD**"
    assert "1. (U) Summary for every partner." in text
    assert "2. (S//REL TO USA, QUAD) Quad portion QUADTEXT." in text


def test_an_export_with_nothing_exportable_says_so_and_is_not_a_404(cast):
    product = make_product(
        cast["us.analyst"],
        [(0, "(C//DISPLAY ONLY KOR)", "Only to be shown DISPLAYTEXT.")],
        marking="UNCLASSIFIED",
        title="Shown, never given",
    )
    kor = client_for(cast["kor.liaison"])
    assert page(kor, product).status_code == 200
    response = page(kor, product, "intel:product-export")
    assert response.status_code == 409
    assert "attachment" not in response.get("Content-Disposition", "")
    assert b"none of it may be exported" in response.content
    assert b"DISPLAYTEXT" not in response.content
    assert not AuditEntry.objects.filter(action="export").exists()


def test_the_export_of_a_tearline_gives_the_foreign_viewer_its_tearline_only(
    cast, tearline_product
):
    text = page(
        client_for(cast["jpn.liaison"]), tearline_product, "intel:product-export"
    ).content.decode()
    assert "TEARLINE 1: SECRET//REL TO USA, JPN" in text
    assert "1. (S//REL TO USA, JPN) Tearline one for Japan." in text
    assert "Body two" not in text and "BODYSECRET" not in text


# --- home ---------------------------------------------------------------------------------------


def test_the_home_page_leads_authors_and_liaison_officers_to_products(cast):
    home = client_for(cast["us.analyst"]).get(reverse("home")).content.decode()
    assert reverse("intel:product-create") in home and reverse("intel:product-list") in home
    liaison = client_for(cast["phl.liaison"]).get(reverse("home")).content.decode()
    assert reverse("intel:product-list") in liaison
    assert reverse("intel:product-create") not in liaison


# --- the demo -----------------------------------------------------------------------------------


def test_the_demo_seeds_products_once_and_japan_and_the_philippines_read_different_things(cast):
    from allied.intel.demo import products as demo

    assert demo.seed() == len(demo.PRODUCTS)
    assert demo.seed() == 0

    def titles(username: str) -> set[str]:
        rows = client_for(cast[username]).get(reverse("intel:product-list")).context["rows"]
        return {row["product"].title for row in rows}

    japan, philippines = titles("jpn.liaison"), titles("phl.liaison")
    assert japan and philippines and japan != philippines
    assert "U.S.-only: collection posture review" not in japan | philippines | titles("gbr.liaison")
    with system_access("test: find the demo's two-tearline product"):
        militia = Product.objects.get(title="South China Sea: maritime militia activity")
    jpn_html = page(client_for(cast["jpn.liaison"]), militia).content.decode()
    phl_html = page(client_for(cast["phl.liaison"]), militia).content.decode()
    assert "Japanese shipping" in jpn_html and "Japanese shipping" not in phl_html
    assert "near the shoal" in phl_html and "near the shoal" not in jpn_html
    assert "Fictional demo content" in jpn_html


# --- canaries in portions -----------------------------------------------------------------------


def test_no_portion_canary_reaches_anyone_through_the_product_pages_api_or_exports(cast):
    """The core crawl fetches product pages with the ids of product canaries, whose portions all
    share the product's marking; here every product holding a canary *portion* beside a public
    one is read as every person, on every product surface."""
    from allied.core.testing import leaks
    from allied.markings.access import decide

    planted = leaks.plant()
    portion_canaries = planted.by_model(Portion)
    with system_access("test: the products that hold canary portions"):
        parents = dict(
            Portion.objects.filter(pk__in=[c.pk for c in portion_canaries]).values_list(
                "pk", "product_id"
            )
        )
    for username, user in cast.items():
        viewer = user.principal.viewer()
        client = client_for(user)
        hidden = [c for c in portion_canaries if not decide(viewer, leaks.parse(c.marking)).view]
        kept = [c for c in portion_canaries if not decide(viewer, leaks.parse(c.marking)).export]
        for canary in portion_canaries:
            product = parents[canary.pk]
            for url, forbidden in (
                (reverse("intel:product-detail", args=[product]), hidden),
                (f"/api/intel/products/{product}/", hidden),
                (reverse("intel:product-export", args=[product]), kept),
                (f"/api/intel/products/{product}/export/?as=md", kept),
            ):
                response = client.get(url)
                assert response.status_code in (200, 409), (username, url)
                body = response.content.decode()
                leaked = [c.marking for c in forbidden if c.text in body]
                assert leaked == [], (username, url)
        listing = client.get("/api/intel/products/?limit=1000").content.decode()
        assert [c.marking for c in hidden if c.text in listing] == [], username
