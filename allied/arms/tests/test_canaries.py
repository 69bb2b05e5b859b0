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
