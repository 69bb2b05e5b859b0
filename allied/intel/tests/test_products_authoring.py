"""Writing intelligence products: every mark checked with rule and fix, live and on save."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from allied.core.models import AuditEntry, system_access
from allied.intel.models import Portion, PortionRevision, Product
from allied.intel.tests.test_products import AUTHORITY_FIELDS, client_for, make_product, page

pytestmark = pytest.mark.django_db

CREATE = "intel:product-create"


def form_data(
    portions: list[dict[str, Any]],
    *,
    title: str = "Authored product (fictional)",
    marking: str = "UNCLASSIFIED",
    originator: str = "us_agency",
    agency: str = "Test analysis cell (fictional)",
    nation: str = "",
    initial: int = 0,
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": title,
        "originator": originator,
        "originator_agency": agency,
        "originator_nation": nation,
        "category": "8",
        "topics": "ports, shipping",
        "regions": "Western Pacific",
        "marking": marking,
        "portions-TOTAL_FORMS": str(len(portions)),
        "portions-INITIAL_FORMS": str(initial),
        "portions-MIN_NUM_FORMS": "0",
        "portions-MAX_NUM_FORMS": "200",
        **extra,
    }
    for index, portion in enumerate(portions):
        for name, value in portion.items():
            data[f"portions-{index}-{name}"] = value
    # A classified product carries its classification authority block (EO 13526 sec. 1.6).
    marks = [str(p.get("mark", "")) for p in portions if not p.get("DELETE")]
    if marking != "UNCLASSIFIED" or any(m and not m.startswith("(U") for m in marks):
        data = {**AUTHORITY_FIELDS, **data}
    return data


def row(mark: str, text: str, section: int = 0, order: int = 1, **extra: Any) -> dict[str, Any]:
    return {"section": section, "order": order, "mark": mark, "text": text, **extra}


def stored_products() -> int:
    with system_access("test: count every product"):
        return Product.objects.count() + Portion.objects.count()


@pytest.fixture
def analyst(cast: dict[str, Any]) -> Client:
    return client_for(cast["us.analyst"])


# --- validation on save -------------------------------------------------------------------------


def test_the_authoring_page_rejects_an_invalid_mark_with_rule_and_fix_and_writes_nothing(analyst):
    writes = AuditEntry.objects.filter(action="write").count()
    response = analyst.post(
        reverse(CREATE),
        form_data(
            [
                row("(S//REL TO USA,JPN)", "Spacing wrong.", order=1),
                row("(S//REL TO USA, JAP)", "Country code wrong.", order=2),
                row("(S//NF)", "Valid.", order=3),
            ]
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "policy P6" in html and "did you mean REL TO USA, JPN?" in html
    assert "unknown country code JAP (rule 8); did you mean JPN?" in html
    assert "canonical form: (S//REL TO USA, JPN)" in html
    assert stored_products() == 0
    assert AuditEntry.objects.filter(action="write").count() == writes


def test_a_banner_form_in_a_portion_is_refused_with_the_portion_mark_proposed(analyst):
    response = analyst.post(reverse(CREATE), form_data([row("SECRET//NOFORN", "Banner form.")]))
    assert response.status_code == 400
    assert "did you mean (S//NF)?" in response.content.decode()
    assert stored_products() == 0


def test_a_partner_originated_product_must_mark_its_portions_as_the_partners(cast):
    aus = client_for(cast["aus.liaison"])
    data = {
        "originator": "partner",
        "nation": "AUS",
        "agency": "",
        "marking": "SECRET//FGI AUS//REL TO USA, AUS",
    }
    refused = aus.post(
        reverse(CREATE), form_data([row("(S//REL TO USA, AUS)", "Not marked as FGI.")], **data)
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "e.g. (//AUS S//REL TO USA, AUS), or add FGI AUS (rule 12)" in html
    assert stored_products() == 0
    saved = aus.post(
        reverse(CREATE),
        form_data(
            [
                row("(//AUS S//REL TO USA, AUS)", "Australian information.", order=1),
                row("(S//FGI AUS//REL TO USA, AUS)", "Carries FGI AUS.", order=2),
            ],
            **data,
        ),
    )
    assert saved.status_code == 302
    with system_access("test: read the saved product"):
        product = Product.objects.get()
        assert product.originator_nation_id == "AUS" and product.originator_agency == ""
        assert product.banner.text == "SECRET//FGI AUS//REL TO USA, AUS"


def test_an_author_cannot_write_a_portion_they_could_not_read_back(cast):
    aus = client_for(cast["aus.liaison"])
    response = aus.post(
        reverse(CREATE),
        form_data(
            [row("(//AUS S//REL TO USA, GBR)", "Releasable to the UK only.")],
            originator="partner",
            nation="AUS",
            agency="",
        ),
    )
    assert response.status_code == 400
    assert "You could not read a portion marked (//AUS S//REL TO USA, GBR)" in (
        response.content.decode()
    )
    assert stored_products() == 0


def test_a_foreign_author_writes_only_its_own_nations_information(cast):
    aus = client_for(cast["aus.liaison"])
    response = aus.post(reverse(CREATE), form_data([row("(U)", "Public.")]))
    assert response.status_code == 400
    assert "choose partner AUS as the originator" in response.content.decode()


def test_people_without_the_author_role_may_not_open_the_authoring_page(cast):
    for username in ("jpn.liaison", "us.fdo"):
        assert client_for(cast[username]).get(reverse(CREATE)).status_code == 403


def test_saving_writes_the_product_its_portions_and_rolled_up_banner_and_audits_each_row(
    cast, analyst
):
    writes = AuditEntry.objects.filter(action="write").count()
    response = analyst.post(
        reverse(CREATE),
        form_data(
            [
                row("(S//NF)", "Body.", order=1),
                row("(S//REL TO USA, JPN)", "Tearline for Japan.", section=1, order=1),
                row("(U)", "Opening.", order=2),
            ],
            marking="SECRET//REL TO USA, JPN",
        ),
    )
    assert response.status_code == 302
    with system_access("test: read what was saved"):
        product = Product.objects.get()
        portions = list(Portion.objects.filter(product=product).order_by("section", "order"))
        assert response["Location"] == reverse("intel:product-detail", args=[product.pk])
        assert product.banner.text == "SECRET//NOFORN"  # P8: every portion rolls up
        assert product.marking.text == "SECRET//REL TO USA, JPN"
        assert product.topics == ["ports", "shipping"] and product.version == 1
        assert [(p.section, p.order, p.marking.text) for p in portions] == [
            (0, 1, "SECRET//NOFORN"),
            (0, 2, "UNCLASSIFIED"),
            (1, 1, "SECRET//REL TO USA, JPN"),
        ]
    assert AuditEntry.objects.filter(action="write").count() == writes + 4


def test_the_form_adds_a_portion_row_without_javascript(analyst):
    response = analyst.post(
        reverse(CREATE), form_data([row("(U)", "One.")], add_portion="1", title="")
    )
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 2
    assert stored_products() == 0


# --- live checks --------------------------------------------------------------------------------


def test_the_live_check_returns_the_canonical_form_of_a_valid_mark(analyst):
    response = analyst.post(reverse("intel:portion-check"), {"mark": "(S//REL TO USA, JPN)"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Valid: <code>(S//REL TO USA, JPN)</code>" in html
    assert "<html" not in html  # a fragment, not a page


def test_the_live_check_returns_every_problem_of_an_invalid_mark_with_rule_and_fix(analyst):
    html = analyst.post(
        reverse("intel:portion-check"), {"mark": "(S//NOFORN/ORCON)"}
    ).content.decode()
    assert "rule" in html and "did you mean" in html
    assert "Valid" not in html


def test_the_live_check_reads_the_row_named_by_its_field(analyst):
    url = reverse("intel:portion-check") + "?field=portions-1-mark"
    data = form_data([row("(S//NF)", "First."), row("(S//REL TO USA, JAP)", "Second.")])
    html = analyst.post(url, data).content.decode()
    assert "did you mean JPN?" in html


def test_the_live_check_flags_a_partner_portion_not_marked_as_its_information(analyst):
    html = analyst.post(
        reverse("intel:portion-check"),
        {"mark": "(S//REL TO USA, JPN)", "originator": "partner", "originator_nation": "JPN"},
    ).content.decode()
    assert "(//JPN S//REL TO USA, JPN)" in html and "rule 12" in html


def test_the_release_panel_shows_the_banner_and_which_portions_block_each_partner(analyst):
    data = form_data(
        [
            row("(S//NF)", "Body.", order=1),
            row("(S//REL TO USA, FVEY)", "Body for Five Eyes.", order=2),
            row("(S//REL TO USA, JPN)", "Tearline.", section=1, order=1),
            row("(S//REL TO USA,KOR)", "Typo.", section=1, order=2),
        ],
        marking="SECRET//REL TO USA, JPN",
    )
    response = analyst.post(reverse("intel:release-check"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="rollup-banner">SECRET//NOFORN<' in html
    assert "Tearline 1: <strong>SECRET//REL TO USA, JPN</strong>" in html
    assert "Left out until their marks are valid: Portion 4." in html
    panel = response.context["panel"]
    japan = next(p for p in panel.partners if p.nation == "JPN")
    assert japan.status == "Not releasable"
    assert japan.blocking_lines == [
        "Portion 1: NOFORN: not releasable to foreign nationals (rule 24(a))",
        "Portion 2: JPN is not covered by USA, FVEY (rule 24(b))",
    ]
    assert [(b.label, str(b.banner)) for b in japan.blocks] == [
        ("Tearline 1", "SECRET//REL TO USA, JPN")
    ]
    britain = next(p for p in panel.partners if p.nation == "GBR")
    assert britain.blocking_lines[0].startswith("Portion 1: NOFORN")
    assert not britain.sees_product  # the title's marking is not releasable to it
    korea = next(p for p in panel.partners if p.nation == "KOR")
    assert not korea.blocks


def test_the_live_checks_show_nothing_stored(cast, analyst):
    make_product(
        cast["us.analyst"],
        [(0, "(S//NF)", "Stored STOREDCANARY text.")],
        marking="SECRET//NOFORN",
        title="Stored STOREDCANARY title",
    )
    reads = AuditEntry.objects.filter(action="read").count()
    data = form_data([row("(S//NF)", "Typed.")], marking="SECRET//NOFORN")
    for name in ("intel:portion-check", "intel:release-check"):
        for response in (
            analyst.post(reverse(name), data),
            analyst.get(reverse(name)),
            analyst.get(reverse(name), HTTP_HX_REQUEST="true"),
        ):
            assert response.status_code == 200
            assert b"STOREDCANARY" not in response.content
    assert AuditEntry.objects.filter(action="read").count() == reads


# --- editing ------------------------------------------------------------------------------------


def edit_data(product: Product, client: Client, **changes: Any) -> dict[str, Any]:
    """The edit form as its page fills it, with ``changes`` applied."""
    response = client.get(reverse("intel:product-edit", args=[product.pk]))
    assert response.status_code == 200
    form, formset = response.context["form"], response.context["formset"]
    data: dict[str, Any] = {
        name: "" if value is None else value for name, value in form.initial.items()
    }
    data.update(
        {
            "portions-TOTAL_FORMS": str(len(formset.initial)),
            "portions-INITIAL_FORMS": str(len(formset.initial)),
            "portions-MIN_NUM_FORMS": "0",
            "portions-MAX_NUM_FORMS": "200",
        }
    )
    for index, initial in enumerate(formset.initial):
        for name, value in initial.items():
            data[f"portions-{index}-{name}"] = value
    data.update(changes)
    return data


@pytest.fixture
def product(cast: dict[str, Any]) -> Product:
    return make_product(
        cast["us.analyst"],
        [
            (0, "(S//NF)", "First."),
            (0, "(S//REL TO USA, JPN)", "Second."),
            (1, "(S//REL TO USA, JPN)", "Tearline."),
        ],
        marking="SECRET//REL TO USA, JPN",
    )


def test_an_edit_bumps_the_version_and_keeps_the_old_text_as_a_revision(cast, analyst, product):
    data = edit_data(
        product,
        analyst,
        **{
            "portions-1-text": "Second, revised.",
            "portions-1-mark": "(S//NF)",
            "change_note": "Source asked for NOFORN.",
        },
    )
    response = analyst.post(reverse("intel:product-edit", args=[product.pk]), data)
    assert response.status_code == 302
    with system_access("test: read the edit"):
        product.refresh_from_db()
        assert product.version == 2
        assert product.banner.text == "SECRET//NOFORN"
        changed = Portion.objects.get(product=product, text="Second, revised.")
        assert changed.version == 2 and changed.marking.text == "SECRET//NOFORN"
        revision = PortionRevision.objects.get(portion=changed)
        assert (revision.version, revision.text, revision.marking.text, revision.reason) == (
            1, "Second.", "SECRET//REL TO USA, JPN", "Source asked for NOFORN.",
        )  # fmt: skip
        unchanged = Portion.objects.get(product=product, text="First.")
        assert unchanged.version == 1 and not PortionRevision.objects.filter(portion=unchanged)
    jpn = page(client_for(cast["jpn.liaison"]), product).content.decode()
    assert "Second" not in jpn and "Tearline." in jpn


def test_a_stale_edit_is_refused_and_writes_nothing(analyst, product):
    stale = edit_data(product, analyst, title="Stale title", **{"portions-0-text": "Stale."})
    fresh = edit_data(product, analyst, title="Fresh title")
    assert analyst.post(reverse("intel:product-edit", args=[product.pk]), fresh).status_code == 302
    writes = AuditEntry.objects.filter(action="write").count()
    response = analyst.post(reverse("intel:product-edit", args=[product.pk]), stale)
    assert response.status_code == 409
    assert b"changed after you opened it (you opened version 1; it is now at version 2, saved" in (
        response.content
    )
    assert b"so nothing was saved" in response.content
    assert AuditEntry.objects.filter(action="write").count() == writes
    with system_access("test: nothing of the stale edit was written"):
        product.refresh_from_db()
        assert (product.title, product.version) == ("Fresh title", 2)
        assert Portion.objects.filter(product=product, text="First.").exists()
        assert not PortionRevision.objects.exists()


def test_only_its_author_may_edit_a_product(cast, product):
    for username in ("aus.liaison", "us.fdo"):
        response = page(client_for(cast[username]), product, "intel:product-edit")
        assert response.status_code in (403, 404)
    assert page(client_for(cast["aus.liaison"]), product, "intel:product-edit").status_code == 404
    assert page(client_for(cast["us.fdo"]), product, "intel:product-edit").status_code == 403


def test_portions_can_swap_places_and_be_removed(analyst, product):
    data = edit_data(
        product,
        analyst,
        **{"portions-0-order": "2", "portions-1-order": "1", "portions-2-DELETE": "on"},
    )
    assert analyst.post(reverse("intel:product-edit", args=[product.pk]), data).status_code == 302
    with system_access("test: read the new order"):
        texts = list(
            Portion.objects.filter(product=product)
            .order_by("section", "order")
            .values_list("text", flat=True)
        )
    assert texts == ["Second.", "First."]
    assert AuditEntry.objects.filter(action="delete", object_type="intel.portion").count() == 1


def test_a_row_naming_a_portion_the_form_never_gave_is_refused(analyst, product):
    data = edit_data(product, analyst, **{"portions-0-key": "99"})
    response = analyst.post(reverse("intel:product-edit", args=[product.pk]), data)
    assert response.status_code == 400
    assert b"This portion is not part of the product." in response.content


def test_the_edit_form_names_portions_by_their_place_not_their_id(cast, analyst):
    # Another product's portions first, so that this product's ids are not 1, 2, 3.
    make_product(cast["us.analyst"], [(0, "(U)", "Other."), (0, "(U)", "Other too.")])
    product = make_product(cast["us.analyst"], [(0, "(U)", "One."), (0, "(U)", "Two.")])
    html = page(analyst, product, "intel:product-edit").content.decode()
    with system_access("test: the portions' ids"):
        ids = sorted(Portion.objects.filter(product=product).values_list("pk", flat=True))
    keys = [int(k) for k in re.findall(r'name="portions-\d+-key" value="(\d+)"', html)]
    assert keys == [1, 2] and ids != keys


def test_an_edit_keeps_in_place_the_portions_its_author_may_no_longer_see(cast, analyst):
    product = make_product(
        cast["us.analyst"],
        [
            (0, "(S//NF)", "Alpha."),
            (0, "(TS//SI-G//NF)", "Compartmented SIGTEXT."),
            (0, "(S//NF)", "Gamma."),
        ],
        marking="SECRET//NOFORN",
    )
    principal = cast["us.analyst"].principal
    principal.accesses = ["SI", "TK"]  # the author loses SI-G
    principal.save()
    form_page = page(analyst, product, "intel:product-edit")
    html = form_page.content.decode()
    assert "SIGTEXT" not in html and "SI-G" not in html
    assert [f["order"] for f in form_page.context["formset"].initial] == [1, 2]
    data = edit_data(
        product, analyst, **{"portions-0-order": "2", "portions-1-order": "1", "title": "New"}
    )
    assert analyst.post(reverse("intel:product-edit", args=[product.pk]), data).status_code == 302
    with system_access("test: the hidden portion is where it was"):
        rows = list(
            Portion.objects.filter(product=product)
            .order_by("order")
            .values_list("order", "text", "marking__text")
        )
        product.refresh_from_db()
    assert rows == [
        (1, "Gamma.", "SECRET//NOFORN"),
        (2, "Compartmented SIGTEXT.", "TOP SECRET//SI-G//NOFORN"),
        (3, "Alpha.", "SECRET//NOFORN"),
    ]
    assert product.banner.text == "TOP SECRET//SI-G//NOFORN"  # P8: hidden portions roll up too


# --- behind the database wall (PostgreSQL) ------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row-level security is a PostgreSQL feature"
)
def test_writing_editing_and_reading_work_as_the_application_role_behind_the_wall(cast, analyst):
    """As the unprivileged role the policies apply to: writes pass their WITH CHECK, the edit's
    named system access sees the portion its author may not, and a partner reads its tearline."""
    from allied.core.rls import APP_ROLE, grant_app_role

    grant_app_role()
    with connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{APP_ROLE}"')
    try:
        created = analyst.post(
            reverse(CREATE),
            form_data(
                [
                    row("(S//NF)", "Alpha.", order=1),
                    row("(TS//SI-G//NF)", "Compartmented.", order=2),
                    row("(S//REL TO USA, JPN)", "For Japan.", section=1, order=1),
                ],
                marking="SECRET//REL TO USA, JPN",
            ),
        )
        assert created.status_code == 302, created.content
        pk = int(created["Location"].rstrip("/").split("/")[-1])
        principal = cast["us.analyst"].principal
        principal.accesses = ["SI", "TK"]
        principal.save()
        product = Product(pk=pk)
        data = edit_data(product, analyst, **{"portions-0-text": "Alpha, revised."})
        edited = analyst.post(reverse("intel:product-edit", args=[pk]), data)
        assert edited.status_code == 302, edited.content
        japan = page(client_for(cast["jpn.liaison"]), pk).content.decode()
        assert "For Japan." in japan and "Alpha" not in japan
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    with system_access("test: what the edit left"):
        stored = Product.objects.get(pk=pk)
        assert stored.version == 2 and stored.banner.text == "TOP SECRET//SI-G//NOFORN"
        assert Portion.objects.filter(product_id=pk).count() == 3
