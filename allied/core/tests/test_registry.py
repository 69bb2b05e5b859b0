"""The public registry says who belonged to what, and when."""

from __future__ import annotations

import datetime

import pytest

from allied.core import registry
from allied.core.models import Community, Membership, Nation

pytestmark = pytest.mark.usefixtures("loaded_registry")


def members(code: str, day: str) -> set[str]:
    on = datetime.date.fromisoformat(day)
    return set(Nation.objects.members_of(code, on).values_list("iso3", flat=True))


def test_sweden_is_a_nato_member_the_day_after_its_accession() -> None:
    assert "SWE" in members("NATO", "2024-03-08")


def test_sweden_is_not_a_nato_member_the_day_before_its_accession() -> None:
    assert "SWE" not in members("NATO", "2024-03-06")


def test_a_nation_is_a_member_on_the_day_it_joins() -> None:
    assert "SWE" in members("NATO", "2024-03-07")
    assert "FIN" in members("NATO", "2023-04-04")


def test_nato_has_thirty_two_members_once_sweden_has_joined() -> None:
    assert len(members("NATO", "2024-03-07")) == 32
    assert len(members("NATO", "2024-03-06")) == 31


def test_nato_had_its_twelve_founders_in_1950() -> None:
    assert members("NATO", "1950-01-01") == {
        "BEL", "CAN", "DNK", "FRA", "ISL", "ITA", "LUX", "NLD", "NOR", "PRT", "GBR", "USA",
    }  # fmt: skip


def test_the_five_eyes_are_the_united_states_australia_canada_britain_and_new_zealand() -> None:
    assert members("FVEY", "2000-01-01") == {"USA", "AUS", "CAN", "GBR", "NZL"}


def test_the_quad_is_the_united_states_australia_india_and_japan() -> None:
    assert members("QUAD", "2024-01-01") == {"USA", "AUS", "IND", "JPN"}


def test_the_quad_leaves_out_south_korea() -> None:
    today = datetime.date.today()
    assert Nation.objects.not_members_of("QUAD", today).filter(iso3="KOR").exists()
    assert "KOR" not in members("QUAD", today.isoformat())


def test_aukus_begins_on_15_september_2021() -> None:
    assert members("AUKUS", "2021-09-14") == set()
    assert members("AUKUS", "2021-09-15") == {"AUS", "GBR", "USA"}


def test_each_us_treaty_ally_in_asia_is_paired_with_the_united_states() -> None:
    today = datetime.date.today().isoformat()
    assert members("US-JPN", today) == {"USA", "JPN"}
    assert members("US-KOR", today) == {"USA", "KOR"}
    assert members("US-PHL", today) == {"USA", "PHL"}
    assert members("US-AUS", today) == {"USA", "AUS"}
    assert members("US-THA", today) == {"USA", "THA"}


def test_members_of_accepts_a_community_as_well_as_its_code() -> None:
    quad = Community.objects.get(code="QUAD")
    day = datetime.date(2024, 1, 1)
    assert set(Nation.objects.members_of(quad, day)) == set(Nation.objects.members_of("QUAD", day))


def test_a_nation_that_left_is_not_a_member_from_the_day_it_left() -> None:
    community = Community.objects.create(code="TEST", name="Test", kind="other", source="test")
    Membership.objects.create(
        community=community,
        nation_id="FRA",
        joined=datetime.date(2000, 1, 1),
        left=datetime.date(2010, 1, 1),
        source="test",
    )
    assert members("TEST", "2009-12-31") == {"FRA"}
    assert members("TEST", "2010-01-01") == set()


def test_every_row_names_its_source() -> None:
    assert not Nation.objects.filter(source="").exists()
    assert not Community.objects.filter(source="").exists()
    assert not Membership.objects.filter(source="").exists()


def test_the_registry_knows_the_nations_of_the_region_by_their_common_names() -> None:
    names = dict(Nation.objects.values_list("iso3", "name"))
    assert names["TWN"] == "Taiwan"
    assert names["KOR"] == "South Korea"
    assert names["PRK"] == "North Korea"
    assert {"CHN", "SGP", "VNM", "IDN", "MYS", "THA", "PHL", "IND"} <= names.keys()


def test_loading_the_registry_twice_changes_nothing() -> None:
    before = (Nation.objects.count(), Community.objects.count(), Membership.objects.count())
    registry.load()
    after = (Nation.objects.count(), Community.objects.count(), Membership.objects.count())
    assert before == after


def test_year_only_dates_are_shown_as_a_year() -> None:
    canada = Membership.objects.get(community__code="FVEY", nation_id="CAN")
    assert canada.joined_display == "1948"
    sweden = Membership.objects.get(community__code="NATO", nation_id="SWE")
    assert sweden.joined_display == "2024-03-07"


def test_the_first_load_in_bulk_writes_the_rows_that_loading_row_by_row_writes() -> None:
    from allied.core.models import SecurityAgreement

    def rows() -> list[list[tuple[object, ...]]]:
        return [
            sorted(Nation.objects.values_list("iso3", "name", "source")),
            sorted(Community.objects.values_list("code", "name", "kind", "source")),
            sorted(
                Membership.objects.values_list(
                    "community__code", "nation_id", "joined", "joined_precision", "left", "source"
                )
            ),
            sorted(
                SecurityAgreement.objects.values_list(
                    "nation_id", "kind", "signed", "title", "in_force", "ended", "source"
                )
            ),
        ]

    def empty() -> None:
        from allied.core.models.marked import system_access

        with system_access("test: empty the registry to load it again"):
            for model in (SecurityAgreement, Membership, Community, Nation):
                model.objects.all().delete()

    empty()
    bulk = registry.load()  # an empty database: the bulk path
    in_bulk = rows()
    empty()
    one_by_one = registry._load_row_by_row()
    assert rows() == in_bulk
    assert bulk == one_by_one
    assert in_bulk[2], "no membership was loaded"
