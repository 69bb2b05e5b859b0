"""The ``allied`` console script.

``allied marking ...`` runs the pure markings engine and ``allied arms ...`` the pure arms-sales
rules (statutory notification); neither needs a database or Django settings.
Every other subcommand is handed to Django's management commands (serve, demo, migrate, ...).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "marking":
        from allied.markings.cli import main as marking_main

        return marking_main(args[1:])
    if args and args[0] == "arms":
        from allied.arms.cli import main as arms_main

        return arms_main(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "allied.settings")
    from django.core.management import execute_from_command_line

    if args and args[0] == "serve":
        args[0] = "runserver"
        from django.conf import settings

        if settings.ALLIED_LOCAL and not settings.DEBUG and "--insecure" not in args:
            # Local mode serves its own static files, which runserver otherwise does only in
            # Django's debug mode; a deployment has its proxy serve them (collectstatic).
            args.append("--insecure")
    execute_from_command_line(["allied", *args])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
