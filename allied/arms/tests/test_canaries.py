"""The leak crawl is not blind on arms pages: planted canaries show where they may, and only
there (the full crawl over every route and person is allied/core/tests/test_leaks.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from allied.arms.models import Case
from allied.core.testing import leaks

pytestmark = pytest.mark.django_db


def test_arms_canaries_show_to_japan_on_the_case_list_and_never_to_the_philippines(cast):
    planted = leaks.plant()
    released = [c for c in planted.by_model(Case) if c.marking == "SECRET//REL TO USA, JPN"]
    noforn = [c for c in planted.by_model(Case) if c.marking == "SECRET//NOFORN"]
    japan, philippines, us = Client(), Client(), Client()
    japan.force_login(cast["jpn.liaison"])
    philippines.force_login(cast["phl.liaison"])
    us.force_login(cast["us.casemgr"])
    assert released and noforn
    for c in released:
        page = japan.get(f"/arms/cases/{c.pk}/")
        assert page.status_code == 200 and c.text in page.content.decode()
    for c in noforn:
        assert japan.get(f"/arms/cases/{c.pk}/").status_code == 404
    api = japan.get("/api/arms/cases/?limit=1000").content.decode()
    assert all(c.text in api for c in released) and not any(c.text in api for c in noforn)
    # The canary cases are Japan's: released to the Philippines or not, never shown to it.
    phl_body = philippines.get("/arms/").content.decode()
    assert not any(c.text in phl_body for c in planted.by_model(Case))
    assert all(c.text in us.get(f"/arms/cases/{c.pk}/").content.decode() for c in noforn)


@pytest.mark.parametrize("username", ["phl.liaison", "jpn.liaison", "ind.liaison"])
def test_the_what_if_count_counts_only_cases_the_viewer_may_see(cast, username):
    """The count asked for with ?compare=1 (not crawled) counts no hidden canary case."""
    import datetime
    import re

    from allied.arms import access

    planted = leaks.plant()
    client = Client()
    client.force_login(cast[username])
    body = client.get("/arms/notification/?compare=1").content.decode()
    shown = int(re.search(r"Over the (\d+) case", body).group(1))
    visible = access.cases(cast[username]).filter(lor_received__isnull=False).count()
    assert shown == visible
    assert not any(
        c.text in body
        for c in planted.forbidden_for(cast[username].principal.viewer(), datetime.date.today())
    )
