"""Auxiliary selection sets, e-values and pruning: the selection step of weighted conformal
selection and OptCS."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skselect.conformal._conformal_fast import (
    _auxiliary_set_sizes,
    _auxiliary_set_sizes_common_weight,
)
from skselect.conformal._pvalues import _calibration_weight_counts
from skselect.utils._parallel import _kernel_n_threads


def _auxiliary_sizes(calib_scores, test_scores, calib_weights, test_weights, fdr):
    """Auxiliary-set sizes ``s_j`` and deterministic p-value counts for every test unit.

    Inputs must already be validated (1-D, same float dtype, weights given and scaled).
    Returns (set sizes, weight below, weight at or below, total calibration weight).
    """
    below, at_or_below, total, order, sorted_at_or_below = _calibration_weight_counts(
        calib_scores, test_scores, calib_weights
    )
    n_tests = test_scores.shape[0]
    sorted_sizes = np.empty(n_tests, dtype=np.intp)
    if n_tests > 0 and (test_weights == test_weights[0]).all():
        # One shared test weight (OptCS, unweighted WCS): O(m) after the sort.
        _auxiliary_set_sizes_common_weight(
            np.ascontiguousarray(test_scores[order]),
            sorted_at_or_below,
            float(test_weights[0]),
            float(total),
            float(fdr),
            sorted_sizes,
            _kernel_n_threads(n_tests),
        )
    else:
        _auxiliary_set_sizes(
            np.ascontiguousarray(test_scores[order]),
            sorted_at_or_below,
            np.ascontiguousarray(test_weights[order]),
            float(total),
            float(fdr),
            sorted_sizes,
            # Each row scans up to m ranks, about m / 2 on average before it stops.
            _kernel_n_threads(n_tests * n_tests // 2),
        )
    set_sizes = np.empty_like(sorted_sizes)
    set_sizes[order] = sorted_sizes
    return set_sizes, below, at_or_below, total


def _prune(first_step, set_sizes, pruning, fdr, random_state):
    """Pruning step of weighted conformal selection / OptCS.

    Returns the selection mask and the e-values ``m 1{j in R1} / (fdr s_j)``. With
    ``xi_j`` = 1 (deterministic), one shared uniform (homogeneous) or i.i.d. uniforms
    (heterogeneous), keeps ``{j in R1: xi_j s_j <= r*}`` with
    ``r* = max{r: #{j in R1: xi_j s_j <= r} >= r}``.
    """
    n_tests = set_sizes.shape[0]
    e_values = np.where(first_step, n_tests / (fdr * np.maximum(set_sizes, 1)), 0.0)
    if pruning == "deterministic":
        xi = np.ones(n_tests)
    elif pruning == "homogeneous":
        xi = np.full(n_tests, random_state.uniform())
    else:
        xi = random_state.uniform(size=n_tests)
    if not first_step.any():
        return np.zeros(n_tests, dtype=bool), e_values
    scaled = xi * set_sizes
    candidates = np.sort(scaled[first_step])
    ranks = np.arange(1, candidates.shape[0] + 1)
    counts = np.searchsorted(candidates, ranks, side="right")
    passing = np.flatnonzero(counts >= ranks)
    if passing.size == 0:
        return np.zeros(n_tests, dtype=bool), e_values
    largest = passing[-1] + 1
    return first_step & (scaled <= largest), e_values


def _select_with_auxiliary_sets(p_values, set_sizes, fdr, pruning, random_state):
    """First step ``p_j <= fdr s_j / m`` then pruning; returns (selected, first_step, e)."""
    n_tests = p_values.shape[0]
    first_step = p_values <= fdr * set_sizes / n_tests
    selected, e_values = _prune(first_step, set_sizes, pruning, fdr, random_state)
    return selected, first_step, e_values
