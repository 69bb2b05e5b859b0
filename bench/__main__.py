"""Run every benchmark: ``python -m bench [NAME ...]``."""

from __future__ import annotations

import importlib
import os
import sys

BENCHMARKS = ["markings", "visibility", "taxii"]


def main(argv: list[str]) -> int:
    names = argv or BENCHMARKS
    print(f"# Allied benchmarks on {os.cpu_count()} cores ({sys.version.split()[0]})")
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        module.main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
