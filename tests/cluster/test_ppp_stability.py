"""PPP: the split test's kernels against independent references, the answer's stability under
changes of units, the last bits and the row order, the look-ahead on flat nodes, and thread
counts (OpenMP and BLAS)."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from scipy.special import gammaln
from scipy.stats import gennorm
from sklearn.datasets import load_iris, load_wine, make_blobs
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skselect.cluster import PPP
from skselect.cluster._ppp._split import (
    _SHAPES,
    _generalized_normal_loglik,
    _two_gaussians_loglik,
)

# ----------------------------------------------------------------------------- references


def _reference_two_gaussians(x, max_iter=200, min_component=5):
    """EM for two 1-D Gaussians written out in NumPy, from the best 2-means cut."""
    x = np.sort(x)
    n = x.size
    sse = [x[:c].var() * c + x[c:].var() * (n - c) for c in range(1, n)]
    cut = 1 + int(np.argmin(sse))
    r = np.zeros((n, 2))
    r[:cut, 0] = 1.0
    r[cut:, 1] = 1.0
    floor = 1e-3 * x.var()
    previous, loglik = -np.inf, -np.inf
    for _ in range(max_iter):
        mass = r.sum(axis=0)
        if mass.min() <= 0:
            break
        mean = r.T @ x / mass
        var = np.maximum((r * (x[:, None] - mean) ** 2).sum(axis=0) / mass, floor)
        joint = np.log(mass / n) - 0.5 * np.log(2 * np.pi * var)
        joint = joint - 0.5 * (x[:, None] - mean) ** 2 / var
        row = np.logaddexp(joint[:, 0], joint[:, 1])
        loglik = row.sum()
        r = np.exp(joint - row[:, None])
        if loglik - previous <= 1e-9 * abs(loglik):
            break
        previous = loglik
    return -np.inf if r.sum(axis=0).min() < min_component else loglik


def _reference_generalized_normal(x):
    """The two-piece generalised normal's profile likelihood by direct summation."""
    n = x.size
    spread = np.ptp(x)
    z = (x - x.min()) / spread
    best = -np.inf
    for mode in np.quantile(z, np.linspace(0.05, 0.95, 19)):
        for shape in _SHAPES:
            left = (np.clip(mode - z, 0, None) ** shape).sum()
            right = (np.clip(z - mode, 0, None) ** shape).sum()
            a, b = left ** (1 / (shape + 1)), right ** (1 / (shape + 1))
            if a + b <= 0:
                continue
            t = (shape * (a + b) / n) ** (1 / shape)
            value = n * (np.log(shape) - gammaln(1 / shape) - np.log(t * (a + b))) - n / shape
            best = max(best, value)
    return best - n * np.log(spread)


def _samples():
    rng = np.random.default_rng(0)
    yield rng.normal(size=300)
    yield np.r_[rng.normal(size=400), rng.normal(3.0, 0.5, size=200)]
    yield rng.uniform(size=1000)
    yield rng.standard_t(3, size=500) * 1e3 + 5e4
    yield rng.laplace(size=64)


@pytest.mark.parametrize("index", range(5))
def test_two_gaussians_kernel_matches_numpy_em(index):
    x = list(_samples())[index]
    assert _two_gaussians_loglik(x) == pytest.approx(_reference_two_gaussians(x), rel=1e-10)


def test_two_gaussians_kernel_reaches_scikit_learns_optimum():
    # An independent fit of the same model: scikit-learn's EM from its own start.
    rng = np.random.default_rng(1)
    x = np.r_[rng.normal(0, 1, 600), rng.normal(6, 1.5, 400)]
    gm = GaussianMixture(2, tol=1e-12, max_iter=2000, reg_covar=0, random_state=0)
    gm.fit(x[:, None])
    assert _two_gaussians_loglik(x) == pytest.approx(gm.score(x[:, None]) * x.size, abs=1e-3)


@pytest.mark.parametrize("index", range(5))
def test_generalized_normal_kernel_matches_direct_summation(index):
    x = list(_samples())[index]
    assert _generalized_normal_loglik(x) == pytest.approx(
        _reference_generalized_normal(x), rel=1e-10
    )


def test_generalized_normal_kernel_against_scipy_on_a_symmetric_sample():
    # A symmetric sample's best two-piece fit is close to scipy's symmetric maximum
    # likelihood fit (the profile is over a grid, so it can be a little lower, and its two
    # scales make it at least as high as the grid point nearest to scipy's optimum).
    x = gennorm.rvs(2.5, size=4000, random_state=np.random.default_rng(2))
    beta, loc, scale = gennorm.fit(x)
    scipy_loglik = gennorm.logpdf(x, beta, loc, scale).sum()
    assert abs(_generalized_normal_loglik(x) - scipy_loglik) < 2.0


# ------------------------------------------------------------------------------- stability


def _changes(X):
    rng = np.random.default_rng(3)
    yield "affine", X * 3.7 + rng.uniform(-5, 5, size=X.shape[1])
    yield "small units", X * 1e-3 + 1.3
    yield "jitter", X * (1 + 1e-9 * rng.uniform(-1, 1, size=X.shape))


def _data_sets():
    wine = load_wine().data
    yield "wine", wine
    yield "wine standardised", StandardScaler().fit_transform(wine)
    yield "iris", load_iris().data
    X, _ = make_blobs(2000, n_features=6, centers=8, cluster_std=1.5, random_state=4)
    yield "blobs", X


@pytest.mark.parametrize(
    "name, X", list(_data_sets()), ids=lambda v: v if isinstance(v, str) else ""
)
def test_same_answer_in_other_units_and_with_the_last_bits_changed(name, X):
    reference = PPP().fit(X)
    for change, X_changed in _changes(X):
        fitted = PPP().fit(X_changed)
        assert fitted.n_clusters_ == reference.n_clusters_, (name, change)
        assert adjusted_rand_score(reference.labels_, fitted.labels_) >= 0.99, (name, change)


def test_labels_are_byte_identical_across_runs():
    X, _ = make_blobs(3000, n_features=5, centers=6, random_state=5)
    first = PPP().fit(X)
    second = PPP().fit(X.copy())
    assert first.labels_.tobytes() == second.labels_.tobytes()
    assert first.means_.tobytes() == second.means_.tobytes()


def test_a_shifted_constant_feature_stays_constant():
    # The spread computed for a constant column c is rounding (about 1e-17 of c); dividing by
    # it would turn rounding into a feature.
    X, y = make_blobs(500, n_features=3, centers=3, random_state=6)
    with_constant = np.c_[X, np.full(500, 7.3)]
    a = PPP().fit(X)
    b = PPP().fit(with_constant)
    assert b.n_clusters_ == a.n_clusters_
    assert adjusted_rand_score(a.labels_, b.labels_) == 1.0


# ------------------------------------------------------------------------------ look-ahead


def test_a_grid_of_clusters_is_found_through_the_look_ahead():
    # Blocks of a 10 x 10 grid project on generic directions to one flat mode; their halves
    # show the comb of modes. Without the look-ahead this data gave 1 cluster.
    rng = np.random.default_rng(0)
    centres = np.array([(i, j) for i in range(10) for j in range(10)]) * 10.0
    y = rng.integers(0, 100, size=10_000)
    X = centres[y] + rng.normal(size=(10_000, 2))
    ppp = PPP().fit(X)
    assert ppp.n_clusters_ == 100
    assert adjusted_rand_score(y, ppp.labels_) > 0.99
    assert ppp.split_tree_["lookahead"].any()
    # A look-ahead split is a split, recorded as one.
    decisions = ppp.split_tree_["decision"][ppp.split_tree_["lookahead"]]
    assert set(decisions) == {"split"}


@pytest.mark.parametrize("seed", range(8))
def test_noise_with_more_features_than_samples_is_one_cluster(seed):
    # One halving of a small node found two clusters in 7-10% of such data sets; the median
    # over three halvings is read on small nodes.
    X = np.random.default_rng(seed).normal(size=(100, 300))
    assert PPP().fit(X).n_clusters_ == 1


# --------------------------------------------------------------------------------- threads


def test_labels_do_not_depend_on_blas_or_openmp_threads():
    X, _ = make_blobs(20_000, n_features=24, centers=5, cluster_std=2.0, random_state=7)
    with threadpool_limits(limits=1):
        one = PPP().fit(X)
    with threadpool_limits(limits=2):
        two = PPP().fit(X)
    np.testing.assert_array_equal(one.labels_, two.labels_)
    np.testing.assert_allclose(one.means_, two.means_, rtol=1e-12, atol=1e-12)
