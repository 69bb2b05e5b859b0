"""Run every benchmark: ``python -m bench [NAME ...]``.

Every module of this package with a ``main()`` is a benchmark, except those in ``SEPARATE``,
which need their own environment and have their own make target. Each prints its own figures as
it goes; at the end one table of every figure recorded (``bench/_report.py``), with its target
and verdict, is printed and written to ``bench/results.md``, together with the figures of the
last load test (``make load``) when there are any.
"""

from __future__ import annotations

import argparse
import datetime
import os
import pkgutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import _report

#: Benchmarks that are run by their own make target, not by ``make bench``.
SEPARATE = frozenset({"medallion_compare", "load"})
HERE = Path(__file__).parent
RESULTS = HERE / "results.md"


def discover() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules([str(HERE)])
        if not info.name.startswith("_") and info.name not in SEPARATE
    )


def heading(
    names: list[str],
    now: datetime.datetime,
    load_time: datetime.datetime | None,
    capacity_time: datetime.datetime | None = None,
) -> str:
    text = (
        f"# Allied benchmarks\n\n{now:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, Python "
        f"{sys.version.split()[0]}; benchmarks run: {', '.join(names)}."
    )
    if load_time is not None:
        text += (
            f" The load rows are from the last `make load` ({load_time:%Y-%m-%d %H:%M} UTC; "
            "each page's figures are in `bench/load.md`)."
        )
    if capacity_time is not None:
        text += (
            " The capacity row is from the last `make load LOAD_ARGS=--capacity` "
            f"({capacity_time:%Y-%m-%d %H:%M} UTC; each step is in `bench/capacity.md`)."
        )
    return text


def written_at(path: Path) -> datetime.datetime:
    """When the figures file ``path`` was last written (UTC)."""
    return datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.UTC)


def run_benchmark(name: str) -> None:
    """Run benchmark ``name`` in a Python process of its own, with no arguments of its own.

    One process per benchmark, so that none is measured behind what an earlier one left in the
    process (its objects for the garbage collector to walk, its caches, Django set up on the
    earlier benchmark's database): run one after another in one process, the TAXII read took
    9.6-13 s where it takes 1.7 s run alone. Its figures reach the table through the file named
    by ``ALLIED_BENCH_FIGURES``, which the process inherits.
    """
    code = f"import bench.{name} as benchmark; benchmark.main()"
    result = subprocess.run([sys.executable, "-c", code], cwd=HERE.parent, check=False)
    if result.returncode != 0:
        raise SystemExit(f"benchmark {name} failed (exit {result.returncode})")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument(
        "--output",
        type=Path,
        help="where to write the table (default: bench/results.md when every benchmark runs; "
        "a subset only prints it)",
    )
    args = parser.parse_args(argv)
    names = args.names or discover()
    output = args.output or (None if args.names else RESULTS)
    now = datetime.datetime.now(datetime.UTC)
    print(f"# Allied benchmarks on {os.cpu_count()} cores ({sys.version.split()[0]})")
    with tempfile.TemporaryDirectory() as tmp:
        figures_file = Path(tmp) / "figures.jsonl"
        os.environ[_report.ENV] = str(figures_file)
        try:
            for name in names:
                run_benchmark(name)
        finally:
            del os.environ[_report.ENV]
        figures = _report.read(figures_file)
    load = _report.read(_report.LOAD_FIGURES)
    capacity = _report.read(_report.CAPACITY_FIGURES)
    load_time = written_at(_report.LOAD_FIGURES) if load else None
    capacity_time = written_at(_report.CAPACITY_FIGURES) if capacity else None
    table = _report.table(
        [*figures, *load, *capacity], heading(names, now, load_time, capacity_time)
    )
    print("\n" + table)
    if output is not None:
        output.write_text(table, encoding="utf-8")
        print(f"(written to {output})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
