"""On PostgreSQL, the people tables sit behind row-level security as every marked table does:
run as the unprivileged application role, the database itself hides what the viewer may not see."""

from datetime import date

import pytest
from django.db import connection, transaction

from allied.people import ties
from allied.people.rules.coverage import Status

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row-level security is PostgreSQL"
    ),
]


def as_app_role(run):
    from allied.core.rls import APP_ROLE, grant_app_role

    grant_app_role()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{APP_ROLE}"')
        try:
            return run(cursor)
        finally:
            cursor.execute("RESET ROLE")


def test_the_database_hides_the_noforn_meeting_from_india_and_shows_it_to_the_us(demo):
    from allied.core.visibility import viewer_settings

    def count_as(username):
        viewer = demo[username].principal.viewer()

        def run(cursor):
            for name, value in viewer_settings(viewer, date.today()).items():
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
            cursor.execute(
                "SELECT count(*) FROM people_paircontact p JOIN people_contact c "
                "ON c.id = p.contact_id WHERE c.title LIKE 'Restricted consultation%%'"
            )
            return cursor.fetchone()[0]

        return as_app_role(run)

    assert count_as("ind.liaison") == 0
    assert count_as("us.planner") == 1


def test_coverage_as_the_application_role_is_what_the_core_computes(demo):
    viewer = demo["ind.liaison"].principal.viewer()

    def run(cursor):
        data = ties.compute(viewer)
        return [r.status for r in data.results]

    assert as_app_role(run) == [Status.NEVER_MET]
    us = demo["us.planner"].principal.viewer()
    assert sorted(
        s.value for s in as_app_role(lambda c: [r.status for r in ties.compute(us).results])
    ) == sorted(["covered", "never_met", "covered", "stale", "covered", "covered"])
