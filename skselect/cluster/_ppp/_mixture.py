"""PPP's Gaussian mixture: one component per cluster, refined, and merged where two
neighbouring clusters do not form two modes.

A hyperplane high in the tree can cut a cluster in two; each piece is unimodal, so the tree
keeps both. The pieces are neighbours in the mixture (many rows have one as their best and
the other as their second-best component), and the union of two pieces is one cluster by the
split test. Merging exactly those neighbouring pairs that the split test finds to be one
cluster applies the tree's own rule once more, in the other direction.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from skselect.cluster._ppp._fast import cluster_scatter, cluster_sums, gaussian_assign
from skselect.cluster._ppp._split import (
    TEST_SAMPLE_SIZE,
    Evidence,
    cross_fitted_projection,
    projection_evidence,
)

# Classification-EM rounds between merge rounds; they settle in a few on the data measured.
_MAX_CEM_ITER = 20
_MAX_MERGE_ROUNDS = 20
_SETTLED_FRACTION = 1000


@dataclass(frozen=True)
class MixtureConfig:
    """What the refinement and the merges need to know; built once per fit."""

    bic_threshold: float
    significance: float
    min_cluster_size: int
    covariance_type: str
    reg: float
    n_threads: int


@dataclass
class Mixture:
    """Parameters in scikit-learn's ``GaussianMixture`` vocabulary (standardised space)."""

    weights: np.ndarray  # (k,)
    means: np.ndarray  # (k, d)
    covariances: np.ndarray  # (k, d, d) full, (k, d) diag
    covariance_type: str
    factors: np.ndarray = field(repr=False)  # kernel form: (k, d*d) upper Cholesky or (k, d)
    offsets: np.ndarray = field(repr=False)  # (k,)

    @property
    def precisions_cholesky(self):
        k, d = self.means.shape
        if self.covariance_type == "full":
            return self.factors.reshape(k, d, d)
        return np.sqrt(self.factors)


# Full covariances are used while the number of features is at most FULL_COVARIANCE_FEATURES,
# or at most min(rows, FULL_COVARIANCE_MAX_FEATURES); diagonal covariances beyond. A full
# covariance in d dimensions estimated from fewer than d rows is singular before shrinkage
# and, shrunk by d / (n_k + d) >= 1/2, mostly its diagonal anyway; and it costs O(d^3) per
# component to factor and O(d^2) per row and component to evaluate (on 50 x 5000 input, every
# refinement step would factor 5000 x 5000 matrices for minutes, to learn little beyond their
# diagonals). Past a few hundred features the O(d^2) evaluation dominates every other cost of
# a fit by orders of magnitude. Up to 64 features the requested type is always used.
FULL_COVARIANCE_FEATURES = 64
FULL_COVARIANCE_MAX_FEATURES = 256


def effective_covariance_type(covariance_type, n_rows, n_features):
    """The covariance type the mixture uses for ``covariance_type`` on this input's shape."""
    if covariance_type == "full" and n_features > max(
        FULL_COVARIANCE_FEATURES, min(n_rows, FULL_COVARIANCE_MAX_FEATURES)
    ):
        return "diag"
    return covariance_type


# Smallest variance added (relative to the unit variance of standardised data). A variance
# computed in float64 from such data carries a rounding error of about machine epsilon, so a
# smaller one cannot be told from zero; with reg_covar below it (reg_covar=0 included), a
# cluster of duplicated points, or one constant along a feature, would have a singular
# covariance and an infinite density.
VARIANCE_FLOOR = float(np.finfo(np.float64).eps)


def fit_mixture(X, labels, n_clusters, covariance_type, reg, n_threads):
    """Gaussian components from a hard partition of ``X``.

    Full covariances are shrunk towards their diagonal by ``d / (n_k + d)``, so a cluster
    with few rows for its dimension still has a usable covariance, and a cluster with many
    keeps its own; ``reg`` (relative to the unit variance of standardised data) is added to
    every variance, at least ``VARIANCE_FLOOR``. Wide inputs get diagonal covariances even
    when ``"full"`` is asked for (see :func:`effective_covariance_type`); the mixture records
    the type used.
    """
    n, d = X.shape
    requested_reg, reg = reg, max(float(reg), VARIANCE_FLOOR)
    covariance_type = effective_covariance_type(covariance_type, n, d)
    counts = np.empty(n_clusters)
    sums = np.empty((n_clusters, d))
    cluster_sums(X, labels, counts, sums, n_threads)
    means = sums / np.maximum(counts, 1.0)[:, None]
    full = covariance_type == "full"
    scatter = np.empty((n_clusters, d * d if full else d))
    cluster_scatter(X, labels, means, scatter, full, n_threads)
    denominator = np.maximum(counts, 1.0)[:, None]
    log_two_pi = d * np.log(2 * np.pi)
    if full:
        covariances = (scatter / denominator).reshape(n_clusters, d, d)
        diagonals = np.einsum("kii->ki", covariances)
        shrink = (d / (counts + d))[:, None, None]
        covariances = (1 - shrink) * covariances
        covariances[:, np.arange(d), np.arange(d)] += shrink[:, :, 0] * diagonals + reg
        # Batched over clusters in NumPy: SciPy's per-matrix calls cost more than the
        # factorisations at these sizes.
        try:
            lower = np.linalg.cholesky(covariances)
        except np.linalg.LinAlgError:
            raise ValueError(
                "The covariance of a cluster is numerically singular with "
                f"reg_covar={requested_reg!r} (its samples nearly lie on a hyperplane); set "
                "reg_covar to a larger value, such as the default 1e-6."
            ) from None
        upper = np.swapaxes(np.linalg.inv(lower), 1, 2)
        factors = upper.reshape(n_clusters, d * d)
        log_det = np.log(np.einsum("kii->ki", upper)).sum(axis=1)
    else:
        variances = scatter / denominator + reg
        covariances = variances
        factors = 1.0 / variances
        log_det = 0.5 * np.log(factors).sum(axis=1)
    weights = counts / counts.sum()
    with np.errstate(divide="ignore"):
        offsets = np.log(weights) + log_det - 0.5 * log_two_pi
    return Mixture(
        weights, means, covariances, covariance_type, np.ascontiguousarray(factors), offsets
    )


def assign(X, mixture, n_threads):
    """Best component, second-best component and their log-density margin for every row."""
    n = X.shape[0]
    labels = np.empty(n, dtype=np.intp)
    runner_up = np.empty(n, dtype=np.intp)
    margin = np.empty(n)
    gaussian_assign(
        X,
        mixture.means,
        mixture.factors,
        mixture.offsets,
        labels,
        runner_up,
        margin,
        mixture.covariance_type == "full",
        n_threads,
    )
    return labels, runner_up, margin


def _relabel(labels, keep):
    """Renumber the kept clusters 0..k-1 in their current order; others map to -1."""
    mapping = np.full(keep.size, -1, dtype=np.intp)
    mapping[keep] = np.arange(np.count_nonzero(keep))
    return mapping[labels]


def refine(X, labels, n_clusters, config):
    """Classification EM from a hard partition; clusters below the minimum size dissolve.

    Returns ``(labels, mixture, runner_up)``; labels are the mixture's assignment.
    """
    for _ in range(_MAX_CEM_ITER):
        counts = np.bincount(labels, minlength=n_clusters)
        small = counts < config.min_cluster_size
        if small.any() and n_clusters > 1:
            # A dissolved cluster's rows go to their best remaining component below.
            keep = ~small
            if not keep.any():
                keep[np.argmax(counts)] = True
            mixture = fit_mixture(
                X, labels, n_clusters, config.covariance_type, config.reg, config.n_threads
            )
            mixture = _subset(mixture, keep)
            n_clusters = int(keep.sum())
            labels, runner_up, _ = assign(X, mixture, config.n_threads)
            continue
        mixture = fit_mixture(
            X, labels, n_clusters, config.covariance_type, config.reg, config.n_threads
        )
        new_labels, runner_up, _ = assign(X, mixture, config.n_threads)
        n_changed = int(np.count_nonzero(new_labels != labels))
        labels = new_labels
        # Classification EM can shuffle a few boundary rows between overlapping components
        # for many rounds (measured: tens of rows out of 10^5, each round). Once at most one
        # row in a thousand moves, the parameters have settled to within their sampling error.
        if n_changed <= labels.size // _SETTLED_FRACTION:
            break
    counts = np.bincount(labels, minlength=n_clusters)
    if (counts == 0).any():
        keep = counts > 0
        labels = _relabel(labels, keep)
        n_clusters = int(keep.sum())
    mixture = fit_mixture(
        X, labels, n_clusters, config.covariance_type, config.reg, config.n_threads
    )
    labels, runner_up, _ = assign(X, mixture, config.n_threads)
    return labels, mixture, runner_up


def _subset(mixture, keep):
    weights = mixture.weights[keep]
    with np.errstate(divide="ignore"):
        shift = np.log(weights.sum())
    return Mixture(
        weights / weights.sum(),
        mixture.means[keep],
        mixture.covariances[keep],
        mixture.covariance_type,
        np.ascontiguousarray(mixture.factors[keep]),
        mixture.offsets[keep] - shift,
    )


def pair_evidence(X, labels, a, b):
    """Cross-fitted evidence that clusters ``a`` and ``b`` are two clusters, not one.

    The union's rows (the first in the geometric order) are cut into two halves; each half's labels
    give the shrunk Fisher direction the other half is projected on, and the pooled
    projection is scored as a node's split is. Returns the ``delta_bic``; +inf (keep both)
    when a half lacks one of the two clusters.
    """
    rows = np.flatnonzero((labels == a) | (labels == b))[:TEST_SAMPLE_SIZE]
    in_b = (labels[rows] == b).astype(np.int8)
    halves = (in_b[0::2], in_b[1::2])
    values = cross_fitted_projection(X[rows], lambda index, _: halves[index])
    return Evidence(np.inf, 0.0) if values is None else projection_evidence(values)


def merge_and_refine(X, labels, n_clusters, config):
    """Alternate refinement and merges of neighbouring unimodal pairs until none is left.

    Each round tests every pair of neighbouring clusters (pairs that are some row's best and
    second-best components), then merges pairs greedily from the weakest evidence, each cluster
    at most once per round. Returns ``(labels, mixture, merges)``, with one record per merge.
    """
    merges = []
    labels, mixture, runner_up = refine(X, labels, n_clusters, config)
    for merge_round in range(1, _MAX_MERGE_ROUNDS + 1):
        n_clusters = mixture.means.shape[0]
        if n_clusters < 2:
            break
        pairs = np.unique(
            np.sort(np.column_stack([labels, runner_up]), axis=1)[labels != runner_up], axis=0
        )
        candidates = []
        # The pairs' tests are independent: run them concurrently (the kernels release the GIL).
        with ThreadPoolExecutor(max_workers=config.n_threads) as executor:
            readings = list(executor.map(partial(pair_evidence, X, labels), *pairs.T))
        for (a, b), evidence in zip(pairs, readings):
            # Hysteresis: a split needs ΔBIC > bic_threshold, a merge needs the evidence to
            # favour one cluster (ΔBIC <= 0), so borderline pairs are neither split nor merged.
            if not evidence.two_clusters(min(config.bic_threshold, 0.0), config.significance):
                candidates.append((-evidence.dip_p_value, evidence.delta_bic, int(a), int(b)))
        if not candidates:
            break
        candidates.sort()
        target = np.arange(n_clusters)
        used = set()
        for _, evidence, a, b in candidates:
            if a in used or b in used:
                continue
            used.update((a, b))
            target[b] = a
            merges.append({"round": merge_round, "clusters": (a, b), "delta_bic": evidence})
        merged = target[labels]
        keep = np.zeros(n_clusters, dtype=bool)
        keep[np.unique(merged)] = True
        labels = _relabel(merged, keep)
        labels, mixture, runner_up = refine(X, labels, int(keep.sum()), config)
    return labels, mixture, merges
