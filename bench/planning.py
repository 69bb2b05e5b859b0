"""Coalition planning: the optimiser and the readiness checks at the issue's size (pure data).

40 partners, 2,000 tasks, 50 capability types (``allied.planning.rules.synthetic``, seeded):

* the optimiser must return an optimal assignment, or one proven within 1% of optimal (HiGHS's
  MIP gap, asked for as ``mip_rel_gap=0.01``), within 5 s on one core;
* all checks on such a plan must run within 1 s.

The process is pinned to one core (``sched_setaffinity``) and BLAS/OpenMP to one thread. Several
seeds are run; the worst time (wall clock, and the process's CPU time, which is what a shared
machine's load does not inflate) and the worst gap are printed beside the targets. No database is
needed. Run: ``python -m bench planning`` (``PLANNING_BENCH_SEEDS=5`` by default).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import statistics  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402
from datetime import date  # noqa: E402

from bench._report import record  # noqa: E402

PARTNERS, TASKS, TYPES = 40, 2000, 50
SOLVE_TARGET_S, GAP_TARGET, CHECKS_TARGET_S = 5.0, 0.01, 1.0


def pin_one_core() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return "not pinned (no sched_setaffinity)"


def main() -> None:
    pinned = pin_one_core()
    from allied.planning.rules.checks import run_checks
    from allied.planning.rules.model import Assignment
    from allied.planning.rules.optimiser import propose
    from allied.planning.rules.synthetic import generate

    seeds = range(1, 1 + int(os.environ.get("PLANNING_BENCH_SEEDS", "5")))
    print(f"## planning: {PARTNERS} partners, {TASKS} tasks, {TYPES} capability types ({pinned})")
    solve_times, solve_cpu, gaps, check_times = [], [], [], []
    for seed in seeds:
        data = generate(PARTNERS, TASKS, TYPES, seed=seed)
        started, cpu = time.perf_counter(), time.process_time()
        proposal = propose(data, 1, time_limit=SOLVE_TARGET_S, mip_rel_gap=GAP_TARGET)
        solve = time.perf_counter() - started
        solve_cpu.append(time.process_time() - cpu)
        gap = proposal.gap if proposal.gap is not None else float("inf")
        solve_times.append(solve)
        gaps.append(gap)
        # The checks on the same plan with the proposal applied, beside a second, randomly
        # assigned concurrent plan of the same size competing for the same holdings.
        other = generate(PARTNERS, TASKS, TYPES, seed=seed + 1000, plans=2, assigned_share=0.9)
        offset = 10 * TASKS
        other_tasks = tuple(
            replace(t, key=t.key + offset, plan=2) for t in other.tasks if t.plan == 2
        )
        kept = {t.key - offset for t in other_tasks}
        other_assignments = tuple(
            replace(a, key=a.key + offset, task=a.task + offset)
            for a in other.assignments
            if a.task in kept
        )
        applied = tuple(
            Assignment(k + 1, a.task, a.nation, a.quantity, a.is_lead)
            for k, a in enumerate(proposal.assignments)
        )
        full = replace(
            data,
            plans=(*data.plans, replace(other.plans[1], key=2)),
            tasks=(*data.tasks, *other_tasks),
            assignments=(*applied, *other_assignments),
        )
        started = time.perf_counter()
        report = run_checks(full, {1, 2}, today=date(2027, 1, 1))
        checks = time.perf_counter() - started
        check_times.append(checks)
        print(
            f"seed {seed}: {proposal.status}, {proposal.variables} variables, "
            f"{proposal.rows} rows, {proposal.covered}/{proposal.tasks} tasks covered, "
            f"gap {gap:.2e}, solve {solve:.2f} s; "
            f"checks on {len(full.tasks)} tasks / {len(full.assignments)} assignments: "
            f"{len(report.findings)} findings in {checks:.3f} s"
        )
    size = f"{PARTNERS} partners, {TASKS:,} tasks, {TYPES} types"
    record("planning", f"optimiser worst wall time ({size})", max(solve_times), "s", SOLVE_TARGET_S)
    record("planning", "optimiser worst CPU time", max(solve_cpu), "s", SOLVE_TARGET_S)
    record("planning", "optimiser worst MIP gap", max(gaps) * 100, "%", GAP_TARGET * 100)
    record("planning", "all checks, worst time", max(check_times), "s", CHECKS_TARGET_S)
    print(
        f"optimiser worst time: {max(solve_times):.2f} s wall, {max(solve_cpu):.2f} s CPU (median "
        f"{statistics.median(solve_times):.2f} s; target <= {SOLVE_TARGET_S:.0f} s) "
        f"{'OK' if max(solve_times) <= SOLVE_TARGET_S else 'MISSED'}"
    )
    print(
        f"optimiser worst MIP gap: {max(gaps):.2e} (target <= {GAP_TARGET:.0%}) "
        f"{'OK' if max(gaps) <= GAP_TARGET else 'MISSED'}"
    )
    print(
        f"all checks worst time: {max(check_times):.3f} s (target <= {CHECKS_TARGET_S:.0f} s) "
        f"{'OK' if max(check_times) <= CHECKS_TARGET_S else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
