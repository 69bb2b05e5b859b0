"""Markings engine figures (issue: markings engine), each on one core.

* compiled access decisions per second (target: at least 1,000,000);
* distinct markings parsed per second (target: at least 50,000), and repeats through the cache;
* roll-up of 10,000 portions (target: within 10 ms).
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable
from datetime import date

from allied.markings import Level, Marking, parse, render
from allied.markings.access import (
    Membership,
    Viewer,
    compile_marking,
    compile_viewer,
    may_view,
)
from allied.markings.parser import _check_cached
from allied.markings.rollup import rollup_portions
from allied.markings.vocab import rel_sort_key
from bench._report import AT_LEAST, record

NATIONS = [
    "AUS",
    "CAN",
    "DEU",
    "FRA",
    "GBR",
    "IND",
    "IDN",
    "ITA",
    "JPN",
    "KOR",
    "MYS",
    "NLD",
    "NZL",
    "PHL",
    "SGP",
    "THA",
    "TWN",
    "VNM",
    "ESP",
    "POL",
]
EXTRAS = [(), ("OC",), ("PR",), ("OC", "PR")]
ON = date(2026, 11, 27)


def distinct_markings(n: int) -> list[str]:
    """``n`` distinct, valid banner and portion texts."""
    out: list[str] = []
    combos = itertools.chain.from_iterable(itertools.combinations(NATIONS, k) for k in (1, 2, 3, 4))
    for codes in combos:
        for level, extra, form in itertools.product(
            (Level.C, Level.S, Level.TS), EXTRAS, ("banner", "portion")
        ):
            marking = Marking(
                level=level,
                dissem=tuple(c for c in ("OC", "PR", "REL") if c in extra or c == "REL"),
                rel_to=tuple(sorted({"USA", *codes}, key=rel_sort_key)),
            )
            out.append(render(marking, form))  # type: ignore[arg-type]
            if len(out) == n:
                return out
    raise ValueError("not enough combinations")


def best_of(runs: int, fn: Callable[[], float]) -> float:
    return min(fn() for _ in range(runs))


def bench_decisions() -> float:
    texts = distinct_markings(2000)
    compiled = [compile_marking(parse(t)) for t in texts] + [
        compile_marking(parse("(U)")),
        compile_marking(parse("(S//NF)")),
        compile_marking(parse("(TS//SI-G ABCD//REL TO USA, FVEY)")),
    ]
    viewers = [
        compile_viewer(Viewer(n, Level.S, frozenset({"SI"}), (Membership("NATO"),)), ON)
        for n in NATIONS
    ] + [compile_viewer(Viewer("USA", Level.TS, frozenset({"SI", "SI-G"})), ON)]
    pairs = [(v, m) for v in viewers for m in compiled]
    rounds = max(1, 2_000_000 // len(pairs))

    def run() -> float:
        start = time.perf_counter()
        for _ in range(rounds):
            for v, m in pairs:
                may_view(v, m)
        return time.perf_counter() - start

    seconds = best_of(3, run)
    return rounds * len(pairs) / seconds


def bench_parse() -> tuple[float, float]:
    texts = distinct_markings(60_000)

    def cold() -> float:
        _check_cached.cache_clear()
        start = time.perf_counter()
        for text in texts:
            parse(text)
        return time.perf_counter() - start

    cold_seconds = best_of(3, cold)

    def warm() -> float:
        start = time.perf_counter()
        for text in texts:
            parse(text)
        return time.perf_counter() - start

    warm_seconds = best_of(3, warm)
    return len(texts) / cold_seconds, len(texts) / warm_seconds


def bench_rollup() -> float:
    texts = [t for t in distinct_markings(24_000) if t.startswith("(")]
    portions = [parse(t) for t in texts[:9_997]] + [
        parse("(U)"),
        parse("(U//FOUO)"),
        parse("(TS//SI-G ABCD//REL TO USA, FVEY)"),
    ]
    assert len(portions) == 10_000

    def run() -> float:
        start = time.perf_counter()
        rollup_portions(portions)
        return time.perf_counter() - start

    return best_of(5, run)


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    decisions = bench_decisions()
    cold, warm = bench_parse()
    rollup_seconds = bench_rollup()
    record("markings", "compiled access decisions, one core", decisions, "/s", 1e6, AT_LEAST)
    record("markings", "distinct markings parsed", cold, "/s", 50_000, AT_LEAST)
    record("markings", "repeated markings parsed (cache)", warm, "/s")
    record("markings", "roll-up of 10,000 portions", rollup_seconds * 1000, "ms", 10)
    rows = [
        ("compiled access decisions / s (one core)", f"{decisions:,.0f}", ">= 1,000,000"),
        ("distinct markings parsed / s", f"{cold:,.0f}", ">= 50,000"),
        ("repeated markings parsed / s (cache)", f"{warm:,.0f}", "-"),
        ("roll-up of 10,000 portions", f"{rollup_seconds * 1000:.2f} ms", "<= 10 ms"),
    ]
    print("\n## markings")
    print(f"| {'figure':<42} | {'measured':>14} | {'target':>13} |")
    print(f"|{'-' * 44}|{'-' * 16}|{'-' * 15}|")
    for name, value, target in rows:
        print(f"| {name:<42} | {value:>14} | {target:>13} |")
