"""Tests for skselect.cluster.PPP and its kernels."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import gzip
import os
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal
from sklearn.datasets import load_iris, load_wine, make_blobs
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from skselect.cluster._ppp._fast import (
    dip_statistic,
    gaussian_assign,
    gaussian_log_densities,
    lloyd_2means,
    row_hashes,
)
from threadpoolctl import threadpool_limits

from skselect.cluster import PPP
from skselect.cluster._ppp._dip import dip_pvalue
from skselect.cluster._ppp._mixture import fit_mixture
from skselect.cluster._ppp._split import delta_bic, dip_test

# External labelled benchmark data: SKSELECT_DATA_DIR, else the checkout's ../shared/data.
SHARED = (
    Path(
        os.environ.get("SKSELECT_DATA_DIR", Path(__file__).resolve().parents[3] / "shared" / "data")
    )
    / "clustering"
)
BENCHMARK_SETS = {
    "s1": "sipu/s1",
    "s2": "sipu/s2",
    "a1": "sipu/a1",
    "r15": "sipu/r15",
    "hepta": "fcps/hepta",
    "tetra": "fcps/tetra",
}
# Sets where the exact number of clusters is not (yet) recovered, with what PPP finds. The
# marks are strict: a change that fixes one must remove its mark.
K_RECOVERY_GAPS = {
    "s1": "17 clusters for 15 (ARI 0.982): two clusters split by the BIC reading",
    "s2": "21 clusters for 15 (ARI 0.889): overlapping clusters cut into pieces",
}


def _load(stem):
    with gzip.open(f"{stem}.data.gz", "rt") as f:
        X = np.loadtxt(f)
    with gzip.open(f"{stem}.labels0.gz", "rt") as f:
        y = np.loadtxt(f).astype(int)
    return X, y


@pytest.fixture(scope="module")
def hepta():
    """A synthetic stand-in for FCPS Hepta: 7 clusters in 3-D, a dense one at the centre and
    six on the axes (generated, so the always-run tests need no external data)."""
    rng = np.random.default_rng(0)
    centres = np.vstack([np.zeros(3), 3 * np.eye(3), -3 * np.eye(3)])
    scales = [0.2] + [0.4] * 6
    X = np.vstack([rng.normal(c, s, size=(40, 3)) for c, s in zip(centres, scales)])
    return X, np.repeat(np.arange(7), 40)


@pytest.fixture(scope="module")
def hepta_fit(hepta):
    return PPP().fit(hepta[0])


# ------------------------------------------------------------------------------ kernels


def test_dip_statistic_matches_the_diptest_package():
    diptest = pytest.importorskip("diptest", reason="the diptest package is the oracle")
    rng = np.random.default_rng(0)
    for trial in range(400):
        n = int(rng.integers(4, 300))
        x = [
            rng.normal(size=n),
            np.r_[rng.normal(size=n // 2), rng.normal(3, 1, size=n - n // 2)],
            rng.uniform(size=n),
            rng.exponential(size=n),
        ][trial % 4]
        x = np.sort(x)
        assert dip_statistic(x) == pytest.approx(diptest.dipstat(x), abs=1e-12)


def test_dip_statistic_on_exact_cases():
    # Two equal point masses: the closest unimodal CDF is half a jump away, dip = 1/4.
    x = np.r_[np.zeros(50), np.ones(50)] + np.arange(100) * 1e-9
    assert dip_statistic(x) == pytest.approx(0.25, abs=0.01)
    # Fewer than four points: the minimum, 1/(2n).
    assert dip_statistic(np.array([0.0, 1.0, 2.0])) == pytest.approx(1 / 6)


def test_dip_pvalue_is_calibrated_on_uniform_data():
    """P(p <= alpha) <= alpha under the least favourable null, within Monte-Carlo error."""
    rng = np.random.default_rng(1)
    p_values = np.array([dip_test(rng.uniform(size=200)) for _ in range(600)])
    for alpha in (0.05, 0.2, 0.5):
        rate = np.mean(p_values <= alpha)
        assert rate <= alpha + 3 * np.sqrt(alpha * (1 - alpha) / p_values.size)
    assert np.all((p_values > 0) & (p_values <= 1))
    assert dip_pvalue(0.5, 100) < 1e-3


def test_delta_bic_separates_one_from_two_clusters():
    rng = np.random.default_rng(2)
    assert delta_bic(rng.uniform(size=2000)) < 0
    assert delta_bic(rng.normal(size=2000)) < 0
    assert delta_bic(rng.laplace(size=2000)) < 0
    assert delta_bic(np.r_[rng.normal(size=1000), rng.normal(5, 1, size=1000)]) > 100


def test_lloyd_2means_matches_brute_force():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(0, 1, (300, 3)), rng.normal(2.5, 1, (200, 3))])
    centers = np.array([X[0], X[-1]])
    expected_centers = centers.copy()
    for _ in range(300):
        distances = ((X[:, None, :] - expected_centers[None]) ** 2).sum(axis=2)
        expected = np.argmin(distances, axis=1)
        updated = np.array([X[expected == k].mean(axis=0) for k in (0, 1)])
        if np.array_equal(updated, expected_centers):
            break
        expected_centers = updated
    labels = np.empty(X.shape[0], dtype=np.int8)
    _, sse, sizes = lloyd_2means(X, centers, labels, 300, 1)
    np.testing.assert_array_equal(labels, expected)
    np.testing.assert_allclose(centers, expected_centers, rtol=1e-12)
    assert sizes == (np.sum(expected == 0), np.sum(expected == 1))
    np.testing.assert_allclose(sse, ((X - expected_centers[expected]) ** 2).sum(), rtol=1e-12)


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_mixture_log_densities_match_scipy(covariance_type):
    rng = np.random.default_rng(3)
    X = np.vstack(
        [rng.normal(0, 1, (200, 4)), rng.normal(3, 2, (300, 4)) @ rng.normal(size=(4, 4))]
    )
    labels = np.repeat([0, 1], [200, 300]).astype(np.intp)
    mixture = fit_mixture(X, labels, 2, covariance_type, 1e-6, 1)
    out = np.empty((X.shape[0], 2))
    gaussian_log_densities(
        X, mixture.means, mixture.factors, mixture.offsets, out, covariance_type == "full", 1
    )
    covariances = (
        mixture.covariances
        if covariance_type == "full"
        else [np.diag(v) for v in mixture.covariances]
    )
    expected = np.column_stack(
        [
            np.log(mixture.weights[k])
            + multivariate_normal(mixture.means[k], covariances[k]).logpdf(X)
            for k in range(2)
        ]
    )
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10)
    best = np.empty(X.shape[0], dtype=np.intp)
    second = np.empty(X.shape[0], dtype=np.intp)
    margin = np.empty(X.shape[0])
    gaussian_assign(
        X, mixture.means, mixture.factors, mixture.offsets, best, second, margin,
        covariance_type == "full", 1,
    )  # fmt: skip
    np.testing.assert_array_equal(best, np.argmax(expected, axis=1))
    np.testing.assert_array_equal(second, np.argmin(expected, axis=1))
    np.testing.assert_allclose(margin, np.abs(expected[:, 0] - expected[:, 1]), rtol=1e-8)


def test_row_hashes_depend_on_values_only():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(100, 3))
    a = np.empty(100, dtype=np.uint64)
    b = np.empty(100, dtype=np.uint64)
    row_hashes(X, a, 1)
    row_hashes(np.ascontiguousarray(X[::-1]), b, 2)
    np.testing.assert_array_equal(a, b[::-1])
    assert np.unique(a).size == 100
    c = np.empty(1, dtype=np.uint64)
    d = np.empty(1, dtype=np.uint64)
    row_hashes(np.array([[0.0, 1.0]]), c, 1)
    row_hashes(np.array([[-0.0, 1.0]]), d, 1)
    assert c[0] == d[0]


# ----------------------------------------------------------------------------- behaviour


def test_recovers_hepta_like_clusters(hepta, hepta_fit):
    assert hepta_fit.n_clusters_ == 7
    assert adjusted_rand_score(hepta[1], hepta_fit.labels_) == 1.0


def test_separated_clusters_in_many_dimensions():
    """Two Gaussians in 32-D at Mahalanobis distance 8: one cluster was found before the
    split test was cross-fitted on a one-dimensional projection."""
    rng = np.random.default_rng(5)
    X = np.r_[rng.normal(500, 70, size=(1024, 32)), rng.normal(600, 70, size=(1024, 32))]
    y = np.repeat([0, 1], 1024)
    ppp = PPP().fit(X)
    assert ppp.n_clusters_ == 2
    assert adjusted_rand_score(y, ppp.labels_) > 0.99


@pytest.mark.parametrize(
    "X",
    [
        np.random.default_rng(6).uniform(size=(2000, 2)),
        np.random.default_rng(7).uniform(size=(2000, 10)),
        np.random.default_rng(8).normal(size=(2000, 8)),
        np.random.default_rng(9).normal(size=(100, 300)),  # d > n
    ],
    ids=["uniform-2d", "uniform-10d", "gaussian-8d", "gaussian-d>n"],
)
def test_one_cluster_data_is_one_cluster(X):
    assert PPP().fit(X).n_clusters_ == 1


def test_full_dimensional_real_data():
    wine = load_wine()
    X = StandardScaler().fit_transform(wine.data)
    ppp = PPP().fit(X)
    assert ppp.n_clusters_ > 1
    assert adjusted_rand_score(wine.target, ppp.labels_) > 0.5


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_row_permutation_gives_the_same_clustering(hepta, hepta_fit, seed):
    permutation = np.random.default_rng(seed).permutation(hepta[0].shape[0])
    permuted = PPP().fit(hepta[0][permutation])
    np.testing.assert_array_equal(permuted.labels_, hepta_fit.labels_[permutation])
    np.testing.assert_array_equal(permuted.means_, hepta_fit.means_)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n_centers=st.integers(1, 5), spread=st.floats(0.3, 2.0))
def test_labels_are_a_permutation_free_function_of_the_data(seed, n_centers, spread):
    X, _ = make_blobs(n_samples=200, centers=n_centers, cluster_std=spread, random_state=seed)
    permutation = np.random.default_rng(seed).permutation(200)
    a = PPP().fit(X).labels_
    b = PPP().fit(X[permutation]).labels_
    np.testing.assert_array_equal(b, a[permutation])


def test_no_random_state_parameter():
    assert "random_state" not in PPP().get_params()


def test_labels_do_not_depend_on_the_thread_count(hepta):
    X = np.tile(hepta[0], (300, 1)) + np.random.default_rng(0).normal(0, 0.01, (84000, 3))
    with threadpool_limits(limits=1, user_api="openmp"):
        one = PPP().fit(X)
    with threadpool_limits(limits=2, user_api="openmp"):
        two = PPP().fit(X)
    np.testing.assert_array_equal(one.labels_, two.labels_)
    np.testing.assert_array_equal(one.means_, two.means_)


def test_predict_and_predict_proba_agree_with_labels(hepta, hepta_fit):
    np.testing.assert_array_equal(hepta_fit.predict(hepta[0]), hepta_fit.labels_)
    proba = hepta_fit.predict_proba(hepta[0])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(np.argmax(proba, axis=1), hepta_fit.labels_)


def test_public_mixture_reproduces_the_predictions(hepta, hepta_fit):
    """means_, covariances_ and weights_ are the model predict uses, in the input space."""
    X = hepta[0]
    log_joint = np.column_stack(
        [
            np.log(w) + multivariate_normal(m, c).logpdf(X)
            for w, m, c in zip(hepta_fit.weights_, hepta_fit.means_, hepta_fit.covariances_)
        ]
    )
    np.testing.assert_array_equal(np.argmax(log_joint, axis=1), hepta_fit.predict(X))
    precisions = hepta_fit.precisions_cholesky_ @ np.swapaxes(hepta_fit.precisions_cholesky_, 1, 2)
    np.testing.assert_allclose(
        precisions @ hepta_fit.covariances_, np.broadcast_to(np.eye(3), (7, 3, 3)), atol=1e-8
    )
    distances = hepta_fit.transform(X[:5])
    difference = X[:5, None, :] - hepta_fit.means_[None]
    expected = np.sqrt(np.einsum("nki,kij,nkj->nk", difference, precisions, difference))
    np.testing.assert_allclose(distances, expected, rtol=1e-8)


def test_set_output_pandas(hepta):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(hepta[0], columns=["a", "b", "c"])
    ppp = PPP().set_output(transform="pandas").fit(frame)
    out = ppp.transform(frame)
    assert list(out.columns) == [f"ppp{k}" for k in range(ppp.n_clusters_)]
    assert list(ppp.get_feature_names_out()) == list(out.columns)


def test_split_tree_is_a_table(hepta_fit):
    pd = pytest.importorskip("pandas")
    tree = pd.DataFrame(hepta_fit.split_tree_)
    assert len(tree) == 2 * np.count_nonzero(tree["decision"] == "split") + 1
    leaves = tree[tree["left"] < 0]
    assert set(leaves["cluster"]) == set(range(hepta_fit.n_clusters_))
    split = tree[tree["decision"] == "split"]
    assert (
        tree.loc[split["left"], "size"].to_numpy() + tree.loc[split["right"], "size"].to_numpy()
        == split["size"].to_numpy()
    ).all()
    assert tree.loc[0, "size"] == 280
    assert (tree.loc[1:, "parent"] >= 0).all()


def test_float32_is_accepted_and_gives_the_same_clusters(hepta, hepta_fit):
    ppp = PPP().fit(hepta[0].astype(np.float32))
    assert adjusted_rand_score(ppp.labels_, hepta_fit.labels_) == 1.0
    assert ppp.cluster_centers_.dtype == np.float32


def test_input_is_not_modified(hepta):
    X = hepta[0].copy()
    PPP().fit(X)
    np.testing.assert_array_equal(X, hepta[0])


def test_iris_finds_at_least_two_clusters():
    X = StandardScaler().fit_transform(load_iris().data)
    assert PPP().fit(X).n_clusters_ >= 2


def test_max_clusters_caps_the_clusters(hepta):
    assert PPP(max_clusters=3).fit(hepta[0]).n_clusters_ <= 3


def test_constant_and_duplicated_data():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ppp = PPP().fit(np.ones((50, 3)))
    assert ppp.n_clusters_ == 1
    X = np.repeat(np.array([[0.0, 0.0], [10.0, 10.0]]), 40, axis=0)
    assert PPP().fit(X).n_clusters_ == 2


def test_values_near_overflow_are_clustered_not_turned_to_inf():
    rng = np.random.default_rng(10)
    X = np.r_[rng.normal(0, 1, (100, 2)), rng.normal(10, 1, (100, 2))] * 1e306
    ppp = PPP().fit(X)
    assert ppp.n_clusters_ == 2
    assert np.isfinite(ppp.means_).all()
    assert np.isfinite(ppp.transform(X)).all()


def test_predict_on_values_that_overflow_raises(hepta_fit):
    with pytest.raises(ValueError, match="overflow"):
        hepta_fit.predict(np.array([[1e308, 0.0, 0.0]]))
    with pytest.raises(ValueError, match="overflow"):
        hepta_fit.transform(np.array([[1e200, 0.0, 0.0]]))


@pytest.mark.parametrize(
    "params, message",
    [
        ({"bic_threshold": np.nan}, "bic_threshold"),
        ({"significance": 0.0}, "significance"),
        ({"covariance_type": "tied"}, "covariance_type"),
        ({"min_cluster_size": 1}, "min_cluster_size"),
        ({"max_clusters": 0}, "max_clusters"),
    ],
)
def test_invalid_parameters(params, message, hepta):
    with pytest.raises(InvalidParameterError, match=message):
        PPP(**params).fit(hepta[0])


def test_bad_input_messages():
    with pytest.raises(ValueError, match="minimum of 2 is required"):
        PPP().fit(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="NaN"):
        PPP().fit(np.array([[0.0, np.nan], [1.0, 1.0]]))
    with pytest.raises(ValueError, match="0 feature"):
        PPP().fit(np.zeros((5, 0)))


@pytest.mark.slow
@pytest.mark.skipif(not SHARED.is_dir(), reason=f"labelled benchmark sets not found at {SHARED}")
@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.xfail(reason=K_RECOVERY_GAPS[name], strict=True))
        if name in K_RECOVERY_GAPS
        else name
        for name in BENCHMARK_SETS
    ],
)
def test_k_recovery_on_benchmark_sets(name):
    X, y = _load(SHARED / BENCHMARK_SETS[name])
    ppp = PPP().fit(X)
    assert ppp.n_clusters_ == np.unique(y).size
    assert adjusted_rand_score(y, ppp.labels_) >= 0.95


def test_split_tree_display_draws_every_node(hepta_fit):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from skselect.cluster import SplitTreeDisplay

    display = SplitTreeDisplay.from_estimator(hepta_fit)
    assert len(display.ax_.texts) == len(hepta_fit.split_tree_["node"])
    leaf_texts = [t.get_text() for t in display.ax_.texts if "cluster" in t.get_text()]
    assert len(leaf_texts) == np.count_nonzero(hepta_fit.split_tree_["left"] < 0)
    shallow = SplitTreeDisplay.from_estimator(hepta_fit, max_depth=1)
    assert len(shallow.ax_.texts) == np.count_nonzero(hepta_fit.split_tree_["depth"] <= 1)
    # A negative depth drew nothing and failed inside numpy; a float was compared silently.
    with pytest.raises(ValueError, match=r"max_depth must be None or an int >= 0; got -1"):
        SplitTreeDisplay.from_estimator(hepta_fit, max_depth=-1)
    with pytest.raises(TypeError, match=r"max_depth must be None or an int"):
        SplitTreeDisplay.from_estimator(hepta_fit, max_depth=1.5)
    matplotlib.pyplot.close("all")
