"""The Military Framework: a U.S.-led forum whose members are configured locally, with dates."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from allied.core import registry
from allied.core.models import Community, Membership, Nation

pytestmark = pytest.mark.usefixtures("loaded_registry")


def members(code: str, day: str | datetime.date) -> set[str]:
    on = day if isinstance(day, datetime.date) else datetime.date.fromisoformat(day)
    return set(Nation.objects.members_of(code, on).values_list("iso3", flat=True))


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("registry", "members", *args, stdout=out)
    return out.getvalue()


def test_the_military_framework_starts_with_the_united_states_only() -> None:
    assert members("MILFW", timezone.localdate()) == {"USA"}


def test_its_source_says_its_membership_is_configured_locally_as_the_brief_omits_it() -> None:
    source = Community.objects.get(code="MILFW").source
    assert "configured locally" in source and "does not publish" in source
    us = Membership.objects.get(community__code="MILFW", nation_id="USA")
    assert us.joined_display == "date not published"


def test_members_can_be_added_from_a_day_on() -> None:
    printed = run("MILFW", "--add", "JPN", "--add", "gbr", "--on", "2025-01-01", "--source", "memo")
    assert "JPN joins MILFW on 2025-01-01" in printed
    assert members("MILFW", "2024-12-31") == {"USA"}
    assert members("MILFW", "2025-01-01") == {"USA", "JPN", "GBR"}
    assert "memo" in Membership.objects.get(community__code="MILFW", nation_id="JPN").source


def test_a_member_can_be_removed_from_a_day_on_and_keeps_its_history() -> None:
    run("MILFW", "--add", "JPN", "--on", "2025-01-01")
    printed = run("MILFW", "--remove", "JPN", "--on", "2025-06-01", "--source", "memo 2")
    assert "JPN leaves MILFW on 2025-06-01" in printed
    assert "JPN" in members("MILFW", "2025-05-31")
    assert "JPN" not in members("MILFW", "2025-06-01")
    row = Membership.objects.get(community__code="MILFW", nation_id="JPN")
    assert row.left == datetime.date(2025, 6, 1) and "memo 2" in row.source


def test_a_nation_can_rejoin_after_leaving() -> None:
    run("MILFW", "--add", "AUS", "--on", "2025-01-01")
    run("MILFW", "--remove", "AUS", "--on", "2025-03-01")
    run("MILFW", "--add", "AUS", "--on", "2025-09-01")
    assert "AUS" not in members("MILFW", "2025-05-01")
    assert "AUS" in members("MILFW", "2025-09-01")
    assert Membership.objects.filter(community__code="MILFW", nation_id="AUS").count() == 2


def test_adding_a_member_twice_changes_nothing() -> None:
    run("MILFW", "--add", "PHL", "--on", "2025-01-01")
    printed = run("MILFW", "--add", "PHL", "--on", "2025-02-01")
    assert "already a member" in printed
    assert Membership.objects.filter(community__code="MILFW", nation_id="PHL").count() == 1


def test_without_a_day_the_change_takes_effect_today() -> None:
    run("MILFW", "--add", "IND")
    joined = Membership.objects.get(community__code="MILFW", nation_id="IND").joined
    assert joined == timezone.localdate()


def test_the_command_lists_the_members_on_a_day() -> None:
    run("MILFW", "--add", "JPN", "--on", "2025-01-01")
    assert run("MILFW", "--on", "2024-06-01").strip().endswith("MILFW members on 2024-06-01: USA")
    assert "JPN, USA" in run("MILFW", "--on", "2025-06-01")


def test_loading_the_registry_again_keeps_the_configured_members() -> None:
    run("MILFW", "--add", "JPN", "--on", "2025-01-01")
    run("MILFW", "--remove", "USA", "--on", "2025-02-01")
    registry.load()
    assert members("MILFW", "2025-03-01") == {"JPN"}
    assert Membership.objects.filter(community__code="MILFW").count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["MILFW", "--add", "XYZ"], "not a nation"),
        (["MILFW", "--remove", "KOR"], "not a member"),
        (["MILFW", "--add", "JPN", "--remove", "JPN"], "Both added and removed"),
        (["MILFW", "--add", "JPN", "--on", "tomorrow"], "YYYY-MM-DD"),
        (["NATO", "--add", "JPN"], "public fact"),
        (["NOPE"], "No community"),
    ],
)
def test_the_command_refuses_what_it_cannot_record(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert members("NATO", timezone.localdate()) >= {"USA"}
    assert "JPN" not in members("MILFW", timezone.localdate())


def test_a_join_that_would_overlap_a_later_one_is_refused() -> None:
    run("MILFW", "--add", "JPN", "--on", "2025-06-01")
    with pytest.raises(CommandError, match="remove that membership first"):
        run("MILFW", "--add", "JPN", "--on", "2025-01-01")


def test_a_failed_change_records_none_of_its_parts() -> None:
    with pytest.raises(CommandError):
        run("MILFW", "--add", "JPN", "--remove", "KOR", "--on", "2025-01-01")
    assert not Membership.objects.filter(community__code="MILFW", nation_id="JPN").exists()


def test_the_institutions_page_shows_the_framework_and_who_it_leaves_out(
    analyst_client: Client,
) -> None:
    run("MILFW", "--add", "JPN", "--add", "AUS", "--add", "GBR", "--on", "2025-01-01")
    response = analyst_client.get(reverse("institutions"), {"on": "2025-06-01"})
    assert response.status_code == 200
    assert "MILFW" in [community.code for community in response.context["communities"]]
    left_out = {item.community.code: item.nations for item in response.context["left_out"]}
    milfw = {nation.iso3 for nation in left_out["MILFW"]}
    assert "KOR" in milfw
    assert not {"JPN", "AUS", "GBR"} & milfw
    assert 'title="Joined date not published"' in response.content.decode()


def test_the_institutions_page_shows_each_bilateral_alliance_and_who_it_leaves_out(
    analyst_client: Client,
) -> None:
    response = analyst_client.get(reverse("institutions"))
    codes = [community.code for community in response.context["communities"]]
    assert {"US-JPN", "US-KOR", "US-PHL", "US-AUS", "US-THA"} <= set(codes)
    left_out = {item.community.code: item.nations for item in response.context["left_out"]}
    us_jpn = {nation.iso3 for nation in left_out["US-JPN"]}
    assert "JPN" not in us_jpn and {"KOR", "PHL", "AUS"} <= us_jpn
    assert "KOR" not in {nation.iso3 for nation in left_out["US-KOR"]}
