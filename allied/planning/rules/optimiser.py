"""Propose who does what in one plan: an integer programme solved by HiGHS (scipy's ``milp``).

Variables, for the plan's tasks ``t`` and the partners ``p`` that may take them:

* ``x[t,p]`` (integer, 0..q_t): the quantity ``p`` provides to ``t``; a partner is a candidate only
  when it holds the task's capability type (ready, C1-C3) at some moment of the task's window and
  its willingness for the plan's contingency type is *willing* or *conditional* (the U.S. is
  willing in its own plans unless assessed otherwise). Unwilling and unassessed partners are left
  out, and so is a partner on a task whose role it declined (``PlanningData.declined``): a
  declined role is never proposed again.
* ``u[t]`` (binary): the task stays uncovered. ``sum_p x[t,p] + q_t u[t] = q_t``: a task is
  covered in full or not at all.
* ``s[a]`` (continuous, >= 0): how far the plan falls short of an assumption ``a`` a partner
  holds (``provider`` provides ``quantity`` of a type): ``sum x[t,provider] + s[a] >= quantity``.

Capacity: at every moment, what ``p`` gives the plan's tasks under way plus what other plans
already assign it must not exceed what it holds then. Load and holdings only change on the days a
window opens or closes, so one row per distinct set of tasks under way at such a day suffices
(rows that can never bind are dropped).

Objective (minimised, never negative so the MIP gap is a true relative gap):
``sum_t W * priority_t * u[t]`` (uncovered tasks, ``W`` larger than any covering cost) +
``sum c[t,p] x[t,p]`` (per unit: a willing ally 1, the designated lead 0.5 less, the U.S. 4 so
that allies carry what they are willing to, a conditional ally 12 so it is used only when nobody
else can) + ``5 * sum s[a]`` (assumptions left unmet).

The lead of each covered task is, in order: the willing ally providing the most, the U.S., a
conditional ally. Each uncovered task is explained: no partner holds the capability then, only
unwilling or unassessed partners do, the willing ones hold too little, concurrent plans took it,
or this plan's other (mostly higher-priority) tasks used it.
"""

from __future__ import annotations

import enum
import hashlib
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from allied.planning.rules.model import (
    US,
    Assignment,
    Assumption,
    Capability,
    PlanningData,
    Stance,
    Task,
)


@dataclass(frozen=True)
class Weights:
    us: float = 4.0
    willing: float = 1.0
    conditional: float = 12.0
    lead_bonus: float = 0.5
    assumption: float = 5.0


@dataclass(frozen=True)
class Proposed:
    task: int
    nation: str
    quantity: int
    is_lead: bool


class Reason(enum.Enum):
    NO_CAPABLE = "no_capable"
    ONLY_UNWILLING = "only_unwilling"
    INSUFFICIENT = "insufficient"
    OTHER_PLANS = "other_plans"
    EXHAUSTED = "exhausted"
    NOT_SOLVED = "not_solved"

    @property
    def label(self) -> str:
        return {
            "no_capable": "No capable partner",
            "only_unwilling": "Only unwilling or unassessed partners",
            "insufficient": "Willing partners hold too little",
            "other_plans": "Capacity taken by concurrent plans",
            "exhausted": "Capacity used by other tasks of this plan",
            "not_solved": "The solver found no solution in time",
        }[self.value]


@dataclass(frozen=True)
class Uncovered:
    task: int
    reason: Reason
    explanation: str
    competing: tuple[int, ...] = ()


@dataclass
class Proposal:
    plan: int
    status: str
    message: str
    assignments: list[Proposed] = field(default_factory=list)
    uncovered: list[Uncovered] = field(default_factory=list)
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    seconds: float = 0.0
    variables: int = 0
    rows: int = 0
    tasks: int = 0

    @property
    def covered(self) -> int:
        return self.tasks - len(self.uncovered)

    def units(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for a in self.assignments:
            out[a.nation] += a.quantity
        return dict(out)

    @property
    def us_units(self) -> int:
        return self.units().get(US, 0)

    @property
    def allied_units(self) -> int:
        return sum(q for n, q in self.units().items() if n != US)

    @property
    def allied_leads(self) -> int:
        return sum(1 for a in self.assignments if a.is_lead and a.nation != US)

    def fingerprint(self) -> str:
        """A digest of the proposed assignments: applying checks the proposal is the one shown."""
        text = ";".join(
            f"{a.task}:{a.nation}:{a.quantity}:{int(a.is_lead)}"
            for a in sorted(self.assignments, key=lambda a: (a.task, a.nation))
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def _day(d: date) -> int:
    return d.toordinal()


@dataclass
class _Key:
    """One partner and capability type: its holdings, other plans' load, candidate tasks."""

    nation: str
    ctype: str
    holdings: list[Capability]
    other: list[tuple[int, int, int]]  # (start, end, quantity) from other plans
    tasks: list[int] = field(default_factory=list)  # indices into the task list


def _profile(
    points: np.ndarray, intervals: list[tuple[int, int, int]]
) -> np.ndarray:  # quantity under way at each point
    if not intervals:
        return np.zeros(len(points), dtype=np.int64)
    arr = np.array(intervals, dtype=np.int64)
    active = (arr[:, 0][None, :] <= points[:, None]) & (arr[:, 1][None, :] >= points[:, None])
    return (active * arr[:, 2][None, :]).sum(axis=1)  # type: ignore[no-any-return]


def _holding_intervals(holdings: list[Capability]) -> list[tuple[int, int, int]]:
    return [(_day(c.starts), _day(c.ends), c.quantity) for c in holdings if c.counts]


@dataclass
class _Model:
    """The integer programme of one plan: the tasks, the candidate ``x[t,p]`` variables (task
    index, nation, unit cost, upper bound) grouped by partner and type, and the assumptions."""

    tasks: list[Task]
    starts: np.ndarray
    ends: np.ndarray
    var_task: list[int] = field(default_factory=list)
    var_nation: list[str] = field(default_factory=list)
    var_cost: list[float] = field(default_factory=list)
    var_ub: list[float] = field(default_factory=list)
    keys: list[_Key] = field(default_factory=list)
    key_vars: list[list[int]] = field(default_factory=list)
    assumptions: list[Assumption] = field(default_factory=list)

    @property
    def n_x(self) -> int:
        return len(self.var_task)

    @property
    def n_t(self) -> int:
        return len(self.tasks)

    @property
    def n(self) -> int:
        return self.n_x + self.n_t + len(self.assumptions)


@dataclass
class _Rows:
    """The constraint rows, as a sparse matrix's entries and each row's bounds."""

    rows: list[int] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)
    vals: list[float] = field(default_factory=list)
    lb: list[float] = field(default_factory=list)
    ub: list[float] = field(default_factory=list)

    def add(self, entries: list[tuple[int, float]], low: float, high: float) -> None:
        r = len(self.lb)
        for c, v in entries:
            self.rows.append(r)
            self.cols.append(c)
            self.vals.append(v)
        self.lb.append(low)
        self.ub.append(high)


def propose(
    data: PlanningData,
    plan_key: int,
    *,
    weights: Weights | None = None,
    time_limit: float = 5.0,
    mip_rel_gap: float = 1e-4,
) -> Proposal:
    """The proposed assignment of ``plan_key``'s tasks (replacing the plan's own assignments)."""
    started = time.perf_counter()
    w = weights or Weights()
    tasks = sorted(data.tasks_of(plan_key), key=lambda t: t.key)
    if not tasks:
        return Proposal(
            plan_key,
            "optimal",
            "The plan has no task to assign.",
            objective=0.0,
            bound=0.0,
            gap=0.0,
        )
    stance = _stances(data, plan_key)
    model = _build_model(data, plan_key, tasks, stance, w)
    cost, ub = _objective(model, w)
    rows = _Rows()
    _cover_rows(rows, model)
    _capacity_rows(rows, model, ub)
    _assumption_rows(rows, model)
    result = _solve(
        rows, model, cost, ub, time_limit - (time.perf_counter() - started), mip_rel_gap
    )
    proposal = Proposal(
        plan_key, "", str(result.message), variables=model.n, rows=len(rows.lb), tasks=model.n_t
    )
    if result.x is None:
        proposal.status = "no_solution"
        proposal.uncovered = [
            Uncovered(t.key, Reason.NOT_SOLVED, "The solver found no solution in time.")
            for t in tasks
        ]
    else:
        _read_solution(proposal, result, data, plan_key, model, stance)
    proposal.seconds = time.perf_counter() - started
    return proposal


def _other_load(
    data: PlanningData, plan_key: int
) -> dict[tuple[str, str], list[tuple[int, int, int]]]:
    """The load other plans already put on each partner and type: (start, end, quantity)."""
    other: dict[tuple[str, str], list[tuple[int, int, int]]] = defaultdict(list)
    for task_key, existing in data.assignments_by_task.items():
        t = data.task_by_key[task_key]
        if t.plan != plan_key:
            for held in existing:
                other[(held.nation, t.ctype)].append((_day(t.starts), _day(t.ends), held.quantity))
    return other


def _stances(data: PlanningData, plan_key: int) -> dict[str, Stance | None]:
    """Each partner's willingness for the plan's contingency type."""
    plan = data.plan_by_key[plan_key]
    return {
        nation: data.willingness(nation, plan.contingency_type).stance
        for nation in {n for ns in data.nations_by_ctype.values() for n in ns}
    }


def _unit_cost(w: Weights, task: Task, nation: str, stance: Stance | None) -> float:
    """What one unit of ``nation`` on ``task`` costs in the objective."""
    if nation == US:
        return w.us
    if stance is Stance.WILLING:
        return w.willing - (w.lead_bonus if task.lead == nation else 0.0)
    return w.conditional


def _build_model(
    data: PlanningData,
    plan_key: int,
    tasks: list[Task],
    stance: dict[str, Stance | None],
    w: Weights,
) -> _Model:
    """The candidate (task, partner) pairs and their unit costs: a willing or conditional
    partner holding the task's type at some moment of its window, unless it declined that role
    (a role accepted with conditions is the conditional willingness honoured already)."""
    model = _Model(
        tasks,
        np.array([_day(t.starts) for t in tasks], dtype=np.int64),
        np.array([_day(t.ends) for t in tasks], dtype=np.int64),
    )
    other = _other_load(data, plan_key)
    by_ctype: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(tasks):
        by_ctype[t.ctype].append(i)
    for ctype, members_of_type in sorted(by_ctype.items()):
        index = np.array(members_of_type)
        for nation in data.nations_by_ctype.get(ctype, []):
            s = stance[nation]
            if s not in (Stance.WILLING, Stance.CONDITIONAL):
                continue
            holdings = data.capabilities_by[(nation, ctype)]
            chosen = [
                i
                for i in _meeting(model, index, _holding_intervals(holdings))
                if (tasks[int(i)].key, nation) not in data.declined
            ]
            if not chosen:
                continue
            first = model.n_x
            for i in chosen:
                t = tasks[int(i)]
                model.var_task.append(int(i))
                model.var_nation.append(nation)
                model.var_cost.append(_unit_cost(w, t, nation, s))
                model.var_ub.append(float(t.quantity))
            model.keys.append(
                _Key(nation, ctype, holdings, other.get((nation, ctype), []), list(chosen))
            )
            model.key_vars.append(list(range(first, model.n_x)))
    model.assumptions = [a for a in data.assumptions if a.plan == plan_key and a.ctype in by_ctype]
    return model


def _meeting(model: _Model, index: np.ndarray, spans: list[tuple[int, int, int]]) -> np.ndarray:
    """The tasks of ``index`` whose window meets one of the holdings' ``spans``."""
    if not spans:
        return index[:0]
    arr = np.array(spans, dtype=np.int64)
    meets = (
        (arr[:, 0][None, :] <= model.ends[index][:, None])
        & (arr[:, 1][None, :] >= model.starts[index][:, None])
    ).any(axis=1)
    return index[meets]  # type: ignore[no-any-return]


def _objective(model: _Model, w: Weights) -> tuple[np.ndarray, np.ndarray]:
    """The cost of each variable and its upper bound (``x``, then ``u``, then ``s``)."""
    tasks, n_x, n_t = model.tasks, model.n_x, model.n_t
    top = float(max(t.quantity for t in tasks))
    big = w.conditional * top + 10.0 * w.assumption * top + 10.0
    cost = np.concatenate(
        [
            np.array(model.var_cost, dtype=float),
            np.array([big * t.priority for t in tasks], dtype=float),
            np.full(len(model.assumptions), w.assumption),
        ]
    )
    ub = np.concatenate(
        [
            np.array(model.var_ub, dtype=float),
            np.ones(n_t),
            np.full(len(model.assumptions), np.inf),
        ]
    )
    for j, assumed in enumerate(model.assumptions):
        ub[n_x + n_t + j] = float(assumed.quantity)
    return cost, ub


def _cover_rows(rows: _Rows, model: _Model) -> None:
    """Cover each task in full or leave it uncovered."""
    x_of_task: dict[int, list[int]] = defaultdict(list)
    for v, i in enumerate(model.var_task):
        x_of_task[i].append(v)
    for i, t in enumerate(model.tasks):
        entries = [(v, 1.0) for v in x_of_task.get(i, [])]
        entries.append((model.n_x + i, float(t.quantity)))
        rows.add(entries, float(t.quantity), float(t.quantity))


def _capacity_rows(rows: _Rows, model: _Model, ub: np.ndarray) -> None:
    """Capacity of each partner and type at every moment that matters; a variable with no room
    at all is bounded to 0, and a row that can never bind first is dropped."""
    for key, variables in zip(model.keys, model.key_vars, strict=True):
        seen = _room_by_tasks_under_way(model, key)
        if not seen:
            continue
        masks = np.array([np.frombuffer(sig, dtype=bool) for sig in seen])
        rhss = np.array(list(seen.values()), dtype=np.int64)
        for closed in np.nonzero(rhss <= 0)[0]:
            for k in np.nonzero(masks[closed])[0]:
                ub[variables[k]] = 0.0
        # A row whose tasks all appear in another row with no more room never binds first.
        m = masks.astype(np.int64)
        inside = (m @ m.T) == m.sum(axis=1)[:, None]  # inside[i, j]: row i's tasks within j's
        np.fill_diagonal(inside, False)
        dominated = (inside & (rhss[None, :] <= rhss[:, None])).any(axis=1)
        for r in range(len(rhss)):
            if dominated[r] or rhss[r] <= 0:
                continue
            members = [variables[k] for k in np.nonzero(masks[r])[0]]
            if sum(ub[v] for v in members) <= rhss[r]:
                continue
            rows.add([(v, 1.0) for v in members], -np.inf, float(rhss[r]))


def _room_by_tasks_under_way(model: _Model, key: _Key) -> dict[bytes, int]:
    """For each distinct set of ``key``'s tasks under way at a day the load or the holdings
    change, the least room the partner has then (holdings less other plans' load)."""
    starts, ends = model.starts, model.ends
    idx = np.array(key.tasks, dtype=np.int64)
    spans = _holding_intervals(key.holdings)
    points = set(starts[idx].tolist())
    points.update(s for s, _, _ in key.other)
    points.update(e + 1 for _, e, _ in spans)
    pts = np.array(sorted(points), dtype=np.int64)
    pts = pts[(pts >= starts[idx].min()) & (pts <= ends[idx].max())]
    active = (starts[idx][None, :] <= pts[:, None]) & (ends[idx][None, :] >= pts[:, None])
    room = _profile(pts, spans) - _profile(pts, key.other)
    seen: dict[bytes, int] = {}
    for r in range(len(pts)):
        if not active[r].any():
            continue
        sig = active[r].tobytes()
        if sig not in seen or room[r] < seen[sig]:
            seen[sig] = int(room[r])
    return seen


def _assumption_rows(rows: _Rows, model: _Model) -> None:
    """What the plan gives an assumption's provider plus the shortfall reaches the quantity."""
    n_x, n_t = model.n_x, model.n_t
    for j, assumed in enumerate(model.assumptions):
        entries = [
            (v, 1.0)
            for v in range(n_x)
            if model.var_nation[v] == assumed.provider
            and model.tasks[model.var_task[v]].ctype == assumed.ctype
        ]
        entries.append((n_x + n_t + j, 1.0))
        rows.add(entries, float(assumed.quantity), np.inf)


def _solve(
    rows: _Rows,
    model: _Model,
    cost: np.ndarray,
    ub: np.ndarray,
    time_left: float,
    mip_rel_gap: float,
) -> Any:
    """HiGHS on the programme, within what is left of the time limit."""
    n = model.n
    matrix = coo_matrix((rows.vals, (rows.rows, rows.cols)), shape=(len(rows.lb), n)).tocsr()
    integrality = np.concatenate(
        [np.ones(model.n_x), np.ones(model.n_t), np.zeros(len(model.assumptions))]
    )
    return milp(
        cost,
        constraints=[LinearConstraint(matrix, np.array(rows.lb), np.array(rows.ub))],
        integrality=integrality,
        bounds=Bounds(np.zeros(n), ub),
        options={"time_limit": max(0.1, time_left), "mip_rel_gap": mip_rel_gap, "disp": False},
    )


def _read_solution(
    proposal: Proposal,
    result: Any,
    data: PlanningData,
    plan_key: int,
    model: _Model,
    stance: dict[str, Stance | None],
) -> None:
    """The solver's figures, the assignments of the covered tasks (with their leads) and why
    each uncovered task stays uncovered."""
    n_x, tasks = model.n_x, model.tasks
    x = np.rint(result.x).astype(np.int64)
    proposal.objective = float(result.fun)
    bound = getattr(result, "mip_dual_bound", None)
    proposal.bound = float(bound) if bound is not None else None
    if proposal.bound is not None:
        proposal.gap = max(0.0, proposal.objective - proposal.bound) / max(
            abs(proposal.objective), 1e-9
        )
    proposal.status = "optimal" if result.status == 0 else "time_limit"
    shares: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for v in range(n_x):
        if x[v] > 0:
            shares[model.var_task[v]].append((model.var_nation[v], int(x[v])))
    for i, t in enumerate(tasks):
        if x[n_x + i] == 1 or not shares.get(i):
            continue
        lead = _lead(t, shares[i], stance)
        for nation, q in sorted(shares[i]):
            proposal.assignments.append(Proposed(t.key, nation, q, nation == lead))
    uncovered = [i for i in range(model.n_t) if x[n_x + i] == 1]
    proposal.uncovered = explain_uncovered(data, plan_key, tasks, uncovered, proposal, stance)


def _lead(task: Task, given: list[tuple[str, int]], stance: dict[str, Stance | None]) -> str:
    def rank(item: tuple[str, int]) -> tuple[int, int, int, str]:
        nation, q = item
        if nation != US and stance.get(nation) is Stance.WILLING:
            tier = 0
        elif nation == US:
            tier = 1
        else:
            tier = 2
        return (tier, -q, 0 if task.lead == nation else 1, nation)

    return min(given, key=rank)[0]


def explain_uncovered(
    data: PlanningData,
    plan_key: int,
    tasks: list[Task],
    uncovered: list[int],
    proposal: Proposal,
    stance: dict[str, Stance | None],
) -> list[Uncovered]:
    """Why each uncovered task stays uncovered, from the data the proposal was built on."""
    task_by_key = {t.key: t for t in tasks}
    proposed_by: dict[tuple[str, str], list[Proposed]] = defaultdict(list)
    for p in proposal.assignments:
        proposed_by[(p.nation, task_by_key[p.task].ctype)].append(p)
    other: dict[tuple[str, str], list[tuple[Task, Assignment]]] = defaultdict(list)
    for task_key, existing in data.assignments_by_task.items():
        ot = data.task_by_key[task_key]
        if ot.plan != plan_key:
            for held in existing:
                other[(held.nation, ot.ctype)].append((ot, held))
    why = _Why(data, data.plan_by_key[plan_key].contingency_type, task_by_key, proposed_by, other)
    return [why.of(tasks[i], stance) for i in uncovered]


@dataclass(frozen=True)
class _Why:
    """What the explanations of uncovered tasks read: the proposal's assignments and the other
    plans' by partner and type."""

    data: PlanningData
    contingency_type: str
    task_by_key: dict[int, Task]
    proposed_by: dict[tuple[str, str], list[Proposed]]
    other: dict[tuple[str, str], list[tuple[Task, Assignment]]]

    def of(self, t: Task, stance: dict[str, Stance | None]) -> Uncovered:
        """The first reason that holds, from nobody holding the type to the plan's own tasks."""
        data = self.data
        window = f"{t.starts.isoformat()} to {t.ends.isoformat()}"
        holders = [
            n
            for n in data.nations_by_ctype.get(t.ctype, [])
            if any(
                c.counts and c.starts <= t.ends and t.starts <= c.ends
                for c in data.capabilities_by[(n, t.ctype)]
            )
        ]
        if not holders:
            return Uncovered(
                t.key, Reason.NO_CAPABLE, f"No partner reports {t.ctype} ready between {window}."
            )
        usable = [n for n in holders if stance.get(n) in (Stance.WILLING, Stance.CONDITIONAL)]
        if not usable:
            who = "; ".join(data.willingness(n, self.contingency_type).describe() for n in holders)
            return Uncovered(
                t.key,
                Reason.ONLY_UNWILLING,
                f"Only partners not willing to act hold {t.ctype} then: {who}.",
            )
        full = {n: _min_capacity(data.capabilities_by[(n, t.ctype)], t) for n in usable}
        if sum(full.values()) < t.quantity:
            holds = ", ".join(f"{n} {q}" for n, q in full.items())
            return Uncovered(
                t.key,
                Reason.INSUFFICIENT,
                f"Willing partners hold at most {sum(full.values())} of the "
                f"{t.quantity} {t.ctype} needed throughout {window} ({holds}).",
            )
        free = {
            n: max(0, full[n] - sum(a.quantity for ot, a in self._concurrent(n, t))) for n in usable
        }
        if sum(free.values()) < t.quantity:
            names = sorted(
                {data.plan_by_key[ot.plan].name for n in usable for ot, _ in self._concurrent(n, t)}
            )
            return Uncovered(
                t.key,
                Reason.OTHER_PLANS,
                f"Concurrent plans ({', '.join(names)}) already use the "
                f"{t.ctype} willing partners hold in {window}.",
            )
        return self._exhausted(t, usable, window)

    def _concurrent(self, nation: str, t: Task) -> list[tuple[Task, Assignment]]:
        """Other plans' assignments of ``nation``'s ``t.ctype`` whose task overlaps ``t``."""
        return [
            (ot, a)
            for ot, a in self.other.get((nation, t.ctype), [])
            if ot.starts <= t.ends and t.starts <= ot.ends
        ]

    def _exhausted(self, t: Task, usable: list[str], window: str) -> Uncovered:
        """The plan's own tasks that took what the willing partners hold, most important first."""
        task_by_key = self.task_by_key
        competing = sorted(
            {
                a.task
                for n in usable
                for a in self.proposed_by.get((n, t.ctype), [])
                if task_by_key[a.task].starts <= t.ends and t.starts <= task_by_key[a.task].ends
            },
            key=lambda k: (-task_by_key[k].priority, k),
        )
        higher = [k for k in competing if task_by_key[k].priority >= t.priority]
        listed = ", ".join(
            f"{task_by_key[k].name} (priority {task_by_key[k].priority})" for k in competing[:5]
        )
        what = "higher- or equal-priority tasks" if higher else "other tasks"
        return Uncovered(
            t.key,
            Reason.EXHAUSTED,
            f"The {t.ctype} willing partners hold in {window} goes to {what} "
            f"of this plan: {listed or 'none'}.",
            tuple(competing),
        )


def _min_capacity(holdings: list[Capability], t: Task) -> int:
    """The least ``holdings`` hold ready at any moment of ``t``'s window (capacity only falls
    the day after a holding's window closes, so those days and the first are enough)."""
    days = {t.starts}
    days.update(c.ends + timedelta(days=1) for c in holdings if t.starts <= c.ends < t.ends)
    return min(
        sum(c.quantity for c in holdings if c.counts and c.starts <= d <= c.ends) for d in days
    )
