"""Fifty people at once on one product and on one disclosure request (PostgreSQL only).

Every editor opens the same version and submits a different change, released together by a
barrier (``allied.core.testing.concurrency``): one change is kept, every other editor is told
what changed, nothing is lost or written twice, and the audit chain still verifies.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from allied.core.models import system_access
from allied.core.testing.concurrency import (
    CLIENTS,
    EditTarget,
    assert_chain_verifies,
    audit_entries,
    collide,
    edit_race,
    requires_postgresql,
    signed_in,
    status_of,
)
from allied.intel.models import DisclosureDecision, DisclosureRequest, Portion, Product
from allied.intel.tests import test_disclosure as disclosure_tests
from allied.intel.tests.test_disclosure import ask, make_product, snapshot
from allied.intel.tests.test_products import AUTHORITY_FIELDS
from allied.intel.tests.test_products_authoring import edit_data

japan = disclosure_tests.japan

#: The disclosure tests' product names no U.S. agency, which the edit form requires.
AGENCY = "Fictional agency"

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def product(cast: dict[str, Any]) -> tuple[Product, list[Portion]]:
    """One NOFORN portion that Japan's ceiling lets an officer release: each of the fifty pages
    renders it, so the smaller the product, the shorter the race."""
    return make_product(cast["us.analyst"], ["SECRET//NOFORN"])


def stored(prod: Product) -> tuple[int, str]:
    with system_access("tests: read the product back"):
        row = Product.objects.get(pk=prod.pk)
    return row.version, row.title


def test_fifty_editors_of_one_product_version_one_wins_and_the_others_are_told(cast, product):
    prod, _ = product
    clients = signed_in(cast["us.analyst"])
    # A SECRET product is saved with its classification authority block (rule 32).
    form = {**edit_data(prod, clients[0]), "originator_agency": AGENCY, **AUTHORITY_FIELDS}
    assert form["version"] == 1
    url = reverse("intel:product-edit", args=[prod.pk])
    race = edit_race(
        EditTarget(
            submit=lambda i: clients[i].post(url, {**form, "title": f"Edit {i}"}),
            accepted=302,
            read_back=lambda: stored(prod),
            change_of=lambda i: f"Edit {i}",
            entries=lambda: audit_entries("intel.product", prod.pk),
            start_version=1,
            conflict_says=("changed after you opened it", "now at version 2"),
        )
    )
    assert race.statuses == {302: 1, 409: CLIENTS - 1}


def test_fifty_officers_deciding_one_request_record_one_decision(cast, product, japan):
    prod, portions = product
    req = ask(cast, prod, [portions[0]])
    clients = signed_in(cast["us.fdo"], kind=APIClient)
    url = f"/api/intel/disclosure-requests/{req.pk}/decide/"
    given = {"outcome": "escalate", "seen_number": 0, "seen_product_version": prod.version}

    def read_back() -> tuple[int, str]:
        with system_access("tests: read the decisions back"):
            decisions = list(DisclosureDecision.objects.filter(request=req).order_by("number"))
        assert len(decisions) == 1, "one decision, never two with one number or two numbers"
        return decisions[0].number, decisions[0].reason

    edit_race(
        EditTarget(
            submit=lambda i: clients[i].post(
                url, {**given, "reason": f"Officer {i}'s reason."}, format="json"
            ),
            accepted=201,
            read_back=read_back,
            change_of=lambda i: f"Officer {i}'s reason.",
            entries=lambda: audit_entries("intel.disclosurerequest", req.pk),
            start_version=0,
            conflict_says=("Decision 1 was recorded on this request after you opened it",),
        )
    )
    with system_access("tests: the request's status"):
        assert DisclosureRequest.objects.get(pk=req.pk).status == "escalated"


def test_product_edits_and_approvals_at_once_neither_deadlock_nor_both_apply(cast, product, japan):
    """Half the clients edit the product (page), half approve a release of it (API).

    The edit page records its reads first, so it holds the audit lock when it writes the
    product; an approval locks the product first. Without one order of locks the two wait on
    each other until PostgreSQL fails one of them (a 500).
    """
    prod, portions = product
    req = ask(cast, prod, [portions[0]])
    half = CLIENTS // 2
    editors = signed_in(cast["us.analyst"], half)
    officers = signed_in(cast["us.fdo"], CLIENTS - half, APIClient)
    form = {**edit_data(prod, editors[0]), "originator_agency": AGENCY, **AUTHORITY_FIELDS}
    edit_url = reverse("intel:product-edit", args=[prod.pk])
    decide_url = f"/api/intel/disclosure-requests/{req.pk}/decide/"
    approval = {"outcome": "approve", "seen_number": 0, "seen_product_version": prod.version}
    before = snapshot(prod)
    calls = [
        *(lambda c=c, i=i: c.post(edit_url, {**form, "title": f"Edit {i}"}) for i, c in
          enumerate(editors)),
        *(lambda c=c: c.post(decide_url, approval, format="json") for c in officers),
    ]  # fmt: skip
    responses = [attempt.unwrap() for attempt in collide(calls)]
    statuses = [status_of(r) for r in responses]
    kept = [i for i, s in enumerate(statuses) if s in (302, 201)]
    assert len(kept) == 1, statuses
    assert set(statuses) - {302, 201} == {409}, statuses
    version, title = stored(prod)
    assert version == before["product"][0] + 1
    with system_access("tests: count decisions"):
        decisions = DisclosureDecision.objects.filter(request=req).count()
    if kept[0] < half:
        assert (title, decisions) == (f"Edit {kept[0]}", 0)
    else:
        assert (title, decisions) == (prod.title, 1)
    assert_chain_verifies()
