"""The signed-in person's principal and memberships are read once per request, never stale.

A request is one transaction; ``principal_for`` and ``Principal.viewer`` remember what they read
for the rest of it (``allied.core.txmemo``), so the view, the role checks, the page's header and the
audit's copy of the actor's nation share one read. What they remember must never outlive a change
to who the person is or what their nation belongs to: a nation that leaves a community in the
middle of a request no longer sees that community's releases in the rest of it (REL TO follows
membership on the day, rule 21).
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from allied.core.models import Clearance, Membership, Principal
from allied.core.models.principals import principal_for

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def reads_of(table: str, captured: CaptureQueriesContext) -> int:
    return sum(1 for q in captured.captured_queries if f'FROM "{table}"' in q["sql"])


def test_a_transaction_reads_a_principal_and_its_memberships_once(cast):
    user = cast["jpn.liaison"]
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        first = principal_for(user).viewer(TODAY)
        second = principal_for(user).viewer(TODAY)
    assert first == second
    assert reads_of("core_principal", captured) == 1
    assert reads_of("core_membership", captured) == 1


def test_a_membership_that_ends_in_the_transaction_is_read_again(cast):
    user = cast["jpn.liaison"]
    with transaction.atomic():
        before = principal_for(user).viewer(TODAY).communities_on(TODAY)
        assert before, "the liaison's nation belongs to some community"
        membership = Membership.objects.filter(nation_id="JPN").current_on(TODAY).first()
        membership.left = TODAY
        membership.save()
        after = principal_for(user).viewer(TODAY).communities_on(TODAY)
    assert membership.community.code in before
    assert membership.community.code not in after


def test_a_membership_changed_by_a_bulk_update_is_read_again(cast):
    user = cast["jpn.liaison"]
    with transaction.atomic():
        assert principal_for(user).viewer(TODAY).communities_on(TODAY)
        Membership.objects.filter(nation_id="JPN").update(left=TODAY)
        assert principal_for(user).viewer(TODAY).communities_on(TODAY) == frozenset()


def test_a_principal_changed_in_the_transaction_is_read_again(cast):
    user = cast["us.analyst"]
    with transaction.atomic():
        assert principal_for(user).clearance == Clearance.TOP_SECRET
        Principal.objects.filter(user=user).update(clearance=Clearance.SECRET)
        assert principal_for(user).clearance == Clearance.SECRET
        principal = Principal.objects.get(user=user)
        principal.clearance = Clearance.CONFIDENTIAL
        principal.save()
        assert principal_for(user).clearance == Clearance.CONFIDENTIAL
        assert user.principal.clearance == Clearance.CONFIDENTIAL


@pytest.mark.django_db(transaction=True)
def test_the_next_transaction_reads_the_principal_again(cast):
    user = cast["us.analyst"]
    with transaction.atomic():
        principal_for(user)
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        principal_for(user)
    assert reads_of("core_principal", captured) == 1
    # Outside a transaction nothing is remembered: each call reads.
    with CaptureQueriesContext(connection) as captured:
        principal_for(user)
        principal_for(user)
    assert reads_of("core_principal", captured) == 2


@pytest.mark.django_db(transaction=True)
def test_a_page_reads_the_principal_once_audit_and_header_included(cast):
    # A real transaction per request, as in production (a test's own transaction would span
    # the sign-in and the page).
    client = Client()
    client.force_login(cast["us.analyst"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/intel/requirements/")
    assert response.status_code == 200
    assert b'data-testid="viewer"' in response.content  # the header shows the principal
    assert reads_of("core_principal", captured) == 1
    assert reads_of("core_membership", captured) <= 1
