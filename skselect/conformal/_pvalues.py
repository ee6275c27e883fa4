"""Conformal p-values, Benjamini-Hochberg and e-BH, and the auxiliary-set machinery shared by
weighted conformal selection and OptCS."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from skselect.conformal._conformal_fast import (
    _auxiliary_set_sizes,
    _auxiliary_set_sizes_common_weight,
    _bh_count,
    _weighted_rank_counts,
)
from skselect.utils._dask import (  # Dask input: conformal/_dask.py
    dask_implementation,
    is_dask_collection,
)

PRUNING_OPTIONS = ("deterministic", "homogeneous", "heterogeneous")


def _check_random_state(random_state):
    """Like sklearn's check_random_state, but None means fresh OS entropy, never numpy's global
    RandomState (draws from it would change other code's random streams)."""
    if random_state is None:
        return np.random.RandomState(np.random.default_rng().integers(2**32))
    return check_random_state(random_state)


def _as_1d_float(values, name, *, allow_infinite):
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {array.dtype}.")
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got an array of shape {array.shape}.")
    if array.dtype not in (np.float32, np.float64):
        array = array.astype(np.float64)
    if np.isnan(array).any():
        raise ValueError(f"{name} contains NaN; every score must be a number.")
    if not allow_infinite and np.isinf(array).any():
        raise ValueError(f"{name} contains infinite values; only finite values are accepted.")
    return np.ascontiguousarray(array)


def _check_weights(weights, name, size):
    weights = _as_1d_float(weights, name, allow_infinite=False).astype(np.float64, copy=False)
    if weights.shape[0] != size:
        raise ValueError(
            f"{name} must have one weight per score: expected {size}, got {weights.shape[0]}."
        )
    if (weights < 0).any():
        raise ValueError(f"{name} must be non-negative, got minimum {weights.min()!r}.")
    return np.ascontiguousarray(weights)


def _validate_score_inputs(calib_scores, test_scores, calib_weights, test_weights):
    calib_scores = _as_1d_float(calib_scores, "calib_scores", allow_infinite=True)
    test_scores = _as_1d_float(test_scores, "test_scores", allow_infinite=True)
    if calib_scores.shape[0] == 0:
        raise ValueError("calib_scores is empty; at least one calibration score is needed.")
    # One dtype for both so the kernel compares like with like.
    dtype = np.result_type(calib_scores, test_scores)
    calib_scores = calib_scores.astype(dtype, copy=False)
    test_scores = test_scores.astype(dtype, copy=False)
    if (calib_weights is None) != (test_weights is None):
        raise ValueError(
            "calib_weights and test_weights must be given together (weighted p-values) or "
            "both left to None (unit weights)."
        )
    if calib_weights is None:
        calib_weights = np.ones(calib_scores.shape[0])
        test_weights = np.ones(test_scores.shape[0])
    else:
        calib_weights = _check_weights(calib_weights, "calib_weights", calib_scores.shape[0])
        test_weights = _check_weights(test_weights, "test_weights", test_scores.shape[0])
        if calib_weights.sum() == 0 and (test_weights == 0).any():
            raise ValueError(
                "calib_weights sum to 0 and some test_weights are 0: the weighted p-value "
                "(a ratio of weights) is undefined for those test units."
            )
    return calib_scores, test_scores, calib_weights, test_weights


# Below this many elementary steps a parallel region costs more than it saves (waking OpenMP
# threads takes milliseconds on a loaded machine, the work microseconds).
_MIN_WORK_PER_EXTRA_THREAD = 200_000


def _threads_for(work, n_threads):
    return int(max(1, min(n_threads, work // _MIN_WORK_PER_EXTRA_THREAD)))


def _calibration_weight_counts(calib_scores, test_scores, calib_weights):
    """Calibration weight below / at or below every test score, from one sort of each side.

    Returns (below, at_or_below, total weight, test order, at_or_below in test order); the
    first two are in the input order of ``test_scores``.
    """
    if (calib_weights == 1.0).all():
        # Unit weights: the prefix sums are the ranks, no argsort needed.
        sorted_scores = np.sort(calib_scores)
        cumulative = np.arange(calib_scores.shape[0] + 1, dtype=np.float64)
    else:
        order = np.argsort(calib_scores, kind="stable")
        sorted_scores = np.ascontiguousarray(calib_scores[order])
        cumulative = np.concatenate(([0.0], np.cumsum(calib_weights[order])))
    test_order = np.argsort(test_scores)
    sorted_below = np.empty(test_scores.shape[0])
    sorted_at_or_below = np.empty(test_scores.shape[0])
    _weighted_rank_counts(
        sorted_scores,
        cumulative,
        np.ascontiguousarray(test_scores[test_order]),
        sorted_below,
        sorted_at_or_below,
    )
    below = np.empty_like(sorted_below)
    below[test_order] = sorted_below
    at_or_below = np.empty_like(sorted_at_or_below)
    at_or_below[test_order] = sorted_at_or_below
    return below, at_or_below, cumulative[-1], test_order, sorted_at_or_below


@validate_params(
    {
        "calib_scores": ["array-like"],
        "test_scores": ["array-like"],
        "calib_weights": ["array-like", None],
        "test_weights": ["array-like", None],
        "randomized": ["boolean"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def conformal_pvalues(
    calib_scores,
    test_scores,
    *,
    calib_weights=None,
    test_weights=None,
    randomized=False,
    random_state=None,
):
    """Conformal p-values of test scores against calibration scores, optionally weighted.

    A small score means "looks like a null": for a monotone nonconformity score evaluated at
    the null boundary, a small p-value is evidence that the test unit's label exceeds the
    threshold.

    Parameters
    ----------
    calib_scores : array-like of shape (n_calib,)
        Scores ``V_i`` of the calibration units. ``+inf`` is allowed (the clipped score of a
        non-null calibration unit); NaN is not.
    test_scores : array-like of shape (n_test,)
        Scores ``V_j`` of the test units at the null boundary.
    calib_weights : array-like of shape (n_calib,), default=None
        Non-negative weights ``w_i`` of the calibration units (for covariate shift, the
        test-over-calibration density ratio at ``X_i``). Give both weight arrays or neither.
    test_weights : array-like of shape (n_test,), default=None
        Non-negative weights ``w_j`` of the test units.
    randomized : bool, default=False
        If False, return the conservative p-value
        ``(sum_i w_i 1{V_i <= V_j} + w_j) / (sum_i w_i + w_j)``, valid with ties. If True,
        split the tied mass with an independent uniform ``U_j``:
        ``(sum_i w_i 1{V_i < V_j} + U_j (w_j + sum_i w_i 1{V_i = V_j})) / (sum_i w_i + w_j)``,
        which is exactly uniform under exchangeability.
    random_state : int, RandomState instance or None, default=None
        Draws ``U_j`` when ``randomized=True``; unused otherwise.

    Returns
    -------
    p_values : ndarray of shape (n_test,)
        One p-value in ``(0, 1]`` per test score.

    See Also
    --------
    benjamini_hochberg : Select the test units from these p-values.
    ConformalSelector : Fits the model, computes the scores and selects.

    Notes
    -----
    With unit weights the deterministic p-value is ``(1 + #{i: V_i <= V_j}) / (n + 1)``.
    The calibration and the test scores are each sorted once and merged with the weight
    prefix sums, so the total cost is ``O(n log n + m log m)``.

    Examples
    --------
    >>> from skselect.conformal import conformal_pvalues
    >>> conformal_pvalues([0.1, 0.5, 0.5, 2.0], [0.5, 3.0, -1.0])
    array([0.8, 1. , 0.2])
    """
    if is_dask_collection(test_scores):  # Dask test scores: lazy, blockwise (conformal/_dask.py)
        return dask_implementation("conformal_pvalues")(
            calib_scores,
            test_scores,
            calib_weights=calib_weights,
            test_weights=test_weights,
            randomized=randomized,
            random_state=random_state,
        )
    calib_scores, test_scores, calib_weights, test_weights = _validate_score_inputs(
        calib_scores, test_scores, calib_weights, test_weights
    )
    below, at_or_below, total, _, _ = _calibration_weight_counts(
        calib_scores, test_scores, calib_weights
    )
    denominator = total + test_weights
    if not randomized:
        return (at_or_below + test_weights) / denominator
    uniforms = _check_random_state(random_state).uniform(size=test_scores.shape[0])
    return (below + uniforms * (at_or_below - below + test_weights)) / denominator


def _check_fdr_input(values, name, *, allow_infinite):
    values = _as_1d_float(values, name, allow_infinite=allow_infinite)
    if (values < 0).any():
        raise ValueError(f"{name} must be non-negative, got minimum {values.min()!r}.")
    return values.astype(np.float64, copy=False)


@validate_params(
    {"p_values": ["array-like"], "fdr": [Interval(Real, 0, 1, closed="right")]},
    prefer_skip_nested_validation=True,
)
def benjamini_hochberg(p_values, fdr):
    """Benjamini-Hochberg step-up procedure: which hypotheses to reject at level ``fdr``.

    Rejects ``{j: p_j <= fdr * k / m}`` with ``k = max{k: p_(k) <= fdr * k / m}`` (nothing
    when no ``k`` qualifies); comparisons are inclusive.

    Parameters
    ----------
    p_values : array-like of shape (m,)
        Non-negative p-values (NaN is rejected).
    fdr : float in (0, 1]
        Target false discovery rate ``q``.

    Returns
    -------
    selected : ndarray of bool, shape (m,)
        True for the rejected hypotheses (the selected test units).

    See Also
    --------
    ebh : The same step-up rule for e-values.
    conformal_pvalues : The p-values of conformal selection.

    Examples
    --------
    >>> from skselect.conformal import benjamini_hochberg
    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.5], fdr=0.1)
    array([ True,  True,  True, False])
    """
    p_values = _check_fdr_input(p_values, "p_values", allow_infinite=True)
    n_tests = p_values.shape[0]
    if n_tests == 0:
        return np.zeros(0, dtype=bool)
    count = _bh_count(np.sort(p_values), float(fdr), n_tests)
    if count == 0:
        return np.zeros(n_tests, dtype=bool)
    return p_values <= fdr * count / n_tests


@validate_params(
    {"e_values": ["array-like"], "fdr": [Interval(Real, 0, 1, closed="right")]},
    prefer_skip_nested_validation=True,
)
def ebh(e_values, fdr):
    """Select hypotheses by the e-BH procedure (Wang and Ramdas, 2022) at level ``fdr``.

    Rejects the ``k`` largest e-values with ``k = max{k: e_(k) >= m / (fdr k)}``, where
    ``e_(1) >= e_(2) >= ...``; comparisons are inclusive. It controls the FDR for arbitrarily
    dependent e-values.

    Parameters
    ----------
    e_values : array-like of shape (m,)
        Non-negative e-values (``+inf`` allowed, NaN rejected).
    fdr : float in (0, 1]
        Target false discovery rate ``q``.

    Returns
    -------
    selected : ndarray of bool, shape (m,)
        True for the rejected hypotheses.

    See Also
    --------
    benjamini_hochberg : The step-up rule for p-values.

    Examples
    --------
    >>> from skselect.conformal import ebh
    >>> ebh([40.0, 20.0, 1.0, 0.0], fdr=0.1)
    array([ True,  True, False, False])
    """
    e_values = _check_fdr_input(e_values, "e_values", allow_infinite=True)
    n_tests = e_values.shape[0]
    if n_tests == 0:
        return np.zeros(0, dtype=bool)
    descending = -np.sort(-e_values)
    ranks = np.arange(1, n_tests + 1)
    passing = np.flatnonzero(descending >= n_tests / (fdr * ranks))
    if passing.size == 0:
        return np.zeros(n_tests, dtype=bool)
    count = passing[-1] + 1
    return e_values >= n_tests / (fdr * count)


def _auxiliary_sizes(calib_scores, test_scores, calib_weights, test_weights, fdr, n_threads):
    """Auxiliary-set sizes ``s_j`` and deterministic p-values for every test unit.

    Inputs must already be validated (1-D, same float dtype, weights given).
    """
    below, at_or_below, total, order, sorted_at_or_below = _calibration_weight_counts(
        calib_scores, test_scores, calib_weights
    )
    sorted_sizes = np.empty(test_scores.shape[0], dtype=np.intp)
    if test_scores.shape[0] > 0 and (test_weights == test_weights[0]).all():
        # One shared test weight (OptCS, unweighted WCS): O(m) after the sort.
        _auxiliary_set_sizes_common_weight(
            np.ascontiguousarray(test_scores[order]),
            sorted_at_or_below,
            float(test_weights[0]),
            float(total),
            float(fdr),
            sorted_sizes,
            _threads_for(test_scores.shape[0], n_threads),
        )
    else:
        _auxiliary_set_sizes(
            np.ascontiguousarray(test_scores[order]),
            sorted_at_or_below,
            np.ascontiguousarray(test_weights[order]),
            float(total),
            float(fdr),
            sorted_sizes,
            _threads_for(test_scores.shape[0] ** 2 // 4, n_threads),
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
