"""Figures as data: each benchmark records what it measured beside the target its issue set, and
``python -m bench`` writes them all into one table (``bench/results.md``).

A benchmark calls :func:`record` next to what it already prints. When ``python -m bench`` runs it,
``ALLIED_BENCH_FIGURES`` names a file that each figure is appended to as one JSON line (so that
benchmarks run in subprocesses report too); run on its own, a benchmark only prints.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

ENV = "ALLIED_BENCH_FIGURES"
#: How a measured value compares with its target: at most (times, errors) or at least (rates).
AT_MOST, AT_LEAST = "<=", ">="
#: The figures of the last load test (``make load``), which ``python -m bench`` adds to its table.
LOAD_FIGURES = Path(__file__).resolve().parent.parent / "var" / "load-figures.jsonl"
#: The figure of the last capacity run (``make load LOAD_ARGS=--capacity``), added the same way.
CAPACITY_FIGURES = LOAD_FIGURES.with_name("capacity-figures.jsonl")


@dataclass(frozen=True)
class Figure:
    bench: str
    name: str
    value: float
    unit: str
    target: float | None = None
    compare: str = AT_MOST

    def __post_init__(self) -> None:
        if self.compare not in (AT_MOST, AT_LEAST):
            raise ValueError(f"compare must be {AT_MOST!r} or {AT_LEAST!r}, not {self.compare!r}")

    @property
    def passed(self) -> bool | None:
        """Whether the value meets the target; None when there is no target."""
        if self.target is None:
            return None
        if self.compare == AT_MOST:
            return self.value <= self.target
        return self.value >= self.target


def record(
    bench: str,
    name: str,
    value: float,
    unit: str,
    target: float | None = None,
    compare: str = AT_MOST,
) -> Figure:
    """Record one figure (appended to the file ``ALLIED_BENCH_FIGURES`` names, if any)."""
    figure = Figure(bench, name, float(value), unit, target, compare)
    path = os.environ.get(ENV)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(asdict(figure)) + "\n")
    return figure


def read(path: Path) -> list[Figure]:
    """The figures recorded in ``path`` (none if it does not exist)."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Figure(**json.loads(line)) for line in lines if line.strip()]


def number(value: float, unit: str) -> str:
    """``value`` with its unit, to a precision that suits its size."""
    if abs(value) >= 100 or value == int(value):
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    elif abs(value) >= 0.01:
        text = f"{value:.2f}"
    else:
        text = f"{value:.2e}"
    return f"{text} {unit}".rstrip()


def verdict(figure: Figure) -> str:
    return {None: "-", True: "pass", False: "MISSED"}[figure.passed]


def table(figures: Iterable[Figure], heading: str) -> str:
    """One markdown table of ``figures``, under ``heading`` (a line or two of context)."""
    figures = list(figures)
    rows = [
        (
            f.bench,
            f.name,
            number(f.value, f.unit),
            "-" if f.target is None else f"{f.compare} {number(f.target, f.unit)}",
            verdict(f),
        )
        for f in figures
    ]
    header = ("benchmark", "figure", "measured", "target", "verdict")
    lines = [heading, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    missed = sum(1 for f in figures if f.passed is False)
    met = sum(1 for f in figures if f.passed)
    lines += [
        "",
        f"{met} targets met, {missed} missed, {len(rows) - met - missed} without a target.",
    ]
    return "\n".join(lines) + "\n"
