"""``allied demo``: set up an offline demo and serve it.

Migrates, loads the public registry, creates the fictional cast (``allied.core.cast``: users with
their principals) that all share one published password, prints the logins and runs the
development server without the auto-reloader (and without Django's debug mode: its static files
are served with ``--insecure``). Running it again changes nothing but the passwords,
which it resets so the printed one always works. The audit sealer runs in a thread beside the
server (``allied.core.audit_sealer``), so the demo's audit log is chained with no second command.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from allied.core import audit_sealer, demo_content
from allied.core.cast import CAST, Person, create_cast

#: Apps whose ``demo`` module seeds fictional content, in order: later ones may read earlier ones.
DEMO_APPS = (
    "allied.intel",
    "allied.arms",
    "allied.planning",
    "allied.people",
    "allied.working_group",
)

DEMO_PASSWORD = "allied-demo"
DEFAULT_ADDRPORT = "127.0.0.1:8000"

# Demo users of earlier versions, before every user had a principal. They shared the published
# password, so a database that still has them gets them switched off.
RETIRED_DEMO_USERNAMES = ("aus.analyst", "gbr.analyst")


class Command(BaseCommand):
    help = "Migrate, load the registry, create fictional demo users and serve on 127.0.0.1:8000."

    # runserver does its own checks, and migrate must run before the checks make sense.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--addrport",
            default=DEFAULT_ADDRPORT,
            help=f"Address and port to serve on (default {DEFAULT_ADDRPORT}).",
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Set everything up and print the logins, but do not start the server.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.ALLIED_LOCAL:
            # The demo users share a password printed on screen and published in the source.
            raise CommandError("demo runs only with ALLIED_DEBUG=true: its password is public.")
        if settings.DEBUG:
            # Anyone with the public password would meet Django's debug pages: tracebacks, the
            # environment, their own API token and the SQL.
            raise CommandError(
                "demo does not run with ALLIED_DJANGO_DEBUG=true: its password is public."
            )
        verbosity = int(options["verbosity"])
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        call_command("load_registry", verbosity=verbosity, stdout=self.stdout)
        create_cast(password=DEMO_PASSWORD)
        retire_old_demo_users()
        demo_content.seed()
        seed_apps()
        self.print_logins(CAST, options["addrport"])
        if not options["no_serve"]:
            # The server's requests insert their audit entries unsealed; this thread chains them.
            audit_sealer.start_background_sealer()
            # Without Django's debug mode runserver serves static files only when told to.
            call_command(
                "runserver", options["addrport"], use_reloader=False, insecure_serving=True
            )

    def print_logins(self, people: tuple[Person, ...], addrport: str) -> None:
        rows = [("Username", "Password", "Nation", "Clearance", "Roles")]
        rows += [
            (
                person.username,
                DEMO_PASSWORD,
                person.nation,
                person.clearance.label,
                ", ".join(role.label for role in person.roles),
            )
            for person in people
        ]
        widths = [max(len(cell) for cell in column) for column in zip(*rows, strict=True)]
        table = [
            "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            for row in rows
        ]
        lines = [
            "",
            "Allied demo. The people below are fictional and exist only in this local database.",
            f"Every demo user's password is: {DEMO_PASSWORD}",
            "",
            *table,
            "",
            f"Sign in at http://{addrport}/login/",
            "API token for a user (replaces any earlier one): allied token us.analyst",
            "",
        ]
        self.stdout.write("\n".join(lines))


def seed_apps() -> None:
    """Seed each app's demo content; an app without a ``demo`` module has none yet."""
    for app in DEMO_APPS:
        try:
            module = importlib.import_module(f"{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.demo":
                raise
            continue
        module.seed()


def retire_old_demo_users() -> int:
    """Deactivate demo users that are no longer in the cast; return how many were active."""
    from django.contrib.auth.models import User

    return User.objects.filter(username__in=RETIRED_DEMO_USERNAMES, is_active=True).update(
        is_active=False
    )
