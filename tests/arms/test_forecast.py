"""Monte Carlo forecasts: shapes, ordering of quantiles, and that evidence moves them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allied.arms.rules.forecast import (
    COLUMN,
    DELIVERY_COLUMN,
    OFFER_COLUMN,
    ForecastError,
    History,
    forecast,
)
from allied.arms.rules.lifecycle import Stage


def constant_history(days=10, n=5):
    return History(np.full((n, DELIVERY_COLUMN), days, dtype=np.int64))


def test_with_constant_history_the_forecast_is_exact():
    result = forecast([Stage.LOR_RECEIVED], [0], [0], {0: constant_history(10)}, draws=50)
    assert result.offer[0].tolist() == [10 * OFFER_COLUMN] * 3
    assert result.delivery[0].tolist() == [10 * DELIVERY_COLUMN] * 3


def test_days_already_spent_in_a_stage_are_taken_off():
    history = History(np.tile(np.arange(DELIVERY_COLUMN) * 0 + 30, (4, 1)))
    fresh = forecast([Stage.REVIEWS], [0], [0], {0: history}, draws=20)
    later = forecast([Stage.REVIEWS], [20], [0], {0: history}, draws=20)
    assert fresh.offer[0, 1] - later.offer[0, 1] == 20


def test_completing_a_stage_moves_the_forecast():
    rng = np.random.default_rng(3)
    history = History(rng.integers(5, 90, size=(200, DELIVERY_COLUMN)))
    before = forecast([Stage.REVIEWS], [0], [0], {0: history}, draws=2000, seed=1)
    after = forecast([Stage.NOTIFICATION_DATA], [0], [0], {0: history}, draws=2000, seed=1)
    assert after.offer[0, 1] < before.offer[0, 1]


def test_an_offered_case_has_no_offer_left_but_a_delivery():
    result = forecast([Stage.ACCEPTED], [3], [0], {0: constant_history(10)}, draws=10)
    assert result.offer[0].tolist() == [0, 0, 0]
    assert result.delivery[0, 1] == 10 * (DELIVERY_COLUMN - COLUMN[Stage.ACCEPTED]) - 3


def test_a_case_longer_than_every_comparable_one_draws_as_if_restarted():
    result = forecast([Stage.REVIEWS], [999], [0], {0: constant_history(10)}, draws=10)
    assert result.offer[0, 1] == 10 * (OFFER_COLUMN - COLUMN[Stage.REVIEWS])


def test_an_unknown_class_falls_back_to_all_history():
    result = forecast([Stage.LOR_RECEIVED], [0], [7], {0: constant_history(4)}, draws=10)
    assert result.offer[0, 1] == 4 * OFFER_COLUMN


def test_the_chance_of_meeting_a_target():
    result = forecast(
        [Stage.LOR_RECEIVED] * 2,
        [0, 0],
        [0, 0],
        {0: constant_history(10)},
        draws=10,
        target_days=[10 * OFFER_COLUMN, 10 * OFFER_COLUMN - 1],
    )
    assert result.on_target.tolist() == [1.0, 0.0]


@pytest.mark.parametrize(
    "args",
    [
        ([Stage.REVIEWS], [-1], [0]),
        ([Stage.REVIEWS], [0, 1], [0]),
        ([Stage.PRE_LOR], [0], [0]),
    ],
)
def test_bad_input_is_refused(args):
    with pytest.raises(ForecastError):
        forecast(*args, {0: constant_history()}, draws=5)


def test_a_history_with_the_wrong_shape_is_refused():
    with pytest.raises(ForecastError):
        History(np.zeros((3, 2), dtype=np.int64))


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(0, DELIVERY_COLUMN - 1), min_size=1, max_size=20),
    st.integers(0, 400),
    st.integers(0, 10_000),
)
def test_quantiles_are_ordered_and_delivery_follows_the_offer(columns, spent, seed):
    rng = np.random.default_rng(seed)
    history = History(rng.integers(0, 120, size=(30, DELIVERY_COLUMN)))
    stages = np.asarray(columns)
    result = forecast(
        stages, [spent] * len(columns), [0] * len(columns), {0: history}, draws=200, seed=seed
    )
    assert (np.diff(result.offer, axis=1) >= 0).all()
    assert (np.diff(result.delivery, axis=1) >= 0).all()
    assert (result.delivery[:, 1] >= result.offer[:, 1]).all()
    assert (result.offer >= 0).all()
