"""Search every canary as every person: nothing forbidden comes back, on the page or the API.

The crawl of ``allied.core.tests.test_leaks`` fetches the search page without a query; this asks
it for each canary string planted by ``allied.core.testing.leaks.plant()``. For a canary the
person may not see, the answer must be exactly the answer to a word that exists nowhere; and no
response may carry any other canary the person may not see. Canaries the person may see are
found (the check is not blind).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from allied.core.testing import leaks
from allied.core.tests.test_leaks import CAST
from allied.intel.models import (
    CollectionRequirement,
    DisclosureDecision,
    DisclosureRequest,
    Portion,
    PortionRevision,
    Product,
)

pytestmark = pytest.mark.django_db

API = "/api/intel/search/"
# Models whose canary rows put their string in a product, a portion or a requirement (or, for
# revisions and disclosure requests, next to them: they must never be searchable).
SEARCHED = (Product, Portion, PortionRevision, DisclosureRequest, DisclosureDecision,
            CollectionRequirement)  # fmt: skip
# Rows of these models are found by their canary string when the person may see them.
FINDABLE = (Product, Portion, CollectionRequirement)
NOWHERE = "CANARY000000000000"


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


@pytest.mark.parametrize("username", CAST)
def test_searching_for_any_canary_returns_nothing_forbidden(username, cast):
    planted = leaks.plant()
    user = cast[username]
    viewer = user.principal.viewer()
    day = date.today()
    forbidden = {c.text for c in planted.forbidden_for(viewer, day)}
    client = Client()
    client.force_login(user)

    nowhere_page = without_tokens(
        client.get(reverse("intel:search"), {"q": NOWHERE}).content.decode()
    )
    nowhere_api = client.get(API, {"q": NOWHERE}).json()
    found = set()
    # One canary per searched model and kind of answer (may see, may not, may see but not
    # export), as the crawl does: the others of a kind take the same path through the search.
    # Every response is still checked for every forbidden canary.
    kinds = leaks.decision_kinds(planted, viewer, day)
    tried = set()
    for canary in (c for c in planted.canaries if c.model in SEARCHED):
        if (canary.model, kinds[canary.text]) in tried:
            continue
        tried.add((canary.model, kinds[canary.text]))
        html = client.get(reverse("intel:search"), {"q": canary.text}).content.decode()
        data = client.get(API, {"q": canary.text}).json()
        others = forbidden - {canary.text}
        leaked = [text for text in others if text in html or text in str(data)]
        assert leaked == [], f"{username} searching {canary.marking}: {leaked}"
        if canary.text in forbidden:
            # Exactly what a word found nowhere gets: no hit, no count, no trace.
            assert without_tokens(html).replace(canary.text, NOWHERE) == nowhere_page, (
                f"{username}: the page for a hidden {canary.model.__name__} canary "
                f"({canary.marking}) differs from a search for nothing"
            )
            data["query"] = NOWHERE
            assert data == nowhere_api, (username, canary.marking, canary.model.__name__)
        elif data["products"]["count"] or data["requirements"]["count"]:
            found.add(canary.model)
    allowed = {c.model for c in planted.allowed_for(viewer, day) if c.model in FINDABLE}
    assert found & set(FINDABLE) == allowed, f"{username} should find its own canaries of {allowed}"


def test_the_search_check_fails_when_search_ignores_what_is_withheld(cast):
    """Remove the core's decision (every marking visible): searching as a partner must leak."""
    from unittest import mock

    from allied.core.models import marked

    def everything(viewer, *, export=False, using=None):
        return list(marked._CACHE.refresh(using))

    with (
        mock.patch.object(marked, "visible_marking_ids", everything),
        pytest.raises(AssertionError),
    ):
        test_searching_for_any_canary_returns_nothing_forbidden("phl.liaison", cast)
