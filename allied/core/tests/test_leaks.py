"""Leak tests that guard every module: meta-tests over models and URLs, and a canary crawl.

They enumerate what exists rather than listing it, so a new marked model, page, API endpoint or
export is covered without being asked; and they are shown to fail when a guard is removed.
"""

from __future__ import annotations

import os
from unittest import mock

import pytest
from django.db import connection, models
from django.test import Client

from allied.core.models.marked import MarkedModel, MarkedQuerySet, marked_models
from allied.core.testing import leaks

# Views that show no marked content at all. Anything else must be restricted (a restricted
# class-based view or viewset, or a function view marked with @restricted_view).
UNMARKED_VIEWS = frozenset(
    {
        "login",
        "logout",
        "institutions",
        "schema",
        "api-docs",
        "api-root",
        "nation-list",
        "nation-detail",
        "community-list",
        "community-detail",
        "axes-locked-out",
    }
)


def test_every_marked_model_has_a_canary_factory():
    assert leaks.missing_factories() == []


def test_every_marked_model_refuses_unscoped_queries_through_every_manager():
    assert marked_models(), "no marked model found"
    for model in marked_models():
        for manager in (model._default_manager, model._base_manager):
            assert isinstance(manager.get_queryset(), MarkedQuerySet), (model, manager)


def test_only_marked_models_point_at_marked_models():
    """A plain model joined to a marked one would carry its rows past the guard."""
    from django.apps import apps

    offenders = []
    for model in apps.get_models():
        if issubclass(model, MarkedModel):
            continue
        for field in model._meta.get_fields():
            target = getattr(field, "related_model", None)
            concrete = isinstance(field, (models.ForeignKey, models.OneToOneField,
                                          models.ManyToManyField))  # fmt: skip
            if concrete and isinstance(target, type) and issubclass(target, MarkedModel):
                offenders.append(f"{model._meta.label}.{field.name}")
    assert offenders == []


def test_every_url_either_is_restricted_or_shows_nothing_marked():
    unrestricted = []
    for route in leaks.routes():
        view = route.view_class or route.callback
        if getattr(view, "allied_restricted", False):
            continue
        model = route.model
        if isinstance(model, type) and issubclass(model, MarkedModel):
            unrestricted.append(f"{route.regex} shows {model._meta.label} unrestricted")
        elif route.name not in UNMARKED_VIEWS:
            unrestricted.append(f"{route.regex} ({route.name}) is neither restricted nor declared")
    assert unrestricted == []


TAXII_IDS = "TAXII ids: leaks.crawl_taxii walks every collection and asks for canaries' objects"
#: Routes with a parameter whose model the crawl cannot know, and what covers them instead.
PARAMETERISED_WITHOUT_MODEL = {
    "nation-detail": "unmarked: the public registry, by ISO code",
    "community-detail": "unmarked: the public registry, by code",
    "taxii-collection": TAXII_IDS,
    "taxii-objects": TAXII_IDS,
    "taxii-manifest": TAXII_IDS,
    "taxii-object": TAXII_IDS,
    "taxii-object-versions": TAXII_IDS,
}


def test_every_route_with_a_parameter_names_its_model_so_the_crawl_can_fill_it():
    """The crawl fills a route's parameter with the ids of the canaries of the route's model; a
    route whose model it cannot tell would only ever be asked for an id that names nothing."""
    leaks.autodiscover()
    unknown = sorted(
        str(route.name)
        for route in leaks.routes()
        if route.params
        and "format" not in route.params
        and route.model not in leaks.CANARY_FACTORIES
        and route.name not in PARAMETERISED_WITHOUT_MODEL
    )
    assert unknown == []


@pytest.fixture
def planted(cast):
    return leaks.plant()


def crawl_as(username, cast, planted, *, only="/"):
    user = cast[username]
    client = Client()
    client.force_login(user)
    viewer = user.principal.viewer()
    schema_paths = leaks.schema_get_paths(client)
    return leaks.crawl(client, username, viewer, planted, schema_paths=schema_paths, only=only)


CAST = [
    "us.analyst", "us.fdo", "us.casemgr", "us.planner", "wg.member", "us.admin",
    "jpn.liaison", "kor.liaison", "aus.liaison", "phl.liaison", "ind.liaison", "gbr.liaison",
]  # fmt: skip


#: On PostgreSQL the crawl runs as half the cast: U.S. people and partners, Five Eyes and not,
#: at several clearances. The suite connects as a superuser there, so the crawl exercises the same
#: views and querysets as on SQLite, and row-level security has its own tests as the application
#: role. SQLite crawls everyone, or, when CI runs both databases (``ALLIED_CRAWL_SPLIT=1``), the
#: other half, so that each person is crawled once per CI run. ``make test-leaks`` crawls all
#: twelve on PostgreSQL.
POSTGRES_CRAWL = ("us.analyst", "us.planner", "us.admin", "aus.liaison", "phl.liaison",
                  "ind.liaison")  # fmt: skip


def crawled_here(username: str) -> bool:
    if connection.vendor == "postgresql":
        return username in POSTGRES_CRAWL or bool(os.environ.get("ALLIED_FULL_CRAWL"))
    return username not in POSTGRES_CRAWL or not os.environ.get("ALLIED_CRAWL_SPLIT")


ELSEWHERE = "crawled on the other database in this run (all here with ALLIED_FULL_CRAWL=1)"
CRAWLED = [pytest.param(u, marks=pytest.mark.skipif(not crawled_here(u), reason=ELSEWHERE))
           for u in CAST]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("username", CRAWLED)
def test_no_canary_reaches_anyone_it_must_not(username, cast, planted):
    findings = crawl_as(username, cast, planted)
    assert [str(f) for f in findings] == []


@pytest.mark.django_db
def test_the_crawl_sees_what_each_person_may_see(cast, planted):
    """The crawl is not blind: the Japanese liaison finds the canaries released to Japan."""
    client = Client()
    client.force_login(cast["jpn.liaison"])
    allowed = [c for c in planted.canaries if c.marking == "SECRET//REL TO USA, JPN"]
    body = client.get("/api/bulletins/?limit=1000").content.decode()
    assert any(c.text in body for c in allowed)


#: The crawl's own mutation tests show it can fail; that is a property of the crawl, not of the
#: database, so they run on SQLite only (on PostgreSQL each took about two minutes of CI).
crawl_mutation = pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="the crawl's ability to fail is shown on SQLite",
)


@crawl_mutation
@pytest.mark.django_db
def test_the_crawl_fails_when_the_queryset_guard_is_removed(cast, planted):
    """Remove the core's decision (every marking visible): the crawl must report leaks."""
    from allied.core.models import marked

    everything = lambda viewer, *, export=False, using=None: list(marked._CACHE.refresh(using))  # noqa: E731
    with mock.patch.object(marked, "visible_marking_ids", everything):
        # The bulletin pages are enough to show it: the crawl is the same code everywhere.
        findings = crawl_as("jpn.liaison", cast, planted, only="/bulletins/")
    assert any("shows canary of SECRET//NOFORN" in str(f) for f in findings)


@crawl_mutation
@pytest.mark.django_db
def test_the_crawl_fails_when_a_view_bypasses_the_restricted_base(cast, planted):
    """A view that reads its rows under system access instead of the viewer's scope leaks."""
    from allied.core import restricted
    from allied.core.models import Bulletin
    from allied.markings import Level
    from allied.markings.access import Viewer

    def unrestricted(self):
        # The bug: restricting for a cleared U.S. viewer instead of the person asking.
        return Bulletin.objects.visible_to(Viewer("USA", Level.TS, frozenset({"SI", "SI-G"})))

    with mock.patch.object(restricted.RestrictedMixin, "get_queryset", unrestricted):
        findings = crawl_as("phl.liaison", cast, planted, only="/bulletins/")
    assert any("/bulletins/" in f.url for f in findings)


# --- exports: DISPLAY ONLY never leaves through a machine-readable surface -----------------------


@pytest.fixture
def reference_client(cast):
    """A client that reads every canary, whose TAXII feed names the objects others must not get."""
    client = Client()
    client.force_login(cast["us.analyst"])
    return client


def crawl_taxii_as(username, cast, planted, reference):
    user = cast[username]
    client = Client()
    client.force_login(user)
    return leaks.crawl_taxii(client, username, user.principal.viewer(), planted,
                             reference=reference)  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("username", CRAWLED)
def test_no_canary_reaches_anyone_through_any_page_of_taxii(
    username, cast, planted, reference_client
):
    """Both collections, objects and manifest, every page (``next``), after ``added_after``,
    each object's own URL: an export, so no DISPLAY ONLY either (rule 24(f))."""
    findings = crawl_taxii_as(username, cast, planted, reference_client)
    assert [str(f) for f in findings] == []


@pytest.mark.django_db
def test_the_taxii_crawl_sees_what_it_may(cast, planted):
    """Not blind: Japan's feed carries the canaries released to Japan, on more than one page."""
    client = Client()
    client.force_login(cast["jpn.liaison"])
    seen: list[dict] = []
    products = next(
        c["id"]
        for c in client.get(leaks.TAXII_COLLECTIONS).json()["collections"]
        if c["title"] == "Allied intelligence products"
    )
    leaks._taxii_pages(client, f"{leaks.TAXII_COLLECTIONS}{products}/objects/", {},
                       lambda url, response: None, seen)  # fmt: skip
    allowed = [c.text for c in planted.canaries if c.marking == "SECRET//REL TO USA, JPN"]
    assert len(seen) > leaks.TAXII_PAGE
    assert any(text in repr(seen) for text in allowed)


# --- banners and audit entries of what each response shows ------------------------------------


@pytest.mark.parametrize(
    ("banner", "shown", "short"),
    [
        # Rule 28: a banner may be more restrictive than what it rolls up, never less.
        ("SECRET//NOFORN", "SECRET//REL TO USA, JPN", []),
        ("TOP SECRET//REL TO USA, JPN", "SECRET//REL TO USA, JPN, KOR", []),
        # Rule 18: the highest classification shown.
        ("CONFIDENTIAL//NOFORN", "SECRET//NOFORN", ["CONFIDENTIAL is lower than SECRET"]),
        # Rule 19: every SCI control system shown.
        ("TOP SECRET//NOFORN", "TOP SECRET//SI-G//NOFORN", ["drops SCI SI, SI-G"]),
        # Rule 21: other dissemination controls are a union.
        ("UNCLASSIFIED", "UNCLASSIFIED//FISA",
         ["drops FISA", "releases to more foreign audiences"]),
        # Rule 24(b): a REL TO banner lists only nations every portion releases to.
        ("SECRET//REL TO USA, JPN, KOR", "SECRET//REL TO USA, JPN",
         ["releases to more foreign audiences"]),
        # Rule 24(c): NOFORN with RELIDO stays NOFORN, though neither releases to anyone.
        ("SECRET//RELIDO", "SECRET//NOFORN", ["drops NOFORN"]),
        # Rule 24(f): DISPLAY ONLY is never released; NOFORN is stricter still.
        ("CONFIDENTIAL//REL TO USA, JPN", "CONFIDENTIAL//DISPLAY ONLY JPN",
         ["releases to more foreign audiences"]),
        ("CONFIDENTIAL//DISPLAY ONLY JPN, KOR", "CONFIDENTIAL//DISPLAY ONLY JPN",
         ["releases to more foreign audiences"]),
        ("CONFIDENTIAL//NOFORN", "CONFIDENTIAL//DISPLAY ONLY JPN", []),
    ],
)  # fmt: skip
def test_a_banner_is_at_least_as_restrictive_as_what_it_shows(banner, shown, short):
    from allied.markings import parse

    assert leaks.banner_shortfalls(parse(banner), parse(shown)) == short


@crawl_mutation
@pytest.mark.django_db
def test_the_crawls_fail_when_the_export_rule_is_removed(cast, planted, reference_client):
    """Treat every response as a page (no export rule): DISPLAY ONLY JPN reaches Japan's liaison
    through TAXII and the API, and the crawls say so."""
    from allied.core import restricted

    with mock.patch.object(restricted, "is_export", lambda request: False):
        taxii = crawl_taxii_as("jpn.liaison", cast, planted, reference_client)
        api = crawl_as("jpn.liaison", cast, planted, only="/api/bulletins/")
    leak = "shows canary of CONFIDENTIAL//DISPLAY ONLY JPN"
    assert any(leak in str(f) for f in taxii)
    assert any(leak in str(f) and f.url.startswith("/api/") for f in api)


@crawl_mutation
@pytest.mark.django_db
def test_the_crawl_fails_when_a_banner_is_lower_than_what_the_page_shows(cast, planted):
    """Roll every banner up to UNCLASSIFIED: the pages that show marked bulletins are reported."""
    from allied.core import restricted
    from allied.markings import parse

    with mock.patch.object(restricted.ShownMarkings, "banner",
                           lambda self, viewer=None: parse("UNCLASSIFIED")):  # fmt: skip
        findings = crawl_as("jpn.liaison", cast, planted, only="/bulletins/")
    banner = [str(f) for f in findings if "banner check" in str(f)]
    assert any(
        "GET /bulletins/" in f and "SECRET//REL TO USA, JPN (core.Bulletin" in f for f in banner
    )
    unpatched = crawl_as("jpn.liaison", cast, planted, only="/bulletins/")
    assert [str(f) for f in unpatched if "banner check" in str(f)] == []


@crawl_mutation
@pytest.mark.django_db
def test_the_crawl_fails_when_a_read_is_not_audited(cast, planted):
    """Record no read of bulletins: every response that shows one is reported."""
    from allied.core import audit
    from allied.core.models import Bulletin

    record_reads = audit.record_reads

    def forgetful(actor, objects):
        return record_reads(actor, [o for o in objects if not isinstance(o, Bulletin)])

    with mock.patch.object(audit, "record_reads", forgetful):
        findings = crawl_as("jpn.liaison", cast, planted, only="/bulletins/")
    unaudited = [str(f) for f in findings if "audit check" in str(f)]
    assert any("GET /bulletins/" in f and "core.Bulletin" in f for f in unaudited)
    unpatched = crawl_as("jpn.liaison", cast, planted, only="/bulletins/")
    assert [str(f) for f in unpatched if "audit check" in str(f)] == []


def test_the_crawl_reads_the_text_of_a_pdf():
    """ReportLab compresses page streams: a canary in a PDF is found only once they are read."""
    import io

    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    out = io.BytesIO()
    SimpleDocTemplate(out).build(
        [Paragraph("Row CANARY0123456789AB", getSampleStyleSheet()["BodyText"])]
    )
    assert b"CANARY0123456789AB" not in out.getvalue()
    assert "CANARY0123456789AB" in leaks.readable(out.getvalue(), "application/pdf")


@pytest.mark.django_db
def test_an_audit_entry_must_name_each_row_shown_and_an_export_needs_its_own():
    from datetime import date

    from allied.core.models import Bulletin
    from allied.markings import Level
    from allied.markings.access import Viewer

    canary = leaks.Canary(Bulletin, 7, "SECRET", "CANARY0123456789AB")
    planted = leaks.Planted([canary], rows={canary.text: frozenset({"core.bulletin:7"})})
    checks = leaks.ResponseChecks("us.analyst", Viewer("USA", Level.TS), planted, date.today())
    read = [("read", "core.bulletin", "7", {})]
    feed = [("read", "people.coverage", "feed page of 1",
             {"objects_by_marking": {"SECRET": ["core.bulletin:7"]}})]  # fmt: skip
    assert checks.audit_problems([canary], read, export=False) == []
    assert checks.audit_problems([canary], feed, export=False) == []
    # A feed entry may list bare primary keys of its object type (the arms analytics page does).
    by_key = {"objects_by_marking": {"SECRET": ["7"]}}
    keys = [("read", "core.bulletin", "feed page of 1", by_key)]
    assert checks.audit_problems([canary], keys, export=False) == []
    elsewhere = [("read", "core.other", "feed page of 1", by_key)]
    assert checks.audit_problems([canary], elsewhere, export=False) != []
    other = checks.audit_problems([canary], [("read", "core.bulletin", "8", {})], export=False)
    assert other == ["audit check: no audit entry for rows shown: SECRET (core.Bulletin 7)"]
    assert checks.audit_problems([canary], read, export=True) == [
        "audit check: an export with no export entry, of SECRET (core.Bulletin 7)"
    ]
    exported = [*read, ("export", "core.bulletin", "7", {})]
    assert checks.audit_problems([canary], exported, export=True) == []
