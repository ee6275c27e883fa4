"""PRESTOClassifier, PRESTOClassifierCV and ProportionalOddsClassifier.

Oracles written by others: scikit-learn's L1 logistic regression (K = 2), statsmodels'
OrderedModel (the proportional-odds limit), scipy.optimize (the unpenalised likelihood), and an
independent numpy re-implementation of the objective for the optimality (KKT) conditions.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest
import sklearn
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.fixes import parse_version
from threadpoolctl import threadpool_limits

from skselect.ordinal import PRESTOClassifier, PRESTOClassifierCV, ProportionalOddsClassifier

# --------------------------------------------------------------------------------------------
# Independent reference implementation of the model (numpy only, no skselect code)
# --------------------------------------------------------------------------------------------


def _nll(intercept, coef, X, y_codes, sample_weight=None):
    """Weighted mean negative log-likelihood of P(y <= k) = sigmoid(intercept_k - x . coef_k)."""
    cumulative = expit(intercept - X @ np.atleast_2d(coef).T)
    padded = np.hstack([np.zeros((len(X), 1)), cumulative, np.ones((len(X), 1))])
    proba = padded[np.arange(len(X)), y_codes + 1] - padded[np.arange(len(X)), y_codes]
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.average(np.log(proba), weights=sample_weight))


def _ordinal_data(n=400, p=3, cuts=(-1.0, 1.0, 2.5), seed=0, shift=0.0, scale=1.0, slopes=None):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, p)) * scale + shift
    beta = np.linspace(1.5, -1.0, p) if slopes is None else np.asarray(slopes)
    latent = ((X - shift) / scale) @ beta + rng.logistic(size=n)
    return X, np.digitize(latent, cuts)


def _nonparallel_data(n=600, seed=0):
    """Data from a cumulative logit with boundary-specific weights (no crossing on [-1, 1]^2)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    intercept = np.array([-1.0, 0.5, 2.0])
    coef = np.array([[1.0, -0.5], [1.3, -0.5], [1.6, 0.2]])
    cumulative = expit(intercept + X @ coef.T)
    u = rng.uniform(size=(n, 1))
    return X, (u > cumulative).sum(axis=1)


def _logistic_l1(C, **kwargs):
    if parse_version(sklearn.__version__) >= parse_version("1.8"):
        return LogisticRegression(l1_ratio=1.0, C=C, solver="saga", **kwargs)
    return LogisticRegression(penalty="l1", C=C, solver="saga", **kwargs)


# --------------------------------------------------------------------------------------------
# Oracles
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("standardize", [False, True])
def test_two_classes_equal_l1_logistic_regression(standardize):
    # mean NLL + alpha |w|_1  ==  (1 / (n alpha)) * [C-weighted sum loss + |w|_1]: C = 1/(n alpha).
    # P(y <= c_1) = sigmoid(t - b.x) is P(y = c_2) = sigmoid(b.x - t): sklearn reports b, -t.
    rng = np.random.default_rng(1)
    n = 300
    X = rng.normal(size=(n, 4)) * [1.0, 2.0, 3.0, 0.5] + [1.0, -2.0, 0.0, 5.0]
    y = (X @ [1.0, -0.5, 0.3, 0.0] + rng.logistic(size=n) > 0).astype(int)
    alpha = 0.05 if standardize else 0.02
    ours = PRESTOClassifier(alpha=alpha, first_penalty_factor=1.0, standardize=standardize)
    ours.fit(X, y)
    mean, sd = X.mean(axis=0), X.std(axis=0)
    X_peer = (X - mean) / sd if standardize else X
    peer = _logistic_l1(1.0 / (n * alpha), tol=1e-12, max_iter=100_000, random_state=0).fit(
        X_peer, y
    )
    peer_coef = peer.coef_[0] / (sd if standardize else 1.0)
    peer_intercept = -peer.intercept_[0] + (peer_coef @ mean if standardize else 0.0)
    assert ours.coef_.shape == (1, 4)
    np.testing.assert_allclose(ours.coef_[0], peer_coef, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_[0], peer_intercept, atol=1e-4)
    assert (ours.coef_[0] == 0).sum() >= 1  # the L1 penalty really selects here
    np.testing.assert_allclose(ours.predict_proba(X), peer.predict_proba(X_peer), atol=1e-5)
    np.testing.assert_array_equal(ours.classes_, peer.classes_)


def _statsmodels_po(X, y):
    ordinal_model = pytest.importorskip("statsmodels.miscmodels.ordinal_model")
    model = ordinal_model.OrderedModel(y, X, distr="logit")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # BFGS reports non-convergence at gtol=1e-10
        result = model.fit(method="bfgs", disp=False, gtol=1e-10, maxiter=20_000)
    p = X.shape[1]
    thresholds = model.transform_threshold_params(result.params)[1:-1]
    # statsmodels: P(y <= k) = F(cut_k - x.beta), the convention of coef_ and intercept_.
    return np.asarray(result.params[:p]), np.asarray(thresholds), result.llf / len(y)


def test_proportional_odds_limit_equals_statsmodels():
    X, y = _ordinal_data(n=500, p=3, shift=2.0, scale=3.0)
    coef_sm, thresholds_sm, loglik_sm = _statsmodels_po(X, y)
    po = ProportionalOddsClassifier().fit(X, y)
    # first_penalty_factor=0 and an alpha far beyond the one that fuses every difference.
    presto = PRESTOClassifier(alpha=5.0, first_penalty_factor=0.0).fit(X, y)
    assert po.coef_.shape == (3,)
    np.testing.assert_allclose(po.coef_, coef_sm, atol=1e-4)
    np.testing.assert_allclose(presto.coef_, np.tile(coef_sm, (3, 1)), atol=1e-4)
    for model in (po, presto):
        np.testing.assert_allclose(model.intercept_, thresholds_sm, atol=1e-4)
        assert -_nll(model.intercept_, model.coef_, X, y) == pytest.approx(loglik_sm, abs=1e-8)
    np.testing.assert_array_equal(presto.coef_diff_[1:], 0.0)


def test_alpha_zero_likelihood_equals_scipy():
    X, y = _nonparallel_data()
    ours = PRESTOClassifier(alpha=0.0).fit(X, y)

    def objective(theta):
        value = _nll(theta[:3], theta[3:].reshape(3, 2), X, y)
        return value if np.isfinite(value) else 1e10

    start = np.concatenate([[-1.0, 0.5, 2.0], np.zeros(6)])
    peer = minimize(objective, start, method="BFGS", options={"gtol": 1e-9, "maxiter": 10_000})
    ours_nll = _nll(ours.intercept_, ours.coef_, X, y)
    assert ours_nll == pytest.approx(peer.fun, rel=1e-8, abs=1e-10)
    assert ours_nll <= peer.fun + 1e-10
    np.testing.assert_allclose(ours.coef_, peer.x[3:].reshape(3, 2), atol=1e-3)
    # the data were drawn with P(y <= k) = sigmoid(a_k + b_k . x): coef_ estimates -b
    assert np.all(np.sign(ours.coef_[:, 0]) == -1)
    assert ours.n_crossings_ == 0


def _kkt_violation(model, X, y, alpha, l1_ratio, first_penalty_factor, sample_weight=None):
    """Largest violation of the optimality conditions of the documented objective.

    The objective in the original-scale differences d_k = coef_k - coef_(k-1) (d_1 = coef_1)
    is NLL + alpha * sum_jk s_j w_k [l1_ratio |d_jk| + (1 - l1_ratio) s_j d_jk**2 / 2], with s
    the (weighted, population) standard deviations and w_1 = first_penalty_factor, w_k = 1. The
    NLL gradient comes from central finite differences of the numpy reference.
    """
    w = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, float)
    mean = np.average(X, axis=0, weights=w)
    sd = np.sqrt(np.average((X - mean) ** 2, axis=0, weights=w))
    diffs = np.diff(np.vstack([np.zeros(X.shape[1]), model.coef_]), axis=0)
    n_boundaries = diffs.shape[0]
    worst = 0.0
    step = 1e-6
    for k in range(n_boundaries):
        for j in range(X.shape[1]):
            bump = np.zeros_like(diffs)
            bump[k, j] = step
            up = _nll(model.intercept_, np.cumsum(diffs + bump, axis=0), X, y, w)
            down = _nll(model.intercept_, np.cumsum(diffs - bump, axis=0), X, y, w)
            gradient = (up - down) / (2 * step)
            weight = alpha * sd[j] * (first_penalty_factor if k == 0 else 1.0)
            gradient += weight * (1 - l1_ratio) * sd[j] * diffs[k, j]
            if diffs[k, j] != 0:
                worst = max(worst, abs(gradient + weight * l1_ratio * np.sign(diffs[k, j])))
            else:
                worst = max(worst, abs(gradient) - weight * l1_ratio)
    return worst


@pytest.mark.parametrize(
    "alpha, l1_ratio, first_penalty_factor",
    [(0.01, 1.0, 1.0), (0.03, 1.0, 0.0), (0.02, 0.5, 2.0), (0.05, 0.0, 1.0)],
)
def test_solution_satisfies_optimality_conditions(alpha, l1_ratio, first_penalty_factor):
    X, y = _ordinal_data(n=400, p=3, shift=1.0, scale=2.0, slopes=[1.5, 0.0, -1.0])
    model = PRESTOClassifier(
        alpha=alpha, l1_ratio=l1_ratio, first_penalty_factor=first_penalty_factor
    ).fit(X, y)
    assert _kkt_violation(model, X, y, alpha, l1_ratio, first_penalty_factor) < 1e-5
    if l1_ratio == 1.0:
        assert (model.coef_diff_ == 0).sum() > 0  # some differences fused exactly


def test_sample_weight_enters_the_objective():
    X, y = _ordinal_data(n=300, p=2, seed=3)
    weights = np.random.default_rng(0).uniform(0.2, 3.0, size=len(y))
    model = PRESTOClassifier(alpha=0.01).fit(X, y, sample_weight=weights)
    assert _kkt_violation(model, X, y, 0.01, 1.0, 0.0, sample_weight=weights) < 1e-5


@pytest.mark.parametrize("seed", [4, 0])
def test_integer_sample_weight_equals_repetition(seed):
    X, y = _ordinal_data(n=200, p=2, seed=seed)
    weights = np.random.default_rng(1).integers(0, 4, size=len(y))
    weighted = PRESTOClassifier(alpha=0.005).fit(X, y, sample_weight=weights)
    repeated = PRESTOClassifier(alpha=0.005).fit(np.repeat(X, weights, 0), np.repeat(y, weights))
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, atol=1e-7)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, atol=1e-7)


def test_large_alpha_gives_intercept_only_model():
    X, y = _ordinal_data(n=300, p=3, seed=5)
    model = PRESTOClassifier(alpha=100.0, first_penalty_factor=1.0).fit(X, y)
    np.testing.assert_array_equal(model.coef_, 0.0)
    cumulative = np.cumsum(np.bincount(y))[:-1] / len(y)
    np.testing.assert_allclose(expit(model.intercept_), cumulative, atol=1e-8)


# --------------------------------------------------------------------------------------------
# Regression tests for the defects of the authors' code
# --------------------------------------------------------------------------------------------


def test_intercepts_unstandardised_with_cumulative_weights():
    # Defect 2: the reference shifts intercept k by psi_k . mean / sd instead of b_k . mean / sd.
    # Shifting every feature changes only the intercepts, by coef_k . shift for *each* k.
    X, y = _ordinal_data(n=400, p=3, seed=6, slopes=[1.5, 0.5, -1.0])
    shift = np.array([5.0, -3.0, 10.0])
    base = PRESTOClassifier(alpha=0.005).fit(X, y)
    moved = PRESTOClassifier(alpha=0.005).fit(X + shift, y)
    assert np.abs(base.coef_diff_[1:]).max() > 0.01  # psi_k != b_k, so the bug would show
    np.testing.assert_allclose(moved.coef_, base.coef_, atol=1e-7)
    np.testing.assert_allclose(moved.intercept_, base.intercept_ + base.coef_ @ shift, atol=1e-6)
    np.testing.assert_allclose(moved.predict_proba(X + shift), base.predict_proba(X), atol=1e-7)
    # and the reported attributes reproduce the fitted likelihood on the raw data
    assert _nll(moved.intercept_, moved.coef_, X + shift, y) == pytest.approx(
        _nll(base.intercept_, base.coef_, X, y), abs=1e-9
    )


@pytest.mark.parametrize("l1_ratio", [1.0, 0.3])
def test_cv_scores_use_cumulative_weights_and_the_requested_l1_ratio(l1_ratio):
    # Defect 1: the reference scores held-out folds with psi_k instead of b_k = cumsum(psi).
    # Defect 3: its wrapper tuned with l1_ratio = 1 whatever was asked. Each cv_scores_ entry
    # must equal the Brier score of an independent PRESTOClassifier fitted on that fold.
    X, y = _ordinal_data(n=300, p=2, seed=7, slopes=[1.5, -1.0])
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    search = PRESTOClassifierCV(alphas=[0.05, 0.01, 0.002], cv=cv, l1_ratio=l1_ratio).fit(X, y)
    for fold, (train, test) in enumerate(cv.split(X, y)):
        for index, alpha in enumerate(search.alphas_):
            model = PRESTOClassifier(alpha=alpha, l1_ratio=l1_ratio).fit(X[train], y[train])
            proba = model.predict_proba(X[test])
            onehot = np.eye(4)[y[test]]
            brier = ((onehot - proba) ** 2).sum(axis=1).mean()
            assert search.cv_scores_[index, fold] == pytest.approx(brier, abs=1e-7)


def test_cv_selects_largest_alpha_at_the_minimum_and_refits():
    X, y = _ordinal_data(n=300, p=3, seed=8)
    search = PRESTOClassifierCV(alphas=8).fit(X, y)
    mean = search.cv_scores_.mean(axis=1)
    assert np.all(np.diff(search.alphas_) < 0)
    assert search.alpha_ == search.alphas_[np.flatnonzero(mean == mean.min())[0]]
    refit = PRESTOClassifier(alpha=search.alpha_).fit(X, y)
    np.testing.assert_allclose(search.coef_, refit.coef_, atol=1e-10)
    np.testing.assert_allclose(search.intercept_, refit.intercept_, atol=1e-10)
    # the grid starts at the smallest alpha that fuses every difference (proportional odds)
    assert np.all(PRESTOClassifier(alpha=search.alphas_[0]).fit(X, y).coef_diff_[1:] == 0)
    assert np.any(PRESTOClassifier(alpha=0.95 * search.alphas_[0]).fit(X, y).coef_diff_[1:] != 0)


def test_cv_ties_go_to_the_largest_alpha():
    # Pure noise: every alpha above alpha_max gives the same intercept-only fit and score.
    rng = np.random.default_rng(9)
    X = rng.normal(size=(200, 2))
    y = rng.integers(0, 3, size=200)
    search = PRESTOClassifierCV(alphas=[100.0, 50.0, 20.0], first_penalty_factor=1.0).fit(X, y)
    assert search.alpha_ == 100.0
    np.testing.assert_array_equal(search.coef_, 0.0)


def test_cv_parallel_folds_match_serial():
    X, y = _ordinal_data(n=200, p=2, seed=10)
    serial = PRESTOClassifierCV(alphas=4, n_jobs=1).fit(X, y)
    parallel = PRESTOClassifierCV(alphas=4, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(serial.cv_scores_, parallel.cv_scores_)
    assert serial.alpha_ == parallel.alpha_


def test_cv_fold_missing_a_rare_class_and_deviance_scoring():
    X, y = _ordinal_data(n=200, p=2, seed=11, cuts=(-1.0, 1.0, 4.5))
    assert np.bincount(y)[3] < 5  # fewer rare rows than folds
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # StratifiedKFold: tiny class
        search = PRESTOClassifierCV(alphas=5, scoring="deviance").fit(X, y)
    assert np.all(np.isfinite(search.cv_scores_))
    np.testing.assert_allclose(search.predict_proba(X).sum(axis=1), 1.0)


def test_first_penalty_factor_zero_path_ends_at_proportional_odds():
    X, y = _ordinal_data(n=300, p=2, seed=12)
    search = PRESTOClassifierCV(alphas=5, first_penalty_factor=0.0).fit(X, y)
    top = PRESTOClassifier(alpha=search.alphas_[0], first_penalty_factor=0.0).fit(X, y)
    po = ProportionalOddsClassifier().fit(X, y)
    np.testing.assert_allclose(top.coef_, np.tile(po.coef_, (3, 1)), atol=1e-6)
    default = PRESTOClassifierCV(alphas=5).fit(X, y)  # first_penalty_factor=0 is the default
    np.testing.assert_allclose(default.alphas_, search.alphas_)


# --------------------------------------------------------------------------------------------
# Prediction, classes, crossing
# --------------------------------------------------------------------------------------------


def test_prediction_methods_are_consistent():
    X, y = _ordinal_data(n=300, p=3, seed=13)
    model = PRESTOClassifier(alpha=0.01).fit(X, y)
    cumulative = model.predict_cumulative_proba(X)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(cumulative, expit(model.intercept_ - X @ model.coef_.T))
    np.testing.assert_allclose(np.cumsum(proba, axis=1)[:, :-1], cumulative, atol=1e-12)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(X), model.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(model.coef_diff_, np.diff(model.coef_, axis=0, prepend=0.0))


def test_classes_follow_ordered_categorical_order():
    pd = pytest.importorskip("pandas")
    X, y = _ordinal_data(n=300, p=2, seed=14, slopes=[1.5, -1.0])
    names = np.array(["low", "mid", "high", "top"])
    labels = pd.Categorical(names[y], categories=list(names), ordered=True)
    # first_penalty_factor=0 penalises only differences, a penalty symmetric under reversal
    model = PRESTOClassifier(alpha=0.01, first_penalty_factor=0.0).fit(X, pd.Series(labels))
    numeric = PRESTOClassifier(alpha=0.01, first_penalty_factor=0.0).fit(X, y)
    assert model.classes_.tolist() == ["low", "mid", "high", "top"]  # not alphabetical
    np.testing.assert_allclose(model.coef_, numeric.coef_, atol=1e-10)
    assert set(model.predict(X)) <= set(names)
    reversed_labels = pd.Categorical(names[y], categories=list(names[::-1]), ordered=True)
    flipped = PRESTOClassifier(alpha=0.01, first_penalty_factor=0.0).fit(X, reversed_labels)
    assert flipped.classes_.tolist() == ["top", "high", "mid", "low"]
    # reversing the order mirrors the model: coef -> -coef on the reversed boundaries
    np.testing.assert_allclose(flipped.coef_, -numeric.coef_[::-1], atol=1e-6)


def test_string_labels_use_sorted_order():
    X, y = _ordinal_data(n=200, p=2, seed=15)
    labels = np.array(["a", "b", "c", "d"])[y]
    model = PRESTOClassifier(alpha=0.01).fit(X, labels)
    assert model.classes_.tolist() == ["a", "b", "c", "d"]


def _crossing_model(crossing):
    X, y = _nonparallel_data(n=600, seed=16)
    model = PRESTOClassifier(alpha=0.0, crossing=crossing).fit(X, y)
    # Far outside the training square the boundaries with different slopes cross.
    X_far = np.array([[-30.0, 0.0], [0.0, 0.0], [30.0, 30.0], [-30.0, -30.0]])
    return model, X_far


def test_crossing_clip_and_rearrange_repair_and_warn():
    model, X_far = _crossing_model("clip")
    raw = expit(model.intercept_ - X_far @ model.coef_.T)
    crossed = (np.diff(raw, axis=1) < 0).any(axis=1)
    assert crossed.any() and not crossed.all()
    with pytest.warns(UserWarning, match=rf"{crossed.sum()} of 4 rows are not monotone"):
        clipped = model.predict_cumulative_proba(X_far)
    np.testing.assert_allclose(clipped, np.maximum.accumulate(raw, axis=1))
    model.set_params(crossing="rearrange")
    with pytest.warns(UserWarning, match="crossing='rearrange'"):
        proba = model.predict_proba(X_far)
    np.testing.assert_allclose(np.cumsum(proba, axis=1)[:, :-1], np.sort(raw, axis=1))
    assert np.all(proba >= 0)
    assert model.n_crossings_ == 0  # never on the training rows


def test_crossing_error_raises():
    model, X_far = _crossing_model("error")
    with pytest.raises(ValueError, match="not monotone.*set crossing='clip'"):
        model.predict_proba(X_far)
    model.predict_proba(X_far[1:2])  # a non-crossing row is fine


def test_training_rows_never_cross():
    # An unpenalised non-parallel fit on data where free boundaries would want to cross: the
    # solver keeps every training row feasible (non-decreasing cumulative probabilities).
    rng = np.random.default_rng(17)
    X = rng.uniform(-3, 3, size=(150, 1))
    y = rng.integers(0, 3, size=150)
    y[X[:, 0] > 2] = 1
    model = PRESTOClassifier(alpha=0.0).fit(X, y)
    eta = model.intercept_ - X @ model.coef_.T
    assert np.all(np.diff(eta, axis=1) >= -1e-12)
    assert np.isfinite(_nll(model.intercept_, model.coef_, X, y))
    assert model.n_crossings_ == 0


@pytest.mark.parametrize("seed", [0, 1, 3])
def test_active_non_crossing_constraint_reaches_the_constrained_optimum(seed):
    # A rare middle class seen only near x = 0: the unconstrained likelihood would let the two
    # boundaries cross at the edges of the training range, so the optimum sits on the
    # non-crossing constraint of some training rows. Stopping where the Newton step is first
    # blocked (what ordinalNet does) left the likelihood up to 0.08 above the constrained
    # optimum; scipy's SLSQP with the n linear constraints is the oracle.
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(200, 1))
    middle = rng.uniform(size=200) < 0.3 * np.exp(-((X[:, 0] / 0.2) ** 2))
    upper = rng.uniform(size=200) < expit(4 * X[:, 0])
    y = np.where(middle, 1, np.where(upper, 2, 0))
    model = PRESTOClassifier(alpha=0.0).fit(X, y)
    eta = model.intercept_ - X @ model.coef_.T
    assert np.diff(eta, axis=1).min() < 1e-6  # the constraint is (nearly) active
    assert np.all(np.diff(eta, axis=1) > -1e-12)
    assert model.n_iter_ < 500

    def objective(theta):
        return _nll(theta[:2], theta[2:].reshape(2, 1), X, y)

    constraint = {
        "type": "ineq",
        "fun": lambda t: (t[1] - t[0]) - X[:, 0] * (t[3] - t[2]),
        "jac": lambda t: np.column_stack([-np.ones(200), np.ones(200), X[:, 0], -X[:, 0]]),
    }
    peer = minimize(
        objective,
        np.array([-0.5, 0.5, 0.0, 0.0]),
        method="SLSQP",
        constraints=[constraint],
        options={"ftol": 1e-14, "maxiter": 1000},
    )
    assert peer.success
    assert _nll(model.intercept_, model.coef_, X, y) == pytest.approx(peer.fun, abs=1e-9)


def test_methods_sample_order_invariance():
    X, y = _ordinal_data(n=150, p=3, seed=18)
    model = PRESTOClassifier(alpha=0.01).fit(X, y)
    order = np.random.default_rng(0).permutation(len(X))
    np.testing.assert_allclose(model.predict_proba(X)[order], model.predict_proba(X[order]))
    np.testing.assert_array_equal(model.predict(X)[order], model.predict(X[order]))


# --------------------------------------------------------------------------------------------
# dtypes, threads, warm start
# --------------------------------------------------------------------------------------------


def test_float32_in_float32_out():
    X, y = _ordinal_data(n=300, p=3, seed=19)
    model32 = PRESTOClassifier(alpha=0.01).fit(X.astype(np.float32), y)
    model64 = PRESTOClassifier(alpha=0.01).fit(X, y)
    assert model32.coef_.dtype == np.float32
    assert model32.predict_proba(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(model32.coef_, model64.coef_, atol=1e-4)


def test_results_do_not_depend_on_thread_count():
    X, y = _ordinal_data(n=40_000, p=3, seed=20)
    with threadpool_limits(limits=1, user_api="openmp"):
        one = PRESTOClassifier(alpha=0.001).fit(X, y)
    with threadpool_limits(limits=2, user_api="openmp"):
        two = PRESTOClassifier(alpha=0.001).fit(X, y)
    np.testing.assert_array_equal(one.coef_, two.coef_)
    np.testing.assert_array_equal(one.intercept_, two.intercept_)


def test_warm_start_reaches_the_same_solution_faster():
    X, y = _ordinal_data(n=300, p=3, seed=21)
    model = PRESTOClassifier(alpha=0.01, warm_start=True).fit(X, y)
    cold_iterations = model.n_iter_
    model.set_params(alpha=0.009).fit(X, y)
    cold = PRESTOClassifier(alpha=0.009).fit(X, y)
    np.testing.assert_allclose(model.coef_, cold.coef_, atol=1e-6)
    assert model.n_iter_ <= cold_iterations


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------


def test_one_class_is_rejected():
    X = np.random.default_rng(0).normal(size=(10, 2))
    with pytest.raises(ValueError, match="at least 2 classes in y; got 1 class"):
        PRESTOClassifier().fit(X, np.zeros(10))


def test_fit_intercept_false_needs_two_classes():
    X, y = _ordinal_data(n=100, p=2, seed=22)
    with pytest.raises(ValueError, match="fit_intercept=False is only defined for K = 2"):
        PRESTOClassifier(fit_intercept=False).fit(X, y)
    binary = (y > 1).astype(int)
    model = PRESTOClassifier(alpha=0.01, fit_intercept=False).fit(X, binary)
    np.testing.assert_array_equal(model.intercept_, 0.0)


def test_zero_weight_class_and_negative_weights_are_rejected():
    X, y = _ordinal_data(n=100, p=2, seed=23)
    weights = np.ones(len(y))
    weights[y == 2] = 0.0
    with pytest.raises(ValueError, match=r"class\(es\) \[2\] have total weight 0"):
        PRESTOClassifier().fit(X, y, sample_weight=weights)
    weights[0] = -1.0
    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        PRESTOClassifier().fit(X, y, sample_weight=weights)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"alpha": -1.0}, "'alpha' parameter"),
        ({"crossing": "ignore"}, "'crossing' parameter"),
        ({"l1_ratio": 1.5}, "'l1_ratio' parameter"),
        ({"first_penalty_factor": -0.1}, "'first_penalty_factor' parameter"),
    ],
)
def test_invalid_parameters(params, match):
    X, y = _ordinal_data(n=60, p=2, seed=24)
    with pytest.raises(InvalidParameterError, match=match):
        PRESTOClassifier(**params).fit(X, y)


def test_cv_invalid_grid_and_unpenalised_two_class_path():
    X, y = _ordinal_data(n=100, p=2, seed=25)
    with pytest.raises(ValueError, match="alphas must be a positive int or a non-empty array"):
        PRESTOClassifierCV(alphas=[0.1, -1.0]).fit(X, y)
    # two classes, first vector unpenalised: nothing to tune, logistic regression
    binary = (y > 1).astype(int)
    search = PRESTOClassifierCV(cv=3).fit(X, binary)
    np.testing.assert_array_equal(search.alphas_, [0.0])
    peer = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(X, binary)
    np.testing.assert_allclose(search.coef_, peer.coef_, atol=1e-5)


def test_nan_and_continuous_targets_are_rejected():
    X, y = _ordinal_data(n=60, p=2, seed=26)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        PRESTOClassifier().fit(X_nan, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        PRESTOClassifier().fit(X, y + 0.5)


def test_separable_data_warns_about_convergence():
    X = np.linspace(-1, 1, 40).reshape(-1, 1)
    y = (X[:, 0] > 0).astype(int)
    from sklearn.exceptions import ConvergenceWarning

    with pytest.warns(ConvergenceWarning, match="did not converge"):
        PRESTOClassifier(alpha=0.0, max_iter=5).fit(X, y)


def test_clone_and_get_params_roundtrip():
    model = PRESTOClassifier(alpha=0.3, l1_ratio=0.5, crossing="rearrange")
    assert clone(model).get_params() == model.get_params()


def test_pandas_dataframe_keeps_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = _ordinal_data(n=100, p=2, seed=28)
    frame = pd.DataFrame(X, columns=["acidity", "alcohol"])
    model = PRESTOClassifier(alpha=0.01).fit(frame, y)
    assert model.feature_names_in_.tolist() == ["acidity", "alcohol"]
    plain = PRESTOClassifier(alpha=0.01).fit(X, y)
    np.testing.assert_allclose(model.predict_proba(frame), plain.predict_proba(X))


def test_presto_and_proportional_odds_compare_in_one_grid_search():
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    X, y = _ordinal_data(n=200, p=2, seed=29)
    pipeline = Pipeline([("model", PRESTOClassifier())])
    grid = {"model": [PRESTOClassifier(alpha=0.01), ProportionalOddsClassifier()]}
    search = GridSearchCV(pipeline, grid, cv=3, scoring="neg_log_loss").fit(X, y)
    assert len(search.cv_results_["mean_test_score"]) == 2
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


# --------------------------------------------------------------------------------------------
# Defaults, selection rule and reading the model
# --------------------------------------------------------------------------------------------


def test_auto_alpha_is_a_tenth_of_the_proportional_odds_alpha_max():
    X, y = _nonparallel_data(n=500, seed=30)
    auto = PRESTOClassifier().fit(X, y)
    grid = PRESTOClassifierCV(alphas=2, cv=2).fit(X, y).alphas_
    assert auto.alpha_ == pytest.approx(0.1 * grid[0], rel=1e-10)
    explicit = PRESTOClassifier(alpha=0.1 * grid[0]).fit(X, y)
    np.testing.assert_allclose(auto.coef_, explicit.coef_, atol=1e-8)
    # not the proportional-odds end of the path, and not the intercept-only model
    assert np.any(auto.coef_diff_[1:] != 0)
    assert np.all(auto.coef_[0] != 0)


@pytest.mark.parametrize("selection", ["min", "1se"])
def test_selection_rule_on_the_cv_curve(selection):
    X, y = _nonparallel_data(n=400, seed=31)
    search = PRESTOClassifierCV(alphas=8, cv=4, selection=selection).fit(X, y)
    mean = search.cv_scores_.mean(axis=1)
    best = int(np.argmin(mean))
    bound = mean[best]
    if selection == "1se":
        bound += np.std(search.cv_scores_[best], ddof=1) / 2.0  # sqrt(4 folds)
    expected = min(i for i in range(len(mean)) if mean[i] <= bound)
    assert search.best_index_ == expected
    assert search.alpha_ == search.alphas_[expected]
    refit = PRESTOClassifier(alpha=search.alpha_).fit(X, y)
    np.testing.assert_allclose(search.coef_, refit.coef_, atol=1e-10)


def test_one_se_rule_is_never_less_penalised_than_the_minimum():
    X, y = _nonparallel_data(n=300, seed=32)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    low = PRESTOClassifierCV(alphas=10, cv=cv).fit(X, y)
    high = PRESTOClassifierCV(alphas=10, cv=cv, selection="1se").fit(X, y)
    np.testing.assert_array_equal(low.cv_scores_, high.cv_scores_)
    assert high.alpha_ >= low.alpha_


def test_coef_table_names_boundaries_by_class_labels():
    pd = pytest.importorskip("pandas")
    from skselect.ordinal import coef_table

    X, y = _ordinal_data(n=300, p=2, seed=33)
    labels = np.array([3, 5, 6, 8])[y]
    frame = pd.DataFrame(X, columns=["acidity", "alcohol"])
    model = PRESTOClassifier().fit(frame, labels)
    table = coef_table(model)
    assert table.columns.tolist() == ["<= 3 | > 3", "<= 5 | > 5", "<= 6 | > 6"]
    assert table.index.tolist() == ["threshold", "acidity", "alcohol"]
    np.testing.assert_array_equal(table.loc["threshold"], model.intercept_)
    np.testing.assert_array_equal(table.loc[["acidity", "alcohol"]].to_numpy(), model.coef_.T)
    po = ProportionalOddsClassifier().fit(X, labels)
    po_table = coef_table(po, feature_names=["a", "b"])
    np.testing.assert_array_equal(po_table.loc["a"], po.coef_[0])
    with pytest.raises(ValueError, match="one name per feature"):
        coef_table(po, feature_names=["a"])
    # A string of as many letters as there are features was split into one-letter names.
    with pytest.raises(ValueError, match="feature_names must be a 1-d array-like of 2 names"):
        coef_table(po, feature_names="ab")
    with pytest.raises(TypeError, match="coef_table expects"):
        coef_table(LogisticRegression().fit(X, y))
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        coef_table(PRESTOClassifier())


def test_sign_convention_positive_weight_raises_the_upper_classes():
    X, y = _ordinal_data(n=400, p=2, seed=34, slopes=[2.0, 0.0])  # y grows with X[:, 0]
    for model in (PRESTOClassifier(), ProportionalOddsClassifier()):
        model.fit(X, y)
        assert np.all(np.atleast_2d(model.coef_)[:, 0] > 1.0)


def test_cv_verbose_reports_the_choice(capsys):
    X, y = _ordinal_data(n=150, p=2, seed=35)
    PRESTOClassifierCV(alphas=3, cv=3, verbose=1).fit(X, y)
    assert "alpha_=" in capsys.readouterr().out


# --------------------------------------------------------------------------------------------
# Inputs that used to hang
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "estimator", [PRESTOClassifier(), PRESTOClassifierCV(), ProportionalOddsClassifier()]
)
def test_many_more_features_than_rows_is_refused_clearly(estimator):
    # An unpenalised weight vector (the defaults) has no finite maximum-likelihood value when
    # the features outnumber the rows; with the first vector penalised the fit is defined
    # (tests/ordinal/test_wide_sparse.py).
    rng = np.random.default_rng(36)
    X = rng.normal(size=(50, 5000))
    y = rng.integers(0, 3, size=50)
    with pytest.raises(ValueError, match=r"50 samples cannot determine for 5000 features"):
        clone(estimator).fit(X, y)


def test_cv_with_far_more_jobs_than_folds_on_small_data():
    X, y = _ordinal_data(n=80, p=3, seed=37)
    search = PRESTOClassifierCV(alphas=4, cv=3, n_jobs=1000).fit(X, y)
    serial = PRESTOClassifierCV(alphas=4, cv=3).fit(X, y)
    np.testing.assert_array_equal(search.cv_scores_, serial.cv_scores_)
    np.testing.assert_allclose(search.predict_proba(X).sum(axis=1), 1.0)


@pytest.mark.parametrize(
    "estimator", [PRESTOClassifier(), PRESTOClassifierCV(cv=3), ProportionalOddsClassifier()]
)
def test_labels_mixing_strings_and_numbers_are_refused_by_name(estimator):
    # Sorting such labels fails inside numpy with a bare comparison error.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = np.array([0, "b", "c"], dtype=object)[np.arange(60) % 3]
    with pytest.raises(TypeError, match=r"y mixes strings and numbers .*'b'.*0"):
        estimator.fit(X, y)


def test_cv_with_more_folds_than_samples_names_cv():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 2))
    y = np.arange(40) % 3
    with pytest.raises(ValueError, match=r"cv=1000 asks for more folds than there are samples"):
        PRESTOClassifierCV(cv=1000).fit(X, y)


def test_boundary_names_refuses_what_cannot_be_ordered_classes():
    from skselect.ordinal import boundary_names

    assert boundary_names(np.array([3, 4, 5])) == ["<= 3 | > 3", "<= 4 | > 4"]
    assert boundary_names(["low"]) == []
    with pytest.raises(ValueError, match="classes must be a 1-d array-like"):
        boundary_names("abc")
    with pytest.raises(ValueError, match="classes must be a 1-d array-like"):
        boundary_names(np.array([[1, 2], [3, 4]]))
    with pytest.raises(ValueError, match="classes must not repeat a label"):
        boundary_names([1, 1, 2])
    with pytest.raises(ValueError, match="classes must not contain NaN"):
        boundary_names(np.array([np.nan, 1.0, 2.0], dtype=np.float32))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"tol": -1.0}, r"'tol' parameter of parallel_lines_test"),
        ({"tol": 0.0}, r"'tol' parameter of parallel_lines_test"),
        ({"max_iter": 0}, r"'max_iter' parameter of parallel_lines_test"),
    ],
)
def test_parallel_lines_test_checks_its_solver_settings(kwargs, message):
    # A negative tol ran until the time limit; max_iter=0 returned statistics of no fit.
    from skselect.ordinal import parallel_lines_test

    X, y = _ordinal_data(n=100, p=2, seed=3)
    with pytest.raises(ValueError, match=message):
        parallel_lines_test(X, y, **kwargs)
