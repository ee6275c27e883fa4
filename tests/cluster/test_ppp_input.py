"""PPP on extreme, narrow-typed, wide and degenerate input."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from skselect.cluster import PPP
from skselect.cluster._ppp import _mixture
from skselect.cluster._ppp._mixture import VARIANCE_FLOOR, effective_covariance_type


def _blobs():
    X, y = make_blobs(n_samples=300, centers=3, n_features=3, random_state=0)
    return X, y


# ------------------------------------------------------------------ values near overflow


def _assert_same_model_up_to_scale(big, small, X_big, X_small, factor):
    """``big`` was fitted on ``X_small * factor``: the same clustering, means scaled."""
    np.testing.assert_array_equal(big.labels_, small.labels_)
    assert np.isfinite(big.means_).all() and np.isfinite(big.cluster_centers_).all()
    # A mean is a convex combination of rows: inside every feature's range.
    assert (big.means_ >= X_big.min(axis=0)).all() and (big.means_ <= X_big.max(axis=0)).all()
    np.testing.assert_allclose(big.means_ / factor, small.means_, rtol=1e-9, atol=1e-12)
    # Covariances beyond float64 are infinite, with the sign of the true value; never NaN.
    assert not np.isnan(big.covariances_).any()
    assert not np.isnan(big.precisions_cholesky_).any()
    with np.errstate(over="ignore"):
        expected = small.covariances_ * factor * factor
    np.testing.assert_array_equal(np.sign(big.covariances_), np.sign(expected))
    finite = np.isfinite(expected)
    np.testing.assert_allclose(big.covariances_[finite], expected[finite], rtol=1e-9)
    assert np.isinf(big.covariances_[~finite]).all()
    np.testing.assert_array_equal(big.predict(X_big), small.predict(X_small))
    np.testing.assert_allclose(big.predict_proba(X_big), small.predict_proba(X_small), atol=1e-9)
    np.testing.assert_allclose(big.transform(X_big), small.transform(X_small), rtol=1e-9)


@pytest.mark.parametrize("factor", [1e300, 2.0**1000, 2.0**1020])
def test_values_near_1e300_give_the_labels_of_the_unscaled_data(factor):
    """With 2**1020 the largest magnitude (1.3e308) lies in float64's top binade, where the
    means and covariances were NaN."""
    X, _ = _blobs()
    X_big = X * factor
    X_small = X_big / factor
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        big = PPP().fit(X_big)
    # (scikit-learn's own finiteness check may warn that its sum of X overflows)
    assert not [w for w in caught if "skselect" in w.filename], [str(w) for w in caught]
    small = PPP().fit(X_small)
    assert small.n_clusters_ == 3
    _assert_same_model_up_to_scale(big, small, X_big, X_small, factor)


def test_values_near_the_float64_maximum_with_both_signs():
    """Magnitudes in float64's top binade: dividing by the next power of two, 2**1024,
    overflowed to inf and turned every value into 0 (one cluster, NaN means)."""
    rng = np.random.default_rng(0)
    top = np.finfo(np.float64).max
    X_big = np.vstack(
        [rng.uniform(-top, -0.85 * top, (60, 3)), rng.uniform(0.85 * top, top, (60, 3))]
    )
    X_small = X_big / 1e300
    big = PPP().fit(X_big)
    small = PPP().fit(X_small)
    assert big.n_clusters_ == small.n_clusters_ == 2
    assert adjusted_rand_score(np.repeat([0, 1], 60), big.labels_) == 1.0
    _assert_same_model_up_to_scale(big, small, X_big, X_small, 1e300)
    # Each cluster's variance (about 1e614) exceeds float64: infinite, as documented.
    assert np.isposinf(np.diagonal(big.covariances_, axis1=1, axis2=2)).all()


def test_float32_values_near_the_float32_maximum():
    rng = np.random.default_rng(1)
    top = float(np.finfo(np.float32).max)
    X_big = np.vstack(
        [rng.uniform(-top, -0.85 * top, (60, 2)), rng.uniform(0.85 * top, top, (60, 2))]
    ).astype(np.float32)
    ppp = PPP().fit(X_big)
    assert ppp.n_clusters_ == 2
    assert adjusted_rand_score(np.repeat([0, 1], 60), ppp.labels_) == 1.0
    assert ppp.cluster_centers_.dtype == np.float32
    assert np.isfinite(ppp.cluster_centers_).all()
    np.testing.assert_array_equal(ppp.predict(X_big), ppp.labels_)


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_not_standardized_near_overflow(covariance_type):
    X, _ = _blobs()
    # A power of two: reg_covar is relative to the data's scale, which must match exactly.
    factor = 2.0**1015
    big = PPP(standardize=False, covariance_type=covariance_type).fit(X * factor)
    small = PPP(standardize=False, covariance_type=covariance_type).fit(X)
    _assert_same_model_up_to_scale(big, small, X * factor, X, factor)


# ---------------------------------------------------------------------------- float32


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_float32_transform_and_predict_proba_keep_float32(covariance_type):
    X, _ = _blobs()
    X32 = X.astype(np.float32)
    ppp = PPP(covariance_type=covariance_type).fit(X32)
    distances, proba = ppp.transform(X32), ppp.predict_proba(X32)
    assert distances.dtype == np.float32 and proba.dtype == np.float32
    assert ppp.fit_transform(X32).dtype == np.float32
    # The float64 results of the same model on the same values, rounded to float32.
    np.testing.assert_allclose(distances, ppp.transform(X32.astype(np.float64)), rtol=1e-5)
    np.testing.assert_allclose(proba, ppp.predict_proba(X32.astype(np.float64)), atol=1e-6)
    assert ppp.transform(X).dtype == np.float64
    assert ppp.transform(X.astype(np.int64)).dtype == np.float64


def test_preserves_dtype_tag():
    tags = PPP().__sklearn_tags__()
    assert tags.transformer_tags.preserves_dtype == ["float64", "float32"]


# ----------------------------------------------------------------------- wide input


def test_effective_covariance_type_rule():
    # Up to 64 features, always the requested type (whatever the number of rows).
    assert effective_covariance_type("full", 10, 64) == "full"
    # Beyond, full only while the rows outnumber the features, up to 256 features.
    assert effective_covariance_type("full", 100, 65) == "full"
    assert effective_covariance_type("full", 100, 101) == "diag"
    assert effective_covariance_type("full", 10**6, 256) == "full"
    assert effective_covariance_type("full", 10**6, 257) == "diag"
    assert effective_covariance_type("diag", 10, 5000) == "diag"


def test_narrow_input_keeps_full_covariances():
    rng = np.random.default_rng(2)
    ppp = PPP().fit(rng.normal(size=(40, 60)))  # d <= 64 though d > n
    assert ppp.covariance_type_ == "full"
    assert ppp.covariances_.shape == (ppp.n_clusters_, 60, 60)


def _two_clusters_wide(n=100, d=1000, shift=1.0, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = np.repeat([0, 1], n // 2)
    X[y == 1] += shift
    return X, y


def test_wide_input_uses_diagonal_covariances_and_finds_two_clusters():
    X, y = _two_clusters_wide()
    ppp = PPP().fit(X)
    assert ppp.covariance_type_ == "diag"
    assert ppp.covariances_.shape == (2, 1000)
    assert ppp.precisions_cholesky_.shape == (2, 1000)
    assert ppp.n_clusters_ == 2
    assert adjusted_rand_score(y, ppp.labels_) == 1.0
    # The public diagonal mixture is the model predict and transform use.
    log_joint = np.column_stack(
        [
            np.log(w) + multivariate_normal(m, np.diag(c)).logpdf(X)
            for w, m, c in zip(ppp.weights_, ppp.means_, ppp.covariances_)
        ]
    )
    np.testing.assert_array_equal(np.argmax(log_joint, axis=1), ppp.predict(X))
    expected = np.sqrt((((X[:, None, :] - ppp.means_) ** 2) / ppp.covariances_).sum(axis=2))
    np.testing.assert_allclose(ppp.transform(X), expected, rtol=1e-8)


def test_wide_input_does_not_factor_feature_by_feature_matrices(monkeypatch):
    """50 x 5000: no d x d matrix is ever built or factored."""
    calls = []
    original = np.linalg.cholesky
    monkeypatch.setattr(
        np.linalg, "cholesky", lambda a, *args, **kw: calls.append(a.shape) or original(a)
    )
    X, y = _two_clusters_wide(n=50, d=5000, shift=1.0, seed=3)
    ppp = PPP().fit(X)
    assert not [shape for shape in calls if shape[-1] == 5000]
    assert ppp.covariance_type_ == "diag" and ppp.covariances_.shape[1:] == (5000,)
    assert ppp.transform(X[:3]).shape == (3, ppp.n_clusters_)


# -------------------------------------------------------------------- reg_covar = 0


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_reg_covar_zero_with_duplicated_points(covariance_type):
    X = np.repeat(np.array([[0.0, 0.0], [10.0, 10.0]]), 40, axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ppp = PPP(reg_covar=0.0, covariance_type=covariance_type).fit(X)
        proba = ppp.predict_proba(X)
    assert ppp.n_clusters_ == 2
    assert adjusted_rand_score(np.repeat([0, 1], 40), ppp.labels_) == 1.0
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # Every variance is the floor: machine epsilon in standardised units.
    variances = ppp.covariances_
    if covariance_type == "full":
        variances = np.diagonal(variances, axis1=1, axis2=2)
    np.testing.assert_allclose(variances, np.broadcast_to(VARIANCE_FLOOR * X.var(axis=0), (2, 2)))
    assert np.isfinite(ppp.transform(X)).all()


def test_reg_covar_zero_with_a_constant_feature():
    X, y = _blobs()
    X = np.column_stack([X, np.full(len(X), 7.0)])
    ppp = PPP(reg_covar=0.0).fit(X)
    reference = PPP().fit(X[:, :3])
    assert adjusted_rand_score(reference.labels_, ppp.labels_) == 1.0
    assert np.isfinite(ppp.predict_proba(X)).all()


def test_singular_covariance_names_reg_covar(monkeypatch):
    def singular(*args, **kwargs):
        raise np.linalg.LinAlgError("Matrix is not positive definite")

    monkeypatch.setattr(_mixture.np.linalg, "cholesky", singular)
    with pytest.raises(ValueError, match=r"reg_covar=0\.0 .*set reg_covar to a larger value"):
        PPP(reg_covar=0.0).fit(_blobs()[0])
