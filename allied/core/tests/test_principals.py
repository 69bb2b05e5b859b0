"""Principals: a user's nation, clearance, accesses and roles, and the viewer the engine sees."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from allied.core.models import (
    ROLE_REACH,
    Clearance,
    Community,
    Membership,
    Principal,
    Reach,
    Role,
    principal_for,
    reach_of,
)
from allied.core.models.principals import roles_beyond_reach
from allied.markings import Level, Vocabulary, parse
from allied.markings.access import Membership as ViewerMembership
from allied.markings.access import Viewer, decide

pytestmark = pytest.mark.usefixtures("loaded_registry")


def new_user(username: str = "someone") -> User:
    return User.objects.create_user(username=username)


# --- Clearance and roles (no database needed, but cheap either way) -------------------------


def test_each_clearance_is_the_markings_engines_level_of_the_same_number() -> None:
    assert [c.level for c in Clearance] == [Level.U, Level.C, Level.S, Level.TS]
    assert [int(c) for c in Clearance] == [int(level) for level in Level]


def test_every_role_has_a_reach() -> None:
    assert set(ROLE_REACH) == set(Role)


def test_roles_whose_work_crosses_nations_are_us_only() -> None:
    us_only = {role for role, reach in ROLE_REACH.items() if reach is Reach.US_ONLY}
    assert us_only == {
        Role.DISCLOSURE_OFFICER,
        Role.CASE_MANAGER,
        Role.WORKING_GROUP,
        Role.ADMINISTRATOR,
    }
    assert reach_of("purchaser") is Reach.OWN_NATION


def test_the_reach_rule_is_a_pure_function_of_nation_and_roles() -> None:
    assert roles_beyond_reach("USA", list(Role)) == []
    assert roles_beyond_reach("JPN", ["liaison_officer", "disclosure_officer"]) == [
        Role.DISCLOSURE_OFFICER
    ]


# --- The role-reach rule ---------------------------------------------------------------------


def test_a_us_principal_may_hold_a_role_whose_reach_crosses_nations() -> None:
    principal = Principal.objects.create(
        user=new_user(),
        nation_id="USA",
        clearance=Clearance.SECRET,
        roles=["disclosure_officer"],
        display_name="A",
    )
    assert principal.has_role(Role.DISCLOSURE_OFFICER)


@pytest.mark.parametrize(
    "role", ["disclosure_officer", "case_manager", "working_group", "administrator"]
)
def test_a_foreign_principal_cannot_be_given_a_us_only_role_by_create(role: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Principal.objects.create(
            user=new_user(),
            nation_id="JPN",
            clearance=Clearance.SECRET,
            roles=["liaison_officer", role],
            display_name="Jun",
        )
    assert "a foreign user cannot be given a role whose reach crosses" in str(raised.value).lower()
    assert not Principal.objects.exists()


def test_a_foreign_principal_cannot_be_given_a_us_only_role_by_changing_its_roles() -> None:
    principal = Principal.objects.create(
        user=new_user(), nation_id="KOR", clearance=2, roles=["liaison_officer"], display_name="M"
    )
    principal.roles.append("working_group")
    with pytest.raises(ValidationError):
        principal.save()
    assert Principal.objects.get().roles == ["liaison_officer"]


def test_moving_a_us_administrator_to_another_nation_is_refused() -> None:
    principal = Principal.objects.create(
        user=new_user(), nation_id="USA", clearance=3, roles=["administrator"], display_name="A"
    )
    principal.nation_id = "GBR"
    with pytest.raises(ValidationError):
        principal.save()


def test_a_foreign_principal_cannot_be_given_a_us_only_role_by_bulk_create() -> None:
    with pytest.raises(ValidationError):
        Principal.objects.bulk_create(
            [Principal(user=new_user(), nation_id="AUS", clearance=3, roles=["case_manager"])]
        )
    assert not Principal.objects.exists()


def test_a_foreign_principal_cannot_be_given_a_us_only_role_by_queryset_update() -> None:
    Principal.objects.create(
        user=new_user(), nation_id="PHL", clearance=1, roles=["purchaser"], display_name="P"
    )
    with pytest.raises(ValidationError), transaction.atomic():
        Principal.objects.filter(nation_id="PHL").update(roles=["purchaser", "case_manager"])
    assert Principal.objects.get().roles == ["purchaser"]


def test_a_queryset_update_within_the_rules_goes_through() -> None:
    Principal.objects.create(
        user=new_user(), nation_id="PHL", clearance=1, roles=["purchaser"], display_name="P"
    )
    assert Principal.objects.filter(nation_id="PHL").update(clearance=Clearance.SECRET) == 1
    assert Principal.objects.get().clearance == Clearance.SECRET


# --- Field validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "accesses", [["si"], ["SI", "SI"], ["-SI"], [""], "SI", [3], ["SI\n"], ["SAR_ABC"]]
)
def test_malformed_accesses_are_refused(accesses: object) -> None:
    with pytest.raises(ValidationError) as raised:
        Principal.objects.create(
            user=new_user(), nation_id="USA", clearance=3, accesses=accesses, display_name="A"
        )
    assert "accesses" in raised.value.message_dict


def test_sci_sap_and_aea_access_tokens_are_accepted() -> None:
    tokens = ["SI", "SI-G", "TK", "SAR-ABC", "RD", "RD-CNWDI", "HCS-P ABCD"]
    principal = Principal.objects.create(
        user=new_user(), nation_id="USA", clearance=3, accesses=tokens, display_name="A"
    )
    principal.refresh_from_db()
    assert principal.accesses == tokens


@pytest.mark.parametrize("roles", [["spy"], ["author", "author"], "author", [None]])
def test_unknown_or_repeated_roles_are_refused(roles: object) -> None:
    with pytest.raises(ValidationError) as raised:
        Principal.objects.create(
            user=new_user(), nation_id="USA", clearance=3, roles=roles, display_name="A"
        )
    assert "roles" in raised.value.message_dict


def test_a_principal_needs_a_clearance_and_a_known_nation() -> None:
    with pytest.raises(ValidationError) as raised:
        Principal.objects.create(user=new_user(), nation_id="XXX", display_name="A")
    assert {"clearance", "nation"} <= set(raised.value.message_dict)


def test_a_user_has_at_most_one_principal() -> None:
    user = new_user()
    Principal.objects.create(user=user, nation_id="USA", clearance=0, display_name="A")
    with pytest.raises(ValidationError):
        Principal.objects.create(user=user, nation_id="USA", clearance=0, display_name="B")


# --- The viewer --------------------------------------------------------------------------------


def test_the_cast_gives_each_person_the_nation_clearance_and_roles_of_the_demo(
    cast: dict[str, User],
) -> None:
    jpn = cast["jpn.liaison"].principal
    assert (jpn.nation_id, jpn.clearance_level, jpn.is_us) == ("JPN", Level.S, False)
    assert jpn.has_role(Role.LIAISON_OFFICER) and jpn.has_role("planner")
    assert not jpn.has_role(Role.AUTHOR)
    assert cast["us.analyst"].principal.is_us


def test_a_principals_viewer_carries_nation_clearance_and_accesses(cast: dict[str, User]) -> None:
    viewer = cast["us.analyst"].principal.viewer()
    assert isinstance(viewer, Viewer)
    assert (viewer.nation, viewer.clearance) == ("USA", Level.TS)
    assert viewer.accesses == frozenset({"SI", "SI-G", "TK"})


def test_a_viewer_carries_its_nations_communities_with_their_dates(cast: dict[str, User]) -> None:
    viewer = cast["aus.liaison"].principal.viewer()
    by_code = {m.code: m for m in viewer.memberships}
    assert {"FVEY", "QUAD", "AUKUS", "US-AUS"} <= set(by_code)
    assert by_code["AUKUS"] == ViewerMembership("AUKUS", datetime.date(2021, 9, 15), None)
    assert "AUKUS" not in viewer.communities_on(datetime.date(2021, 9, 14))
    assert "AUKUS" in viewer.communities_on(datetime.date(2021, 9, 15))


def test_a_viewer_on_a_day_holds_only_the_memberships_in_force_that_day(
    cast: dict[str, User],
) -> None:
    viewer = cast["aus.liaison"].principal.viewer(on=datetime.date(2020, 1, 1))
    assert {m.code for m in viewer.memberships} == {"FVEY", "QUAD", "US-AUS"}


def test_a_nation_that_left_a_community_is_outside_it_from_the_leaving_day(
    cast: dict[str, User],
) -> None:
    community = Community.objects.create(code="TEST", name="Test", kind="other", source="test")
    Membership.objects.create(
        community=community,
        nation_id="IND",
        joined=datetime.date(2020, 1, 1),
        left=datetime.date(2024, 1, 1),
        source="test",
    )
    viewer = cast["ind.liaison"].principal.viewer()
    assert ViewerMembership("TEST", datetime.date(2020, 1, 1), datetime.date(2024, 1, 1)) in (
        viewer.memberships
    )
    assert "TEST" in viewer.communities_on(datetime.date(2023, 12, 31))
    assert "TEST" not in viewer.communities_on(datetime.date(2024, 1, 1))


def test_a_viewer_is_read_fresh_so_a_new_membership_counts_at_once(cast: dict[str, User]) -> None:
    principal = cast["kor.liaison"].principal
    assert "QUAD" not in principal.viewer().communities_on(datetime.date(2025, 1, 1))
    Membership.objects.create(
        community=Community.objects.get(code="QUAD"),
        nation_id="KOR",
        joined=datetime.date(2024, 6, 1),
        source="test only: not a fact",
    )
    assert "QUAD" in principal.viewer().communities_on(datetime.date(2025, 1, 1))


def test_the_engine_decides_with_the_principals_viewer(cast: dict[str, User]) -> None:
    marking = parse("SECRET//REL TO USA, AUKUS", vocabulary=Vocabulary(frozenset({"AUKUS"})))
    on = datetime.date(2025, 1, 1)
    assert decide(cast["aus.liaison"].principal.viewer(), marking, on).view
    assert decide(cast["gbr.liaison"].principal.viewer(), marking, on).view
    assert not decide(cast["jpn.liaison"].principal.viewer(), marking, on).view
    # Clearance counts too: the Philippine liaison holds CONFIDENTIAL.
    assert not decide(cast["phl.liaison"].principal.viewer(), parse("SECRET//REL TO USA, PHL"), on)


# --- principal_for: fail closed -----------------------------------------------------------------


def test_principal_for_returns_the_signed_in_users_principal(cast: dict[str, User]) -> None:
    assert principal_for(cast["us.fdo"]).display_name == "Frances Disclosure"


def test_a_signed_in_user_without_a_principal_gets_permission_denied() -> None:
    with pytest.raises(PermissionDenied):
        principal_for(new_user())


def test_an_anonymous_or_inactive_user_gets_permission_denied(cast: dict[str, User]) -> None:
    with pytest.raises(PermissionDenied):
        principal_for(AnonymousUser())
    user = cast["kor.liaison"]
    user.is_active = False
    user.save()
    with pytest.raises(PermissionDenied):
        principal_for(user)
