"""Relevance-aware regression metrics: SERA and the relevance-weighted RMSE."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numbers

import numpy as np
from sklearn.metrics import make_scorer
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import _check_sample_weight

from skselect.over_sampling._relevance import (
    _EXTREMES,
    _as_target,
    _phi,
    _resolve_control_points,
)

_PARAMS = {
    "y_true": ["array-like"],
    "y_pred": ["array-like"],
    "relevance": [StrOptions(set(_EXTREMES)), "array-like"],
    "sample_weight": ["array-like", None],
    "coef": [Interval(numbers.Real, 0, None, closed="neither")],
}


def _relevance_and_errors(y_true, y_pred, relevance, sample_weight, coef):
    y_true = _as_target(y_true, "y_true")
    y_pred = _as_target(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred have different lengths ({y_true.size} and {y_pred.size}); "
            "pass one prediction per target."
        )
    points = _resolve_control_points(y_true, relevance, coef)
    phi = _phi(y_true, points)
    weight = _check_sample_weight(sample_weight, y_true, ensure_non_negative=True)
    with np.errstate(over="ignore", invalid="ignore"):
        squared_errors = weight * (y_pred - y_true) ** 2
        total = np.dot(phi, squared_errors)
    if not np.isfinite(total):
        raise ValueError(
            "The squared errors of y_pred against y_true (with sample_weight) overflow "
            "float64; rescale the targets and predictions."
        )
    return phi, squared_errors, weight


@validate_params(_PARAMS, prefer_skip_nested_validation=True)
def sera(y_true, y_pred, *, relevance="both", sample_weight=None, coef=1.5):
    """Squared error-relevance area (SERA) of regression predictions.

    SERA [1]_ integrates over relevance thresholds ``t`` in ``[0, 1]`` the squared error of
    the cases at least that relevant, ``SER_t = sum over {i : phi(y_i) >= t} of
    (y_pred_i - y_i) ** 2``. A case counts for every ``t <= phi(y_i)``, so the area is exactly
    ``sum_i phi(y_i) * (y_pred_i - y_i) ** 2``; the paper's trapezoid rule on a grid of
    thresholds converges to this value. Lower is better: errors on relevant (rare) targets
    weigh more, errors on targets of relevance 0 not at all.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True targets.

    y_pred : array-like of shape (n_samples,)
        Predicted targets.

    relevance : {"both", "high", "low"} or array-like of shape (n_points, 3), default="both"
        Control points of the relevance function, or the extremes of ``y_true`` that are
        relevant (see :func:`skselect.over_sampling.relevance`). To score several test
        sets with the relevance of the training targets, pass
        ``relevance_control_points(y_train)``.

    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weights of the squared errors.

    coef : float, default=1.5
        Box-plot coefficient of the automatic control points.

    Returns
    -------
    sera : float
        The squared error-relevance area, non-negative.

    See Also
    --------
    sera_scorer : SERA as a ``scoring`` argument of model selection tools.
    relevance_weighted_rmse : Root of the relevance-weighted mean squared error.

    References
    ----------
    .. [1] R. P. Ribeiro, N. Moniz, "Imbalanced regression and extreme value prediction",
       Machine Learning 109, 1803-1835, 2020.

    Examples
    --------
    >>> from skselect.metrics import sera
    >>> points = [[0, 0, 0], [10, 1, 0]]
    >>> float(sera([0.0, 5.0, 10.0], [1.0, 5.0, 8.0], relevance=points))
    4.0
    """
    phi, squared_errors, _ = _relevance_and_errors(y_true, y_pred, relevance, sample_weight, coef)
    return float(np.dot(phi, squared_errors))


@validate_params(_PARAMS, prefer_skip_nested_validation=True)
def relevance_weighted_rmse(y_true, y_pred, *, relevance="both", sample_weight=None, coef=1.5):
    """Root mean squared error with each case weighted by the relevance of its target.

    ``sqrt(sum_i w_i phi(y_i) (y_pred_i - y_i) ** 2 / sum_i w_i phi(y_i))``: the RMSE the
    relevant cases see, the targets of relevance 0 not counted [1]_.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True targets.

    y_pred : array-like of shape (n_samples,)
        Predicted targets.

    relevance : {"both", "high", "low"} or array-like of shape (n_points, 3), default="both"
        Control points of the relevance function, or the extremes of ``y_true`` that are
        relevant (see :func:`skselect.over_sampling.relevance`).

    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weights of the cases.

    coef : float, default=1.5
        Box-plot coefficient of the automatic control points.

    Returns
    -------
    rmse : float
        The relevance-weighted root mean squared error.

    See Also
    --------
    sera : Squared error-relevance area.

    References
    ----------
    .. [1] R. P. Ribeiro, N. Moniz, "Imbalanced regression and extreme value prediction",
       Machine Learning 109, 1803-1835, 2020.

    Examples
    --------
    >>> from skselect.metrics import relevance_weighted_rmse
    >>> points = [[0, 0, 0], [10, 1, 0]]
    >>> float(relevance_weighted_rmse([0.0, 5.0, 10.0], [1.0, 3.0, 8.0], relevance=points))
    2.0
    """
    phi, squared_errors, weight = _relevance_and_errors(
        y_true, y_pred, relevance, sample_weight, coef
    )
    total = float(np.dot(phi, weight))
    if total == 0:
        raise ValueError(
            "No case of y_true has a positive relevance (with its weight), so the "
            "relevance-weighted RMSE is undefined; check relevance and sample_weight."
        )
    return float(np.sqrt(np.dot(phi, squared_errors) / total))


@validate_params(
    {
        "relevance": [StrOptions(set(_EXTREMES)), "array-like"],
        "coef": [Interval(numbers.Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def sera_scorer(*, relevance="both", coef=1.5):
    """SERA as a scorer, for ``scoring=`` in :class:`~sklearn.model_selection.GridSearchCV`.

    The scorer returns minus :func:`sera` (scikit-learn maximises scores), computed on each
    test fold with the given relevance.

    Parameters
    ----------
    relevance : {"both", "high", "low"} or array-like of shape (n_points, 3), default="both"
        Control points of the relevance function, or the extremes of each fold's targets
        that are relevant. Fixed control points (for example
        ``relevance_control_points(y)`` of the whole training target) make the folds'
        scores comparable.

    coef : float, default=1.5
        Box-plot coefficient of the automatic control points.

    Returns
    -------
    scorer : callable
        A scorer ``scorer(estimator, X, y)``, greater is better.

    See Also
    --------
    sera : The metric.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.model_selection import cross_val_score
    >>> from skselect.metrics import sera_scorer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(100, 3))
    >>> y = np.exp(X[:, 0])
    >>> scores = cross_val_score(Ridge(), X, y, scoring=sera_scorer(), cv=3)
    >>> bool((scores <= 0).all())
    True
    """
    return make_scorer(sera, greater_is_better=False, relevance=relevance, coef=coef)
