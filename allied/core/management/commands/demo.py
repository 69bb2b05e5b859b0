"""``allied demo``: set up an offline demo and serve it.

Migrates, loads the public registry, creates fictional demo users that all share one published
password, prints the logins and runs the development server without the auto-reloader.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

DEMO_PASSWORD = "allied-demo"
DEFAULT_ADDRPORT = "127.0.0.1:8000"

# Fictional people. The username says which nation's desk they sit at and what they do.
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("us.analyst", "Avery", "Analyst (United States, fictional)"),
    ("us.planner", "Parker", "Planner (United States, fictional)"),
    ("jpn.liaison", "Jun", "Liaison (Japan, fictional)"),
    ("kor.liaison", "Min", "Liaison (South Korea, fictional)"),
    ("aus.analyst", "Alex", "Analyst (Australia, fictional)"),
    ("gbr.analyst", "Morgan", "Analyst (United Kingdom, fictional)"),
)


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
        if not settings.DEBUG:
            # The demo users share a password printed on screen and published in the source.
            raise CommandError("demo runs only with ALLIED_DEBUG=true: its password is public.")
        verbosity = int(options["verbosity"])
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        call_command("load_registry", verbosity=verbosity, stdout=self.stdout)
        usernames = create_demo_users()
        self.print_logins(usernames, options["addrport"])
        if not options["no_serve"]:
            call_command("runserver", options["addrport"], use_reloader=False)

    def print_logins(self, usernames: list[str], addrport: str) -> None:
        width = max(len(name) for name in usernames)
        lines = [
            "",
            "Allied demo. The users below are fictional and exist only in this local database.",
            f"Every demo user's password is: {DEMO_PASSWORD}",
            "",
            *(f"  {name.ljust(width)}  {DEMO_PASSWORD}" for name in usernames),
            "",
            f"Sign in at http://{addrport}/login/",
            "API token for a user: allied drf_create_token us.analyst",
            "",
        ]
        self.stdout.write("\n".join(lines))


@transaction.atomic
def create_demo_users() -> list[str]:
    """Create the demo users, or reset their password if they already exist."""
    user_model = get_user_model()
    for username, first_name, last_name in DEMO_USERS:
        user, _ = user_model.objects.get_or_create(
            username=username, defaults={"first_name": first_name, "last_name": last_name}
        )
        # Reset every time, so the printed password always works.
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.save()
    return [username for username, _, _ in DEMO_USERS]
