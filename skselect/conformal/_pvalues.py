"""Conformal p-values, the Benjamini-Hochberg step-up and e-BH.

The p-values of a test batch are a function of (calibration scores, test scores, weights,
uniforms) that treats every test unit on its own (:func:`_pvalues_from_scores`), so they can be
computed block by block; BH and e-BH then need all ``m`` values at once
(:func:`_bh_count`).
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from skselect.conformal._conformal_fast import _weighted_rank_counts
from skselect.utils._dask import dask_implementation, is_dask_collection

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


def _scale_weights(calib_weights, test_weights, largest=None):
    """Divide both weight vectors by their common maximum.

    Weighted p-values are ratios of weight sums, unchanged by a common factor; after the
    division every sum is at most ``n + 1``, so weights near the float maximum cannot overflow
    into inf / inf = NaN. ``largest`` is that maximum when ``test_weights`` is one block of a
    larger batch (the same divisor for every block gives the same p-values).
    """
    if largest is None:
        largest = max(
            calib_weights.max(initial=0.0),
            test_weights.max(initial=0.0),
        )
    if largest == 0.0 or largest == 1.0:
        return calib_weights, test_weights
    return calib_weights / largest, test_weights / largest


def _validate_score_inputs(
    calib_scores, test_scores, calib_weights, test_weights, largest_weight=None
):
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
        return (
            calib_scores,
            test_scores,
            np.ones(calib_scores.shape[0]),
            np.ones(test_scores.shape[0]),
        )
    calib_weights = _check_weights(calib_weights, "calib_weights", calib_scores.shape[0])
    test_weights = _check_weights(test_weights, "test_weights", test_scores.shape[0])
    zero = np.flatnonzero(test_weights == 0)
    if zero.size:
        raise ValueError(
            "test_weights must be positive: a test unit of weight 0 would get the p-value "
            "sum_i w_i 1{V_i <= V_j} / sum_i w_i, which is 0 below every calibration score; "
            f"got 0 at positions {zero[:5].tolist()}{' ...' if zero.size > 5 else ''}. "
            "Drop those units (a density ratio of 0 means they cannot occur in the test "
            "distribution) or give them a positive weight."
        )
    calib_weights, test_weights = _scale_weights(calib_weights, test_weights, largest_weight)
    if (test_weights == 0).any():
        raise ValueError(
            "The weights span more than the floating-point range (the smallest test weight "
            "is 0 once divided by the largest weight); rescale or clip them."
        )
    return calib_scores, test_scores, calib_weights, test_weights


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


def _pvalues_from_scores(calib_scores, test_scores, calib_weights, test_weights, uniforms=None):
    """Conformal p-values of validated inputs; ``uniforms`` (one per test unit) randomizes.

    Each test unit's p-value depends only on the calibration side and on that unit, so this
    can be applied to blocks of test units and the results concatenated.
    """
    below, at_or_below, total, _, _ = _calibration_weight_counts(
        calib_scores, test_scores, calib_weights
    )
    denominator = total + test_weights
    if uniforms is None:
        p_values = (at_or_below + test_weights) / denominator
    else:
        p_values = (below + uniforms * (at_or_below - below + test_weights)) / denominator
    # Sums of weights may round a hair above the total.
    return np.minimum(p_values, 1.0)


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
    test_scores : array-like or Dask array of shape (n_test,)
        Scores ``V_j`` of the test units at the null boundary. A Dask array gives a Dask
        array of p-values, computed block by block (identical to the in-memory ones).
    calib_weights : array-like of shape (n_calib,), default=None
        Non-negative weights ``w_i`` of the calibration units (for covariate shift, the
        test-over-calibration density ratio at ``X_i``). Give both weight arrays or neither.
        Only ratios of weights matter: any finite magnitude is accepted.
    test_weights : array-like or Dask array of shape (n_test,), default=None
        Positive weights ``w_j`` of the test units.
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
    p_values : ndarray or Dask array of shape (n_test,)
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
    if is_dask_collection(test_scores):
        return dask_implementation("conformal_pvalues_dask")(
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
    uniforms = None
    if randomized:
        uniforms = _check_random_state(random_state).uniform(size=test_scores.shape[0])
        # A uniform of exactly 0 with nothing below would give a p-value of 0.
        uniforms = np.maximum(uniforms, np.finfo(np.float64).tiny)
    return _pvalues_from_scores(calib_scores, test_scores, calib_weights, test_weights, uniforms)


def _step_up_count(passes):
    """Step-up count shared by BH and e-BH: 1 + the last rank whose value passes, else 0.

    ``passes[k - 1]`` says whether the k-th most significant value passes its rank-k bound.
    scipy.stats.false_discovery_control computes every adjusted p-value and is 2x (m = 10^6)
    to 8x (m = 10^3) slower than this sort and scan (measured with scipy 1.17).
    """
    passing = np.flatnonzero(passes)
    return int(passing[-1]) + 1 if passing.size else 0


def _bh_count(p_values, fdr):
    """The BH count ``k* = max{k: p_(k) <= fdr k / m}`` (0 when none qualifies)."""
    n_tests = p_values.shape[0]
    return _step_up_count(np.sort(p_values) <= fdr * np.arange(1, n_tests + 1) / n_tests)


def _bh_count_from_counts(values, counts, n_tests, fdr):
    """The BH count of ``n_tests`` p-values from the distinct values at or below ``fdr``.

    ``values`` (sorted, distinct) and ``counts`` (how many p-values equal each) may come from
    blocks of a batch. The rank bound grows with the rank, so within a run of equal
    p-values only the run's last rank (the cumulative count) can be the largest passing one:
    testing those ranks gives exactly :func:`_bh_count`.
    """
    ranks = np.cumsum(counts)
    passing = _step_up_count(values <= fdr * ranks / n_tests)
    return int(ranks[passing - 1]) if passing else 0


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
        The p-values, in [0, 1] (NaN, infinite values and values above 1 are rejected).
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
    if (p_values > 1).any():
        # Such a value is no p-value: an upstream error (scores or e-values passed by mistake).
        raise ValueError(
            f"p_values must lie in [0, 1], got maximum {p_values.max()!r}; pass p-values "
            "(conformal_pvalues computes them from scores), or use ebh for e-values."
        )
    n_tests = p_values.shape[0]
    count = _bh_count(p_values, fdr)
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
    # e-BH is BH on 1 / e, written as e >= m / (fdr k) so that e = 0 and e = inf need no
    # division.
    ranks = np.arange(1, n_tests + 1)
    count = _step_up_count(-np.sort(-e_values) >= n_tests / (fdr * ranks))
    if count == 0:
        return np.zeros(n_tests, dtype=bool)
    return e_values >= n_tests / (fdr * count)
