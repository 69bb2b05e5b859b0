"""Monte Carlo forecasts of offer and delivery dates from the stage durations of past cases.

For an open case in stage ``s`` that has spent ``e`` days there, one draw is:

* the rest of the current stage: a duration of a comparable past case's stage ``s`` that was
  longer than ``e``, minus ``e`` (a case already longer than every comparable one draws as if
  the stage had restarted: the cautious reading);
* then the remaining stages of one comparable past case drawn at random, whole, so that a case
  that was slow in one stage stays slow in the next as real cases do.

"Comparable" is a class the caller chooses (channel, whether notification was needed, AOD group
...); a class without history falls back to all history. Forecasts are recomputed from the
current stage and elapsed days whenever a stage completes. Everything is vectorised with numpy
so that 10,000 cases x 1,000 draws take about a second on one core.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from allied.arms.rules.lifecycle import ORDER, STAGES, Stage

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: The stages a forecast walks through, in order: from LOR receipt to delivery.
FORECAST_STAGES: tuple[Stage, ...] = tuple(
    s.stage for s in STAGES if ORDER[Stage.LOR_RECEIVED] <= ORDER[s.stage] <= ORDER[Stage.DELIVERED]
)
COLUMN = {stage: n for n, stage in enumerate(FORECAST_STAGES)}
OFFER_COLUMN = COLUMN[Stage.LOA_OFFERED]
DELIVERY_COLUMN = COLUMN[Stage.DELIVERED]
QUANTILES = (10, 50, 90)


class ForecastError(ValueError):
    pass


@dataclass(frozen=True)
class History:
    """Stage durations (days) of past cases that reached delivery, one row per case.

    Columns follow ``FORECAST_STAGES`` up to (not including) ``DELIVERED``; a stage a case
    skipped (no notification needed, say) is 0.
    """

    durations: IntArray

    def __post_init__(self) -> None:
        if self.durations.ndim != 2 or self.durations.shape[1] != DELIVERY_COLUMN:
            raise ForecastError(
                f"history needs {DELIVERY_COLUMN} stage columns, got shape {self.durations.shape}"
            )
        if self.durations.shape[0] == 0:
            raise ForecastError("history needs at least one past case")
        if (self.durations < 0).any():
            raise ForecastError("stage durations cannot be negative")

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[int]]) -> History:
        return cls(np.asarray(rows, dtype=np.int64).reshape(len(rows), DELIVERY_COLUMN))

    @property
    def cumulative(self) -> IntArray:
        """Column j: days from LOR receipt to entering stage j, per past case."""
        cum = np.zeros((self.durations.shape[0], DELIVERY_COLUMN + 1), dtype=np.int64)
        np.cumsum(self.durations, axis=1, out=cum[:, 1:])
        return cum


@dataclass(frozen=True)
class Forecast:
    """Per case: days from today to the offer and to delivery at the quantiles, and the chance
    of an offer by a target (when one was given). Cases past a milestone get 0 days for it."""

    offer: IntArray  # shape (n, 3): p10, p50, p90
    delivery: IntArray  # shape (n, 3)
    on_target: FloatArray  # shape (n,): share of draws with the offer by the target; nan if none


def forecast(
    stage: Sequence[Stage] | IntArray,
    elapsed: Sequence[int] | IntArray,
    klass: Sequence[int] | IntArray,
    histories: Mapping[int, History],
    *,
    draws: int = 1000,
    seed: int = 0,
    target_days: Sequence[float] | FloatArray | None = None,
) -> Forecast:
    """Forecast each open case (its stage, days elapsed in it and comparability class)."""
    if draws < 1:
        raise ForecastError("draws must be at least 1")
    columns = _columns(stage)
    spent = np.asarray(elapsed, dtype=np.int64)
    classes = np.asarray(klass, dtype=np.int64)
    n = columns.shape[0]
    if spent.shape != (n,) or classes.shape != (n,):
        raise ForecastError("stage, elapsed and klass must have one entry per case")
    if (spent < 0).any():
        raise ForecastError("elapsed days cannot be negative")
    if not histories:
        raise ForecastError("no history to forecast from")
    pooled = History(np.concatenate([h.durations for h in histories.values()]))
    target = None if target_days is None else np.asarray(target_days, dtype=np.float64)

    offer = np.zeros((n, len(QUANTILES)), dtype=np.int64)
    delivery = np.zeros((n, len(QUANTILES)), dtype=np.int64)
    on_target = np.full(n, np.nan)
    rng = np.random.default_rng(seed)
    for key in np.unique(classes):
        history = histories.get(int(key), pooled)
        cum = history.cumulative
        sorted_by_stage = np.sort(history.durations, axis=0)
        in_class = classes == key
        for column in np.unique(columns[in_class]):
            rows = np.flatnonzero(in_class & (columns == column))
            if column >= DELIVERY_COLUMN:
                continue  # delivered: nothing to forecast
            rest = _residual(sorted_by_stage[:, column], spent[rows], draws, rng)
            pick = rng.integers(0, cum.shape[0], size=(rows.size, draws))
            after = cum[pick, DELIVERY_COLUMN] - cum[pick, column + 1]
            to_delivery = rest + after
            delivery[rows] = _quantiles(to_delivery)
            if column < OFFER_COLUMN:
                to_offer = rest + (cum[pick, OFFER_COLUMN] - cum[pick, column + 1])
                offer[rows] = _quantiles(to_offer)
                if target is not None:
                    on_target[rows] = (to_offer <= target[rows, None]).mean(axis=1)
            elif target is not None:
                on_target[rows] = np.nan
    return Forecast(offer, delivery, on_target)


def _columns(stage: Sequence[Stage] | IntArray) -> IntArray:
    if isinstance(stage, np.ndarray):
        columns = stage.astype(np.int64)
    else:
        try:
            columns = np.asarray([COLUMN[Stage(s)] for s in stage], dtype=np.int64)
        except (KeyError, ValueError) as exc:
            raise ForecastError(f"not a forecast stage: {exc}") from exc
    if columns.size and (columns.min() < 0 or columns.max() > DELIVERY_COLUMN):
        raise ForecastError("stage column out of range")
    return columns


def _residual(pool: IntArray, spent: IntArray, draws: int, rng: np.random.Generator) -> IntArray:
    """Remaining days of the current stage: longer comparable durations minus the days spent."""
    m = pool.shape[0]
    longer = m - np.searchsorted(pool, spent, side="right")  # how many past durations exceed it
    u = rng.random((spent.shape[0], draws))
    overdue = longer == 0
    count = np.where(overdue, m, longer)[:, None]
    start = np.where(overdue, 0, m - longer)[:, None]
    index = start + np.minimum((u * count).astype(np.int64), count - 1)
    drawn = pool[index]
    rest: IntArray = np.where(overdue[:, None], drawn, drawn - spent[:, None])
    return rest


def _quantiles(days: IntArray) -> IntArray:
    """p10, p50 and p90 of each row (nearest rank), by partial sorting."""
    d = days.shape[1]
    ranks = [min(d - 1, max(0, int(np.ceil(q / 100 * d)) - 1)) for q in QUANTILES]
    part: IntArray = np.partition(days, ranks, axis=1)
    picked: IntArray = part[:, ranks]
    return picked
