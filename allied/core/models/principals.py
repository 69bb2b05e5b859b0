"""Principals: who a signed-in user is to the releasability rules, and what they may do.

A principal ties an auth user to a nation, a clearance, SCI/SAP/AEA accesses and roles. The
markings engine only ever sees the :class:`~allied.markings.access.Viewer` built from it, with the
communities its nation belongs to read fresh from the registry on every call.

Roles have a *reach*. A role whose work crosses nations (a disclosure officer releasing U.S.
information to partners, the working group seeing every allied request) is ``US_ONLY``: only a
U.S. principal may hold it. Every other role works within its own nation's scope. The table is
:data:`ROLE_REACH`; :meth:`Principal.clean` enforces it, and :meth:`Principal.save`,
``bulk_create`` and ``update`` all run that check, so no code path can store a foreign principal
with a U.S.-only role.
"""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from allied.core.models.identity import IdentityQuerySet, remember, remembered
from allied.markings import Level
from allied.markings.access import Membership as ViewerMembership
from allied.markings.access import Viewer

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

US = "USA"


class Clearance(models.IntegerChoices):
    """U.S.-equivalent clearance levels; the numbers are those of ``allied.markings.Level``."""

    UNCLASSIFIED = 0, "Unclassified"
    CONFIDENTIAL = 1, "Confidential"
    SECRET = 2, "Secret"
    TOP_SECRET = 3, "Top Secret"

    @property
    def level(self) -> Level:
        """The markings engine's level for this clearance."""
        return Level(int(self.value))


class Role(models.TextChoices):
    AUTHOR = "author", "Author"
    DISCLOSURE_OFFICER = "disclosure_officer", "Foreign disclosure officer"
    CASE_MANAGER = "case_manager", "Case manager"
    PLANNER = "planner", "Planner"
    WORKING_GROUP = "working_group", "Working group member"
    LIAISON_OFFICER = "liaison_officer", "Liaison officer"
    # A partner's purchaser following its own FMS cases, as in SCIP.
    PURCHASER = "purchaser", "Purchaser"
    ADMINISTRATOR = "administrator", "Administrator"


class Reach(enum.Enum):
    """How far a role's work reaches, and so who may hold it."""

    #: The role's work crosses nations; only a U.S. principal may hold it.
    US_ONLY = "us_only"
    #: The role works within the principal's own nation's scope; anyone may hold it.
    OWN_NATION = "own_nation"


#: Each role's reach. A disclosure officer decides releases to every partner, a case manager runs
#: cases for every purchaser, the working group sees and prioritises every allied request and an
#: administrator manages every account: their reach crosses nations. Authors, planners, liaison
#: officers and purchasers work on their own nation's material.
ROLE_REACH: Mapping[Role, Reach] = MappingProxyType(
    {
        Role.AUTHOR: Reach.OWN_NATION,
        Role.DISCLOSURE_OFFICER: Reach.US_ONLY,
        Role.CASE_MANAGER: Reach.US_ONLY,
        Role.PLANNER: Reach.OWN_NATION,
        Role.WORKING_GROUP: Reach.US_ONLY,
        Role.LIAISON_OFFICER: Reach.OWN_NATION,
        Role.PURCHASER: Reach.OWN_NATION,
        Role.ADMINISTRATOR: Reach.US_ONLY,
    }
)


def reach_of(role: Role | str) -> Reach:
    """The reach of ``role``; an unknown role raises ``ValueError``."""
    return ROLE_REACH[Role(role)]


def roles_beyond_reach(nation: str, roles: Iterable[Role | str]) -> list[Role]:
    """The roles in ``roles`` that a principal of ``nation`` may not hold (pure; no database)."""
    if nation == US:
        return []
    return [Role(role) for role in roles if reach_of(role) is Reach.US_ONLY]


# SCI (SI, SI-G, TK), SAP (SAR-ABC) and AEA (RD, RD-CNWDI) access tokens as the engine spells them.
ACCESS_TOKEN = re.compile(r"^[A-Z0-9][A-Z0-9 -]*$")


def validate_accesses(value: Any) -> None:
    """A list of distinct upper-case access tokens, e.g. ``["SI", "SI-G", "TK"]``."""
    _validate_token_list(value, "access", lambda token: bool(ACCESS_TOKEN.fullmatch(token)))


def validate_roles(value: Any) -> None:
    """A list of distinct :class:`Role` values."""
    _validate_token_list(value, "role", lambda token: token in Role.values)


def _validate_token_list(value: Any, what: str, is_valid: Callable[[str], bool]) -> None:
    if not isinstance(value, list):
        raise ValidationError(f"Give the {what}s as a list.", code="invalid")
    problems = []
    for item in value:
        if not isinstance(item, str) or not is_valid(item):
            problems.append(f"{item!r} is not a valid {what}.")
    duplicates = sorted({item for item in value if isinstance(item, str) and value.count(item) > 1})
    if duplicates:
        problems.append(f"Listed more than once: {', '.join(duplicates)}.")
    if problems:
        raise ValidationError(problems, code="invalid")


FOREIGN_US_ONLY_ROLE = (
    "A foreign user cannot be given a role whose reach crosses its nation's scope: {roles}."
)


# --- who is looking, read once per transaction: allied.core.models.identity ------------------


class PrincipalQuerySet(IdentityQuerySet):
    """Bulk writes validate too, so the role-reach rule has no side door."""

    def bulk_create(self, objs: Iterable[Principal], *args: Any, **kwargs: Any) -> list[Principal]:
        objs = list(objs)
        for obj in objs:
            obj.full_clean()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Iterable[Principal], *args: Any, **kwargs: Any) -> int:
        objs = list(objs)
        for obj in objs:
            obj.full_clean()
        return super().bulk_update(objs, *args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        # Check after the write: update, re-read every row it touched, roll back on any breach.
        with transaction.atomic(using=self.db):
            pks = list(self.values_list("pk", flat=True))
            count = super().update(**kwargs)
            for principal in self.model._default_manager.using(self.db).filter(pk__in=pks):
                principal.full_clean()
        return count


class Principal(models.Model):
    """A signed-in person as Allied sees them: nation, clearance, accesses and roles."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="principal"
    )
    nation = models.ForeignKey("core.Nation", on_delete=models.PROTECT, related_name="principals")
    clearance = models.PositiveSmallIntegerField(
        choices=Clearance.choices, help_text="The U.S.-equivalent level of the person's clearance."
    )
    accesses = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_accesses],
        help_text='SCI, SAP and AEA accesses, e.g. ["SI", "SI-G", "TK", "SAR-ABC", "RD"].',
    )
    roles = models.JSONField(default=list, blank=True, validators=[validate_roles])
    organisation = models.CharField(max_length=200, blank=True)
    display_name = models.CharField(max_length=200)

    objects = PrincipalQuerySet.as_manager()

    class Meta:
        ordering = ["nation", "display_name"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.nation_id}, {self.get_clearance_display()})"

    def clean(self) -> None:
        if self.nation_id is None or not isinstance(self.roles, list):
            return  # clean_fields reports those
        known = [role for role in self.roles if role in Role.values]
        beyond = roles_beyond_reach(self.nation_id, known)
        if beyond:
            roles = ", ".join(role.label for role in beyond)
            raise ValidationError({"roles": FOREIGN_US_ONLY_ROLE.format(roles=roles)})

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every save is validated, so the role-reach rule cannot be skipped by code.
        self.full_clean()
        super().save(*args, **kwargs)

    @property
    def is_us(self) -> bool:
        return self.nation_id == US

    def has_role(self, role: Role | str) -> bool:
        return Role(role).value in self.roles

    @property
    def role_labels(self) -> list[str]:
        return [role.label for role in sorted_roles(self.roles)]

    @property
    def clearance_level(self) -> Level:
        return Clearance(self.clearance).level

    def viewer(self, on: datetime.date | None = None) -> Viewer:
        """This principal as the markings engine sees them, with its nation's memberships.

        With ``on=None`` the viewer carries every membership of its nation with its dates (the
        engine picks those in force on the day it decides for). With a day, only the
        memberships in force on that day are included. The memberships are read once per
        transaction (a request) and nation, and again after any write to a membership, nation
        or community; the principal's own fields are this object's.
        """
        from allied.core.models.registry import Membership

        key = ("allied.memberships", self.nation_id, on)
        held = remembered(key)
        if held is None:
            memberships = Membership.objects.filter(nation_id=self.nation_id)
            if on is not None:
                memberships = memberships.current_on(on)
            held = _viewer_memberships(
                memberships.order_by("community__code", "joined").values_list(
                    "community__code", "joined", "left"
                )
            )
            remember(key, held)
        return Viewer(
            nation=self.nation_id,
            clearance=self.clearance_level,
            accesses=frozenset(self.accesses),
            memberships=held,
        )


def _viewer_memberships(
    rows: Iterable[tuple[str, datetime.date, datetime.date | None]],
) -> tuple[ViewerMembership, ...]:
    # Both sides treat the leaving day as outside the membership (end exclusive).
    return tuple(ViewerMembership(code, start, end) for code, start, end in rows)


def principal_for(user: AbstractBaseUser | AnonymousUser | None) -> Principal:
    """The principal of a signed-in, active user; ``PermissionDenied`` for anyone else.

    Fails closed: an anonymous or inactive user, or a signed-in user with no principal, gets no
    principal and so sees nothing. The row is read once per transaction (a request), and again
    after any write to a principal in this process (``identity_changed``).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied("No principal: sign in first.")
    principal = principal_of(user)
    if principal is None:
        raise PermissionDenied("This account has no principal, so it may see nothing.")
    return principal


def principal_of(user: Any, *, as_cached: bool = False) -> Principal | None:
    """The principal of ``user`` (whatever its state), or ``None``: the read behind
    ``principal_for``, once per transaction.

    The row found is also put in ``user.principal``'s cache. Callers that only describe a user or
    draw a page's links (the audit's copy of the actor's nation, ``may_open``) pass
    ``as_cached=True`` to take that cached row as it is, as ``user.principal`` would: the page's
    header is drawn after the request's transaction, from the row the view read. What a person
    may see is never decided from it (``principal_for`` does not pass it).
    """
    pk = getattr(user, "pk", None)
    if pk is None:
        return None
    key = ("allied.principal", pk)
    principal: Principal | None = remembered(key)
    field = Principal._meta.get_field("user").remote_field
    instance = user if isinstance(user, models.Model) else getattr(user, "_wrapped", None)
    if not isinstance(instance, models.Model):
        instance = None
    if principal is None and as_cached and instance is not None and field.is_cached(instance):
        cached = field.get_cached_value(instance)
        if isinstance(cached, Principal):
            return cached
    if principal is None:
        try:
            principal = Principal.objects.select_related("nation").get(user_id=pk)
        except Principal.DoesNotExist:
            return None
        remember(key, principal)
    if instance is not None:
        field.set_cached_value(instance, principal)
    return principal


def sorted_roles(roles: Sequence[str]) -> list[Role]:
    """Roles in the order :class:`Role` declares them, for display."""
    return [role for role in Role if role.value in roles]
