"""Marked models fail closed: no viewer, no rows; a viewer sees only what the core releases."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from allied.core import audit
from allied.core.models import (
    Bulletin,
    NotVisibleAfterWrite,
    StoredMarking,
    UnscopedQueryError,
    system_access,
)
from allied.core.models.marked import save_visible, visible_marking_ids
from allied.markings import Level
from allied.markings.access import Membership, Viewer, compile_viewer

pytestmark = pytest.mark.django_db

JPN = Viewer("JPN", Level.S)
JPN_CONFIDENTIAL = Viewer("JPN", Level.C)
GBR_IN_NATO = Viewer("GBR", Level.TS, memberships=(Membership("NATO", date(1949, 4, 4)),))
US_ANALYST = Viewer("USA", Level.TS, frozenset({"SI", "SI-G"}))
MARKINGS = {
    "noforn": "SECRET//NOFORN",
    "rel_jpn": "SECRET//REL TO USA, JPN",
    "rel_fvey": "SECRET//REL TO USA, FVEY",
    "rel_nato": "CONFIDENTIAL//REL TO USA, NATO",
    "public": "UNCLASSIFIED",
    "sci": "TOP SECRET//SI-G//NOFORN",
    "display_jpn": "CONFIDENTIAL//DISPLAY ONLY JPN",
}


@pytest.fixture
def author():
    return get_user_model().objects.create_user("author", password="not-used-here-123")


@pytest.fixture
def bulletins(author):
    made = {}
    for key, text in MARKINGS.items():
        bulletin = Bulletin(title=f"canary-{key}", body=f"body of {key}", author=author)
        bulletin.set_marking(text)
        bulletin.save()
        made[key] = bulletin
    return made


def titles(queryset):
    return {b.title.removeprefix("canary-") for b in queryset}


@pytest.mark.parametrize(
    "evaluate",
    [
        pytest.param(list, id="list"),
        pytest.param(lambda qs: qs.count(), id="count"),
        pytest.param(lambda qs: qs.exists(), id="exists"),
        pytest.param(lambda qs: qs.first(), id="first"),
        pytest.param(lambda qs: qs.get(title="canary-noforn"), id="get"),
        pytest.param(lambda qs: list(qs.values("title")), id="values"),
        pytest.param(lambda qs: list(qs.values_list("title", flat=True)), id="values_list"),
        pytest.param(lambda qs: list(qs.iterator()), id="iterator"),
        pytest.param(
            lambda qs: qs.aggregate(n=__import__("django").db.models.Count("pk")), id="agg"
        ),
        pytest.param(lambda qs: qs.update(title="x"), id="update"),
        pytest.param(lambda qs: qs.delete(), id="delete"),
        pytest.param(lambda qs: qs.in_bulk(), id="in_bulk"),
        pytest.param(lambda qs: len(qs.filter(title__startswith="canary")), id="filtered"),
        pytest.param(bool, id="bool"),
    ],
)
def test_a_marked_queryset_without_a_viewer_refuses_to_run(bulletins, evaluate):
    with pytest.raises(UnscopedQueryError):
        evaluate(Bulletin.objects.all())


def test_the_error_says_how_to_restrict_the_queryset(bulletins):
    with pytest.raises(UnscopedQueryError, match=r"visible_to\(viewer\)"):
        list(Bulletin.objects.filter(title="canary-public"))


def test_japan_sees_only_what_is_released_or_disclosed_to_japan(bulletins):
    assert titles(Bulletin.objects.visible_to(JPN)) == {"rel_jpn", "public", "display_jpn"}


def test_clearance_limits_a_foreign_viewer_too(bulletins):
    assert titles(Bulletin.objects.visible_to(JPN_CONFIDENTIAL)) == {"public", "display_jpn"}


def test_a_community_member_sees_what_is_released_to_the_community(bulletins):
    assert titles(Bulletin.objects.visible_to(GBR_IN_NATO)) == {"rel_fvey", "rel_nato", "public"}


def test_community_membership_counts_only_from_the_day_it_began(bulletins):
    seen = titles(Bulletin.objects.visible_to(GBR_IN_NATO, on=date(1949, 4, 3)))
    assert "rel_nato" not in seen


def test_a_us_person_sees_noforn_but_still_needs_sci_access(bulletins):
    seen = titles(Bulletin.objects.visible_to(US_ANALYST))
    assert seen == set(MARKINGS)
    no_sci = Viewer("USA", Level.TS)
    assert "sci" not in titles(Bulletin.objects.visible_to(no_sci))


def test_display_only_rows_are_visible_but_not_exportable(bulletins):
    assert "display_jpn" in titles(Bulletin.objects.visible_to(JPN))
    assert "display_jpn" not in titles(Bulletin.objects.visible_to(JPN, export=True))


def test_a_hidden_row_answers_exactly_like_a_missing_one(bulletins):
    visible = Bulletin.objects.visible_to(JPN)
    with pytest.raises(Bulletin.DoesNotExist):
        visible.get(pk=bulletins["noforn"].pk)
    with pytest.raises(Bulletin.DoesNotExist):
        visible.get(pk=10**9)


def test_counts_and_existence_are_restricted_too(bulletins):
    assert Bulletin.objects.visible_to(JPN).count() == 3
    assert not Bulletin.objects.visible_to(JPN).filter(title="canary-noforn").exists()


def test_restriction_survives_chaining(bulletins):
    chained = Bulletin.objects.visible_to(JPN).filter(title__startswith="canary").order_by("pk")
    assert titles(chained.exclude(title="canary-public")) == {"rel_jpn", "display_jpn"}


def test_system_access_needs_a_reason():
    with pytest.raises(ValueError), system_access(""):
        pass  # pragma: no cover


def test_system_access_reads_everything_and_only_inside_its_context(bulletins):
    with system_access("test: count every bulletin"):
        assert Bulletin.objects.count() == len(MARKINGS)
    with pytest.raises(UnscopedQueryError):
        Bulletin.objects.count()


def test_saving_and_refreshing_a_held_row_needs_no_viewer(bulletins):
    bulletin = bulletins["noforn"]
    bulletin.title = "renamed"
    bulletin.save()
    bulletin.refresh_from_db()
    assert bulletin.title == "renamed"


def test_a_write_the_author_could_not_read_back_is_rolled_back(author):
    bulletin = Bulletin(title="japanese liaison tries NOFORN", body="...", author=author)
    bulletin.set_marking("SECRET//NOFORN")
    with pytest.raises(NotVisibleAfterWrite):
        save_visible(bulletin, JPN)
    with system_access("test: the write left nothing"):
        assert not Bulletin.objects.filter(title="japanese liaison tries NOFORN").exists()


def test_a_write_the_author_can_read_back_is_kept(author):
    bulletin = Bulletin(title="released to Japan", body="...", author=author)
    bulletin.set_marking("SECRET//REL TO USA, JPN")
    save_visible(bulletin, JPN)
    assert Bulletin.objects.visible_to(JPN).filter(pk=bulletin.pk).exists()


def test_an_invalid_marking_is_refused_before_anything_is_stored(author):
    bulletin = Bulletin(title="bad", body="...", author=author)
    with pytest.raises(ValueError, match="rule 8"):
        bulletin.set_marking("SECRET//REL TO GBR, USA")
    assert not StoredMarking.objects.filter(text__contains="GBR, USA").exists()


def test_each_distinct_marking_is_stored_once(bulletins, author):
    again = Bulletin(title="again", body="...", author=author)
    again.set_marking("SECRET//REL TO USA, JPN")
    assert again.marking_id == bulletins["rel_jpn"].marking_id
    assert StoredMarking.objects.count() == len(MARKINGS)


def test_the_stored_columns_are_the_cores_compiled_form(bulletins):
    row = StoredMarking.objects.get(text="CONFIDENTIAL//DISPLAY ONLY JPN")
    assert (row.level, row.view_all, row.view_codes, row.export_codes) == (
        1, False, ["JPN", "USA"], ["USA"],
    )  # fmt: skip
    public = StoredMarking.objects.get(text="UNCLASSIFIED")
    assert public.view_all and public.export_all


def test_the_visible_ids_are_the_cores_decision(bulletins):
    # The process cache may still know markings of earlier tests' rows; they match no row here.
    stored = set(StoredMarking.objects.values_list("pk", flat=True))
    ids = set(visible_marking_ids(compile_viewer(JPN, date.today()))) & stored
    expected = {bulletins[k].marking_id for k in ("rel_jpn", "public", "display_jpn")}
    assert ids == expected


# --- PostgreSQL row-level security, tested as the unprivileged application role ---------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row-level security is a PostgreSQL feature"
)


def as_app_role(sql, settings=None):
    """Run ``sql`` as the application role inside a transaction, with optional viewer settings."""
    from allied.core.rls import APP_ROLE, grant_app_role

    grant_app_role()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{APP_ROLE}"')
        for name, value in (settings or {}).items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        cursor.execute(sql)
        rows = cursor.fetchall()
        cursor.execute("RESET ROLE")
    return rows


@postgres_only
def test_every_marked_table_is_forced_behind_the_policy():
    from allied.core.models.marked import marked_models
    from allied.core.rls import POLICY

    with connection.cursor() as cursor:
        for model in marked_models():
            table = model._meta.db_table
            cursor.execute(
                "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = %s",
                [table],
            )
            assert cursor.fetchone() == (True, True), table
            cursor.execute(
                "SELECT count(*) FROM pg_policies WHERE tablename = %s AND policyname = %s",
                [table, POLICY],
            )
            assert cursor.fetchone() == (1,), table


@postgres_only
def test_the_database_shows_nothing_when_no_viewer_is_set(bulletins):
    assert as_app_role("SELECT count(*) FROM core_bulletin") == [(0,)]


@postgres_only
def test_the_database_shows_a_viewer_what_the_core_shows_it(bulletins):
    from allied.core.visibility import viewer_settings

    for viewer in (JPN, JPN_CONFIDENTIAL, GBR_IN_NATO, US_ANALYST):
        rows = as_app_role("SELECT title FROM core_bulletin", viewer_settings(viewer, date.today()))
        assert {t for (t,) in rows} == {b.title for b in Bulletin.objects.visible_to(viewer)}


@postgres_only
def test_the_database_refuses_to_insert_a_row_its_writer_may_not_see(bulletins, author):
    from django.db import DatabaseError

    from allied.core.visibility import viewer_settings

    noforn = bulletins["noforn"].marking_id
    sql = (
        "INSERT INTO core_bulletin (title, body, author_id, created, marking_id) "
        f"VALUES ('x', 'y', {author.pk}, now(), {noforn}) RETURNING id"
    )
    with pytest.raises(DatabaseError, match="row-level security"):
        as_app_role(sql, viewer_settings(JPN, date.today()))


@postgres_only
def test_the_database_lets_system_access_through(bulletins):
    from allied.core.visibility import SETTING_SYSTEM

    rows = as_app_role("SELECT count(*) FROM core_bulletin", {SETTING_SYSTEM: "on"})
    assert rows == [(len(MARKINGS),)]


# --- pages and API: restricted at the base, writes re-checked and audited --------------------


@pytest.fixture
def demo(cast):
    from allied.core import demo_content

    demo_content.seed()
    return cast


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_a_japanese_liaison_cannot_write_a_noforn_bulletin_through_the_api(demo):
    from allied.core.models.audit import AuditEntry

    before = AuditEntry.objects.filter(action="write").count()
    response = client_for(demo["jpn.liaison"]).post(
        "/api/bulletins/",
        {"title": "t", "body": "b", "marking": "SECRET//NOFORN"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "nothing was saved" in response.json()["marking"][0]
    with system_access("test: nothing was written"):
        assert not Bulletin.objects.filter(title="t").exists()
    assert AuditEntry.objects.filter(action="write").count() == before


def test_an_invalid_marking_gets_every_problem_and_the_fix_on_its_field(demo):
    response = client_for(demo["us.analyst"]).post(
        "/api/bulletins/",
        {"title": "t", "body": "b", "marking": "SECRET//REL TO GBR, USA"},
        content_type="application/json",
    )
    assert response.status_code == 400
    errors = response.json()["marking"]
    assert any("USA must come first (rule 8)" in e for e in errors)
    assert "canonical form: SECRET//REL TO USA, GBR" in errors


def test_a_write_through_the_api_is_audited_with_its_marking(demo):
    from allied.core.models.audit import AuditEntry

    response = client_for(demo["us.analyst"]).post(
        "/api/bulletins/",
        {"title": "audited", "body": "b", "marking": "SECRET//REL TO USA, JPN"},
        content_type="application/json",
    )
    assert response.status_code == 201
    entry = AuditEntry.objects.filter(action="write").latest("id")
    assert (entry.actor_name, entry.marking, entry.object_id) == (
        "us.analyst", "SECRET//REL TO USA, JPN", str(response.json()["id"]),
    )  # fmt: skip


def test_a_write_through_the_page_form_is_refused_with_a_clear_error(demo):
    response = client_for(demo["phl.liaison"]).post(
        "/bulletins/new/", {"title": "t", "body": "b", "marking": "SECRET//REL TO USA, PHL"}
    )
    assert response.status_code == 400
    assert "You could not read a bulletin with this marking" in response.content.decode()


def test_reading_a_page_audits_each_marked_row_shown(demo):
    from allied.core.models.audit import AuditEntry

    client_for(demo["kor.liaison"]).get("/bulletins/")
    reads = AuditEntry.objects.filter(action="read", actor_name="kor.liaison")
    read = {marking for _, _, marking in audit.objects_named(reads)}
    assert read == {
        "UNCLASSIFIED",
        "SECRET//REL TO USA, KOR",
        "CONFIDENTIAL//DISPLAY ONLY JPN, KOR",
    }


@postgres_only
def test_db_roles_creates_an_application_role_the_policies_apply_to():
    from django.core.management import call_command

    call_command("db_roles", stdout=__import__("io").StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'allied_app'")
        assert cursor.fetchone() == (False, False)
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = 'allied_owner'")
        assert cursor.fetchone() == (1,)


@postgres_only
def test_a_write_as_the_application_role_passes_the_policy_for_its_author(author):
    """The viewer is bound before the first insert, so the WITH CHECK policy admits the write."""
    from allied.core.rls import APP_ROLE, grant_app_role

    grant_app_role()
    bulletin = Bulletin(title="written as the app role", body="...", author=author)
    bulletin.set_marking("SECRET//REL TO USA, JPN")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'SET LOCAL ROLE "{APP_ROLE}"')
        save_visible(bulletin, JPN)
        assert Bulletin.objects.visible_to(JPN).filter(pk=bulletin.pk).exists()
