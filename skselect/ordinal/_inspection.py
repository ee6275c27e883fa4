"""Reading a fitted cumulative model: boundary names, the coefficient table and the
likelihood-ratio test of parallel lines."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numbers
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted

from skselect.ordinal._base import (
    _BaseCumulativeLogit,
    _warn_not_converged,
)
from skselect.ordinal._links import LINKS
from skselect.ordinal._newton_solver import solve_path
from skselect.ordinal._presto import PRESTOClassifier

# Reading a fitted model
# --------------------------------------------------------------------------------------------


def boundary_names(classes):
    """Names of the K - 1 boundaries between ordered classes, such as ``"<= 5 | > 5"``.

    Parameters
    ----------
    classes : array-like of shape (n_classes,)
        Class labels in ordinal order (a fitted model's ``classes_``).

    Returns
    -------
    names : list of str
        ``"<= c_k | > c_k"`` for every class ``c_k`` but the last.

    Examples
    --------
    >>> from skselect.ordinal import boundary_names
    >>> boundary_names([3, 4, 5])
    ['<= 3 | > 3', '<= 4 | > 4']
    """
    if isinstance(classes, (str, bytes)) or np.ndim(classes) != 1:
        raise ValueError(
            "classes must be a 1-d array-like of class labels in ordinal order (a fitted "
            f"model's classes_); got {type(classes).__name__} with {np.ndim(classes)} dimension(s)."
        )
    labels = list(classes)
    if any(isinstance(label, numbers.Real) and label != label for label in labels):
        raise ValueError(f"classes must not contain NaN; got {labels!r}.")
    if len(set(labels)) != len(labels):
        raise ValueError(f"classes must not repeat a label; got {labels!r}.")
    return [f"<= {label} | > {label}" for label in labels[:-1]]


def coef_table(estimator, *, feature_names=None):
    """The coefficients of a fitted cumulative model as a table with named boundaries.

    Parameters
    ----------
    estimator : PRESTOClassifier, PRESTOClassifierCV or ProportionalOddsClassifier
        A fitted model.
    feature_names : array-like of str, default=None
        Row names of the features; defaults to ``feature_names_in_`` when the model was fitted
        on a DataFrame, else ``"x0"``, ``"x1"``, ...

    Returns
    -------
    table : pandas.DataFrame of shape (n_features + 1, n_classes - 1)
        One column per boundary, named by its class labels (``"<= 5 | > 5"``), the first row
        (``"threshold"``) the boundary's threshold ``intercept_[k]``, the others the weights
        ``beta_k``, in the model ``P(y <= c_k | x) = sigmoid(threshold_k - x @ beta_k)``: a
        positive weight raises the odds of classes above the boundary. A proportional-odds
        model repeats its one weight vector in every column.

    Examples
    --------
    >>> import numpy as np
    >>> from skselect.ordinal import PRESTOClassifier, coef_table
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(300, 2))
    >>> y = np.digitize(X @ [2.0, -1.0] + rng.logistic(size=300), [-1.0, 1.0]) + 4
    >>> table = coef_table(PRESTOClassifier().fit(X, y), feature_names=["acid", "sugar"])
    >>> table.columns.tolist()
    ['<= 4 | > 4', '<= 5 | > 5']
    >>> table.index.tolist()
    ['threshold', 'acid', 'sugar']
    """
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - pandas is present wherever tests run
        raise ImportError("coef_table needs pandas; install it with `pip install pandas`.") from exc
    if not isinstance(estimator, _BaseCumulativeLogit):
        raise TypeError(
            "coef_table expects a PRESTOClassifier, PRESTOClassifierCV or "
            f"ProportionalOddsClassifier; got {type(estimator).__name__}."
        )
    check_is_fitted(estimator)
    n_features = estimator.n_features_in_
    if feature_names is None:
        feature_names = getattr(estimator, "feature_names_in_", None)
    if feature_names is None:
        feature_names = [f"x{j}" for j in range(n_features)]
    if isinstance(feature_names, (str, bytes)) or np.ndim(feature_names) != 1:
        # A string would otherwise be split into one-letter names.
        raise ValueError(
            f"feature_names must be a 1-d array-like of {n_features} names; got "
            f"{type(feature_names).__name__} {feature_names!r}."
        )
    feature_names = [str(name) for name in feature_names]
    if len(feature_names) != n_features:
        raise ValueError(
            f"feature_names must have one name per feature ({n_features}); got "
            f"{len(feature_names)} names."
        )
    coef = np.broadcast_to(estimator._boundary_coef(), (len(estimator.intercept_), n_features))
    values = np.vstack([np.asarray(estimator.intercept_, dtype=np.float64), coef.T])
    return pd.DataFrame(
        values,
        index=pd.Index(["threshold", *feature_names], name="feature"),
        columns=pd.Index(boundary_names(estimator.classes_), name="boundary"),
    )


# --------------------------------------------------------------------------------------------
# Does proportional odds hold? A likelihood-ratio test per feature
# --------------------------------------------------------------------------------------------


def _max_loglik(problem, fixed, *, tol, max_iter):
    """Weighted mean log-likelihood at the unpenalised optimum with ``fixed`` coordinates at 0."""
    problem.fixed = fixed
    [(_, u, _, converged)] = solve_path(problem, [0.0], tol=tol, max_iter=max_iter)
    return -problem.loss(u), converged


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "sample_weight": ["array-like", None],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "link": [StrOptions(set(LINKS))],
    },
    prefer_skip_nested_validation=True,
)
def parallel_lines_test(X, y, *, sample_weight=None, tol=1e-8, max_iter=1000, link="logit"):
    """Likelihood-ratio tests of the proportional-odds (parallel lines) assumption.

    For every feature ``j``, the proportional-odds model (one weight vector for all boundaries,
    fitted by maximum likelihood) is compared with the model in which feature ``j`` alone has
    its own weight at every boundary (a partial proportional-odds model, R's ``clm`` with
    ``nominal = ~ x_j``). The statistic is twice the difference of the maximised
    log-likelihoods; under proportional odds it is asymptotically chi-squared with
    ``n_classes - 2`` degrees of freedom. An omnibus test compares proportional odds with
    separate weights at every boundary (``PRESTOClassifier(alpha=0)``), with
    ``n_features * (n_classes - 2)`` degrees of freedom. The same test is R's
    ``ordinal::nominal_test`` for each term.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Ordered class labels (sorted order, or a pandas ordered Categorical's), at least 3
        classes.
    sample_weight : array-like of shape (n_samples,), default=None
        Frequency weights: a weight of 2 counts a row twice in the log-likelihood.
    tol : float, default=1e-8
        Optimality tolerance of each maximum-likelihood fit.
    max_iter : int, default=1000
        Maximum Newton iterations of each fit.
    link : {"logit", "probit", "cloglog", "loglog", "cauchit"}, default="logit"
        The cumulative link of the models compared.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        With ``feature_names`` (ndarray of str), ``statistic`` (ndarray of shape
        (n_features,)), ``df`` (int, ``n_classes - 2``), ``pvalue`` (ndarray of shape
        (n_features,)), ``omnibus_statistic``, ``omnibus_df`` and ``omnibus_pvalue``. A small
        p-value says the feature's effect differs between boundaries, i.e. that
        proportional odds is too restrictive for it (and that PRESTO may help).

    Notes
    -----
    Fits are constrained, like every fit in this module, to non-crossing cumulative
    probabilities on the training rows; where that constraint is active the alternative's
    likelihood is the constrained maximum, and the chi-squared reference is approximate. With
    separable classes the maximum-likelihood estimates do not exist and a ConvergenceWarning
    is raised.

    Examples
    --------
    >>> import numpy as np
    >>> from skselect.ordinal import parallel_lines_test
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(2000, 2))
    >>> cuts = np.array([-1.0, 0.0, 1.0])
    >>> slopes = np.array([[1.0, 0.6], [1.0, 0.0], [1.0, -0.6]])  # feature 1 is not parallel
    >>> cumulative = 1 / (1 + np.exp(-(cuts - X @ slopes.T)))
    >>> y = (rng.uniform(size=(2000, 1)) > cumulative).sum(axis=1)
    >>> result = parallel_lines_test(X, y)
    >>> result.df
    2
    >>> bool(result.pvalue[1] < 1e-6), bool(result.omnibus_pvalue < 1e-6)
    (True, True)
    """
    from scipy.stats import chi2
    from sklearn.utils import Bunch

    helper = PRESTOClassifier(alpha=0.0, link=link, tol=tol, max_iter=max_iter)
    X, classes, codes, weights = helper._validate_common(X, y, sample_weight)
    n_classes, n_features = len(classes), X.shape[1]
    if n_classes < 3:
        raise ValueError(
            "parallel_lines_test needs at least 3 ordered classes (with 2 there is one "
            f"boundary and nothing to compare); y has {n_classes}: {classes.tolist()!r}."
        )
    problem = helper._make_problem(X, codes, n_classes, weights)
    n_boundaries = n_classes - 1
    total_weight = float(np.sum(weights))
    later = np.zeros_like(problem.fixed)
    later[n_boundaries + n_features :] = True  # psi_2, ..., psi_(K-1): the non-parallel part
    null, converged = _max_loglik(problem, later.copy(), tol=tol, max_iter=max_iter)
    all_converged = converged
    statistic = np.empty(n_features)
    for j in range(n_features):
        fixed = later.copy()
        fixed[n_boundaries + n_features + j :: n_features] = False
        alternative, converged = _max_loglik(problem, fixed, tol=tol, max_iter=max_iter)
        all_converged &= converged
        statistic[j] = 2.0 * total_weight * (alternative - null)
    full, converged = _max_loglik(problem, np.zeros_like(problem.fixed), tol=tol, max_iter=max_iter)
    all_converged &= converged
    if not all_converged:
        _warn_not_converged(helper, max_iter, what=" (in parallel_lines_test)")
    # Nested maxima: a negative difference is rounding at the optimum.
    statistic = np.maximum(statistic, 0.0)
    omnibus = max(2.0 * total_weight * (full - null), 0.0)
    df = n_classes - 2
    names = getattr(helper, "feature_names_in_", None)
    if names is None:
        names = np.array([f"x{j}" for j in range(n_features)], dtype=object)
    return Bunch(
        feature_names=np.asarray(names),
        statistic=statistic,
        df=df,
        pvalue=chi2.sf(statistic, df),
        omnibus_statistic=omnibus,
        omnibus_df=n_features * df,
        omnibus_pvalue=float(chi2.sf(omnibus, n_features * df)),
    )
