"""The pages: sign-in, home and the institutions matrix."""

from __future__ import annotations

import re
import time

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.usefixtures("loaded_registry")


def test_the_login_page_renders_for_anonymous_users(anonymous_client: Client) -> None:
    response = anonymous_client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_the_institutions_page_redirects_anonymous_users_to_login(
    anonymous_client: Client,
) -> None:
    response = anonymous_client.get(reverse("institutions"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('institutions')}"


def test_the_home_page_redirects_anonymous_users_to_login(anonymous_client: Client) -> None:
    response = anonymous_client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_user_can_sign_in_with_a_password_and_reach_the_institutions_page(
    analyst: User, anonymous_client: Client
) -> None:
    response = anonymous_client.post(
        reverse("login"),
        {"username": "us.analyst", "password": "analyst-test-password", "next": "/institutions/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/institutions/"
    assert anonymous_client.get("/institutions/").status_code == 200


def test_a_wrong_password_does_not_sign_in(analyst: User, anonymous_client: Client) -> None:
    response = anonymous_client.post(
        reverse("login"), {"username": "us.analyst", "password": "wrong"}
    )
    assert response.status_code == 200
    assert b"did not match" in response.content
    assert anonymous_client.get(reverse("home")).status_code == 302


def test_the_home_page_renders_for_a_signed_in_user(analyst_client: Client) -> None:
    response = analyst_client.get(reverse("home"))
    assert response.status_code == 200
    assert b"us.analyst" in response.content


def test_the_institutions_page_renders_for_a_signed_in_user(analyst_client: Client) -> None:
    response = analyst_client.get(reverse("institutions"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Membership matrix" in content
    assert "FVEY" in content and "NATO" in content and "US-JPN" in content


def test_every_page_shows_the_unclassified_banner_at_top_and_bottom(
    analyst_client: Client,
) -> None:
    content = analyst_client.get(reverse("institutions")).content.decode()
    banners = re.findall(r'<div class="allied-banner [^"]*">([^<]*)</div>', content)
    assert banners == ["UNCLASSIFIED", "UNCLASSIFIED"]


def test_the_quad_line_says_it_leaves_out_south_korea(analyst_client: Client) -> None:
    response = analyst_client.get(reverse("institutions"))
    left_out = {item.community.code: item.nations for item in response.context["left_out"]}
    assert "KOR" in {nation.iso3 for nation in left_out["QUAD"]}
    assert "JPN" not in {nation.iso3 for nation in left_out["QUAD"]}
    assert {nation.iso3 for nation in left_out["FVEY"]} == {
        "JPN", "KOR", "PHL", "IND", "TWN", "SGP", "VNM", "IDN", "THA",
    }  # fmt: skip


def test_the_matrix_checks_a_member_with_its_join_date_as_title(analyst_client: Client) -> None:
    content = analyst_client.get(reverse("institutions")).content.decode()
    assert 'title="Joined 2024-03-07"' in content  # Sweden in NATO
    assert 'title="Joined 1956"' in content  # Australia and New Zealand in the Five Eyes


def test_the_matrix_can_be_shown_as_of_an_earlier_day(analyst_client: Client) -> None:
    response = analyst_client.get(reverse("institutions"), {"on": "2024-03-06"})
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r.nation.iso3 == "SWE")
    assert not any(row.cells)


def test_a_malformed_day_falls_back_to_today_and_says_so(analyst_client: Client) -> None:
    response = analyst_client.get(reverse("institutions"), {"on": "yesterday"})
    assert response.status_code == 200
    assert b"YYYY-MM-DD" in response.content


def test_pages_load_nothing_from_another_site(analyst_client: Client) -> None:
    for name in ("home", "institutions"):
        content = analyst_client.get(reverse(name)).content.decode()
        assert not re.search(r'(?:src|href)="(?:https?:)?//', content), name


def test_signing_out_ends_the_session(analyst_client: Client) -> None:
    response = analyst_client.post(reverse("logout"))
    assert response.status_code == 302
    assert analyst_client.get(reverse("home")).status_code == 302


# --- headers and sessions -----------------------------------------------------------------------


def test_every_page_has_a_strict_content_security_policy(analyst_client: Client) -> None:
    policy = analyst_client.get(reverse("institutions"))["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_only_chart_pages_let_vega_compile_its_expressions(analyst_client: Client) -> None:
    charts = analyst_client.get("/intel/analytics/")
    assert charts.status_code == 200 and b"vega-embed" in charts.content
    assert "script-src 'self' 'unsafe-eval';" in charts["Content-Security-Policy"]
    assert "unsafe-inline" not in charts["Content-Security-Policy"]


TEMPLATE_DIRS = [p for p in (settings.BASE_DIR / "allied").rglob("templates") if p.is_dir()]
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"), "script"),
    (re.compile(r"<style\b"), "style element"),
    (re.compile(r"\sstyle=\""), "style attribute"),
    (re.compile(r"\son[a-z]+=\""), "event handler attribute"),
    (re.compile(r"\bhx-on|javascript:"), "inline code"),
]


def test_no_template_carries_inline_script_or_style_the_policy_would_refuse() -> None:
    found = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            text = path.read_text()
            found += [f"{path}: {what}" for pattern, what in INLINE if pattern.search(text)]
    assert TEMPLATE_DIRS and not found, found


def _age(client: Client, **seconds_ago: int) -> None:
    from allied.core import security

    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[getattr(security, key)] = now - ago
    session.save()


def test_a_session_idle_too_long_is_signed_out(analyst_client: Client) -> None:
    _age(analyst_client, SEEN_AT=settings.ALLIED_SESSION_IDLE_SECONDS + 5)
    response = analyst_client.get(reverse("institutions"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_session_ends_after_a_working_day_however_active(analyst_client: Client) -> None:
    _age(analyst_client, SIGNED_IN_AT=settings.SESSION_COOKIE_AGE + 5, SEEN_AT=10)
    response = analyst_client.get(reverse("institutions"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_active_session_within_its_day_goes_on(analyst_client: Client) -> None:
    _age(analyst_client, SIGNED_IN_AT=3600, SEEN_AT=120)
    assert analyst_client.get(reverse("institutions")).status_code == 200
    from allied.core import security

    assert int(time.time()) - analyst_client.session[security.SEEN_AT] < 5
