"""Relevance of regression targets: Ribeiro's phi, the basis of SMOTER, SMOGN and SERA.

``phi`` maps a target value to ``[0, 1]``, 1 for the values that matter most (usually the rare
extremes). It is a piecewise cubic Hermite interpolation through control points
``(y, phi, slope)`` whose slopes are made monotone by Fritsch and Carlson's rule, as in
Ribeiro's thesis and its reference implementations (R ``uba``/``UBL``, Python ``smogn``).
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import numbers

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

_EXTREMES = ("both", "high", "low")


def _as_target(y, name="y"):
    """A finite 1-D float64 copy of ``y``; errors name the argument."""
    values = np.asarray(y)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values.ravel()
    if values.ndim != 1:
        raise ValueError(
            f"{name} must be one-dimensional (one target value per sample); got an array of "
            f"shape {values.shape}."
        )
    if values.dtype.kind == "c":
        raise TypeError(f"{name} must hold real numbers (a regression target); got complex values.")
    if values.dtype.kind not in "biuf":
        try:
            values = values.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"{name} must hold numbers (a regression target); got dtype {values.dtype}."
            ) from None
    values = values.astype(np.float64, copy=False)
    if values.size == 0:
        raise ValueError(f"{name} is empty: at least one target value is required.")
    if not np.isfinite(values).all():
        raise ValueError(
            f"{name} contains NaN or infinite values; every target value must be finite."
        )
    return values


def _fivenum(sorted_y):
    """Tukey's five-number summary, computed as R's ``fivenum`` (hinges, not quantiles)."""
    n = sorted_y.size
    n4 = math.floor((n + 3) / 2) / 2
    positions = np.array([1.0, n4, (n + 1) / 2, n + 1 - n4, float(n)]) - 1.0
    lower, upper = np.floor(positions).astype(int), np.ceil(positions).astype(int)
    # halves first: the sum of two values near the largest float would overflow
    return 0.5 * sorted_y[lower] + 0.5 * sorted_y[upper]


def _box_plot_stats(y, coef):
    """R's ``boxplot.stats``: whiskers at the most extreme values within ``coef`` hinge spreads."""
    sorted_y = np.sort(y)
    stats = _fivenum(sorted_y)
    with np.errstate(over="ignore"):
        # an overflowing spread (values near the largest float) puts every value inside
        spread = stats[3] - stats[1]
        inside = (sorted_y >= stats[1] - coef * spread) & (sorted_y <= stats[3] + coef * spread)
    if not inside.all():
        stats[0] = sorted_y[inside].min()
        stats[4] = sorted_y[inside].max()
    return stats


@validate_params(
    {
        "y": ["array-like"],
        "extremes": [StrOptions(set(_EXTREMES))],
        "coef": [Interval(numbers.Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def relevance_control_points(y, *, extremes="both", coef=1.5):
    """Control points of the automatic relevance function of a regression target.

    The rare extremes of ``y`` are the values beyond the whiskers of its box plot [1]_: the
    values outside ``[Q1 - coef * IQR, Q3 + coef * IQR]`` (Tukey's rule), the quartiles being
    Tukey's hinges and the whiskers the most extreme values inside those fences, exactly as
    R's ``boxplot.stats`` computes them. Relevance is 0 at the median and 1 at each whisker
    beyond which ``y`` has values; an end without such values gets a 0 at ``y``'s minimum or
    maximum instead. This is the rule of the authors' reference implementation (the R package
    ``UBL``) and of the Python package ``smogn``. Ribeiro's thesis [2]_ also discusses the
    adjusted box plot for skewed data (whiskers moved by the medcouple); the classic rule is
    used here so that the rare cases are those the published SMOTER and SMOGN results used.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Target values.

    extremes : {"both", "high", "low"}, default="both"
        Which extremes are relevant: both tails, the high tail or the low tail.

    coef : float, default=1.5
        Box-plot coefficient: the whiskers reach at most ``coef`` inter-quartile ranges
        beyond the quartiles.

    Returns
    -------
    control_points : ndarray of shape (n_points, 3)
        One row ``[y, phi, slope]`` per control point, in increasing ``y``; the slopes are 0.

    See Also
    --------
    relevance : Relevance of target values.

    References
    ----------
    .. [1] J. W. Tukey, "Exploratory Data Analysis", Addison-Wesley, 1977, section 2C.
    .. [2] R. P. Ribeiro, "Utility-based regression", PhD thesis, Faculty of Sciences,
       University of Porto, 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from skselect.over_sampling import relevance_control_points
    >>> y = np.r_[np.arange(20.0), 100.0]
    >>> relevance_control_points(y, extremes="high")
    array([[ 0.,  0.,  0.],
           [10.,  0.,  0.],
           [19.,  1.,  0.]])
    """
    y = _as_target(y)
    stats = _box_plot_stats(y, coef)
    low, high = y.min(), y.max()
    points = []
    if extremes in ("both", "low") and (y < stats[0]).any():
        points.append([stats[0], 1.0, 0.0])
    else:
        points.append([low, 0.0, 0.0])
    points.append([stats[2], 0.0, 0.0])
    if extremes in ("both", "high") and (y > stats[4]).any():
        points.append([stats[4], 1.0, 0.0])
    else:
        points.append([high, 0.0, 0.0])
    # A point at the same y as the previous one (a constant target, or a median equal to the
    # minimum or maximum) would make the interpolation undefined; keep the more relevant one.
    kept = []
    for point in points:
        if kept and point[0] == kept[-1][0]:
            kept[-1] = max(kept[-1], point, key=lambda p: p[1])
        else:
            kept.append(point)
    return np.array(kept, dtype=np.float64)


def _check_control_points(control_points, name="control_points"):
    """Validated ``(n_points, 3)`` control points, sorted by ``y``; errors name ``name``."""
    try:
        points = np.array(control_points, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be 'both', 'high', 'low' or an array-like of rows "
            f"[y, phi] or [y, phi, slope]; got {control_points!r}."
        ) from None
    if points.ndim != 2 or points.shape[1] not in (2, 3) or points.shape[0] < 1:
        raise ValueError(
            f"{name} must be an array-like of rows [y, phi] or [y, phi, slope] "
            f"(shape (n_points, 2) or (n_points, 3)); got shape {points.shape}."
        )
    if not np.isfinite(points).all():
        raise ValueError(f"{name} must be finite; got NaN or infinite values.")
    if points.shape[1] == 2:
        points = np.column_stack([points, np.zeros(points.shape[0])])
    if ((points[:, 1] < 0) | (points[:, 1] > 1)).any():
        raise ValueError(
            f"{name}'s relevance values (second column) must lie in [0, 1]; got "
            f"{points[:, 1].tolist()}."
        )
    points = points[np.argsort(points[:, 0], kind="stable")]
    if (np.diff(points[:, 0]) == 0).any():
        raise ValueError(
            f"{name} must have distinct y values (first column); got {points[:, 0].tolist()}."
        )
    return points


def _monotone_slopes(x, phi, slopes):
    """Fritsch-Carlson slopes, adjusted in the order of Ribeiro's ``uba`` implementation."""
    m = [float(s) for s in slopes]
    h = np.diff(x)
    delta = np.diff(phi) / h
    for k in range(x.size - 1):
        sk = delta[k]
        if sk == 0:
            m[k] = m[k + 1] = 0.0
            continue
        alpha, beta = m[k] / sk, m[k + 1] / sk
        if m[k] != 0 and alpha < 0:
            m[k] = -m[k]
            alpha = m[k] / sk
        if m[k + 1] != 0 and beta < 0:
            m[k + 1] = -m[k + 1]
            beta = m[k + 1] / sk
        a2b3 = 2 * alpha + beta - 3
        ab23 = alpha + 2 * beta - 3
        big = max(abs(alpha), abs(beta))
        if big < 1e150:
            outside = alpha * (a2b3 + ab23) < a2b3 * a2b3
        else:
            # huge slopes: the same test with both sides divided by the larger ratio squared
            # (both ratios are non-negative here), where nothing overflows
            outside = (alpha / big) * ((a2b3 + ab23) / big) < (a2b3 / big) ** 2
        if a2b3 > 0 and ab23 > 0 and outside:
            tau = 3 * sk / np.hypot(alpha, beta)
            m[k] = tau * alpha
            m[k + 1] = tau * beta
    return np.array(m), h, delta


def _phi(y, points):
    """Evaluate the relevance function through validated control points at ``y``."""
    x, a = points[:, 0], points[:, 1]
    out = np.empty(y.shape, dtype=np.float64)
    if x.size == 1:
        out[:] = a[0]
        return out
    # The interpolation is computed on y and the control points divided by a power of two
    # that brings the largest |y| of the control points near 1 (and the slopes multiplied by
    # it): every value is the same, bit for bit, as without scaling, but neither tiny (the
    # slopes 1 / h) nor huge (h * h) quantities overflow.
    exponent = int(np.frexp(np.max(np.abs(x)))[1])
    x = np.ldexp(x, -exponent)
    y = np.ldexp(y, -exponent)
    with np.errstate(over="ignore"):
        # a slope beyond 1e300 (in the scaled units) is as steep as any: cap it, finite
        slopes = np.clip(np.ldexp(points[:, 2], exponent), -1e300, 1e300)
    b, h, delta = _monotone_slopes(x, a, slopes)
    c = (3 * delta - 2 * b[:-1] - b[1:]) / h
    d = (b[:-1] - 2 * delta + b[1:]) / (h * h)
    segment = np.searchsorted(x, y, side="right") - 1
    below, above = segment < 0, segment >= x.size - 1
    inside = ~(below | above)
    i = segment[inside]
    s = y[inside] - x[i]
    out[inside] = a[i] + s * (b[i] + s * (c[i] + s * d[i]))
    # Outside the control points phi keeps the value of the nearest one (relevance stays in
    # [0, 1] however far a new target lies).
    out[below] = a[0]
    out[above] = a[-1]
    return np.clip(out, 0.0, 1.0, out=out)


def _resolve_control_points(y, control_points, coef, name="control_points"):
    if isinstance(control_points, str):
        if control_points not in _EXTREMES:
            raise ValueError(
                f"{name} must be 'both', 'high', 'low' or an array-like of rows "
                f"[y, phi] or [y, phi, slope]; got {control_points!r}."
            )
        return relevance_control_points(y, extremes=control_points, coef=coef)
    return _check_control_points(control_points, name)


@validate_params(
    {
        "y": ["array-like"],
        "control_points": [StrOptions(set(_EXTREMES)), "array-like"],
        "coef": [Interval(numbers.Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def relevance(y, *, control_points="both", coef=1.5):
    """Relevance phi(y) of regression target values, in [0, 1].

    Ribeiro's relevance function [1]_: a piecewise cubic Hermite interpolation through
    control points ``(y_k, phi_k, slope_k)``, the slopes adjusted by Fritsch and Carlson's
    rule [2]_ so that phi is monotone between consecutive control points. Values below the
    first control point or above the last take that point's relevance.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Target values.

    control_points : {"both", "high", "low"} or array-like of shape (n_points, 2) or \
(n_points, 3), default="both"
        A string derives the control points from the box plot of ``y`` itself (see
        :func:`relevance_control_points`): the rare high values, low values or both are
        relevant. An array gives them explicitly, one row ``[y, phi]`` or
        ``[y, phi, slope]`` per point (slopes default to 0); to score new targets with the
        relevance of a training set, pass ``relevance_control_points(y_train)``.

    coef : float, default=1.5
        Box-plot coefficient of the automatic control points; unused with explicit ones.

    Returns
    -------
    phi : ndarray of shape (n_samples,)
        Relevance of every target value.

    See Also
    --------
    relevance_control_points : The automatic control points.
    SMOGN : Over-sample the relevant (rare) targets.

    References
    ----------
    .. [1] R. P. Ribeiro, "Utility-based regression", PhD thesis, Faculty of Sciences,
       University of Porto, 2011.
    .. [2] F. N. Fritsch, R. E. Carlson, "Monotone piecewise cubic interpolation", SIAM
       Journal on Numerical Analysis 17(2), 238-246, 1980.

    Examples
    --------
    >>> from skselect.over_sampling import relevance
    >>> relevance([0.0, 5.0, 10.0], control_points=[[0, 0, 0], [10, 1, 0]])
    array([0. , 0.5, 1. ])
    """
    y = _as_target(y)
    points = _resolve_control_points(y, control_points, coef)
    return _phi(y, points)
