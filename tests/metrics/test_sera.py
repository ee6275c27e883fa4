"""SERA and the relevance-weighted RMSE against brute-force computations."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV

from skselect.metrics import relevance_weighted_rmse, sera, sera_scorer
from skselect.over_sampling import relevance, relevance_control_points


def _problem(seed=0, n=300):
    rng = np.random.default_rng(seed)
    y = rng.standard_exponential(n) * 3 - rng.standard_exponential(n)
    return y, y + rng.normal(size=n)


def _trapezoid_sera(phi, squared_errors, n_steps):
    """The paper's computation: SER_t on a grid of thresholds, trapezoid rule."""
    thresholds = np.linspace(0, 1, n_steps + 1)
    ser = np.array([squared_errors[phi >= t].sum() for t in thresholds])
    return float(np.sum((ser[1:] + ser[:-1]) / 2 * np.diff(thresholds)))


def _exact_area(phi, squared_errors):
    """Integrate the step function SER_t exactly between the sorted relevance values."""
    levels = np.unique(np.r_[0.0, phi, 1.0])
    area = 0.0
    for low, high in zip(levels[:-1], levels[1:]):
        # on (low, high] the cases with phi >= t are those with phi >= high
        area += (high - low) * squared_errors[phi >= high].sum()
    return area


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("control_points", ["both", "high", [[0, 0, 0], [5, 1, 0]]])
def test_sera_equals_brute_force_area(seed, control_points):
    y, y_pred = _problem(seed)
    phi = relevance(y, control_points=control_points)
    squared_errors = (y_pred - y) ** 2
    value = sera(y, y_pred, relevance=control_points)
    assert_allclose(value, _exact_area(phi, squared_errors), rtol=1e-12)
    # the trapezoid rule on a fine grid converges to it
    assert_allclose(value, _trapezoid_sera(phi, squared_errors, 20000), rtol=1e-3)


def test_sera_hand_values_and_weights():
    points = [[0, 0, 0], [10, 1, 0]]
    # phi = 0, 0.5, 1; squared errors 1, 0, 4
    assert sera([0.0, 5.0, 10.0], [1.0, 5.0, 8.0], relevance=points) == 4.0
    assert sera([0.0, 5.0, 10.0], [1.0, 6.0, 8.0], relevance=points) == 4.5
    assert (
        sera([0.0, 5.0, 10.0], [1.0, 6.0, 8.0], relevance=points, sample_weight=[1, 2, 0.5]) == 3.0
    )
    assert sera([1.0, 2.0], [1.0, 2.0]) == 0.0


def test_relevance_weighted_rmse_by_hand():
    points = [[0, 0, 0], [10, 1, 0]]
    value = relevance_weighted_rmse([0.0, 5.0, 10.0], [1.0, 6.0, 8.0], relevance=points)
    assert_allclose(value, np.sqrt((0.5 * 1 + 1 * 4) / 1.5))
    with pytest.raises(ValueError, match="No case of y_true has a positive relevance"):
        relevance_weighted_rmse([1.0, 1.0], [0.0, 2.0])


def test_scorer_is_minus_sera_and_works_in_grid_search():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 3))
    y = np.exp(X[:, 0]) + 0.1 * rng.normal(size=150)
    points = relevance_control_points(y)
    scorer = sera_scorer(relevance=points)
    model = Ridge().fit(X, y)
    assert_allclose(scorer(model, X, y), -sera(y, model.predict(X), relevance=points))
    search = GridSearchCV(Ridge(), {"alpha": [0.01, 100.0]}, scoring=scorer, cv=3).fit(X, y)
    assert search.best_params_ == {"alpha": 0.01}


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"y_true": [1.0, np.nan], "y_pred": [1.0, 2.0]}, ValueError, "y_true contains NaN"),
        ({"y_true": [1.0, 2.0], "y_pred": [1.0, np.inf]}, ValueError, "y_pred contains NaN"),
        ({"y_true": [1.0, 2.0], "y_pred": [1.0]}, ValueError, "different lengths"),
        (
            {"y_true": [1.0, 2.0], "y_pred": [1.0, 2.0], "sample_weight": [-1, 1]},
            ValueError,
            "[Nn]egative",
        ),
        ({"y_true": [1.0, 2.0], "y_pred": [1.0, 2.0], "relevance": "mid"}, ValueError, "relevance"),
    ],
)
def test_bad_input_names_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        sera(**kwargs)
