"""Composite targets (``target=``): the default is today's selection bit for bit, intervals,
unions and callables are conformal selection on the indicator, multi-output labels, errors,
and the unit-level FDR guarantee."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import hashlib

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.utils._param_validation import InvalidParameterError

from skselect.conformal import (
    ConformalSelector,
    OptCSSelector,
    benjamini_hochberg,
    conformal_pvalues,
)


def data(seed, n=260):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = X @ [1.5, -1.0, 0.5, 0.0] + rng.normal(size=n)
    return X, y


# ---------------------------------------------------------------------------------------------
# The default target is the selection of the code before composite targets, bit for bit

DEFAULT_CONFIGS = {
    "cfbh-linear": lambda: ConformalSelector(
        LinearRegression(), threshold=0.5, fdr=0.2, random_state=0
    ),
    "cfbh-logistic": lambda: ConformalSelector(
        LogisticRegression(), threshold=0.5, fdr=0.2, random_state=1
    ),
    "cfbh-residual": lambda: ConformalSelector(
        Ridge(), threshold=0.2, conformity_score="residual", fdr=0.3, random_state=2
    ),
    "cfbh-randomized": lambda: ConformalSelector(
        LinearRegression(), threshold=0.5, randomized=True, fdr=0.2, random_state=3
    ),
    "wcs": lambda: ConformalSelector(
        LinearRegression(),
        threshold=0.5,
        method="wcs",
        weight_function=lambda X: np.exp(0.3 * X[:, 0]),
        fdr=0.2,
        random_state=4,
    ),
    "optcs-ms": lambda: OptCSSelector(
        [LinearRegression(), Ridge(alpha=10.0)], threshold=0.5, fdr=0.2, random_state=5
    ),
    "optcs-full": lambda: OptCSSelector(
        [Ridge()], mode="full", threshold=0.5, fdr=0.3, random_state=6
    ),
}

# Digests of (p-value ranks, selection) recorded with the code of commit 258ac29, before
# target= existed (p-values as ranks p (n + 1), rounded, so that the last bits of a BLAS
# cannot change them).
RECORDED = {
    "cfbh-linear": "7a41fc52ffd1af14",
    "cfbh-logistic": "e24f31b5951cc5ce",
    "cfbh-residual": "f9f596af37ea71b3",
    "cfbh-randomized": "283669c676af1241",
    "wcs": "f807fbe337581faf",
    "optcs-ms": "5d95756eb11005c2",
    "optcs-full": "74877b077a6efe5d",
}


@pytest.mark.parametrize("name", sorted(DEFAULT_CONFIGS))
def test_default_target_is_the_previous_selection(name):
    X, y = data(len(name))
    n_test = 20 if name == "optcs-full" else 60
    selector = DEFAULT_CONFIGS[name]().fit(X[:200], y[:200])
    report = selector.selection_report(X[200 : 200 + n_test])
    ranks = np.round(report["p_value"].to_numpy() * 201, 6)
    blob = ranks.tobytes() + report["selected"].to_numpy().tobytes()
    assert hashlib.sha256(blob).hexdigest()[:16] == RECORDED[name]


@pytest.mark.parametrize(
    "make",
    [
        lambda target: ConformalSelector(
            LogisticRegression(), threshold=0.5, target=target, fdr=0.2, random_state=0
        ),
        lambda target: OptCSSelector(
            [LogisticRegression(), LogisticRegression(C=0.01)],
            threshold=0.5,
            target=target,
            fdr=0.2,
            random_state=0,
        ),
    ],
)
def test_half_line_interval_equals_threshold(make):
    X, y = data(1, 400)
    default = make(None).fit(X[:300], y[:300]).selection_report(X[300:])
    interval = make(("interval", 0.5, np.inf)).fit(X[:300], y[:300]).selection_report(X[300:])
    assert np.array_equal(default["p_value"], interval["p_value"])
    assert np.array_equal(default["selected"], interval["selected"])
    assert default["selected"].any()


# ---------------------------------------------------------------------------------------------
# Intervals, unions and callables against cfBH written by hand


def manual(model, X_calib, in_calib, ranking_calib, ranking_test, fdr):
    calib_scores = np.where(in_calib, np.inf, -ranking_calib)
    p_values = conformal_pvalues(calib_scores, -ranking_test)
    return p_values, benjamini_hochberg(p_values, fdr)


@pytest.mark.parametrize(
    "target, intervals",
    [
        (("interval", -0.5, 1.0), [(-0.5, 1.0)]),
        ([("interval", -np.inf, -2.0), ("interval", 1.0, 2.5)], [(-np.inf, -2.0), (1.0, 2.5)]),
    ],
)
def test_interval_and_union_with_a_regressor(target, intervals):
    X, y = data(2, 600)
    model = LinearRegression().fit(X[:200], y[:200])
    selector = ConformalSelector(model, target=target, fdr=0.3, prefit=True)
    selector.fit(X[200:450], y[200:450])

    def distance(mu):
        return np.max([np.minimum(mu - lo, hi - mu) for lo, hi in intervals], axis=0)

    y_calib = y[200:450]
    in_calib = np.any([(y_calib > lo) & (y_calib < hi) for lo, hi in intervals], axis=0)
    p_values, selected = manual(
        model,
        X[200:450],
        in_calib,
        distance(model.predict(X[200:450])),
        distance(model.predict(X[450:])),
        0.3,
    )
    assert np.array_equal(selector.p_values(X[450:]), p_values)
    assert np.array_equal(selector.select(X[450:]), selected)


def test_callable_target_with_a_classifier_equals_manual_binarisation():
    X, y = data(3, 600)

    def target(y, X):
        return (np.abs(y) < 1.0) & (X[:, 3] > -1.0)

    selector = ConformalSelector(LogisticRegression(), target=target, fdr=0.3, random_state=0).fit(
        X[:400], y[:400]
    )
    # The same split, a classifier fitted by hand on the indicator.
    manual_selector = ConformalSelector(
        LogisticRegression(), threshold=0.5, fdr=0.3, random_state=0
    ).fit(X[:400], target(y[:400], X[:400]).astype(float))
    assert np.array_equal(selector.p_values(X[400:]), manual_selector.p_values(X[400:]))
    assert np.array_equal(selector.select(X[400:]), manual_selector.select(X[400:]))


def test_callable_target_and_ranking_with_multi_output_labels():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(700, 3))
    Y = np.column_stack([X[:, 0], X[:, 1]]) + 0.3 * rng.normal(size=(700, 2))

    def target(Y, X):
        # Potency above 0.5 and toxicity below 0.
        return (Y[:, 0] > 0.5) & (Y[:, 1] < 0.0)

    def target_ranking(prediction, X):
        return np.minimum(prediction[:, 0] - 0.5, -prediction[:, 1])

    selector = ConformalSelector(
        LinearRegression(),
        target=target,
        target_ranking=target_ranking,
        fdr=0.2,
        random_state=0,
    ).fit(X[:500], Y[:500])
    selected = selector.select(X[500:])
    assert selected.any()
    model = selector.estimator_
    assert model.coef_.shape == (2, 3)
    p_values, expected = manual(
        model,
        None,
        selector._calib_in_target,
        selector._calib_ranking,
        target_ranking(model.predict(X[500:]), X[500:]),
        0.2,
    )
    assert np.array_equal(selected, expected)
    # The selected units are mostly inside the target.
    assert target(Y[500:], X[500:])[selected].mean() >= 0.7
    # OptCS too.
    optcs = OptCSSelector(
        [LinearRegression(), Ridge(alpha=10.0)],
        target=target,
        target_ranking=target_ranking,
        fdr=0.2,
        random_state=0,
    ).fit(X[:500], Y[:500])
    assert optcs.select(X[500:]).shape == (200,)


def test_callable_target_gets_the_dataframe():
    pd = pytest.importorskip("pandas")
    X, y = data(5, 400)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    seen = []

    def target(y, X):
        seen.append(type(X))
        return (y > 0) & (X["d"] > -1).to_numpy()

    selector = ConformalSelector(LogisticRegression(), target=target, random_state=0)
    selector.fit(frame[:300], y[:300])
    assert seen and all(kind is pd.DataFrame for kind in seen)
    assert selector.select(frame[300:]).index.equals(frame.index[300:])


def test_fdp_bounds_with_a_target():
    X, y = data(6, 900)
    selector = ConformalSelector(
        LinearRegression(), target=("interval", 0.0, 2.0), random_state=0
    ).fit(X[:600], y[:600])
    bounds = selector.fdp_bounds(X[600:])
    assert np.array_equal(bounds.thresholds, np.sort(selector.p_values(X[600:])))


# ---------------------------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    "target",
    [
        ("interval", 1.0),
        ("interval", 2.0, 1.0),
        ("interval", np.nan, 1.0),
        ("range", 0.0, 1.0),
        [],
        [("interval", 0.0, 1.0), (0.0, 2.0)],
    ],
)
def test_bad_target(target):
    X, y = data(7, 100)
    with pytest.raises(ValueError, match="target must be None, \\('interval', lo, hi\\)"):
        ConformalSelector(LinearRegression(), target=target).fit(X, y)


def test_bad_target_type():
    X, y = data(7, 100)
    with pytest.raises(InvalidParameterError, match="target"):
        ConformalSelector(LinearRegression(), target="interval").fit(X, y)


def test_callable_target_with_a_regressor_needs_target_ranking():
    X, y = data(8, 100)
    with pytest.raises(ValueError, match="needs target_ranking.*LinearRegression"):
        ConformalSelector(LinearRegression(), target=lambda y, X: y > 0).fit(X, y)
    with pytest.raises(ValueError, match="needs target_ranking"):
        OptCSSelector([LinearRegression()], target=lambda y, X: y > 0).fit(X, y)


def test_residual_score_needs_the_threshold_target():
    X, y = data(9, 100)
    with pytest.raises(ValueError, match="conformity_score='residual' needs the threshold"):
        ConformalSelector(
            LinearRegression(), target=("interval", 0, 1), conformity_score="residual"
        ).fit(X, y)


@pytest.mark.parametrize(
    "target, message",
    [
        (lambda y, X: np.ones(3, dtype=bool), "one bool per sample"),
        (lambda y, X: y, "one bool per sample"),
        (lambda y, X: np.full(y.shape[0], 2), "booleans"),
    ],
)
def test_bad_callable_target_output(target, message):
    X, y = data(10, 100)
    with pytest.raises(ValueError, match=message):
        ConformalSelector(LogisticRegression(), target=target).fit(X, y)


def test_target_changed_after_fit_is_refused():
    X, y = data(11, 200)
    selector = ConformalSelector(LinearRegression(), target=("interval", 0, 1)).fit(X, y)
    selector.set_params(target=("interval", 0, 2))
    with pytest.raises(ValueError, match="target changed since fit"):
        selector.select(X)


def test_no_calibration_unit_inside_the_target_warns():
    X, y = data(12, 200)
    with pytest.warns(UserWarning, match="No calibration label is inside target"):
        ConformalSelector(LinearRegression(), target=("interval", 100.0, 101.0)).fit(X, y)


# ---------------------------------------------------------------------------------------------
# Unit-level FDR (slow)


def _fdr_and_power(target, in_target, target_ranking=None, reps=600, fdr=0.3):
    rng = np.random.default_rng(13)
    X_train = rng.normal(size=(2000, 1))
    model = LinearRegression().fit(X_train, X_train[:, 0] + rng.normal(size=2000))
    fdps, powers = [], []
    for _ in range(reps):
        X = rng.normal(size=(500, 1))
        y = X[:, 0] + rng.normal(size=500)
        selector = ConformalSelector(
            model, target=target, target_ranking=target_ranking, fdr=fdr, prefit=True
        ).fit(X[:300], y[:300])
        selected = selector.select(X[300:])
        truth = in_target(y[300:])
        fdps.append((selected & ~truth).sum() / max(1, selected.sum()))
        powers.append((selected & truth).sum() / max(1, truth.sum()))
    return np.mean(fdps), np.std(fdps) / np.sqrt(reps), np.mean(powers)


@pytest.mark.slow
@pytest.mark.parametrize(
    "target, in_target",
    [
        (("interval", 0.5, 2.5), lambda y: (y > 0.5) & (y < 2.5)),
        (
            [("interval", -np.inf, -1.5), ("interval", 1.5, np.inf)],
            lambda y: (y < -1.5) | (y > 1.5),
        ),
    ],
)
def test_unit_fdr_of_interval_targets(target, in_target):
    fdr, se, power = _fdr_and_power(target, in_target)
    print(f"FDR {fdr:.4f} (se {se:.4f}), power {power:.3f}")
    assert fdr <= 0.3 + 3 * se
    assert power > 0.05


@pytest.mark.slow
def test_unit_fdr_of_a_callable_target():
    def target(y, X):
        return np.abs(y) > 1.5

    fdr, se, power = _fdr_and_power(
        target, lambda y: np.abs(y) > 1.5, lambda mu, X: np.abs(mu) - 1.5
    )
    print(f"FDR {fdr:.4f} (se {se:.4f}), power {power:.3f}")
    assert fdr <= 0.3 + 3 * se
