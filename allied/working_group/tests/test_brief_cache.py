"""The weekly brief is cached per viewer's marking class, and never served across classes.

Two viewers share a cached brief only if they may see exactly the same markings (and are of the
same nation, exporting or not): a Japanese and a Philippine reader each get their own, with
nothing released only to the other. A cached brief is still an audited read of what it quotes,
and a write of a marked row composes it again.
"""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.utils import timezone

from allied.core.models import AuditEntry
from allied.working_group import brief
from allied.working_group.tests.test_pages import freeform

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def compose_for(user):
    request = RequestFactory().get("/working-group/brief/")
    request.user = user
    return brief.compose(request, TODAY)


def open_by_partner(content):
    return {p.nation: p.open for p in content.partners}


def test_two_nations_never_get_each_others_brief(cast, monkeypatch):
    freeform(
        cast,
        "JPN",
        "For Japan (fictional)",
        "SECRET//REL TO USA, JPN",
        blockers="Waiting",
        days=200,
    )
    freeform(cast, "PHL", "For the Philippines (fictional)", "UNCLASSIFIED//REL TO USA, PHL",
             blockers="Waiting", days=200)  # fmt: skip
    composed = []
    real = brief._compose
    monkeypatch.setattr(brief, "_compose", lambda *a: composed.append(a) or real(*a))
    jpn, phl = cast["jpn.liaison"], cast["phl.liaison"]
    first = compose_for(jpn)
    assert open_by_partner(first) == {"JPN": 1}
    other = compose_for(phl)
    assert open_by_partner(other) == {"PHL": 1}
    assert len(composed) == 2
    assert brief.viewer_class(jpn.principal.viewer(), TODAY) != brief.viewer_class(
        phl.principal.viewer(), TODAY
    )
    # Japan again: served from the cache, and still recorded as read by this reader.
    before = AuditEntry.objects.filter(actor=jpn, action="read").count()
    again = compose_for(jpn)
    assert len(composed) == 2 and open_by_partner(again) == {"JPN": 1}
    assert AuditEntry.objects.filter(actor=jpn, action="read").count() > before


def test_a_write_composes_the_brief_again(cast):
    jpn = cast["jpn.liaison"]
    assert open_by_partner(compose_for(jpn)) == {}
    freeform(cast, "JPN", "New for Japan (fictional)", "SECRET//REL TO USA, JPN", blockers="Wait")
    assert open_by_partner(compose_for(jpn)) == {"JPN": 1}


def test_an_exporting_reader_is_another_class(cast):
    viewer = cast["jpn.liaison"].principal.viewer()
    assert brief.viewer_class(viewer, TODAY) != brief.viewer_class(viewer.for_export(), TODAY)
