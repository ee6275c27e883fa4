"""OptCSSelector against brute-force references (auxiliary sets with ties, leave-one-out fits),
its Dask path, errors, and the finite-sample FDR guarantee after model selection."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from joblib import parallel_backend
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import (
    GradientBoostingRegressor,
    HistGradientBoostingRegressor,
    RandomForestRegressor,
)
from sklearn.linear_model import Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.svm import SVR
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils._param_validation import InvalidParameterError
from threadpoolctl import threadpool_limits

from skselect.conformal import OptCSSelector, benjamini_hochberg, conformal_pvalues, ebh


def linear_data(seed, n):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = X @ [1.5, -1.0, 0.5] + rng.normal(size=n)
    return X, y


def brute_optcs(calib_rankings, calib_nonnull, test_rankings, fdr, pruning, seed):
    """OptCS-MS from the definitions: every auxiliary p-value vector built explicitly."""
    n_models, n = calib_rankings.shape
    m = test_rankings.shape[1]
    sizes = np.zeros((n_models, m), dtype=int)
    p_values = np.zeros((n_models, m))
    for k in range(n_models):
        calib = np.where(calib_nonnull, np.inf, -calib_rankings[k])
        test = -test_rankings[k]
        for j in range(m):
            p_values[k, j] = (1 + np.sum(calib <= test[j])) / (n + 1)
            row = np.array(
                [
                    0.0
                    if ell == j
                    else (np.sum(calib <= test[ell]) + (test[j] <= test[ell])) / (n + 1)
                    for ell in range(m)
                ]
            )
            ordered = np.sort(row)
            sizes[k, j] = max(r for r in range(1, m + 1) if ordered[r - 1] <= fdr * r / m)
    draws = np.random.RandomState(seed)
    tie_break = draws.uniform(size=(n_models, m))
    best = sizes.max(axis=0)
    chosen = np.array(
        [
            max(np.flatnonzero(sizes[:, j] == best[j]), key=lambda k: tie_break[k, j])
            for j in range(m)
        ]
    )
    p_chosen = p_values[chosen, np.arange(m)]
    if pruning == "deterministic":
        xi = np.ones(m)
    elif pruning == "homogeneous":
        xi = np.full(m, draws.uniform())
    else:
        xi = draws.uniform(size=m)
    first = p_chosen <= fdr * best / m
    scaled = xi * best
    largest = max([r for r in range(1, m + 1) if np.sum(first & (scaled <= r)) >= r], default=0)
    return first & (scaled <= largest), chosen, best, p_chosen, sizes


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("pruning", ["deterministic", "homogeneous", "heterogeneous"])
def test_ms_matches_brute_force_with_ties(seed, pruning):
    X, y = linear_data(seed, 140)
    # Shallow trees predict a handful of values: heavy ties in the scores.
    models = [
        DecisionTreeRegressor(max_depth=depth, random_state=0).fit(X[:60], y[:60])
        for depth in (1, 2, 3)
    ] + [LinearRegression().fit(X[:60], y[:60])]
    selector = OptCSSelector(models, prefit=True, fdr=0.3, pruning=pruning, random_state=seed)
    selector.fit(X[60:110], y[60:110])
    selected = selector.select(X[110:])
    report = selector._selection_result(X[110:])[1]
    calib_rankings = np.vstack([model.predict(X[60:110]) for model in models])
    test_rankings = np.vstack([model.predict(X[110:]) for model in models])
    expected, chosen, best, p_chosen, sizes = brute_optcs(
        calib_rankings, y[60:110] > 0, test_rankings, 0.3, pruning, seed
    )
    assert np.array_equal(report.aux_size, best)
    assert np.array_equal(report.model, chosen)
    assert np.allclose(report.p_value, p_chosen)
    assert np.array_equal(selected, expected)
    # Ties between models are broken among the maximisers only.
    assert (sizes[report.model, np.arange(30)] == best).all()


def test_ms_pvalues_are_conservative_under_ties():
    # Bug 5 of the reference code: 1 + #{V_i < V} is anti-conservative with ties; OptCS uses
    # 1 + #{V_i <= V}, the conformal p-value of the chosen model.
    X, y = linear_data(5, 200)
    model = DecisionTreeRegressor(max_depth=1, random_state=0).fit(X[:100], y[:100])
    selector = OptCSSelector([model], prefit=True, random_state=0).fit(X[100:170], y[100:170])
    p_values = selector.p_values(X[170:])
    calib = np.where(y[100:170] > 0, np.inf, -model.predict(X[100:170]))
    test = -model.predict(X[170:])
    assert np.allclose(p_values, conformal_pvalues(calib, test))
    strict = (1 + (calib[None, :] < test[:, None]).sum(axis=1)) / 71
    assert (p_values >= strict).all() and (p_values > strict).any()


def test_single_model_ms_with_deterministic_pruning_equals_cfbh():
    X, y = linear_data(6, 300)
    model = LinearRegression().fit(X[:100], y[:100])
    selector = OptCSSelector([model], prefit=True, fdr=0.2, pruning="deterministic")
    selected = selector.fit(X[100:200], y[100:200]).select(X[200:])
    calib = np.where(y[100:200] > 0, np.inf, -model.predict(X[100:200]))
    cfbh = benjamini_hochberg(conformal_pvalues(calib, -model.predict(X[200:])), 0.2)
    assert np.array_equal(selected, cfbh)
    # Bug 6 of the reference code evaluated one set of e-values with another's selection:
    # the deterministic selection must be e-BH on the reported e-values.
    e_values = selector._selection_result(X[200:])[1].e_value
    assert np.array_equal(selected, ebh(e_values, 0.2))


def test_ms_fits_candidates_on_the_training_split():
    X, y = linear_data(7, 200)
    selector = OptCSSelector([LinearRegression(), LogisticRegression()], random_state=0)
    selector.fit(X, y)
    assert len(selector.estimators_) == 2
    assert selector.estimators_[1].classes_.tolist() == [0, 1]
    assert selector.calib_rankings_.shape == (2, 100)
    assert selector.select(X[:20]).shape == (20,)


def brute_leave_one_out(estimator_factory, X_all, labels):
    rankings = np.empty(len(labels))
    for i in range(len(labels)):
        keep = np.arange(len(labels)) != i
        rankings[i] = (
            estimator_factory().fit(X_all[keep], labels[keep]).predict(X_all[i : i + 1])[0]
        )
    return rankings


@pytest.mark.parametrize("pruning", ["deterministic", "heterogeneous"])
def test_full_mode_matches_brute_force_leave_one_out(pruning):
    X, y = linear_data(8, 45)
    X_test = X[30:]
    selector = OptCSSelector(
        [Ridge(alpha=0.5)], mode="full", fdr=0.3, pruning=pruning, random_state=1
    )
    selected = selector.fit(X[:30], y[:30]).select(X_test)
    labels = np.concatenate([(y[:30] > 0).astype(float), np.zeros(15)])
    rankings = brute_leave_one_out(lambda: Ridge(alpha=0.5), X, labels)
    expected, chosen, best, p_chosen, _ = brute_optcs(
        rankings[None, :30], y[:30] > 0, rankings[None, 30:], 0.3, pruning, 1
    )
    report = selector._selection_result(X_test)[1]
    assert np.array_equal(report.aux_size, best)
    assert np.allclose(report.p_value, p_chosen)
    assert np.array_equal(selected, expected)
    assert (report.model == 0).all()


def test_full_ms_matches_brute_force_and_parallel_backends_agree():
    X, y = linear_data(9, 40)
    factories = [lambda: Ridge(alpha=0.1), lambda: Ridge(alpha=20.0)]
    selector = OptCSSelector([f() for f in factories], mode="full-ms", fdr=0.3, random_state=2)
    selected = selector.fit(X[:28], y[:28]).select(X[28:])
    labels = np.concatenate([(y[:28] > 0).astype(float), np.zeros(12)])
    rankings = np.vstack([brute_leave_one_out(f, X, labels) for f in factories])
    expected, chosen, best, _, _ = brute_optcs(
        rankings[:, :28], y[:28] > 0, rankings[:, 28:], 0.3, "homogeneous", 2
    )
    assert np.array_equal(selected, expected)
    assert np.array_equal(selector._selection_result(X[28:])[1].model, chosen)
    with parallel_backend("threading", n_jobs=2):
        again = OptCSSelector(
            [f() for f in factories], mode="full-ms", fdr=0.3, n_jobs=2, random_state=2
        ).fit(X[:28], y[:28])
        assert np.array_equal(again.select(X[28:]), selected)


class CountingRidge(Ridge):
    """Ridge that counts its fits in a list shared by all its clones (clone deep-copies
    parameters, so the list lives on the class)."""

    fits = []

    def fit(self, X, y, sample_weight=None):
        CountingRidge.fits.append(1)
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("mode, n_candidates", [("full", 1), ("full-ms", 2)])
def test_full_modes_fit_n_plus_m_models_per_candidate_once_per_batch(mode, n_candidates):
    X, y = linear_data(11, 40)
    fits = CountingRidge.fits
    fits.clear()
    candidates = [CountingRidge(alpha=a) for a in (0.5, 20.0)[:n_candidates]]
    selector = OptCSSelector(candidates, mode=mode, fdr=0.3, random_state=0)
    selector.fit(X[:30], y[:30])
    assert len(fits) == 0  # the full modes only store the labelled data at fit
    n_plus_m = 30 + 10
    p_values = selector.p_values(X[30:])
    assert len(fits) == n_candidates * n_plus_m
    selected = selector.select(X[30:])
    report = selector.selection_report(X[30:])
    assert len(fits) == n_candidates * n_plus_m  # the same batch: no refit
    assert np.array_equal(report["selected"], selected)
    assert np.array_equal(report["p_value"], p_values)
    # A copy of the batch is the same batch; another batch is fitted again.
    selector.select(X[30:].copy())
    assert len(fits) == n_candidates * n_plus_m
    selector.select(X[29:])
    assert len(fits) == n_candidates * (2 * n_plus_m + 1)
    # A candidate changed in place, or a new fit, is never answered from the cache.
    selector.estimators[0].set_params(alpha=3.0)
    selector.select(X[29:])
    assert len(fits) == n_candidates * (3 * n_plus_m + 2)
    selector.fit(X[:30], y[:30]).select(X[29:])
    assert len(fits) == n_candidates * (4 * n_plus_m + 3)
    # The cached rankings are those of a fresh selector on the same batch.
    fresh = OptCSSelector(
        [CountingRidge(alpha=c.alpha) for c in candidates],
        mode=mode,
        fdr=0.3,
        random_state=0,
    ).fit(X[:30], y[:30])
    assert np.array_equal(fresh.p_values(X[29:]), selector.p_values(X[29:]))


def test_full_mode_with_a_classifier_handles_one_class_leave_one_out_sets():
    X, y = linear_data(10, 30)
    y = np.where(np.arange(30) == 0, 5.0, -5.0)  # a single non-null unit
    selector = OptCSSelector([LogisticRegression()], mode="full", random_state=0)
    selected = selector.fit(X[:20], y[:20]).select(X[20:])
    assert selected.shape == (10,) and np.isfinite(selector.p_values(X[20:])).all()


def test_dask_backend_gives_the_same_selection():
    distributed = pytest.importorskip(
        "distributed",
        reason="distributed is an optional test dependency (pip install skselect[test])",
    )
    X, y = linear_data(11, 36)
    reference = OptCSSelector([Ridge()], mode="full", random_state=0).fit(X[:24], y[:24])
    expected = reference.select(X[24:])
    # Dask seeds numpy's global generator when it starts; restore it so that the autouse
    # guard checks only skselect's own randomness.
    global_state = np.random.get_state()  # noqa: NPY002
    try:
        with (
            distributed.LocalCluster(
                n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster),
        ):
            with parallel_backend("dask"):
                selector = OptCSSelector([Ridge()], mode="full", n_jobs=-1, random_state=0)
                got = selector.fit(X[:24], y[:24]).select(X[24:])
    finally:
        np.random.set_state(global_state)  # noqa: NPY002
    assert np.array_equal(got, expected)


def test_errors():
    X, y = linear_data(12, 60)
    with pytest.raises(ValueError, match="mode='full' fits one model; got 2 estimators"):
        OptCSSelector([Ridge(), Ridge()], mode="full").fit(X, y)
    with pytest.raises(ValueError, match="prefit=True needs mode='ms'"):
        OptCSSelector([Ridge()], mode="full-ms", prefit=True).fit(X, y)
    with pytest.raises(ValueError, match="estimators is empty"):
        OptCSSelector([]).fit(X, y)
    with pytest.raises(TypeError, match=r"estimators\[1\] must be an estimator"):
        OptCSSelector([Ridge(), "ridge"]).fit(X, y)
    with pytest.raises(InvalidParameterError, match="mode"):
        OptCSSelector([Ridge()], mode="fullms").fit(X, y)
    with pytest.raises(InvalidParameterError, match="pruning"):
        OptCSSelector([Ridge()], pruning="random").fit(X, y)
    selector = OptCSSelector([Ridge()], random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but OptCSSelector is expecting 3"):
        selector.select(X[:, :2])
    with pytest.raises(ValueError, match="mode changed since fit"):
        selector.set_params(mode="full").select(X)
    selector.set_params(mode="ms", fdr=0.4, pruning="deterministic").select(X)


# ---------------------------------------------------------------------------------------------
# FDR validity after model selection (slow)


def msel_jin_data(n, rng, sigma=1.0):
    """OptCS MSel ``gen_data_Jin2023`` setting 1 (= JC setting 5), d = 20."""
    X = rng.uniform(-1, 1, size=(n, 20))
    x1, x2, x4 = X[:, 0], X[:, 1], X[:, 3]
    mu = (x1 * x2 > 0) * (x4 > 0.5) * (0.25 + x4) + (x1 * x2 <= 0) * (x4 < -0.5) * (x4 - 0.25)
    return X, mu + sigma * rng.normal(size=n)


class _PooledPredictions(RegressorMixin, BaseEstimator):
    """A pre-trained model whose predictions on a fixed pool were computed once; X holds pool
    row numbers. Drawing calibration and test rows without replacement from the pool keeps
    them exchangeable, so the FDR guarantee applies while each repetition stays cheap."""

    def __init__(self, predictions=None):
        self.predictions = predictions

    def fit(self, X, y):
        return self

    def predict(self, X):
        return self.predictions[np.asarray(X)[:, 0].astype(np.intp)]

    def __sklearn_is_fitted__(self):
        return True


class _Ratio:
    def __init__(self, mean, scale):
        self.mean, self.scale = mean, scale

    def predict(self, X):
        scale = 1.0 if self.scale is None else self.scale.predict(X)
        return self.mean.predict(X) / scale


def _twenty_four_candidates(rng):
    """The 24 candidate models of the OptCS model-selection simulation (Bai and Jin, 2024).

    quantile-forest is not a dependency: its 9 quantile random forests are replaced by
    HistGradientBoosting quantile regressors; trees are smaller to keep the test fast.
    """
    X, y = msel_jin_data(1000, rng)
    models = []
    for tau in np.linspace(0.1, 0.9, 9):
        models.append(
            GradientBoostingRegressor(
                loss="quantile", alpha=tau, n_estimators=50, max_depth=3, random_state=0
            ).fit(X, y)
        )
        models.append(
            HistGradientBoostingRegressor(
                loss="quantile", quantile=tau, max_iter=50, max_depth=3, random_state=0
            ).fit(X, y)
        )
    forest = RandomForestRegressor(n_estimators=30, max_depth=5, random_state=0).fit(X, y)
    X_scale, y_scale = msel_jin_data(100, rng)
    residuals = np.abs(y_scale - forest.predict(X_scale))
    models.append(_Ratio(forest, None))
    for scale in (
        GradientBoostingRegressor(n_estimators=50, max_depth=3, random_state=0),
        RandomForestRegressor(n_estimators=30, max_depth=5, random_state=0),
        SVR(gamma=0.1),
        Lasso(alpha=1.0),
        Ridge(alpha=1.0),
    ):
        models.append(_Ratio(forest, scale.fit(X_scale, residuals)))
    return models


@pytest.mark.slow
def test_optcs_ms_controls_fdr_where_naive_model_picking_does_not():
    rng = np.random.default_rng(0)
    pool_size, n_calib, n_test, q, n_reps = 20_000, 100, 100, 0.2, 500
    # SVR has no random_state: libsvm's seed comes from numpy's global generator. Restore it
    # so that the autouse guard checks only skselect's own randomness.
    global_state = np.random.get_state()  # noqa: NPY002
    with threadpool_limits(limits=1, user_api="openmp"):
        candidates = _twenty_four_candidates(rng)
        np.random.set_state(global_state)  # noqa: NPY002
        X_pool, y_pool = msel_jin_data(pool_size, rng)
        pooled = [_PooledPredictions(model.predict(X_pool)) for model in candidates]
    rows = np.arange(pool_size, dtype=float)[:, None]
    fdp = {"naive": [], "deterministic": [], "homogeneous": [], "heterogeneous": []}
    power = {key: [] for key in fdp}
    for rep in range(n_reps):
        draw = rng.choice(pool_size, size=n_calib + n_test, replace=False)
        calib, test = draw[:n_calib], draw[n_calib:]
        truth = y_pool[test] > 0
        selections = {}
        # Naive: cfBH with every model on the same calibration set, keep the largest set.
        best = np.zeros(n_test, dtype=bool)
        for model in pooled:
            calib_scores = np.where(y_pool[calib] > 0, np.inf, -model.predictions[calib])
            chosen = benjamini_hochberg(
                conformal_pvalues(calib_scores, -model.predictions[test]), q
            )
            best = chosen if chosen.sum() > best.sum() else best
        selections["naive"] = best
        for pruning in ("deterministic", "homogeneous", "heterogeneous"):
            selector = OptCSSelector(pooled, prefit=True, fdr=q, pruning=pruning, random_state=rep)
            selections[pruning] = selector.fit(rows[calib], y_pool[calib]).select(rows[test])
        for key, selected in selections.items():
            fdp[key].append(np.sum(selected & ~truth) / max(1, selected.sum()))
            power[key].append(np.sum(selected & truth) / max(1, truth.sum()))
    summary = {key: (np.mean(v), np.std(v, ddof=1) / np.sqrt(n_reps)) for key, v in fdp.items()}
    naive_fdr, naive_se = summary.pop("naive")
    assert naive_fdr > q + 2 * naive_se, summary  # the setting is one where reuse breaks FDR
    for pruning, (fdr, se) in summary.items():
        assert fdr <= q + 2 * se, (pruning, fdr, se)
    assert np.mean(power["homogeneous"]) > 0.05


@pytest.mark.slow
def test_optcs_full_controls_fdr_with_a_fast_learner():
    rng = np.random.default_rng(1)
    n_reps, n_labelled, n_test, q = 200, 40, 20, 0.3
    fdp, power = [], []
    for rep in range(n_reps):
        X, y = linear_data(int(rng.integers(2**31)), n_labelled + n_test)
        y = y - 1.0
        selector = OptCSSelector([LinearRegression()], mode="full", fdr=q, random_state=rep)
        selected = selector.fit(X[:n_labelled], y[:n_labelled]).select(X[n_labelled:])
        truth = y[n_labelled:] > 0
        fdp.append(np.sum(selected & ~truth) / max(1, selected.sum()))
        power.append(np.sum(selected & truth) / max(1, truth.sum()))
    fdp = np.array(fdp)
    se = fdp.std(ddof=1) / np.sqrt(n_reps)
    assert fdp.mean() <= q + 2 * se, (fdp.mean(), se)
    assert np.mean(power) > 0.05


def test_verbose_reports_the_leave_one_out_fits(capsys, monkeypatch):
    # Plain lines when tqdm is absent (hidden here so the test does not depend on it).
    monkeypatch.setitem(__import__("sys").modules, "tqdm", None)
    monkeypatch.setitem(__import__("sys").modules, "tqdm.auto", None)
    X, y = linear_data(12, 30)
    OptCSSelector([Ridge()], mode="full", verbose=1, random_state=0).fit(X[:20], y[:20]).select(
        X[20:]
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "[OptCSSelector] leave-one-out fits in 10 batches: 10/10 done"
    assert len(lines) == 10
    OptCSSelector([Ridge()], mode="full", random_state=0).fit(X[:20], y[:20]).select(X[20:])
    assert capsys.readouterr().out == ""
