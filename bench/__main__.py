"""Run every benchmark: ``python -m bench [NAME ...]``.

Every module of this package with a ``main()`` is a benchmark, except those in ``SEPARATE``,
which need their own environment and have their own make target.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from pathlib import Path

#: Benchmarks that are run by their own make target, not by ``make bench``.
SEPARATE = frozenset({"medallion_compare"})


def discover() -> list[str]:
    here = Path(__file__).parent
    return sorted(
        info.name
        for info in pkgutil.iter_modules([str(here)])
        if not info.name.startswith("_") and info.name not in SEPARATE
    )


def main(argv: list[str]) -> int:
    names = argv or discover()
    print(f"# Allied benchmarks on {os.cpu_count()} cores ({sys.version.split()[0]})")
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        module.main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
