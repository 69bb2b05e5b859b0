"""``allied token USERNAME``: issue a new API token for a user, replacing the old one.

The old token stops working at once, so a token that may have leaked is rotated by running this
again. The new token is printed once, on standard output, and is never logged; the rotation is
recorded in the audit log (whose token, never the token itself).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from rest_framework.authtoken.models import Token

from allied.core import audit
from allied.core.models.audit import AuditAction


class Command(BaseCommand):
    help = "Print a new API token for USERNAME; the user's previous token stops working."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get_by_natural_key(options["username"])
        except user_model.DoesNotExist:
            raise CommandError(f"No user {options['username']!r}.") from None
        if not user.is_active:
            raise CommandError(f"{options['username']!r} is inactive: no token issued.")
        if not hasattr(user, "principal"):
            # Still issued: such a token authenticates but reaches nothing marked (fail closed).
            self.stderr.write(f"Note: {options['username']!r} has no principal, so sees nothing.")
        self.stdout.write(rotate_token(user).key)


@transaction.atomic
def rotate_token(user: Any) -> Token:
    """Delete the user's token, if any, and create a new one; audited, never with the token."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    audit.record(
        AuditAction.WRITE,
        object_type="authtoken.token",
        object_id=user.pk,
        detail={"token": "rotated", "user": user.get_username()},
    )
    return token
