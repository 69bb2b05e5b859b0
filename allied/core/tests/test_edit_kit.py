"""The edit kit on its own: one version check, one 404, one write that explains its refusal, one
marking check, and declared access checked before any handler (``allied.core.edit``)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from rest_framework.exceptions import PermissionDenied as DrfPermissionDenied

from allied.core import vocabulary
from allied.core.access import Access, access_required, check_declared, for_roles
from allied.core.api.errors import exception_handler
from allied.core.edit import (
    StaleVersion,
    claim_version,
    explained_on,
    save_marked,
    saved,
    status_of,
    visible_or_404,
)
from allied.core.models import Bulletin, NotVisibleAfterWrite, StoredMarking, system_access
from allied.core.models.principals import Role, principal_for
from allied.markings import Level
from allied.markings.access import Viewer
from allied.working_group.canaries import freeform
from allied.working_group.models import FreeformRequest

pytestmark = pytest.mark.django_db

JAPAN = Viewer("JPN", Level.S)
US = Viewer("USA", Level.TS)


@pytest.fixture
def request_row(cast):
    return freeform(StoredMarking.objects.intern("SECRET//REL TO USA, JPN"), "kit")


def test_of_two_edits_from_one_version_one_goes_through_and_the_other_is_told_why(request_row):
    rows = FreeformRequest.objects.visible_to(US)
    assert claim_version(rows, request_row.pk, 1, what="request", status="in_progress") == 2
    with pytest.raises(StaleVersion) as stale:
        claim_version(rows, request_row.pk, 1, what="request", status="closed")
    assert stale.value.status_code == 409 and stale.value.current == 2
    words = str(stale.value)
    assert "changed after you opened it (you opened version 1; it is now at version 2)" in words
    assert "nothing was saved" in words
    with system_access("tests: read the stored row"):
        stored = FreeformRequest.objects.get(pk=request_row.pk)
    assert (stored.version, stored.status) == (2, "in_progress")


def test_a_version_claim_on_a_row_the_person_may_not_see_answers_404_and_writes_nothing(cast):
    hidden = freeform(StoredMarking.objects.intern("SECRET//NOFORN"), "hidden")
    with pytest.raises(Http404):
        claim_version(FreeformRequest.objects.visible_to(JAPAN), hidden.pk, 1, what="request")
    with system_access("tests: read the stored row"):
        assert FreeformRequest.objects.get(pk=hidden.pk).version == 1


def test_a_hidden_record_and_a_missing_one_answer_the_same_404(cast):
    hidden = freeform(StoredMarking.objects.intern("SECRET//NOFORN"), "hidden")
    rows = FreeformRequest.objects.visible_to(JAPAN)
    answers = []
    for pk in (hidden.pk, hidden.pk + 1000):
        with pytest.raises(Http404) as missing:
            visible_or_404(rows, pk=pk)
        answers.append(str(missing.value))
    assert answers[0] == answers[1] == "No record found."
    assert visible_or_404(FreeformRequest.objects.visible_to(US), pk=hidden.pk) == hidden


class _Form(forms.Form):
    marking = forms.CharField()


def _post(user):
    request = RequestFactory().post("/bulletins/new/")
    request.user = user
    return request


def test_a_marking_its_author_could_not_read_back_is_an_error_on_the_field_and_nothing_is_written(
    cast,
):
    """Nobody writes what they could not read back: a partner's author and a NOFORN marking."""
    author = cast["jpn.liaison"]
    form = _Form({"marking": "SECRET//NOFORN"})
    assert form.is_valid()
    bulletin = Bulletin(title="kit", body="kit", author=author)
    bulletin.set_marking("SECRET//NOFORN")
    with explained_on(form, what="a bulletin"):
        save_marked(_post(author), bulletin)
    assert not saved(form) and status_of(form) == 400
    assert "nothing was saved" in form.errors["marking"][0].lower()
    with system_access("tests: count bulletins"):
        assert not Bulletin.objects.filter(title="kit").exists()


def test_a_stale_write_is_an_error_on_the_whole_form_answered_409(request_row):
    form = _Form({"marking": "UNCLASSIFIED"})
    assert form.is_valid()
    rows = FreeformRequest.objects.visible_to(US)
    claim_version(rows, request_row.pk, 1, what="request")
    with explained_on(form):
        claim_version(rows, request_row.pk, 1, what="request")
    assert status_of(form) == 409
    assert "it is now at version 2" in form.non_field_errors()[0]


def test_the_api_answers_a_refused_write_400_on_the_marking_and_a_stale_one_409():
    refused = exception_handler(NotVisibleAfterWrite("the bulletin would not be visible"), {})
    assert refused.status_code == 400
    assert refused.data["marking"][0].endswith("nothing was saved.")
    stale = exception_handler(StaleVersion("case", 1, 3), {})
    assert stale.status_code == 409 and stale.data["version"] == 3


@pytest.mark.parametrize(
    ("text", "form", "says"),
    [
        ("", "banner", "Give the marking"),
        ("(S//REL TO USA, JPN)", "banner", "without parentheses"),
        ("SECRET//REL TO USA, JPN", "portion", "rule 4"),
        ("SECRET//REL TO GBR, USA", "banner", "canonical form: SECRET//REL TO USA, GBR"),
    ],
)
def test_one_check_explains_every_refused_marking(cast, text, form, says):
    """Rule 4 (portion marks in parentheses, banners without) and rule 8 (USA first in REL TO)."""
    explained = vocabulary.explain(text, form=form)
    assert not explained.valid
    assert any(says in problem for problem in explained.problems), explained.problems


def test_a_valid_marking_is_explained_with_no_problem(cast):
    explained = vocabulary.explain("(S//REL TO USA, JPN)", form="portion")
    assert explained.valid and explained.problems == ()


def test_the_page_field_and_the_api_field_refuse_the_same_texts_with_the_same_words(cast):
    from rest_framework import serializers

    from allied.core.api.fields import MarkingField
    from allied.core.forms import MarkingFormField

    for text in ("(S//REL TO USA, JPN)", "SECRET//REL TO GBR, USA", "SECRET//BOGUS"):
        with pytest.raises(forms.ValidationError) as page:
            MarkingFormField().clean(text)
        with pytest.raises(serializers.ValidationError) as api:
            MarkingField().to_internal_value(text)
        assert page.value.messages == [str(m) for m in api.value.detail]


def test_declared_access_refuses_before_the_handler_with_its_reason(cast):
    ran = []

    @access_required(writes=for_roles(Role.WORKING_GROUP))
    def view(request):
        ran.append(request.method)
        return "ok"

    partner = cast["jpn.liaison"]
    read = RequestFactory().get("/")
    read.user = partner
    assert view(read) == "ok"
    with pytest.raises(PermissionDenied) as refused:
        view(_post(partner))
    assert str(refused.value) == "This page is for Working group member."
    assert ran == ["GET"]


def test_an_api_action_is_refused_by_its_declared_access(cast):
    from allied.core.api.permissions import DeclaredAccess

    us_only = Access(allows=lambda p: p.is_us, reason="Only U.S. people advance a case.")
    viewset = SimpleNamespace(
        allied_access=None, action_access={"advance": us_only}, action="advance"
    )
    request = _post(cast["jpn.liaison"])
    assert not principal_for(request.user).is_us
    with pytest.raises((PermissionDenied, DrfPermissionDenied), match=r"Only U\.S\. people"):
        DeclaredAccess().has_permission(request, viewset)
    viewset.action = "list"
    assert DeclaredAccess().has_permission(request, viewset)
    check_declared(
        _post(cast["us.casemgr"]), SimpleNamespace(action_access={"advance": us_only}), "advance"
    )
