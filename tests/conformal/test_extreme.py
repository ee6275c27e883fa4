"""Extreme and invalid input: clear errors or results that match the definitions."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from fractions import Fraction

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LinearRegression
from sklearn.utils._param_validation import InvalidParameterError

from skselect.conformal import ConformalSelector, OptCSSelector, conformal_pvalues


class _Lookup(RegressorMixin, BaseEstimator):
    """Prefitted model predicting ``values[int(X[i, 0])]``: any prediction, exactly."""

    def __init__(self, values=None):
        self.values = values

    def fit(self, X, y):
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        return np.asarray(self.values)[np.asarray(X)[:, 0].astype(int)]

    def __sklearn_is_fitted__(self):
        return True


@pytest.mark.parametrize("threshold", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize(
    "make",
    [
        lambda t: ConformalSelector(LinearRegression(), threshold=t),
        lambda t: OptCSSelector([LinearRegression()], threshold=t),
    ],
)
def test_threshold_must_be_a_finite_number(make, threshold):
    X = np.arange(20.0).reshape(10, 2)
    with pytest.raises(InvalidParameterError, match=r"'threshold' parameter .* must be a float"):
        make(threshold).fit(X, np.arange(10.0))


def test_weights_near_the_float_maximum_give_finite_pvalues():
    calib = np.array([0.1, 0.5, 0.9, 1.3])
    test = np.array([0.2, 1.0, 2.0])
    calib_w = np.array([1.0, 2.0, 3.0, 4.0])
    test_w = np.array([2.0, 1.0, 4.0])
    p = conformal_pvalues(calib, test, calib_weights=calib_w * 1e307, test_weights=test_w * 1e307)
    # The definition in exact arithmetic (weights scale out of the ratio).
    expected = [
        (sum(Fraction(w) for v, w in zip(calib, calib_w) if v <= t) + Fraction(wt))
        / (sum(Fraction(w) for w in calib_w) + Fraction(wt))
        for t, wt in zip(test, test_w)
    ]
    assert np.isfinite(p).all()
    assert np.allclose(p, [float(e) for e in expected], rtol=1e-14)


def test_zero_test_weight_is_an_error_not_a_zero_pvalue():
    with pytest.raises(ValueError, match=r"test_weights must be positive.*positions \[1\]"):
        conformal_pvalues([0.5, 1.0], [0.0, -1.0], calib_weights=[1, 1], test_weights=[1, 0])
    with pytest.raises(ValueError, match="weights span more than the floating-point range"):
        conformal_pvalues([0.5], [0.0], calib_weights=[1e308], test_weights=[1e-300])
    selector = ConformalSelector(
        _Lookup(np.arange(20.0)),
        method="wcs",
        weight_function=lambda X: (np.asarray(X)[:, 0] > 0).astype(float),
        prefit=True,
    ).fit(np.c_[np.arange(1.0, 11.0)], np.arange(10.0))
    with pytest.raises(ValueError, match="weight_function returned 0 for some test units"):
        selector.select(np.c_[np.arange(0.0, 5.0)])


@pytest.mark.parametrize("randomized", [False, True])
def test_pvalues_lie_in_the_half_open_unit_interval(randomized):
    rng = np.random.default_rng(0)
    for _ in range(50):
        n, m = rng.integers(1, 30, size=2)
        calib = rng.choice([-1e308, 0.0, 1.0, np.inf], size=n)
        test = rng.choice([-1e308, 0.0, 1.0, 1e308], size=m)
        weights = 10.0 ** rng.uniform(0, 308, size=n + m)  # ratios up to 1e308
        p = conformal_pvalues(
            calib,
            test,
            calib_weights=weights[:n],
            test_weights=weights[n:],
            randomized=randomized,
            random_state=0,
        )
        assert ((p > 0) & (p <= 1)).all()


def test_residual_scores_that_overflow_keep_their_order():
    # y - mu(x) overflows for these values; the p-values must still follow the definition
    # 1 + #{i: y_i - mu_i <= threshold - mu_j}, evaluated here in exact arithmetic.
    mu = np.array([-1.5e308, 1.0e308, -1.7e308, 0.0, 1.6e308, -1.0e308, 5.0e307, -5.0e307])
    y_calib = np.array([1.6e308, -1.0e308, 1.0e308, 0.0])
    n = y_calib.shape[0]
    X = np.c_[np.arange(8.0)]
    selector = ConformalSelector(
        _Lookup(mu), conformity_score="residual", threshold=1.0e308, prefit=True
    ).fit(X[:n], y_calib)
    p = selector.p_values(X[n:])
    calib = [Fraction(float(a)) - Fraction(float(b)) for a, b in zip(y_calib, mu[:n])]
    expected = [
        (1 + sum(v <= Fraction(1.0e308) - Fraction(float(t)) for v in calib)) / (n + 1)
        for t in mu[n:]
    ]
    assert np.allclose(p, expected)
    assert ((p > 0) & (p <= 1)).all()


def test_huge_predictions_give_the_defined_optcs_sets():
    # Rankings near the float maximum: clipped scores are -mu, no arithmetic that could
    # overflow; the auxiliary sets must match their definition computed by brute force.
    rng = np.random.default_rng(1)
    n, m, fdr = 30, 12, 0.4
    values = rng.choice([-1.7e308, -1e308, 1e308, 1.7e308], size=n + m)
    labels = rng.normal(size=n) + (values[:n] > 0)
    X = np.c_[np.arange(n + m, dtype=float)]
    selector = OptCSSelector(
        [_Lookup(values)], prefit=True, fdr=fdr, pruning="deterministic", random_state=0
    ).fit(X[:n], labels)
    report = selector._selection_result(X[n:])[1]
    calib = np.where(labels > 0, np.inf, -values[:n])
    test = -values[n:]
    p = (1 + (calib[None, :] <= test[:, None]).sum(axis=1)) / (n + 1)
    sizes = []
    for j in range(m):
        row = (
            1 + 0 * test + (calib[None, :] <= test[:, None]).sum(axis=1) - 1 + (test[j] <= test)
        ) / (n + 1)
        row[j] = 0.0
        ordered = np.sort(row)
        passing = np.flatnonzero(ordered <= fdr * np.arange(1, m + 1) / m)
        sizes.append(passing[-1] + 1)
    assert np.allclose(report.p_value, p)
    assert np.array_equal(report.aux_size, sizes)


def test_predictions_beyond_float64_are_a_clear_error():
    class _Huge(_Lookup):
        def predict(self, X):
            return np.full(np.asarray(X).shape[0], np.longdouble("1e400"))

    selector = ConformalSelector(_Huge(), prefit=True)
    with pytest.raises(ValueError, match="infinite predictions .*beyond the float64 range"):
        selector.fit(np.c_[np.arange(10.0)], np.arange(10.0))


@pytest.mark.parametrize("which", ["X", "y"])
@pytest.mark.parametrize("selector", ["ConformalSelector", "OptCSSelector"])
def test_overflow_inside_the_model_on_finite_data_is_named(which, selector):
    # LinearRegression's solver overflows on values near 1e308 and reported "infs or NaNs",
    # which X and y are not.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = X[:, 0] + rng.normal(size=200)
    if which == "X":
        X = np.clip(X, -3, 3) * 5e307
    else:
        y = np.clip(y, -3, 3) * 5e307
    if selector == "ConformalSelector":
        model = ConformalSelector(LinearRegression(), threshold=0.0, random_state=0)
    else:
        model = OptCSSelector([LinearRegression()], threshold=0.0, random_state=0)
    with pytest.raises(ValueError, match=r"LinearRegression\.fit failed on finite X and y"):
        model.fit(X, y)
