"""ConformalSelector: cfBH and weighted conformal selection against references built from the
definitions, equivalences from the papers, errors, and the finite-sample FDR guarantee."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils._param_validation import InvalidParameterError
from threadpoolctl import threadpool_limits

from skselect.conformal import (
    ConformalSelector,
    OptCSSelector,
    benjamini_hochberg,
    conformal_pvalues,
)


def linear_data(seed, n, shift=0.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    X[:, 0] += shift
    y = X @ [1.5, -1.0, 0.5, 0.0] + rng.normal(size=n)
    return X, y


def test_pvalues_are_conformal_pvalues_of_the_clipped_score():
    X, y = linear_data(0, 300)
    model = LinearRegression().fit(X[:100], y[:100])
    selector = ConformalSelector(model, threshold=0.5, prefit=True).fit(X[100:250], y[100:250])
    assert selector.estimator_ is model
    mu_calib, mu_test = model.predict(X[100:250]), model.predict(X[250:])
    calib_scores = np.where(y[100:250] > 0.5, np.inf, 0.5 - mu_calib)
    expected = conformal_pvalues(calib_scores, 0.5 - mu_test)
    assert np.allclose(selector.p_values(X[250:]), expected)
    assert np.array_equal(selector.select(X[250:]), benjamini_hochberg(expected, 0.1))


def test_residual_score_pvalues():
    X, y = linear_data(1, 300)
    model = Ridge().fit(X[:100], y[:100])
    selector = ConformalSelector(model, threshold=-0.2, conformity_score="residual", prefit=True)
    selector.fit(X[100:250], y[100:250])
    calib_scores = y[100:250] - model.predict(X[100:250])
    expected = conformal_pvalues(calib_scores, -0.2 - model.predict(X[250:]))
    assert np.allclose(selector.p_values(X[250:]), expected)


def test_classifier_ranks_by_probability_of_exceeding_the_threshold():
    X, y = linear_data(2, 400)
    selector = ConformalSelector(LogisticRegression(), threshold=0.3, random_state=0).fit(X, y)
    assert selector.estimator_.classes_.tolist() == [0, 1]
    assert selector.calib_scores_.shape == (200,)
    mu_test = selector.estimator_.predict_proba(X[:50])[:, 1]
    calib = selector.calib_scores_
    expected = (1 + (calib[None, :] <= -mu_test[:, None]).sum(axis=1)) / (len(calib) + 1)
    assert np.allclose(selector.p_values(X[:50]), expected)
    # The same probabilities through prefit.
    prefit = ConformalSelector(selector.estimator_, threshold=0.3, prefit=True).fit(X, y)
    assert np.allclose(
        np.sort(prefit.calib_scores_[np.isfinite(prefit.calib_scores_)]),
        np.sort(-selector.estimator_.predict_proba(X[y <= 0.3])[:, 1]),
    )


@pytest.mark.parametrize("calibration_size, n_calib", [(0.3, 120), (0.5, 200), (50, 50)])
def test_calibration_size(calibration_size, n_calib):
    X, y = linear_data(3, 400)
    selector = ConformalSelector(
        LinearRegression(), calibration_size=calibration_size, random_state=0
    ).fit(X, y)
    assert selector.calib_scores_.shape == (n_calib,)


@pytest.mark.parametrize("seed", range(10))
def test_cfbh_equals_its_threshold_form(seed):
    # Deterministic cfBH with the clipped score selects {j: mu_j >= t} with
    # t = min{t in {mu_j}: m/(n+1) (1 + #{i null, mu_i >= t}) / #{j: mu_j >= t} <= q}.
    X, y = linear_data(seed, 500)
    model = DecisionTreeRegressor(max_depth=3, random_state=0).fit(X[:200], y[:200])  # ties
    threshold, fdr = 0.0, 0.2
    selector = ConformalSelector(model, threshold=threshold, fdr=fdr, prefit=True)
    selector.fit(X[200:400], y[200:400])
    mu_calib, mu_test = model.predict(X[200:400]), model.predict(X[400:])
    null_calib = y[200:400] <= threshold
    n, m = len(mu_calib), len(mu_test)
    passing = [
        t
        for t in np.unique(mu_test)
        if m / (n + 1) * (1 + np.sum(null_calib & (mu_calib >= t))) / np.sum(mu_test >= t) <= fdr
    ]
    expected = mu_test >= min(passing) if passing else np.zeros(m, dtype=bool)
    assert np.array_equal(selector.select(X[400:]), expected)


@pytest.mark.parametrize("seed", range(6))
def test_wcs_with_unit_weights_equals_cfbh(seed):
    X, y = linear_data(seed, 500)
    model = DecisionTreeRegressor(max_depth=4, random_state=0).fit(X[:200], y[:200])
    kwargs = {"threshold": 0.5, "fdr": 0.2, "prefit": True}
    cfbh = ConformalSelector(model, **kwargs).fit(X[200:400], y[200:400])
    wcs = ConformalSelector(model, method="wcs", pruning="deterministic", **kwargs).fit(
        X[200:400], y[200:400]
    )
    assert np.array_equal(cfbh.select(X[400:]), wcs.select(X[400:]))
    assert (wcs._selection_result(X[400:])[1].aux_size >= 1).all()


def _shift_weights(X):
    # Density ratio of N(1, 1) over N(0, 1) in the first coordinate.
    return np.exp(X[:, 0] - 0.5)


def _brute_wcs(calib, calib_w, test, test_w, fdr, xi):
    m = len(test)
    p = np.array(
        [
            (np.sum(calib_w * (calib <= test[j])) + test_w[j]) / (calib_w.sum() + test_w[j])
            for j in range(m)
        ]
    )
    sizes = np.empty(m, dtype=int)
    for j in range(m):
        row = np.array(
            [
                0.0
                if ell == j
                else (np.sum(calib_w * (calib <= test[ell])) + test_w[j] * (test[j] <= test[ell]))
                / (calib_w.sum() + test_w[j])
                for ell in range(m)
            ]
        )
        ordered = np.sort(row)
        sizes[j] = max(k for k in range(1, m + 1) if ordered[k - 1] <= fdr * k / m)
    first = p <= fdr * sizes / m
    scaled = xi * sizes
    best = max([r for r in range(1, m + 1) if np.sum(first & (scaled <= r)) >= r], default=0)
    return first & (scaled <= best), sizes


@pytest.mark.parametrize("pruning", ["deterministic", "homogeneous", "heterogeneous"])
def test_weighted_selection_matches_brute_force(pruning):
    X, y = linear_data(7, 160)
    X_test, _ = linear_data(8, 40, shift=1.0)
    model = DecisionTreeRegressor(max_depth=3, random_state=0).fit(X[:60], y[:60])
    selector = ConformalSelector(
        model,
        threshold=0.0,
        fdr=0.3,
        method="wcs",
        pruning=pruning,
        weight_function=_shift_weights,
        prefit=True,
        random_state=5,
    ).fit(X[60:], y[60:])
    selected = selector.select(X_test)
    draws = np.random.RandomState(5)
    if pruning == "deterministic":
        xi = np.ones(40)
    elif pruning == "homogeneous":
        xi = np.full(40, draws.uniform())
    else:
        xi = draws.uniform(size=40)
    expected, sizes = _brute_wcs(
        selector.calib_scores_,
        _shift_weights(X[60:]),
        -model.predict(X_test),
        _shift_weights(X_test),
        0.3,
        xi,
    )
    assert np.array_equal(selector._selection_result(X_test)[1].aux_size, sizes)
    assert np.array_equal(selected, expected)


def test_same_random_state_same_selection_and_no_global_rng():
    # Bug 7 of the reference code: unseeded numpy. An int random_state must reproduce the
    # split, the randomized p-values and the pruning draws (the autouse fixture also fails
    # any draw from numpy's global generator).
    X, y = linear_data(9, 400)
    X_test, _ = linear_data(10, 80)
    kwargs = {"method": "wcs", "pruning": "heterogeneous", "randomized": True, "fdr": 0.3}
    a = ConformalSelector(Ridge(), random_state=3, **kwargs).fit(X, y)
    b = ConformalSelector(Ridge(), random_state=3, **kwargs).fit(X, y)
    assert np.array_equal(a.calib_scores_, b.calib_scores_)
    assert np.array_equal(a.p_values(X_test), b.p_values(X_test))
    assert np.array_equal(a.select(X_test), b.select(X_test))
    c = ConformalSelector(Ridge(), random_state=4, **kwargs).fit(X, y)
    assert not np.array_equal(np.sort(a.calib_scores_), np.sort(c.calib_scores_))
    ConformalSelector(Ridge(), random_state=None, **kwargs).fit(X, y).select(X_test)


def test_dataframe_and_float32_input():
    pd = pytest.importorskip("pandas", reason="pandas is an optional test dependency")
    X, y = linear_data(11, 300)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    selector = ConformalSelector(LinearRegression(), random_state=0).fit(frame, pd.Series(y))
    assert selector.feature_names_in_.tolist() == ["a", "b", "c", "d"]
    from_frame = selector.select(frame.iloc[:50])
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        assert np.array_equal(from_frame, selector.select(X[:50]))
    single = ConformalSelector(LinearRegression(), random_state=0).fit(
        X.astype(np.float32), y.astype(np.float32)
    )
    assert single.select(X[:50].astype(np.float32)).dtype == bool


def test_errors():
    X, y = linear_data(12, 100)
    with pytest.raises(ValueError, match="weight_function is only used by method='wcs'"):
        ConformalSelector(Ridge(), weight_function=_shift_weights).fit(X, y)
    with pytest.raises(InvalidParameterError, match="fdr"):
        ConformalSelector(Ridge(), fdr=1.5).fit(X, y)
    with pytest.raises(InvalidParameterError, match="score"):
        ConformalSelector(Ridge(), conformity_score="abs").fit(X, y)
    with pytest.raises(InvalidParameterError, match="method"):
        ConformalSelector(Ridge(), method="wbh").fit(X, y)
    with pytest.raises(NotFittedError):
        ConformalSelector(Ridge(), prefit=True).fit(X, y)
    with pytest.raises(ValueError, match="only one class of the target indicator"):
        ConformalSelector(LogisticRegression(), threshold=100.0).fit(X, y)
    with pytest.raises(ValueError, match="Cannot split 100 samples with calibration_size=100"):
        ConformalSelector(Ridge(), calibration_size=100).fit(X, y)
    y_bad = y.copy()
    y_bad[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ConformalSelector(Ridge()).fit(X, y_bad)
    selector = ConformalSelector(Ridge(), random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but ConformalSelector is expecting 4"):
        selector.select(X[:, :3])
    with pytest.raises(NotFittedError):
        ConformalSelector(Ridge()).select(X)
    with pytest.raises(ValueError, match=r"threshold changed since fit \(it was threshold=0.0\)"):
        selector.set_params(threshold=1.0).select(X)
    selector.set_params(threshold=0.0, fdr=0.3, method="wcs").select(X)  # free to change
    with pytest.raises(InvalidParameterError, match="fdr"):
        selector.set_params(fdr=2.0).select(X)

    def wrong_shape(X):
        return np.ones(len(X) + 1)

    def negative(X):
        return -np.ones(len(X))

    with pytest.raises(ValueError, match="one weight per calibration sample"):
        ConformalSelector(Ridge(), method="wcs", weight_function=wrong_shape).fit(X, y)
    with pytest.raises(ValueError, match="negative, NaN or infinite weights"):
        ConformalSelector(Ridge(), method="wcs", weight_function=negative).fit(X, y)


# ---------------------------------------------------------------------------------------------
# Finite-sample FDR validity (slow). Data-generating processes of Jin and Candès (2023),
# sigma = 0.5, X ~ U[-1, 1]^20.


def jc_data(setting, n, rng, sigma=0.5):
    X = rng.uniform(-1, 1, size=(n, 20))
    x1, x2, x3, x4 = X[:, 0], X[:, 1], X[:, 2], X[:, 3]
    eps = rng.normal(size=n)
    if setting == 1:
        mu = 4 * (
            (x1 * x2 > 0) * (x4 * (x4 > 0.5) + 0.5 * (x4 <= 0.5))
            + (x1 * x2 <= 0) * (x4 * (x4 < -0.5) - 0.5 * (x4 > -0.5))
        )
        y = mu + sigma * eps
    elif setting == 5:
        mu = (x1 * x2 > 0) * (x4 > 0.5) * (0.25 + x4) + (x1 * x2 <= 0) * (x4 < -0.5) * (x4 - 0.25)
        y = mu + sigma * eps
    elif setting == 7:
        mu = 2 * (x1 * x2 + x3**2 + np.exp(x4 - 1) - 1)
        y = mu + (5.5 - np.abs(mu)) / 2 * sigma * eps
    return X, y


@pytest.mark.slow
@pytest.mark.parametrize("setting", [1, 5, 7])
def test_cfbh_controls_fdr_on_jc_settings(setting):
    # One OpenMP thread: thousands of tiny predict calls on a shared machine otherwise spend
    # their time waking threads.
    with threadpool_limits(limits=1, user_api="openmp"):
        _check_cfbh_fdr_on_jc_setting(setting)


def _check_cfbh_fdr_on_jc_setting(setting):
    rng = np.random.default_rng(setting)
    X_train, y_train = jc_data(setting, 1000, rng)
    # As in the authors' simulations, the regressor is trained on the binary label.
    model = HistGradientBoostingRegressor(max_iter=60, max_depth=4, random_state=0)
    model.fit(X_train, (y_train > 0).astype(float))
    n_reps, n_calib, n_test = 500, 250, 100
    fdp = {(q, r): [] for q in (0.1, 0.3) for r in (False, True)}
    power = {key: [] for key in fdp}
    for rep in range(n_reps):
        X, y = jc_data(setting, n_calib + n_test, rng)
        for randomized in (False, True):
            selector = ConformalSelector(
                model, prefit=True, randomized=randomized, random_state=rep
            )
            selector.fit(X[:n_calib], y[:n_calib])
            for q in (0.1, 0.3):
                selected = selector.set_params(fdr=q).select(X[n_calib:])
                truth = y[n_calib:] > 0
                fdp[q, randomized].append(np.sum(selected & ~truth) / max(1, selected.sum()))
                power[q, randomized].append(np.sum(selected & truth) / max(1, truth.sum()))
    for (q, randomized), values in fdp.items():
        values = np.array(values)
        se = values.std(ddof=1) / np.sqrt(n_reps)
        assert values.mean() <= q + 2 * se, (setting, q, randomized, values.mean(), se)
        if q == 0.3:  # the test is not vacuous: something true gets selected
            assert np.mean(power[q, randomized]) > 0.05, (setting, randomized)


@pytest.mark.slow
@pytest.mark.parametrize("pruning", ["deterministic", "homogeneous", "heterogeneous"])
def test_wcs_controls_fdr_under_covariate_shift(pruning):
    # Calibration X ~ N(0, I), test X ~ N(e_1, I): the density ratio is _shift_weights.
    # Weighted selection needs the weights: plain cfBH is not guaranteed here.
    rng = np.random.default_rng(100)
    X_train, y_train = linear_data(100, 500)
    model = LinearRegression().fit(X_train, y_train)
    n_reps, q = 300, 0.2
    fdp = []
    for rep in range(n_reps):
        X, y = linear_data(int(rng.integers(2**31)), 200)
        X_test, y_test = linear_data(int(rng.integers(2**31)), 60, shift=1.0)
        selector = ConformalSelector(
            model,
            threshold=1.0,
            fdr=q,
            method="wcs",
            pruning=pruning,
            prefit=True,
            weight_function=_shift_weights,
            random_state=rep,
        ).fit(X, y)
        selected = selector.select(X_test)
        fdp.append(np.sum(selected & (y_test <= 1.0)) / max(1, selected.sum()))
    fdp = np.array(fdp)
    se = fdp.std(ddof=1) / np.sqrt(n_reps)
    assert fdp.mean() <= q + 2 * se, (pruning, fdp.mean(), se)


class _OracleProbability(RegressorMixin, BaseEstimator):
    """P(Y > 0 | X) of a JC setting in closed form: the oracle clip-score ranking."""

    def __init__(self, setting=5, sigma=0.5):
        self.setting = setting
        self.sigma = sigma

    def fit(self, X, y):
        return self

    def predict(self, X):
        mean, scale = jc_mean_and_scale(self.setting, X, self.sigma)
        return norm.cdf(mean / scale)

    def __sklearn_is_fitted__(self):
        return True


def jc_mean_and_scale(setting, X, sigma):
    x1, x2, x3, x4 = X[:, 0], X[:, 1], X[:, 2], X[:, 3]
    if setting == 5:
        mu = (x1 * x2 > 0) * (x4 > 0.5) * (0.25 + x4) + (x1 * x2 <= 0) * (x4 < -0.5) * (x4 - 0.25)
        return mu, np.full(len(X), sigma)
    mu = 2 * (x1 * x2 + x3**2 + np.exp(x4 - 1) - 1)
    if setting == 6:
        return mu, np.full(len(X), 1.5 * sigma)
    return mu, (5.5 - np.abs(mu)) / 2 * sigma  # setting 7


@pytest.mark.slow
@pytest.mark.parametrize(
    "setting, reference_fdr, reference_power",
    # Reference values computed with the oracle clip score, n = 1000, m = 100, sigma = 0.5,
    # randomized p-values, q = 0.1, 1000 repetitions (numbers from an independent numpy script).
    [(5, 0.102, 0.270), (6, 0.093, 0.426), (7, 0.106, 0.235)],
)
def test_oracle_cfbh_reproduces_reference_fdr_and_power(setting, reference_fdr, reference_power):
    rng = np.random.default_rng(60 + setting)
    oracle = _OracleProbability(setting=setting)
    n_reps, n_calib, n_test = 1000, 1000, 100
    fdp, power = np.empty(n_reps), np.empty(n_reps)
    for rep in range(n_reps):
        X = rng.uniform(-1, 1, size=(n_calib + n_test, 20))
        mean, scale = jc_mean_and_scale(setting, X, 0.5)
        y = mean + scale * rng.normal(size=len(X))
        selector = ConformalSelector(oracle, prefit=True, randomized=True, random_state=rep).fit(
            X[:n_calib], y[:n_calib]
        )
        selected = selector.select(X[n_calib:])
        truth = y[n_calib:] > 0
        fdp[rep] = np.sum(selected & ~truth) / max(1, selected.sum())
        power[rep] = np.sum(selected & truth) / max(1, truth.sum())
    # Both figures are means over 1000 runs: compare within 4 combined standard errors
    # (the reference's s.e. taken equal to ours).
    fdr_se = fdp.std(ddof=1) / np.sqrt(n_reps)
    power_se = power.std(ddof=1) / np.sqrt(n_reps)
    assert abs(fdp.mean() - reference_fdr) < 4 * np.sqrt(2) * fdr_se, (fdp.mean(), fdr_se)
    assert abs(power.mean() - reference_power) < 4 * np.sqrt(2) * power_se, (
        power.mean(),
        power_se,
    )
    assert fdp.mean() <= 0.1 + 2 * fdr_se


def _tied_data(seed):
    # Features on a coarse grid: many test units share a prediction, so ties are broken by
    # draws, and randomised p-values draw too.
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 4, size=(300, 2)).astype(float)
    y = X.sum(axis=1) + rng.normal(size=300)
    X_test = rng.integers(0, 4, size=(120, 2)).astype(float)
    return X, y, X_test


_SELECT_TIME_DRAWS = {
    "randomized p-values": lambda: ConformalSelector(
        LinearRegression(), threshold=3.0, fdr=0.3, randomized=True
    ),
    "heterogeneous pruning": lambda: ConformalSelector(
        LinearRegression(), threshold=3.0, fdr=0.3, method="wcs", pruning="heterogeneous"
    ),
    "optcs tie-breaking": lambda: OptCSSelector(
        [LinearRegression(), DecisionTreeRegressor(max_depth=2, random_state=0)],
        threshold=3.0,
        fdr=0.3,
    ),
}


@pytest.mark.parametrize("name", list(_SELECT_TIME_DRAWS))
def test_select_time_methods_agree_without_a_random_state(name):
    # With random_state=None the select-time draws come from a seed fixed at fit: select,
    # p_values and selection_report on the same batch give one answer, over 50 data sets.
    make = _SELECT_TIME_DRAWS[name]
    disagreements, fits_differ = 0, 0
    for seed in range(50):
        X, y, X_test = _tied_data(seed)
        selector = make().fit(X, y)
        selected = np.asarray(selector.select(X_test))
        report = selector.selection_report(X_test)
        p_values = np.asarray(selector.p_values(X_test))
        disagreements += not np.array_equal(np.asarray(report["selected"]), selected)
        disagreements += not np.array_equal(np.asarray(report["p_value"]), p_values)
        disagreements += not np.array_equal(np.asarray(selector.select(X_test)), selected)
        other = make().fit(X, y)
        fits_differ += not np.array_equal(np.asarray(other.p_values(X_test)), p_values)
    assert disagreements == 0
    if name == "randomized p-values":
        # The seed is drawn afresh by every fit: the draws are random across fits.
        assert fits_differ == 50
