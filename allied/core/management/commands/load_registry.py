"""``allied load_registry``: load the public registry of nations and communities."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from allied.core import registry


class Command(BaseCommand):
    help = "Create or update the public registry: nations, communities and their memberships."

    def handle(self, *args: Any, **options: Any) -> None:
        result = registry.load()
        self.stdout.write(
            f"Registry loaded: {result.nations} nations, {result.communities} communities, "
            f"{result.memberships} memberships, {result.agreements} security agreements."
        )
