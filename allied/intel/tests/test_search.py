"""Search: products and requirements, within what each viewer may see, on SQLite and PostgreSQL.

A query that matches only a withheld portion finds nothing (not even an empty hit); snippets come
only from portions the viewer may see; counts are counts of visible hits. The whole suite runs on
both databases (``DATABASE_URL`` for PostgreSQL), so every test here checks both backends.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from allied.core import audit
from allied.core.models import AuditEntry, StoredMarking, system_access
from allied.intel import search
from allied.intel.models import Portion, Product
from allied.intel.tests.test_requirements import client_for, requirement

pytestmark = pytest.mark.django_db

API = "/api/intel/search/"


def product(
    author: Any,
    portions: list[tuple[str, str]],
    *,
    marking: str = "UNCLASSIFIED",
    title: str = "Fictional strait assessment",
    topics: tuple[str, ...] = ("maritime activity",),
) -> Product:
    """A product with its metadata marking and (portion marking, text) portions."""
    with system_access("tests: a product"):
        obj = Product(
            title=title,
            originator="us_agency",
            originator_agency="Test analysis cell (fictional)",
            category=8,
            topics=list(topics),
            regions=["Luzon Strait"],
            author=author,
            marking=StoredMarking.objects.intern(marking),
            banner=StoredMarking.objects.intern("SECRET//NOFORN"),
        )
        obj.save()
        for order, (mark, text) in enumerate(portions, start=1):
            Portion(
                product=obj, order=order, text=text, marking=StoredMarking.objects.intern(mark)
            ).save()
    return obj


def page(client: Client, q: str, **params: Any) -> Any:
    return client.get(reverse("intel:search"), {"q": q, **params})


@pytest.fixture
def assessment(cast: dict[str, Any]) -> Product:
    """Public metadata; a public portion, one released to Japan, and one for U.S. eyes only."""
    return product(
        cast["us.analyst"],
        [
            ("UNCLASSIFIED", "Survey vessels transit the strait every week."),
            ("SECRET//REL TO USA, JPN", "Japanese patrols track the survey vessels at night."),
            ("SECRET//NOFORN", "Zephyrine sensors track the survey vessels from the seabed."),
        ],
    )


# --- what is found ------------------------------------------------------------------------------


def test_a_search_that_matches_only_a_withheld_portion_returns_nothing_for_the_partner(
    cast, assessment
):
    for username in ("jpn.liaison", "phl.liaison"):
        results = search.search(cast[username], "zephyrine")
        assert (results.product_count, results.products) == (0, []), username
        response = page(client_for(cast[username]), "zephyrine")
        assert response.context["results"].product_count == 0
        assert b"Fictional strait assessment" not in response.content
        data = client_for(cast[username]).get(API, {"q": "zephyrine"}).json()
        assert data["products"] == {"count": 0, "results": []}


def test_the_same_search_finds_the_product_for_a_us_analyst(cast, assessment):
    results = search.search(cast["us.analyst"], "zephyrine")
    assert [hit.product.pk for hit in results.products] == [assessment.pk]
    assert "Zephyrine" in str(results.products[0].snippet)
    response = page(client_for(cast["us.analyst"]), "zephyrine")
    assert b"<mark>Zephyrine</mark>" in response.content


def test_a_partner_finds_a_product_by_a_portion_released_to_it(cast, assessment):
    results = search.search(cast["jpn.liaison"], "patrols")
    assert [hit.product.pk for hit in results.products] == [assessment.pk]
    assert search.search(cast["kor.liaison"], "patrols").product_count == 0


def test_snippets_never_include_withheld_text(cast, assessment):
    # "track" is in the Japanese portion and in the withheld one.
    client = client_for(cast["jpn.liaison"])
    response = page(client, "track")
    (hit,) = response.context["results"].products
    assert hit.portion.marking.text == "SECRET//REL TO USA, JPN"
    assert b"Zephyrine" not in response.content and b"seabed" not in response.content
    data = client.get(API, {"q": "track"}).json()
    (found,) = data["products"]["results"]
    assert found["snippet"]["portion_marking"] == "(S//REL TO USA, JPN)"
    assert "Zephyrine" not in str(data) and "seabed" not in str(data)


def test_metadata_matches_only_when_a_portion_is_visible(cast):
    product(cast["us.analyst"], [("SECRET//NOFORN", "Only for U.S. eyes.")], title="Quokka survey")
    assert search.search(cast["jpn.liaison"], "quokka").product_count == 0
    assert search.search(cast["us.analyst"], "quokka").product_count == 1


def test_metadata_the_viewer_may_not_see_is_not_searched(cast):
    product(
        cast["us.analyst"],
        [("UNCLASSIFIED", "A public paragraph.")],
        marking="SECRET//NOFORN",
        title="Wallaby assessment",
    )
    assert search.search(cast["jpn.liaison"], "wallaby").product_count == 0
    assert search.search(cast["jpn.liaison"], "public paragraph").product_count == 0


def test_the_product_banner_is_never_shown_since_it_rolls_up_withheld_portions(cast, assessment):
    response = page(client_for(cast["jpn.liaison"]), "survey")
    assert b"NOFORN" not in response.content
    data = client_for(cast["jpn.liaison"]).get(API, {"q": "survey"}).json()
    assert "banner" not in data["products"]["results"][0]
    assert "NOFORN" not in str(data)


def test_counts_are_counts_of_visible_hits(cast, assessment):
    product(cast["us.analyst"], [("SECRET//NOFORN", "Survey vessels again.")], title="Hidden")
    product(cast["us.analyst"], [("SECRET//REL TO USA, JPN", "Survey vessels for Japan.")])
    assert search.search(cast["jpn.liaison"], "survey vessels").product_count == 2
    assert search.search(cast["phl.liaison"], "survey vessels").product_count == 1
    assert search.search(cast["us.analyst"], "survey vessels").product_count == 3
    response = page(client_for(cast["phl.liaison"]), "survey vessels")
    assert b"1 product and 0 requirements match" in response.content


def test_every_word_must_match_metadata_or_one_visible_portion(cast, assessment):
    assert search.search(cast["jpn.liaison"], "patrols night").product_count == 1
    assert search.search(cast["jpn.liaison"], "patrols seabed").product_count == 0


def test_words_are_stemmed_on_both_databases(cast, assessment):
    assert search.search(cast["jpn.liaison"], "vessel").product_count == 1
    assert search.search(cast["jpn.liaison"], "transiting").product_count == 1


def test_query_syntax_is_never_passed_to_the_database(cast, assessment):
    for query in ('"survey', "survey OR zephyrine", "survey & !vessels", "NEAR(survey)", "*"):
        results = search.search(cast["jpn.liaison"], query)
        assert all(hit.product.pk == assessment.pk for hit in results.products), query
    assert search.terms("Survey-vessels: (OR) *") == ["survey", "vessels", "or"]


def test_requirements_are_found_by_their_visible_fields_only(cast):
    requirement(cast["us.analyst"], "SECRET//NOFORN", "Numbat collection for U.S. eyes.")
    requirement(cast["jpn.liaison"], "SECRET//REL TO USA, JPN", "Numbat patrols by Japan.")
    jpn = search.search(cast["jpn.liaison"], "numbat")
    assert jpn.requirement_count == 1
    assert jpn.requirements[0].requirement.nation_id == "JPN"
    assert search.search(cast["us.analyst"], "numbat").requirement_count == 2
    assert search.search(cast["kor.liaison"], "numbat").requirement_count == 0
    assert search.search(cast["jpn.liaison"], "luzon").requirement_count == 1  # by region


def test_one_kind_can_be_searched_alone(cast, assessment):
    requirement(cast["jpn.liaison"], "SECRET//REL TO USA, JPN", "Survey ships in the strait.")
    both = search.search(cast["jpn.liaison"], "survey")
    assert (both.product_count, both.requirement_count) == (1, 1)
    only = search.search(cast["jpn.liaison"], "survey", kinds=("requirements",))
    assert (only.product_count, only.requirement_count) == (0, 1)


def test_results_are_paged_by_rank(cast):
    for n in range(5):
        product(cast["us.analyst"], [("UNCLASSIFIED", "Dugong " * (n + 1) + "sighting.")])
    first = search.search(cast["jpn.liaison"], "dugong", limit=2)
    second = search.search(cast["jpn.liaison"], "dugong", offset=2, limit=2)
    assert first.product_count == second.product_count == 5
    seen = [h.product.pk for h in first.products + second.products]
    assert len(set(seen)) == 4
    ranks = [h.rank for h in first.products]
    assert ranks == sorted(ranks, reverse=True)


def test_many_matches_give_a_lower_bound_and_still_only_visible_hits(cast, monkeypatch):
    monkeypatch.setattr(search, "RANKED_MATCHES", 2)
    for _ in range(3):
        product(cast["us.analyst"], [("UNCLASSIFIED", "Manatee survey.")])
    product(cast["us.analyst"], [("SECRET//NOFORN", "Manatee, U.S. only.")], title="Hidden")
    results = search.search(cast["jpn.liaison"], "manatee")
    assert not results.product_count_exact
    assert 1 <= results.product_count <= 3
    assert all(hit.product.title != "Hidden" for hit in results.products)
    response = page(client_for(cast["jpn.liaison"]), "manatee")
    assert b"At least" in response.content


# --- the page and the API -------------------------------------------------------------------------


def test_the_search_page_without_a_query_shows_the_form_alone(cast, assessment):
    client = client_for(cast["jpn.liaison"])
    for params in ({}, {"q": ""}, {"q": "   "}, {"page": "2"}):
        response = client.get(reverse("intel:search"), params)
        assert response.status_code == 200
        assert response.context["results"] is None
        assert b'name="q"' in response.content


def test_a_query_of_punctuation_finds_nothing_and_says_so(cast):
    response = page(client_for(cast["jpn.liaison"]), "?!")
    assert response.status_code == 200
    assert b"Type one or more words" in response.content


def test_an_invalid_page_number_is_refused_gently(cast):
    response = page(client_for(cast["jpn.liaison"]), "survey", page="x")
    assert response.status_code == 400


def test_every_row_a_search_shows_is_recorded_for_the_banner_and_the_audit(cast, assessment):
    response = page(client_for(cast["jpn.liaison"]), "patrols")
    html = response.content.decode()
    banner = re.findall(r'<div class="allied-banner [^"]*">([^<]*)</div>', html)
    assert banner == ["SECRET//REL TO USA, JPN"] * 2
    reads = AuditEntry.objects.filter(action="read", actor_name="jpn.liaison")
    shown = {(kind, i) for kind, i, _ in audit.objects_named(reads)}
    assert ("intel.product", str(assessment.pk)) in shown
    assert any(kind == "intel.portion" for kind, _ in shown)


def test_htmx_asks_for_the_results_alone(cast, assessment):
    client = client_for(cast["jpn.liaison"])
    response = client.get(reverse("intel:search"), {"q": "patrols"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content and b"patrols" in response.content.lower()


def test_the_api_pages_each_kind_and_refuses_an_unknown_kind(cast, assessment):
    client = client_for(cast["jpn.liaison"])
    data = client.get(API, {"q": "survey", "limit": 1}).json()
    assert data["products"]["count"] == 1 and len(data["products"]["results"]) == 1
    assert client.get(API, {"q": "survey", "kind": "bulletins"}).status_code == 400
    assert client.get(API).json()["products"] == {"count": 0, "results": []}


# --- the two backends ----------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite FTS5 index")
def test_on_sqlite_the_index_follows_writes_and_repairs_dropped_triggers(cast, assessment):
    with system_access("tests: change a portion"):
        portion = Portion.objects.get(product=assessment, order=1)
        portion.text = "Axolotl sightings replace the old text."
        portion.save()
    assert search.search(cast["jpn.liaison"], "axolotl").product_count == 1
    assert search.search(cast["jpn.liaison"], "weekly").product_count == 0
    # A later migration that rebuilds the table drops its triggers: the next search puts them
    # back and rebuilds the index.
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER intel_search_portion_ai")
    assert search.ensure_sqlite_index() is True
    assert search.ensure_sqlite_index() is False
    product(cast["us.analyst"], [("UNCLASSIFIED", "Narwhal note.")])
    assert search.search(cast["jpn.liaison"], "narwhal").product_count == 1
    with system_access("tests: delete"):
        Product.objects.filter(title="Fictional strait assessment").delete()
    assert search.search(cast["jpn.liaison"], "axolotl").product_count == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL tsvector columns")
def test_on_postgresql_the_generated_documents_follow_writes(cast, assessment):
    with system_access("tests: change a portion"):
        portion = Portion.objects.get(product=assessment, order=1)
        portion.text = "Axolotl sightings replace the old text."
        portion.save()
    assert search.search(cast["jpn.liaison"], "axolotl").product_count == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE indexname IN "
            "('intel_portion_search_document', 'intel_product_search_document')"
        )
        assert cursor.fetchone()[0] == 2


def test_snippets_mark_the_matching_words_and_cut_long_text():
    text = " ".join(f"word{n}" for n in range(100)) + " vessels transiting, at night."
    cut = search.snippet(text, ["vessel", "transit"], width=10)
    assert cut.cut_before and not cut.cut_after
    assert [part for part, matched in cut.parts if matched] == ["vessels", "transiting"]
    assert str(cut).startswith("… ") and str(cut).endswith("night.")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level security and LEAKPROOF")
def test_a_leakproof_match_still_leaves_the_policy_in_charge(cast, assessment):
    """With ``db_roles --leakproof-search`` the index may serve ``@@`` before the policy, but
    what the application role gets back is still only what the policy lets through."""
    import io

    from django.core.management import call_command
    from django.db import transaction

    from allied.core.rls import APP_ROLE
    from allied.core.visibility import bind_viewer

    def leakproof() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT proleakproof FROM pg_proc WHERE proname = 'ts_match_vq' "
                "AND pg_get_function_identity_arguments(oid) = 'tsvector, tsquery'"
            )
            return bool(cursor.fetchone()[0])

    call_command("db_roles", "--leakproof-search", stdout=io.StringIO())
    try:
        assert leakproof()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f'SET LOCAL ROLE "{APP_ROLE}"')
                cursor.execute("SET LOCAL enable_seqscan = off")
            viewer = cast["jpn.liaison"].principal.viewer()
            bind_viewer(viewer, datetime.date.today())
            assert search.search(cast["jpn.liaison"], "zephyrine").product_count == 0
            assert search.search(cast["jpn.liaison"], "patrols").product_count == 1
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM intel_portion WHERE search_document @@ "
                    "plainto_tsquery('english', 'zephyrine')"
                )
                assert cursor.fetchone()[0] == 0
    finally:
        # SET LOCAL lasts until the test's own transaction ends, not the savepoint's.
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute("RESET enable_seqscan")
        call_command("db_roles", "--no-leakproof-search", stdout=io.StringIO())
    assert not leakproof()


# --- the search functions (PostgreSQL, migration intel 0008) ------------------------------------


def _as_app_role(viewer_user: Any | None):  # type: ignore[no-untyped-def]
    """A savepoint as the application role, with ``viewer_user`` bound for the policies (or no
    viewer at all)."""
    import contextlib

    from django.db import transaction

    from allied.core.rls import APP_ROLE, grant_app_role
    from allied.core.visibility import bind_viewer

    @contextlib.contextmanager
    def block():  # type: ignore[no-untyped-def]
        grant_app_role()
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(f'SET LOCAL ROLE "{APP_ROLE}"')
                if viewer_user is not None:
                    bind_viewer(viewer_user.principal.viewer(), datetime.date.today())
                yield
        finally:
            # SET LOCAL lasts until the test's own transaction ends, not the savepoint's.
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")
                for setting in ("allied.level", "allied.codes", "allied.accesses"):
                    cursor.execute("SELECT set_config(%s, '', true)", [setting])

    return block()


def _function_hits(function: str, marking_ids: list[int], words: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT product_id FROM {function}"
            "(%s::bigint[], plainto_tsquery('english'::regconfig, %s), 1000)",
            [marking_ids, words],
        )
        return {row[0] for row in cursor.fetchall()}


def _every_marking_id() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM core_marking")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level security")
def test_the_search_functions_return_nothing_for_markings_not_visible(cast, assessment):
    """Releasability (REL TO, NOFORN): the Japanese liaison may not see the NOFORN portion, and
    the function does not return it even when handed every marking id there is: the policy's
    own predicate, over the settings the application bound, still decides. With no viewer bound
    it returns nothing at all (fail closed, as the policy)."""
    noforn = product(
        cast["us.analyst"],
        [("SECRET//NOFORN", "Quillwort buoys moored off the cape.")],
        marking="SECRET//NOFORN",
        title="Quillwort survey",
    )
    every = _every_marking_id()
    with _as_app_role(cast["jpn.liaison"]):
        assert _function_hits("allied_search_portions", every, "zephyrine") == set()
        assert _function_hits("allied_search_portions", every, "quillwort") == set()
        assert _function_hits("allied_search_products", every, "quillwort") == set()
        # What the liaison may see is found (the check can fail).
        assert _function_hits("allied_search_portions", every, "patrols") == {assessment.pk}
    with _as_app_role(None):
        assert _function_hits("allied_search_portions", every, "survey") == set()
        assert _function_hits("allied_search_products", every, "strait") == set()
    with _as_app_role(cast["us.analyst"]):
        # The application's list narrows further: a U.S. viewer passing no NOFORN id gets none.
        others = [pk for pk in every if pk != noforn.marking_id]
        assert _function_hits("allied_search_portions", others, "quillwort") == set()
        assert _function_hits("allied_search_portions", every, "quillwort") == {noforn.pk}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level security")
def test_a_partner_gets_the_same_hits_through_the_functions_as_through_the_policy(cast, assessment):
    """The functions are a faster way to the same rows, not a wider one: for each query, the
    partner's hits and ranks through them equal what the restricted querysets return as the
    application role under row-level security."""
    product(
        cast["us.analyst"],
        [
            ("SECRET//REL TO USA, JPN", "Survey vessels and patrols near the cape."),
            ("SECRET//NOFORN", "Zephyrine survey of the cape."),
        ],
        marking="SECRET//REL TO USA, JPN",
        title="Cape survey",
    )
    backend = search.Backend("postgresql")
    user = cast["jpn.liaison"]
    with _as_app_role(user):
        products = Product.objects.visible_to(user)
        for words in (["survey"], ["patrols"], ["zephyrine"], ["cape"], ["strait"]):
            portions = Portion.objects.visible_to(user).filter(backend.matches(Portion, words))
            by_policy = {
                (pk, round(rank, 6))
                for pk, rank in portions.annotate(best=backend.rank(Portion, words)).values_list(
                    "product_id", "best"
                )
            }
            metadata = (
                products.with_visible_portions()
                .filter(backend.matches(Product, words))
                .annotate(best=backend.rank(Product, words))
                .values_list("pk", "best")
            )
            portion_rows, metadata_rows = search._pg_ranked(products, words, 1000, "default")
            assert {(pk, round(rank, 6)) for pk, rank in portion_rows} == by_policy, words
            assert {(pk, round(rank, 6)) for pk, rank in metadata_rows} == {
                (pk, round(rank, 6)) for pk, rank in metadata
            }, words
        assert search.search(user, "zephyrine").product_count == 0
        assert search.search(user, "patrols").product_count == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles")
def test_only_the_application_role_may_execute_the_search_functions(cast):
    import io

    from django.core.management import call_command

    from allied.core.rls import APP_ROLE, SEARCH_FUNCTIONS, SEARCH_ROLE

    call_command("db_roles", stdout=io.StringIO())
    with connection.cursor() as cursor:
        for function in SEARCH_FUNCTIONS:
            cursor.execute(
                "SELECT has_function_privilege(%s, %s, 'EXECUTE'), "
                "pg_get_userbyid(proowner), prosecdef, proconfig, "
                "coalesce(array_to_string(proacl, ','), '') "
                "FROM pg_proc WHERE oid = to_regprocedure(%s)",
                [APP_ROLE, function, function],
            )
            app_may, owner, definer, config, acl = cursor.fetchone()
            assert app_may and definer and owner == SEARCH_ROLE
            assert "search_path=pg_catalog, pg_temp" in config
            # No grant to PUBLIC ("=X/..."): only named roles may call it.
            assert not any(entry.startswith("=") for entry in acl.split(",") if entry)
