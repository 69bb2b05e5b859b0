"""The fixed cast of fictional people used by ``allied demo`` and by the tests.

Every person here is invented. The username says which nation's desk they sit at and what they
do; the rest (clearance, accesses, roles) is what the releasability rules and role checks read.
Defining the cast once means the demo shows exactly the people the tests reason about.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction

from allied.core.models.principals import Clearance, Principal, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class Person:
    username: str
    display_name: str
    nation: str
    clearance: Clearance
    roles: tuple[Role, ...]
    accesses: tuple[str, ...] = ()
    organisation: str = ""


CAST: tuple[Person, ...] = (
    Person(
        "us.analyst",
        "Avery Analyst",
        "USA",
        Clearance.TOP_SECRET,
        (Role.AUTHOR,),
        ("SI", "SI-G", "TK"),
        "Intelligence analysis cell (fictional)",
    ),
    Person(
        "us.fdo",
        "Frances Disclosure",
        "USA",
        Clearance.TOP_SECRET,
        (Role.DISCLOSURE_OFFICER,),
        organisation="Foreign disclosure office (fictional)",
    ),
    Person(
        "us.casemgr",
        "Casey Manager",
        "USA",
        Clearance.SECRET,
        (Role.CASE_MANAGER,),
        organisation="FMS case management (fictional)",
    ),
    Person(
        "us.planner",
        "Parker Planner",
        "USA",
        Clearance.SECRET,
        (Role.PLANNER,),
        organisation="Coalition plans (fictional)",
    ),
    Person(
        "wg.member",
        "Wren Group",
        "USA",
        Clearance.TOP_SECRET,
        (Role.WORKING_GROUP,),
        organisation="Allied requests working group (fictional)",
    ),
    Person(
        "us.admin",
        "Adrian Admin",
        "USA",
        Clearance.TOP_SECRET,
        (Role.ADMINISTRATOR,),
        organisation="Allied operations (fictional)",
    ),
    Person(
        "jpn.liaison",
        "Jun Liaison",
        "JPN",
        Clearance.SECRET,
        (Role.LIAISON_OFFICER, Role.PLANNER),
        organisation="Japan liaison desk (fictional)",
    ),
    Person(
        "kor.liaison",
        "Min Liaison",
        "KOR",
        Clearance.SECRET,
        (Role.LIAISON_OFFICER,),
        organisation="Republic of Korea liaison desk (fictional)",
    ),
    Person(
        "aus.liaison",
        "Alex Liaison",
        "AUS",
        Clearance.TOP_SECRET,
        (Role.LIAISON_OFFICER, Role.AUTHOR),
        organisation="Australia liaison desk (fictional)",
    ),
    Person(
        "phl.liaison",
        "Pia Liaison",
        "PHL",
        Clearance.CONFIDENTIAL,
        (Role.LIAISON_OFFICER, Role.PURCHASER),
        organisation="Philippines liaison desk (fictional)",
    ),
    Person(
        "ind.liaison",
        "Isha Liaison",
        "IND",
        Clearance.CONFIDENTIAL,
        (Role.LIAISON_OFFICER,),
        organisation="India liaison desk (fictional)",
    ),
    Person(
        "gbr.liaison",
        "Morgan Liaison",
        "GBR",
        Clearance.TOP_SECRET,
        (Role.LIAISON_OFFICER,),
        organisation="United Kingdom liaison desk (fictional)",
    ),
)

BY_USERNAME: dict[str, Person] = {person.username: person for person in CAST}


@transaction.atomic
def create_cast(password: str | None = None, people: Iterable[Person] = CAST) -> dict[str, User]:
    """Create or update each person's user and principal; return them by username.

    The registry's nations must be loaded first. With ``password`` every user gets it (reset each
    time, so a printed password always works); without, the users cannot sign in by password.
    """
    from django.contrib.auth.models import User

    users: dict[str, User] = {}
    for person in people:
        first, _, last = person.display_name.partition(" ")
        user, _ = User.objects.get_or_create(username=person.username)
        user.first_name, user.last_name = first, last
        user.is_active = True
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
        principal = Principal.objects.filter(user=user).first() or Principal(user=user)
        principal.nation_id = person.nation
        principal.clearance = person.clearance
        principal.accesses = list(person.accesses)
        principal.roles = [role.value for role in person.roles]
        principal.organisation = person.organisation
        principal.display_name = person.display_name
        principal.save()
        users[person.username] = user
    return users
