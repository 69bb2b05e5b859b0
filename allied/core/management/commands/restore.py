"""``allied restore FILE [--force]``: restore a backup made by ``allied backup`` and verify it.

Refuses a damaged file (checksums), a backup of another engine or of a newer Allied, and a target
database that holds tables unless ``--force`` (which drops everything in it first). After loading
it checks migrations and row counts against the manifest and verifies the audit chain anchored at
the manifest's head; any difference is an error that names it. On PostgreSQL, objects belong to
the role that restored them and grants are not restored: run ``allied db_roles`` afterwards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allied.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup into this (empty) database and verify the audit chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="A backup written by `allied backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even if the target database holds tables: everything in it is dropped.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restored = restore(options["file"], force=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = restored.manifest
        self.stdout.write(
            f"restored the backup of {manifest['created']}: "
            f"{sum(manifest['row_counts'].values())} rows in {len(manifest['row_counts'])} "
            f"tables; audit chain intact: {restored.entries} entries"
        )
        if restored.pending_migrations:
            self.stdout.write(
                f"{len(restored.pending_migrations)} newer migrations are not applied yet: "
                "run `allied migrate`"
            )
