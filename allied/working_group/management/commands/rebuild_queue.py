"""``allied rebuild_queue``: make the working group's queue table again from every source.

Run after loading requests in bulk (rows written without ``save()`` send no signal), or at any
time to repair the table. ``--scores-only`` recomputes the stored scores for today and the
group's weights: the nightly job, so that the first reader of a day does not wait for it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from allied.working_group import entries


class Command(BaseCommand):
    help = "Rebuild the working group's queue table from its sources (or only its scores)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scores-only",
            action="store_true",
            help="Recompute the stored scores for today (the nightly job).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        with transaction.atomic():
            if options["scores_only"]:
                entries.refresh_scores(today)
                self.stdout.write(f"queue scores stored for {today.isoformat()}")
            else:
                n = entries.rebuild(today)
                self.stdout.write(f"queue table rebuilt: {n:,} open requests, scored for {today}")
