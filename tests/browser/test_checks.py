"""The checks every journey step makes can fail: a serious accessibility violation and a
request to another host each fail the step, naming what is wrong."""

from __future__ import annotations

import pytest

from tests.browser.journey import Journey

pytestmark = pytest.mark.browser


def test_an_image_without_text_fails_the_step_naming_rule_and_element(journey: Journey) -> None:
    journey.open("/login/", "sign-in")
    journey.page.evaluate(
        """document.querySelector("main").insertAdjacentHTML(
            "beforeend", '<img id="no-text" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">')"""
    )
    with pytest.raises(AssertionError) as failed:
        journey.check("image without text")
    report = str(failed.value)
    assert "image-alt (critical)" in report and "#no-text" in report


def test_a_request_to_another_host_fails_the_step(journey: Journey) -> None:
    journey.open("/login/", "sign-in")
    journey.page.evaluate(
        """document.head.insertAdjacentHTML(
            "beforeend", '<link rel="stylesheet" href="http://cdn.example.invalid/a.css">')"""
    )
    with pytest.raises(AssertionError, match=r"requests to other hosts.*cdn\.example\.invalid"):
        journey.check("stylesheet from elsewhere")
