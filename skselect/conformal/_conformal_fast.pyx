"""Kernels for conformal selection: weighted p-value counts, the BH step-up count and the
auxiliary selection-set sizes of weighted conformal selection and OptCS.

The Python drivers in ``_pvalues.py``, ``_selector.py`` and ``_optcs.py`` validate, sort and
draw every random number; these kernels only count, so their output does not depend on the
number of threads.
"""

from cython cimport floating
from cython.parallel cimport prange


cdef inline Py_ssize_t _count_less(
    const floating[::1] sorted_values, double value, bint inclusive
) noexcept nogil:
    # Binary search: number of entries < value (or <= value when inclusive). Plain comparisons
    # keep +inf calibration scores (clipped non-null units) in the right place.
    cdef Py_ssize_t lo = 0
    cdef Py_ssize_t hi = sorted_values.shape[0]
    cdef Py_ssize_t mid
    while lo < hi:
        mid = (lo + hi) // 2
        if sorted_values[mid] < value or (inclusive and sorted_values[mid] == value):
            lo = mid + 1
        else:
            hi = mid
    return lo


def _weighted_rank_counts(
    const floating[::1] sorted_calib_scores,   # IN (n,) ascending
    const double[::1] cumulative_weights,      # IN (n + 1,) cumulative_weights[0] == 0
    const floating[::1] test_scores,           # IN (m,)
    double[::1] weight_below,                  # OUT (m,) sum of w_i with V_i < V_j
    double[::1] weight_at_or_below,            # OUT (m,) sum of w_i with V_i <= V_j
    int n_threads,
):
    """Calibration weight strictly below and at-or-below every test score (one sort, m
    binary searches, weight prefix sums)."""
    cdef Py_ssize_t m = test_scores.shape[0]
    cdef Py_ssize_t j
    cdef double value
    with nogil:
        for j in prange(m, num_threads=n_threads, schedule="static"):
            value = test_scores[j]
            weight_below[j] = cumulative_weights[_count_less(sorted_calib_scores, value, False)]
            weight_at_or_below[j] = cumulative_weights[
                _count_less(sorted_calib_scores, value, True)
            ]


def _bh_count(
    const double[::1] sorted_p_values,   # IN (m,) ascending
    double fdr,
    Py_ssize_t n_tests,
):
    """Benjamini-Hochberg step-up count: the largest k with p_(k) <= fdr * k / n_tests, 0 if
    none. ``n_tests`` may exceed the number of p-values passed (the rest are known to fail)."""
    cdef Py_ssize_t k
    cdef Py_ssize_t count = 0
    with nogil:
        for k in range(sorted_p_values.shape[0], 0, -1):
            if sorted_p_values[k - 1] <= fdr * k / n_tests:
                count = k
                break
    return count


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
