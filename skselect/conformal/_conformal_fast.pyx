"""Kernels for conformal selection: weighted p-value counts and the auxiliary selection-set
sizes of weighted conformal selection and OptCS.

The Python drivers in ``_pvalues.py`` and ``_auxiliary.py`` validate, sort and draw every
random number; these kernels only count, so their output does not depend on the
number of threads.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from cython cimport floating
from cython.parallel cimport prange


def _weighted_rank_counts(
    const floating[::1] sorted_calib_scores,   # IN (n,) ascending
    const double[::1] cumulative_weights,      # IN (n + 1,) cumulative_weights[0] == 0
    const floating[::1] sorted_test_scores,    # IN (m,) ascending
    double[::1] weight_below,                  # OUT (m,) sum of w_i with V_i < V_j
    double[::1] weight_at_or_below,            # OUT (m,) sum of w_i with V_i <= V_j
):
    """Calibration weight strictly below and at or below every test score.

    Both inputs are sorted, so one merge-like pass replaces m binary searches (which, on
    unsorted test scores, spend their time in cache misses): O(n + m).
    Plain comparisons keep +inf calibration scores (clipped non-null units) in place.
    """
    cdef Py_ssize_t n = sorted_calib_scores.shape[0]
    cdef Py_ssize_t m = sorted_test_scores.shape[0]
    cdef Py_ssize_t j
    cdef Py_ssize_t n_below = 0
    cdef Py_ssize_t n_at_or_below = 0
    cdef double value
    with nogil:
        for j in range(m):
            value = sorted_test_scores[j]
            while n_below < n and sorted_calib_scores[n_below] < value:
                n_below += 1
            if n_at_or_below < n_below:
                n_at_or_below = n_below
            while n_at_or_below < n and sorted_calib_scores[n_at_or_below] <= value:
                n_at_or_below += 1
            weight_below[j] = cumulative_weights[n_below]
            weight_at_or_below[j] = cumulative_weights[n_at_or_below]


def _auxiliary_set_sizes(
    const floating[::1] sorted_test_scores,   # IN (m,) ascending
    const double[::1] calib_weight_at_or_below,  # IN (m,) sum_i w_i 1{V_i <= V_l}, same order
    const double[::1] sorted_test_weights,    # IN (m,) w_{n+l}, same order
    double total_calib_weight,                # IN sum_i w_i
    double fdr,
    Py_ssize_t[::1] set_sizes,                # OUT (m,) s_j, same order
    int n_threads,
):
    """Sizes s_j of the auxiliary BH sets of weighted conformal selection / OptCS.

    Row j holds p_j^(j) = 0 and, for l != j,
    p_l^(j) = (sum_i w_i 1{V_i <= V_l} + w_j 1{V_j <= V_l}) / (sum_i w_i + w_j).
    Both terms are non-decreasing in V_l, so the global ascending order of the test scores
    sorts every row once unit j is moved to the front: no per-row sort, O(m) per row.
    """
    cdef Py_ssize_t m = sorted_test_scores.shape[0]
    cdef Py_ssize_t j, rank, position
    cdef double own_score, own_weight, denominator, numerator
    with nogil:
        for j in prange(m, num_threads=n_threads, schedule="dynamic"):
            own_score = sorted_test_scores[j]
            own_weight = sorted_test_weights[j]
            denominator = total_calib_weight + own_weight
            set_sizes[j] = 1   # p_j^(j) = 0 passes at rank 1 for any fdr > 0
            for rank in range(m, 1, -1):
                # Rank 1 is unit j; units before j in the global order shift up by one.
                if rank > j + 1:
                    position = rank - 1
                else:
                    position = rank - 2
                numerator = calib_weight_at_or_below[position]
                if own_score <= sorted_test_scores[position]:
                    numerator = numerator + own_weight
                if numerator / denominator <= fdr * rank / m:
                    set_sizes[j] = rank
                    break


def _auxiliary_set_sizes_common_weight(
    const floating[::1] sorted_test_scores,   # IN (m,) ascending
    const double[::1] calib_weight_at_or_below,  # IN (m,) sum_i w_i 1{V_i <= V_l}, same order
    double test_weight,                       # IN the weight shared by every test unit
    double total_calib_weight,                # IN sum_i w_i
    double fdr,
    Py_ssize_t[::1] set_sizes,                # OUT (m,) s_j, same order
    int n_threads,
):
    """Same sizes as :func:`_auxiliary_set_sizes` when every test unit has the same weight
    (unit weights: OptCS, unweighted WCS), in O(m) instead of O(m^2).

    With a shared weight the value at each rank of row j depends on j only through j's
    position p and the start g of its tie group: ranks above p + 1 hold units scored at or
    above V_j, ranks g + 2 .. p + 1 hold its ties, ranks 2 .. g + 1 the units strictly below.
    Three passes give, for every rank, the nearest passing rank of each kind; each row is
    then three look-ups. The comparisons are the very expressions of the quadratic kernel.
    """
    cdef Py_ssize_t m = sorted_test_scores.shape[0]
    cdef Py_ssize_t rank, j, group_start, best
    cdef Py_ssize_t largest_above = 0
    cdef double denominator = total_calib_weight + test_weight
    # Largest passing rank at or below r when the unit there is tied with j / strictly below
    # j; 0 means none. Units above j need only the largest passing rank overall.
    cdef Py_ssize_t[::1] tied_upto = np.zeros(m + 2, dtype=np.intp)
    cdef Py_ssize_t[::1] below_upto = np.zeros(m + 2, dtype=np.intp)
    cdef Py_ssize_t[::1] group_starts = np.zeros(m + 1, dtype=np.intp)
    with nogil:
        for rank in range(m, 1, -1):
            if (calib_weight_at_or_below[rank - 1] + test_weight) / denominator <= (
                fdr * rank / m
            ):
                largest_above = rank
                break
        for rank in range(2, m + 1):
            if (calib_weight_at_or_below[rank - 2] + test_weight) / denominator <= (
                fdr * rank / m
            ):
                tied_upto[rank] = rank
            else:
                tied_upto[rank] = tied_upto[rank - 1]
            if calib_weight_at_or_below[rank - 2] / denominator <= fdr * rank / m:
                below_upto[rank] = rank
            else:
                below_upto[rank] = below_upto[rank - 1]
        for j in range(1, m):
            if sorted_test_scores[j] == sorted_test_scores[j - 1]:
                group_starts[j] = group_starts[j - 1]
            else:
                group_starts[j] = j
        for j in prange(m, num_threads=n_threads, schedule="static"):
            group_start = group_starts[j]
            best = largest_above if largest_above >= j + 2 else 0
            if best == 0 and tied_upto[j + 1] >= group_start + 2:
                best = tied_upto[j + 1]
            if best == 0 and group_start + 1 >= 2:
                best = below_upto[group_start + 1]
            set_sizes[j] = best if best > 1 else 1
