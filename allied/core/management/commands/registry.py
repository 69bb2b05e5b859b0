"""``allied registry members CODE``: show or change a locally configured community's members.

    allied registry members MILFW                          # members today
    allied registry members MILFW --on 2025-01-01          # members on a day
    allied registry members MILFW --add JPN --add GBR --remove KOR --on 2025-01-01 \\
        --source "Framework secretariat letter of 2 January 2025"

Joins and leaves are effective-dated: ``--add`` records a membership from ``--on`` (today by
default); ``--remove`` ends the one in force on that day, the leaving day itself excluded. Only
communities whose membership is configured locally (the Military Framework) can be changed here:
the others are public facts that ``load_registry`` would put back.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from allied.core.models import Community, Membership, Nation
from allied.core.registry import LOCALLY_CONFIGURED

DEFAULT_SOURCE = "configured locally with `allied registry members`"


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{text!r} is not a date: give it as YYYY-MM-DD.") from error


class Command(BaseCommand):
    help = "Show or change, with dates, the members of a locally configured community (MILFW)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        members = actions.add_parser(
            "members",
            help="List the members of a community on a day, or add and remove members.",
        )
        members.add_argument("code", help="The community's code, e.g. MILFW.")
        members.add_argument(
            "--add", action="append", default=[], metavar="ISO3", help="A nation that joins."
        )
        members.add_argument(
            "--remove", action="append", default=[], metavar="ISO3", help="A nation that leaves."
        )
        members.add_argument(
            "--on", type=str, default=None, help="The day it takes effect (default: today)."
        )
        members.add_argument(
            "--source", default="", help="Where the change comes from (stored with the row)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["code"].upper()
        community = Community.objects.filter(code=code).first()
        if community is None:
            raise CommandError(f"No community {code}. Run `allied load_registry` first?")
        on = _day(options["on"]) if options["on"] else timezone.localdate()
        adds = [iso3.upper() for iso3 in options["add"]]
        removes = [iso3.upper() for iso3 in options["remove"]]
        if adds or removes:
            if code not in LOCALLY_CONFIGURED:
                configurable = ", ".join(sorted(LOCALLY_CONFIGURED))
                raise CommandError(
                    f"{code}'s membership is public fact kept by load_registry; only "
                    f"{configurable} is configured here."
                )
            both = sorted(set(adds) & set(removes))
            if both:
                raise CommandError(f"Both added and removed: {', '.join(both)}.")
            source = options["source"].strip() or DEFAULT_SOURCE
            with transaction.atomic():
                for iso3 in adds:
                    self.stdout.write(join(community, _nation(iso3), on, source))
                for iso3 in removes:
                    self.stdout.write(leave(community, _nation(iso3), on, source))
        current = Nation.objects.members_of(community, on).order_by("iso3")
        listed = ", ".join(nation.iso3 for nation in current) or "none"
        self.stdout.write(f"{community.code} members on {on.isoformat()}: {listed}")


def _nation(iso3: str) -> Nation:
    nation = Nation.objects.filter(iso3=iso3).first()
    if nation is None:
        raise CommandError(f"{iso3} is not a nation in the registry (ISO 3166-1 alpha-3).")
    return nation


def join(community: Community, nation: Nation, on: datetime.date, source: str) -> str:
    """Record that ``nation`` joins ``community`` on ``on``; a no-op if it is a member then."""
    memberships = Membership.objects.filter(community=community, nation=nation)
    if memberships.current_on(on).exists():
        return f"{nation.iso3} is already a member of {community.code} on {on.isoformat()}."
    later = memberships.filter(joined__gt=on).order_by("joined").first()
    if later is not None:
        # An open-ended join now would overlap the later one.
        raise CommandError(
            f"{nation.iso3} already joins {community.code} on {later.joined.isoformat()}; "
            "remove that membership first or join on a later day."
        )
    Membership.objects.create(
        community=community, nation=nation, joined=on, source=f"joined {on.isoformat()}: {source}"
    )
    return f"{nation.iso3} joins {community.code} on {on.isoformat()}."


def leave(community: Community, nation: Nation, on: datetime.date, source: str) -> str:
    """Record that ``nation`` leaves ``community`` on ``on`` (no longer a member that day)."""
    membership = (
        Membership.objects.filter(community=community, nation=nation).current_on(on).first()
    )
    if membership is None:
        raise CommandError(f"{nation.iso3} is not a member of {community.code} on {on}.")
    if membership.joined == on:
        # Leaving on the joining day: the membership never took effect.
        membership.delete()
        return f"{nation.iso3}'s membership of {community.code} from {on} is withdrawn."
    later = (
        Membership.objects.filter(community=community, nation=nation, joined__gt=on)
        .order_by("joined")
        .first()
    )
    membership.left = on
    membership.source = f"{membership.source}; left {on.isoformat()}: {source}"
    membership.save(update_fields=["left", "source"])
    note = f" (it rejoins on {later.joined.isoformat()})" if later is not None else ""
    return f"{nation.iso3} leaves {community.code} on {on.isoformat()}{note}."
