"""The viewer's settings are sent once per transaction, and never believed sent when they are not.

``bind_viewer`` skips the ``set_config`` round trip when the same settings are already in force in
the current transaction. Getting that wrong either way is a fault: believing settings applied that
a commit, a rollback or a rolled-back savepoint has undone shows the next request nothing (the
policies fail closed) or, on a pooled connection, would tempt a design that keeps session state;
sending a different viewer's settings late would show one person another's rows. These tests run
real transactions on one connection (``transaction=True``), as successive requests on a kept or
pooled connection do.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from allied.core.visibility import SETTING_CODES, SETTING_LEVEL, bind_viewer, viewer_settings

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row-level security settings are PostgreSQL's"
    ),
]

TODAY = datetime.date.today()


class Rollback(Exception):
    pass


def in_force() -> tuple[str | None, str | None]:
    """The viewer settings the policies would read now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting(%s, true), current_setting(%s, true)",
            [SETTING_LEVEL, SETTING_CODES],
        )
        row = cursor.fetchone()
    return row[0] or None, row[1] or None


def expected(viewer):
    values = viewer_settings(viewer, TODAY)
    return values[SETTING_LEVEL], values[SETTING_CODES]


def sends(viewer) -> int:
    """Bind ``viewer``; the number of statements it sent."""
    with CaptureQueriesContext(connection) as captured:
        bind_viewer(viewer, TODAY)
    return len(captured)


@pytest.fixture
def viewers(cast):
    return cast["us.analyst"].principal.viewer(), cast["jpn.liaison"].principal.viewer()


def test_a_second_restricted_query_of_a_transaction_sends_nothing(viewers):
    us, _ = viewers
    with transaction.atomic():
        assert sends(us) == 1
        assert sends(us) == 0
        assert in_force() == expected(us)


def test_two_viewers_in_successive_transactions_each_get_their_own_settings(viewers):
    us, jpn = viewers
    with transaction.atomic():
        assert sends(us) == 1
        assert in_force() == expected(us)
    # The settings were transaction-local: nothing is left on the connection between requests.
    assert in_force() == (None, None)
    with transaction.atomic():
        assert sends(jpn) == 1, "a new transaction must be told who is looking"
        assert in_force() == expected(jpn)
    with transaction.atomic():
        assert sends(jpn) == 1, "the same viewer again, but in a new transaction"
        assert in_force() == expected(jpn)


def test_a_different_viewer_in_the_same_transaction_is_sent(viewers):
    us, jpn = viewers
    with transaction.atomic():
        bind_viewer(us, TODAY)
        assert sends(jpn) == 1
        assert in_force() == expected(jpn)
        assert sends(us) == 1
        assert in_force() == expected(us)


def test_a_rolled_back_transaction_leaves_no_binding_believed_applied(viewers):
    us, _ = viewers
    with pytest.raises(Rollback), transaction.atomic():
        bind_viewer(us, TODAY)
        raise Rollback
    with transaction.atomic():
        assert sends(us) == 1
        assert in_force() == expected(us)


def test_a_rolled_back_savepoint_undoes_its_binding_and_it_is_sent_again(viewers):
    us, jpn = viewers
    with transaction.atomic():
        with pytest.raises(Rollback), transaction.atomic():
            bind_viewer(us, TODAY)
            raise Rollback
        # PostgreSQL undid the savepoint's set_config: nobody is bound, so it must be resent.
        assert in_force() == (None, None)
        assert sends(us) == 1
        assert in_force() == expected(us)
        with pytest.raises(Rollback), transaction.atomic():
            bind_viewer(jpn, TODAY)
            raise Rollback
        # Back to the outer binding, which is still in force; whatever is believed, it is right.
        assert in_force() == expected(us)
        bind_viewer(us, TODAY)
        assert in_force() == expected(us)
        bind_viewer(jpn, TODAY)
        assert in_force() == expected(jpn)


def test_a_released_savepoint_keeps_its_binding(viewers):
    us, _ = viewers
    with transaction.atomic():
        with transaction.atomic():
            bind_viewer(us, TODAY)
        assert in_force() == expected(us)
        assert sends(us) == 0
