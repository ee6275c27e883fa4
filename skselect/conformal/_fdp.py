"""Simultaneous upper bounds on the false discovery proportion of every top-k set.

Conformal p-values computed against one calibration set are dependent, but their joint law
under exchangeability is known exactly and free of the data distribution (Gazin, Blanchard
and Roquain, 2024): it depends only on ``n`` and ``m``. The calibration scores occupy a
uniformly random ``n``-subset of the ``n + m`` ranks of all the scores, so the number of
oracle p-values at or below ``c / (n + 1)`` is the rank of the ``c``-th calibration score
minus ``c - 1``. Drawing such subsets gives the law of any statistic of the empirical
distribution of the ``m`` oracle p-values; its ``1 - delta`` quantile gives an envelope
``B(t)`` above that empirical distribution, everywhere at once, with probability at least
``1 - delta``. The number of false selections among the ``k`` units with the smallest
p-values is then at most ``m B(p_(k))``, for every ``k`` at once, and two pathwise facts
tighten it: adding units adds at most as many false selections as units, and never removes
any.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from functools import lru_cache
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from skselect.conformal._pvalues import _as_1d_float, _check_random_state

FDP_METHODS = ("hc", "ks")

# Draws of the statistic are computed in blocks of at most this many grid values.
_BLOCK_VALUES = 1 << 22


def _weight(grid, method):
    """Envelope shape ``w(t)`` of the linear envelopes: ``B(t) = t + lambda w(t)``."""
    if method == "ks":
        return np.ones_like(grid)
    return np.sqrt(grid * (1.0 - grid))


def _statistic_of_counts(counts, n_calib, n_tests, method):
    """``max_c`` of the score of ``m F(t_c)`` over the grid ``t_c = c / (n + 1)``, c = 1..n,
    for rows of counts; at least 0 (the grid point ``c = n + 1`` has F = t = 1)."""
    grid = np.arange(1, n_calib + 1) / (n_calib + 1)
    score = (counts / n_tests - grid) / _weight(grid, method)
    return np.maximum(score.max(axis=1, initial=-np.inf), 0.0)


def _envelope_counts(n_calib, n_tests, method, scale):
    """Largest count ``m F(t_c)`` inside the envelope, for every level c = 1..n + 1."""
    levels = np.arange(1, n_calib + 2)
    grid = levels / (n_calib + 1)
    if not np.isfinite(scale):
        return np.full(n_calib + 1, n_tests, dtype=np.int64)
    envelope = n_tests * (grid + scale * _weight(grid, method))
    # Guard the floor against rounding an exact integer down.
    counts = np.floor(np.minimum(envelope, n_tests) * (1 + 1e-12) + 1e-9).astype(np.int64)
    counts = np.clip(counts, 0, n_tests)
    counts[-1] = n_tests  # at t = 1 the envelope is m
    return counts


def _draw_counts(n_calib, n_tests, size, rng):
    """``size`` exact draws of ``m F(t_c)``, c = 1..n: the number of the ``m`` oracle
    p-values at or below ``c / (n + 1)``, under exchangeability.

    Each draw picks the ranks of the ``n`` calibration scores among the ``n + m`` scores
    uniformly at random (without replacement); the ``c``-th calibration score at 0-based
    rank ``s_c`` has ``s_c - (c - 1)`` test scores below it.
    """
    ranks = np.empty((size, n_calib), dtype=np.int64)
    for row in range(size):
        ranks[row] = rng.choice(n_calib + n_tests, size=n_calib, replace=False)
    ranks.sort(axis=1)
    return ranks - np.arange(n_calib)


def _draw_levels(n_calib, n_tests, size, rng):
    """``size`` exact draws of the sorted levels ``c`` of the ``m`` oracle p-values
    ``c / (n + 1)``: the ranks of the test scores among the ``n + m`` scores, drawn
    uniformly without replacement; the ``j``-th test score at 0-based rank ``r_j`` has
    ``r_j - (j - 1)`` calibration scores below it."""
    ranks = np.empty((size, n_tests), dtype=np.int64)
    for row in range(size):
        ranks[row] = rng.choice(n_calib + n_tests, size=n_tests, replace=False)
    ranks.sort(axis=1)
    return ranks - np.arange(n_tests) + 1


def _statistic_of_levels(levels, n_calib, n_tests, method):
    """The statistic of :func:`_statistic_of_counts` from rows of sorted levels.

    Between two consecutive levels ``F`` is constant and ``(F - t) / w(t)`` decreases in
    ``t`` (for both shapes), so the maximum over the grid is reached at a level: the one of
    the last unit of each run of ties, where ``F`` counts the whole run.
    """
    grid = levels / (n_calib + 1)
    counts = np.arange(1, n_tests + 1)
    last_of_run = np.ones(levels.shape, dtype=bool)
    last_of_run[:, :-1] = levels[:, 1:] != levels[:, :-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        score = (counts / n_tests - grid) / _weight(grid, method)
    score = np.where(last_of_run & (levels <= n_calib), score, -np.inf)
    return np.maximum(score.max(axis=1, initial=-np.inf), 0.0)


@lru_cache(maxsize=16)
def _sorted_null_statistics(n_calib, n_tests, method, n_resamples, seed):
    """Sorted draws of the statistic under the exact joint law of the oracle p-values.

    Draws the ranks of the smaller side (calibration or test scores) among all the scores:
    ``O(n_resamples k log k)`` with ``k = min(n, m)``. Cached: the draws depend on (n, m,
    method, n_resamples, seed) only.
    """
    rng = np.random.default_rng(seed)
    statistics = np.empty(n_resamples)
    small = min(n_calib, n_tests)
    block = max(1, _BLOCK_VALUES // max(small, 1))
    for start in range(0, n_resamples, block):
        stop = min(start + block, n_resamples)
        if n_calib <= n_tests:
            counts = _draw_counts(n_calib, n_tests, stop - start, rng)
            statistics[start:stop] = _statistic_of_counts(counts, n_calib, n_tests, method)
        else:
            levels = _draw_levels(n_calib, n_tests, stop - start, rng)
            statistics[start:stop] = _statistic_of_levels(levels, n_calib, n_tests, method)
    statistics.sort()
    statistics.flags.writeable = False
    return statistics


def _envelope_scale(n_calib, n_tests, method, n_resamples, seed, confidence):
    """``lambda``: the ``ceil(confidence (B + 1))``-th smallest of ``B`` draws (inf beyond B).

    With the statistic of the actual oracle p-values as the ``(B + 1)``-th exchangeable
    draw, it is at most this order statistic with probability at least ``confidence``.
    """
    statistics = _sorted_null_statistics(n_calib, n_tests, method, n_resamples, seed)
    rank = int(np.ceil(confidence * (n_resamples + 1) - 1e-12))
    if rank > n_resamples:
        return np.inf
    return float(statistics[rank - 1])


def _grid_levels(p_values, n_calib):
    """Round p-values up to the grid ``c / (n + 1)``; returns the integer levels ``c``.

    Deterministic conformal p-values are on the grid already (a relative tolerance absorbs
    the division's rounding); randomized ones move up to the grid value of their rank with
    random tie-breaking, whose joint law is exactly the one of the envelope.
    """
    scaled = p_values * (n_calib + 1)
    levels = np.ceil(scaled - 1e-9 * np.maximum(scaled, 1.0))
    return np.clip(levels, 1, n_calib + 1).astype(np.int64)


def _false_upper_from_levels(sorted_levels, n_calib, n_tests, method, scale, boost):
    """Bound on the number of false selections among the first ``k`` units, every ``k``."""
    ks = np.arange(1, n_tests + 1)
    envelope = _envelope_counts(n_calib, n_tests, method, scale)
    direct = np.minimum(envelope[sorted_levels - 1], ks)
    if not boost:
        return direct
    # V(k) <= V(l) + (k - l) for l <= k, and V(k) <= V(l) for l >= k.
    boosted = ks + np.minimum(np.minimum.accumulate(direct - ks), 0)
    return np.minimum.accumulate(boosted[::-1])[::-1]


class FDPBounds:
    """Simultaneous upper bounds on the false discovery proportion of every top-k set.

    Returned by :func:`fdp_bounds` and :meth:`ConformalSelector.fdp_bounds`; not meant to be
    built directly. With probability at least ``confidence``, for every ``k`` at once, at
    most ``n_false_upper[k - 1]`` of the ``k`` units with the smallest p-values are false
    selections (their label is not in the target set). Because the statement holds for all
    ``k`` simultaneously, ``k`` may be chosen after looking at the bounds.

    Parameters
    ----------
    n_false_upper : ndarray of shape (m,)
        Upper bound on the number of false selections among the top ``k``, ``k = 1..m``.
    thresholds : ndarray of shape (m,)
        The ``k``-th smallest p-value, ``k = 1..m``.
    order : ndarray of shape (m,) or None
        Indices of the test units from the smallest p-value to the largest (ties kept in
        the order given); None when the p-values came as a Dask array.
    confidence : float
        Probability that all the bounds hold.
    method : str
        The envelope statistic (``"hc"`` or ``"ks"``).
    envelope_scale : float
        The ``lambda`` of the envelope ``B(t) = t + lambda w(t)``.

    Attributes
    ----------
    n_false_upper : ndarray of shape (m,)
        Upper bound on the number of false selections among the top ``k``, ``k = 1..m``.
    fdp_upper : ndarray of shape (m,)
        ``n_false_upper / k``: upper bound on the false discovery proportion of the top
        ``k``.
    precision_lower : ndarray of shape (m,)
        ``1 - fdp_upper``: lower bound on the share of true discoveries in the top ``k``.
    thresholds : ndarray of shape (m,)
        The ``k``-th smallest p-value.
    order : ndarray of shape (m,) or None
        Indices of the test units from the smallest p-value to the largest.
    confidence : float
        Probability that all the bounds hold.
    method : str
        The envelope statistic.
    envelope_scale : float
        The ``lambda`` of the envelope.

    See Also
    --------
    fdp_bounds : Compute the bounds from conformal p-values.

    Examples
    --------
    >>> import numpy as np
    >>> from skselect.conformal import fdp_bounds
    >>> rng = np.random.default_rng(0)
    >>> p_values = np.concatenate([np.full(40, 1 / 501), rng.integers(1, 502, 260) / 501])
    >>> bounds = fdp_bounds(p_values, n_calib=500, random_state=0)
    >>> bool(bounds.bound_top_k(40) <= 40)
    True
    """

    def __init__(self, n_false_upper, thresholds, order, *, confidence, method, envelope_scale):
        self.n_false_upper = n_false_upper
        self.thresholds = thresholds
        self.order = order
        self.confidence = confidence
        self.method = method
        self.envelope_scale = envelope_scale
        self.fdp_upper = n_false_upper / np.arange(1, n_false_upper.shape[0] + 1)
        self.precision_lower = 1.0 - self.fdp_upper

    def __repr__(self):
        return (
            f"FDPBounds(n_tests={self.n_false_upper.shape[0]}, confidence={self.confidence}, "
            f"method={self.method!r})"
        )

    def _check_k(self, k):
        n_tests = self.n_false_upper.shape[0]
        if not isinstance(k, Integral | np.integer) or isinstance(k, bool) or not 0 <= k <= n_tests:
            raise ValueError(f"k must be an integer in [0, {n_tests}], got {k!r}.")
        return int(k)

    def bound_top_k(self, k):
        """Upper bound on the number of false selections among the top ``k`` units.

        Parameters
        ----------
        k : int
            Number of units kept, from the smallest p-value; 0 gives 0.

        Returns
        -------
        n_false : int
            At most this many of the top ``k`` are false selections (jointly over ``k``,
            with probability ``confidence``).

        Examples
        --------
        >>> from skselect.conformal import fdp_bounds
        >>> bounds = fdp_bounds([0.002, 0.004, 0.3, 0.9], n_calib=499, random_state=0)
        >>> bounds.bound_top_k(2), bounds.bound_top_k(4)
        (0, 2)
        """
        k = self._check_k(k)
        return 0 if k == 0 else int(self.n_false_upper[k - 1])

    def bound_at(self, threshold):
        """Upper bound on the false discovery proportion of ``{j: p_j <= threshold}``.

        Parameters
        ----------
        threshold : float
            The p-value cut-off.

        Returns
        -------
        fdp : float
            Upper bound on the false discovery proportion of the units with p-values at
            or below ``threshold`` (0 when there are none).

        Examples
        --------
        >>> from skselect.conformal import fdp_bounds
        >>> bounds = fdp_bounds([0.002, 0.004, 0.3, 0.9], n_calib=499, random_state=0)
        >>> bounds.bound_at(0.01), bounds.bound_at(1.0)
        (0.0, 0.5)
        """
        if not isinstance(threshold, Real) or np.isnan(threshold):
            raise ValueError(f"threshold must be a real number, got {threshold!r}.")
        k = int(np.searchsorted(self.thresholds, threshold, side="right"))
        return 0.0 if k == 0 else float(self.fdp_upper[k - 1])

    def largest_k(self, max_fdp):
        """Largest ``k`` whose top-``k`` FDP bound is at most ``max_fdp``.

        Parameters
        ----------
        max_fdp : float in [0, 1]
            Largest acceptable false discovery proportion.

        Returns
        -------
        k : int
            The largest such ``k``; 0 when none qualifies.

        Examples
        --------
        >>> from skselect.conformal import fdp_bounds
        >>> bounds = fdp_bounds([0.002, 0.004, 0.3, 0.9], n_calib=499, random_state=0)
        >>> bounds.largest_k(1.0)
        4
        """
        if not isinstance(max_fdp, Real) or not 0 <= max_fdp <= 1:
            raise ValueError(f"max_fdp must be a number in [0, 1], got {max_fdp!r}.")
        passing = np.flatnonzero(self.fdp_upper <= max_fdp)
        return int(passing[-1]) + 1 if passing.size else 0

    def to_frame(self):
        """The bounds as a DataFrame, one row per ``k``.

        Returns
        -------
        frame : pandas DataFrame of shape (m, 5)
            Indexed by ``k`` (from 1), with columns ``unit`` (the index of the ``k``-th
            unit, -1 when unknown), ``threshold``, ``n_false_upper``, ``fdp_upper`` and
            ``precision_lower``.

        Examples
        --------
        >>> from skselect.conformal import fdp_bounds
        >>> bounds = fdp_bounds([0.002, 0.004, 0.3, 0.9], n_calib=499, random_state=0)
        >>> bounds.to_frame().shape
        (4, 5)
        """
        import pandas as pd

        n_tests = self.n_false_upper.shape[0]
        order = self.order if self.order is not None else np.full(n_tests, -1)
        return pd.DataFrame(
            {
                "unit": order,
                "threshold": self.thresholds,
                "n_false_upper": self.n_false_upper,
                "fdp_upper": self.fdp_upper,
                "precision_lower": self.precision_lower,
            },
            index=pd.RangeIndex(1, n_tests + 1, name="k"),
        )


def _bounds_from_sorted(sorted_p, order, n_calib, confidence, method, boost, n_resamples, seed):
    n_tests = sorted_p.shape[0]
    if n_tests == 0:
        empty = np.zeros(0, dtype=np.int64)
        return FDPBounds(
            empty,
            np.zeros(0),
            order,
            confidence=confidence,
            method=method,
            envelope_scale=np.nan,
        )
    scale = _envelope_scale(n_calib, n_tests, method, n_resamples, seed, confidence)
    levels = _grid_levels(sorted_p, n_calib)
    # Rounding up keeps the order of sorted p-values.
    levels = np.maximum.accumulate(levels)
    n_false = _false_upper_from_levels(levels, n_calib, n_tests, method, scale, boost)
    return FDPBounds(
        n_false,
        sorted_p,
        order,
        confidence=confidence,
        method=method,
        envelope_scale=scale,
    )


def _seed(random_state):
    return int(_check_random_state(random_state).randint(np.iinfo(np.int32).max))


@validate_params(
    {
        "p_values": ["array-like"],
        "n_calib": [Interval(Integral, 1, None, closed="left")],
        "confidence": [Interval(Real, 0, 1, closed="neither")],
        "method": [StrOptions(set(FDP_METHODS))],
        "boost": ["boolean"],
        "n_resamples": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def fdp_bounds(
    p_values,
    n_calib,
    *,
    confidence=0.9,
    method="hc",
    boost=True,
    n_resamples=1000,
    random_state=None,
):
    """Bound the number of false selections among the top ``k``, for every ``k`` at once.

    Given the conformal p-values of ``m`` test units against ``n_calib`` calibration units
    (unweighted, deterministic or randomized), returns bounds that hold simultaneously for
    all ``k`` with probability at least ``confidence``: at most ``n_false_upper[k - 1]`` of
    the ``k`` units with the smallest p-values have a label outside the target set. A
    screening team can look at the whole curve and then decide how many units to keep,
    with the guarantee intact (unlike an FDR level, which must be fixed in advance).

    The bound uses the exact joint law of conformal p-values under exchangeability of the
    calibration and test data (Gazin, Blanchard and Roquain, 2024), which depends only on
    ``n_calib`` and ``m``: an envelope ``B(t)`` of the empirical distribution function of
    the ``m`` oracle p-values holds for all ``t`` with probability at least
    ``confidence``, its scale ``lambda`` taken from ``n_resamples`` exact draws of that
    law. The number of false selections among the top ``k`` is then at most
    ``m B(p_(k))``; with ``boost=True`` it is also at most the bound at any smaller top
    set plus the units added, and at most the bound of any larger top set.

    Parameters
    ----------
    p_values : array-like of shape (m,)
        Conformal p-values of the test units, each computed against the same
        ``n_calib`` calibration units with unit weights (for instance
        :func:`conformal_pvalues` or :meth:`ConformalSelector.p_values`). Weighted
        p-values (covariate shift) do not have this joint law and must not be used.
    n_calib : int
        Number of calibration units.
    confidence : float in (0, 1), default=0.9
        Probability ``1 - delta`` that all the bounds hold at once.
    method : {"hc", "ks"}, default="hc"
        Envelope shape. ``"hc"`` (higher criticism): ``B(t) = t + lambda sqrt(t (1 - t))``,
        tight for small p-values, where the top units are. ``"ks"`` (Kolmogorov-Smirnov):
        ``B(t) = t + lambda``, the same slack everywhere.
    boost : bool, default=True
        Combine the bounds across ``k`` as described above (never looser).
    n_resamples : int, default=1000
        Draws of the exact law used to set ``lambda``. The bounds hold with probability
        at least ``confidence`` for any number of draws; more draws make them less
        variable. A ``confidence`` above ``n_resamples / (n_resamples + 1)`` gives trivial
        bounds.
    random_state : int, RandomState instance or None, default=None
        Seeds the draws. An int gives reproducible bounds (and reuses the draws of an
        earlier call with the same ``n_calib``, ``m``, ``method`` and ``n_resamples``).

    Returns
    -------
    bounds : FDPBounds
        The bounds for ``k = 1..m``, with ``bound_top_k``, ``bound_at``, ``largest_k`` and
        ``to_frame``.

    See Also
    --------
    ConformalSelector.fdp_bounds : The same bounds from a fitted selector.
    benjamini_hochberg : FDR control at a level fixed in advance.

    Notes
    -----
    Validity: with the clipped score a null test unit's p-value is its oracle p-value; with
    the residual score it is larger. Either way the number of null units at or below
    ``t`` is at most the number of oracle p-values at or below ``t``, which the envelope
    bounds. Randomized p-values are rounded up to the grid ``c / (n + 1)`` first (their
    rank with random tie-breaking), which has exactly the law used. The draws cost
    ``O(n_resamples n log n)`` whatever ``m``; the bounds then cost ``O(m log m)``.

    References
    ----------
    .. [1] U. Gazin, G. Blanchard and E. Roquain, "Transductive conformal inference with
       adaptive scores", AISTATS, 2024.
    .. [2] E. Roquain and G. Blanchard, "Post hoc confidence bounds on false positives
       using reference families", Annals of Statistics, 2020 (the interpolation
       ``V(k) <= V(l) + k - l``).

    Examples
    --------
    >>> import numpy as np
    >>> from skselect.conformal import conformal_pvalues, fdp_bounds
    >>> rng = np.random.default_rng(0)
    >>> calib = np.where(rng.random(500) < 0.2, np.inf, rng.normal(size=500))
    >>> test = np.concatenate([rng.normal(-3, 0.5, 40), rng.normal(size=260)])
    >>> bounds = fdp_bounds(conformal_pvalues(calib, test), n_calib=500, random_state=0)
    >>> bounds.bound_top_k(20) <= 20, bounds.largest_k(0.2) > 0
    (True, True)
    """
    p_values = _as_1d_float(p_values, "p_values", allow_infinite=False).astype(
        np.float64, copy=False
    )
    if ((p_values <= 0) | (p_values > 1)).any():
        raise ValueError(
            "p_values must lie in (0, 1] (conformal p-values are at least 1 / (n + 1)), got "
            f"values in [{p_values.min()!r}, {p_values.max()!r}]."
        )
    order = np.argsort(p_values, kind="stable")
    return _bounds_from_sorted(
        p_values[order],
        order,
        int(n_calib),
        float(confidence),
        method,
        bool(boost),
        int(n_resamples),
        _seed(random_state),
    )
