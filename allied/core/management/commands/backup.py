"""``allied backup FILE``: write a consistent backup of the database and its audit chain.

See :mod:`allied.core.backup` for the format. On PostgreSQL it runs ``pg_dump`` and needs a role
that sees every row (a superuser or BYPASSRLS); on SQLite it copies the file with SQLite's online
backup API while the application keeps running.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allied.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write a backup of the database (with its manifest and checksums) to FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Where to write the backup (a .tar file).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if path.is_dir():
            raise CommandError(f"{path} is a folder: give the backup's file name")
        try:
            manifest = backup(path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        head = manifest["audit"]["head"]
        tables, rows = len(manifest["row_counts"]), sum(manifest["row_counts"].values())
        anchor = f"{head['sequence']}:{head['hash']}" if head else "none (empty log)"
        self.stdout.write(f"backup written to {path}: {tables} tables, {rows} rows")
        self.stdout.write(f"audit head {anchor} (keep it for `allied audit verify --anchor`)")
