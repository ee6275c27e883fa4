"""PPP's split proposal and split test.

A node's split is proposed by 2-means (k-means proposes) and validated by Gaussian mixtures
on a one-dimensional projection: the split is kept when a two-Gaussian mixture explains the
projected data better, by BIC, than one symmetric unimodal cluster (a generalised normal,
which covers Gaussian, heavy-tailed and flat, uniform-like clusters). In one dimension the
BIC penalty is a constant 2 log n, whatever the number of features.

The projection is cross-fitted: the node's rows are cut into two halves, the direction is
fitted on one half (2-means, then the shrunk Fisher direction between the two groups) and the
other half is projected on it, and the other way round; the two projected halves are pooled.
A direction fitted and tested on the same rows separates them by construction when the
dimension is not small against the sample size (any n points in n dimensions are linearly
separable), so an in-sample test would split noise; an out-of-sample projection of one
cluster is one cluster in any dimension.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from dataclasses import dataclass

import numpy as np

from skselect.cluster._ppp._dip import dip_pvalue
from skselect.cluster._ppp._fast import (
    dip_statistic,
    lloyd_2means,
    project,
    two_gaussians_loglik,
    two_piece_generalized_normal_loglik,
)

# Rows of a node that the split test and the proposal's starts see: the first rows of the
# node in the geometric order, a sample drawn independently of the input order. Above a few thousand
# rows the test has all the power it needs, and a larger sample would only make it
# sensitive to departures from the cluster models that are too small to matter.
TEST_SAMPLE_SIZE = 4096
# Below this many rows a node's evidence is the median over _N_SMALL_NODE_CUTS cuts into
# halves. Measured on Gaussian noise with d > n, 30 data sets per shape: one cut found two
# clusters in 3-10% of them at n <= 200 and in none at n = 500; the median of three cuts in
# none, and it found both clusters of a 90 x 200 two-cluster problem in 15 of 15 data sets
# instead of 14.
SMALL_NODE_SIZE = 512
_N_SMALL_NODE_CUTS = 3
# Lloyd's iterations on samples; they converge long before on the data sets measured.
_MAX_ITER = 100
# Deterministic k-means++ starts tried besides the principal-direction start.
_N_SEEDED_STARTS = 3


def principal_start(X, n_threads):
    """Two centres from splitting ``X`` at its mean along its principal direction.

    The power iteration starts from the first row (the lowest hash), which breaks the ties
    of a symmetric layout (a square grid) the same way for any input order.
    """
    mean = X.mean(axis=0, dtype=np.float64)
    centred = X - mean
    vector = centred[0].astype(np.float64)
    if not np.any(vector):
        vector = np.ones(X.shape[1])
    for _ in range(30):
        vector = centred.T @ (centred @ vector)
        norm = np.linalg.norm(vector)
        if norm == 0 or not np.isfinite(norm):
            return None
        vector /= norm
    side = np.empty(X.shape[0])
    project(centred, vector, side, n_threads)
    right = side > 0
    if right.all() or not right.any():
        return None
    return np.vstack([centred[~right].mean(axis=0), centred[right].mean(axis=0)]) + mean


def seeded_start(X, seed):
    """Two centres by k-means++ seeding with a generator seeded from the node."""
    rng = np.random.default_rng(seed)
    first = X[rng.integers(X.shape[0])].astype(np.float64)
    distance = ((X - first) ** 2).sum(axis=1, dtype=np.float64)
    total = distance.sum()
    if total <= 0:
        return None
    cdf = np.cumsum(distance / total)
    second = X[min(int(np.searchsorted(cdf, rng.random(), side="right")), X.shape[0] - 1)]
    return np.vstack([first, second.astype(np.float64)])


def two_means(X, centers, n_threads):
    """Lloyd's 2-means from ``centers``; returns ``(centers, labels, sse)`` or None."""
    centers = np.array(centers, dtype=np.float64, order="C")
    labels = np.empty(X.shape[0], dtype=np.int8)
    _, sse, sizes = lloyd_2means(X, centers, labels, _MAX_ITER, n_threads)
    if min(sizes) == 0:
        return None
    return centers, labels, sse


def propose(X, seed, n_threads):
    """Distinct 2-means partitions of the sample ``X`` from deterministic starts.

    Returns a list of ``(centers, sse)``, lowest SSE first; empty when ``X`` cannot be split.
    """
    starts = [principal_start(X, n_threads)]
    starts += [seeded_start(X, seed + i) for i in range(_N_SEEDED_STARTS)]
    proposals = []
    for start in starts:
        if start is None:
            continue
        result = two_means(X, start, n_threads)
        if result is None:
            continue
        centers, labels, sse = result
        # The same partition reached from another start adds nothing.
        if any(
            np.array_equal(labels, seen) or np.array_equal(labels, 1 - seen)
            for _, _, seen in proposals
        ):
            continue
        proposals.append((centers, sse, labels))
    proposals.sort(key=lambda proposal: proposal[1])
    return [(centers, sse) for centers, sse, _ in proposals]


# Fisher directions shrink the within-cluster covariance half-way towards a multiple of the
# identity: invertible in any dimension, and between the Euclidean and the Fisher direction.
_SHRINKAGE = 0.5
# Shapes of the generalised normal profiled in the one-cluster model: 1 is Laplace, 2 is
# Gaussian, and the density tends to a uniform one as the shape grows.
_SHAPES = np.r_[np.linspace(1.0, 4.0, 13), 5, 6, 8, 10, 14, 20, 30, 50, 100]
# The kernel raises to these shapes through the fourth root: they must be multiples of 1/4.
_SHAPE_QUARTERS = np.rint(4 * _SHAPES).astype(np.intp)
assert np.array_equal(_SHAPE_QUARTERS, 4 * _SHAPES) and np.all(np.diff(_SHAPES) > 0)
_EM_MAX_ITER = 200
_MIN_COMPONENT = 5
_MODE_QUANTILES = np.linspace(0.05, 0.95, 19)


def fisher_direction(X, labels):
    """Direction separating the two labelled groups of ``X`` (shrunk Fisher discriminant).

    Returns ``(direction, projected_mean_0, projected_mean_1)`` or None when a group is empty.
    """
    in_1 = labels.astype(bool)
    if in_1.all() or not in_1.any():
        return None
    mean_0 = X[~in_1].mean(axis=0, dtype=np.float64)
    mean_1 = X[in_1].mean(axis=0, dtype=np.float64)
    residuals = np.where(in_1[:, None], X - mean_1, X - mean_0).astype(np.float64)
    n, d = residuals.shape
    difference = mean_1 - mean_0
    total = np.einsum("ij,ij->", residuals, residuals) / n
    ridge = _SHRINKAGE * total / d
    if ridge <= 0:
        direction = difference
    elif d <= n:
        scatter = (1 - _SHRINKAGE) * (residuals.T @ residuals) / n
        scatter[np.diag_indices(d)] += ridge
        direction = np.linalg.solve(scatter, difference)
    else:
        # d > n: invert (1 - s) R'R / n + ridge I on the row space of R, 1 / ridge elsewhere.
        _, singular, basis = np.linalg.svd(residuals, full_matrices=False)
        coefficients = basis @ difference
        eigen = (1 - _SHRINKAGE) * singular**2 / n + ridge
        direction = basis.T @ (coefficients / eigen) + (difference - basis.T @ coefficients) / ridge
    return direction, float(mean_0 @ direction), float(mean_1 @ direction)


def _two_gaussians_loglik(x):
    """Log-likelihood of a two-component Gaussian mixture fitted to ``x`` by EM, started
    from the best 2-means cut of the sorted values (kernel: ``two_gaussians_loglik``)."""
    x = np.sort(x)
    return two_gaussians_loglik(x, np.empty(x.size), _EM_MAX_ITER, float(_MIN_COMPONENT))


def _generalized_normal_loglik(x):
    """Log-likelihood of the best two-piece generalised normal fitted to ``x``.

    The density is proportional to ``exp(-(|x - mode| / scale)**shape)`` with one scale
    left of the mode and another right of it, so one cluster may be skewed (a cluster cut by
    a hyperplane is). For a given mode and shape the two scales have closed forms; the mode
    is profiled over quantiles of ``x`` and the shape over a grid (kernel:
    ``two_piece_generalized_normal_loglik``).
    """
    spread = np.ptp(x)
    if spread <= 0:
        return np.inf
    z = np.sort((x - x.min()) / spread)
    modes = np.quantile(z, _MODE_QUANTILES)
    best = two_piece_generalized_normal_loglik(
        z, modes, _SHAPES, _SHAPE_QUARTERS, np.empty((2, _SHAPES.size))
    )
    return best - x.size * np.log(spread)


def delta_bic(x):
    """BIC evidence for two Gaussian clusters against one symmetric unimodal cluster in the
    one-dimensional sample ``x``: positive means two clusters.

    The one-cluster model is a two-piece generalised normal (mode, two scales and shape: 4
    parameters), which fits Gaussian, heavier-tailed, flat (uniform-like) and skewed clusters
    alike; the two-cluster model is a two-Gaussian mixture (5 parameters).
    """
    x = np.asarray(x, dtype=np.float64)
    if x.size < 8 or not np.ptp(x) > 0:
        return -np.inf
    return 2.0 * (_two_gaussians_loglik(x) - _generalized_normal_loglik(x)) - np.log(x.size)


def cross_fitted_projection(X, labels_of_half):
    """Every row of ``X`` projected on a direction fitted without it.

    The rows (in the geometric order) are cut into two alternating halves;
    ``labels_of_half(i, half)`` labels half ``i`` into two groups (or returns None), whose
    shrunk Fisher direction the other half is projected on. Each half's values are placed so
    that the fitted groups' means sit at -1/2 and +1/2, and the two halves are pooled.
    Returns None when a half cannot be labelled into two groups.
    """
    halves = (np.ascontiguousarray(X[0::2]), np.ascontiguousarray(X[1::2]))
    pooled = []
    for index, (fit_half, test_half) in enumerate((halves, halves[::-1])):
        labels = labels_of_half(index, fit_half)
        if labels is None:
            return None
        fitted = fisher_direction(fit_half, labels)
        if fitted is None or fitted[2] == fitted[1]:
            return None
        direction, low, high = fitted
        values = np.empty(test_half.shape[0])
        project(test_half, np.ascontiguousarray(direction), values, 1)
        pooled.append((values - 0.5 * (low + high)) / (high - low))
    return np.concatenate(pooled)


def dip_test(x):
    """p-value of Hartigan's dip test of unimodality of the one-dimensional sample ``x``."""
    x = np.sort(np.asarray(x, dtype=np.float64))
    if x.size < 4 or not x[-1] > x[0]:
        return 1.0
    if np.any(np.diff(x) == 0):
        # The hull steps divide by differences of values: spread ties over a billionth of
        # the range, which leaves the statistic unchanged to that precision.
        x = x + np.arange(x.size) * ((x[-1] - x[0]) * 1e-9 / x.size)
    return dip_pvalue(dip_statistic(x), x.size)


@dataclass(frozen=True)
class Evidence:
    """The two readings of a cross-fitted projection."""

    delta_bic: float  # two Gaussians against one symmetric unimodal cluster
    dip_p_value: float  # unimodality, against the uniform (least favourable) null

    def two_clusters(self, bic_threshold, significance):
        return self.delta_bic > bic_threshold or self.dip_p_value < significance


NO_EVIDENCE = Evidence(-np.inf, 1.0)


def projection_evidence(values):
    if values is None:
        return NO_EVIDENCE
    return Evidence(delta_bic(values), dip_test(values))


def split_evidence(X, centers, n_threads):
    """Cross-fitted evidence for the 2-means split of ``X`` started from ``centers``.

    On small nodes the evidence of one cut into halves varies with the cut: the median of
    ``_N_SMALL_NODE_CUTS`` cuts is read instead (the first cut alternates the rows, the others
    interleave fixed permutations of them).
    """

    def labels_of_half(_, half):
        result = two_means(half, centers, n_threads)
        return None if result is None else result[1]

    if X.shape[0] >= SMALL_NODE_SIZE:
        return projection_evidence(cross_fitted_projection(X, labels_of_half))
    readings = [projection_evidence(cross_fitted_projection(X, labels_of_half))]
    rng = np.random.default_rng(X.shape[0])
    for _ in range(_N_SMALL_NODE_CUTS - 1):
        permuted = np.ascontiguousarray(X[rng.permutation(X.shape[0])])
        readings.append(projection_evidence(cross_fitted_projection(permuted, labels_of_half)))
    return Evidence(
        float(np.median([r.delta_bic for r in readings])),
        float(np.median([r.dip_p_value for r in readings])),
    )
