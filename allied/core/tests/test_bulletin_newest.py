"""The home page's newest bulletins are read newest first, and only what the reader may see.

Read from the (created DESC, id DESC) index with a LIMIT, so a bulletin a partner may not see
must neither appear nor take one of the five places (rule: NOFORN is never released to a
foreign national; REL TO releases only to the nations named).
"""

from __future__ import annotations

import pytest
from django.test import Client

from allied.core.models import Bulletin, system_access

pytestmark = pytest.mark.django_db


def bulletin(cast, title, marking):
    with system_access("tests: a bulletin"):
        row = Bulletin(title=title, body="Body (fictional).", author=cast["us.analyst"])
        row.set_marking(marking)
        row.save()
    return row


def home_titles(user):
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return [b.title for b in response.context["bulletins"]]


def test_the_newest_five_are_those_the_reader_may_see(cast):
    for n in range(6):
        bulletin(cast, f"For Japan {n}", "SECRET//REL TO USA, JPN")
    for n in range(6):
        bulletin(cast, f"U.S. only {n}", "SECRET//NOFORN")
    assert home_titles(cast["jpn.liaison"]) == [f"For Japan {n}" for n in (5, 4, 3, 2, 1)]
    assert home_titles(cast["us.analyst"]) == [f"U.S. only {n}" for n in (5, 4, 3, 2, 1)]
    assert home_titles(cast["phl.liaison"]) == []
