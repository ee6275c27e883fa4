"""ProportionalOddsClassifier: one weight vector for every boundary (maximum likelihood, or
penalised)."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Real

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval

from skselect.ordinal._base import (
    _BaseCumulativeLogit,
    _warn_not_converged,
)
from skselect.ordinal._newton_solver import solve_path


class ProportionalOddsClassifier(_BaseCumulativeLogit):
    """Proportional-odds (cumulative logit) classifier: one weight vector for all boundaries.

    ``P(y <= classes_[k] | x) = sigmoid(intercept_[k] - x @ coef_)`` with a single weight
    vector, fitted by maximum likelihood (``alpha=0``) or with an elastic-net penalty on the
    weights. It is the large-``alpha`` limit of ``PRESTOClassifier(first_penalty_factor=0)``
    and shares its solver and prediction methods, so the two can be compared in one grid search.

    Read more in the :ref:`User Guide <ordinal>`.

    Parameters
    ----------
    alpha : float, default=0.0
        Penalty level (>= 0) on the shared weights (standardised scale).
    link : {"logit", "probit", "cloglog", "loglog", "cauchit"}, default="logit"
        The cumulative link, as in :class:`PRESTOClassifier` (``"probit"`` is the ordered
        probit model).
    l1_ratio : float, default=1.0
        Elastic-net mixing in [0, 1], as in :class:`PRESTOClassifier`.
    standardize : bool, default=True
        Penalise coefficients of standardised features.
    fit_intercept : bool, default=True
        Fit one threshold per boundary; ``False`` only for two classes.
    tol : float, default=1e-8
        Optimality tolerance, as in :class:`PRESTOClassifier`.
    max_iter : int, default=10000
        Maximum number of Newton iterations.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels in ordinal order.
    coef_ : ndarray of shape (n_features,)
        The weight vector shared by every boundary. Positive weights push mass towards the
        higher classes; this is statsmodels' ``OrderedModel`` and R's ``polr`` / ``clm``
        ``beta``.
    intercept_ : ndarray of shape (n_classes - 1,)
        Increasing thresholds (statsmodels' and R's cut points).
    n_iter_ : int
        Newton iterations run.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when X has string column names.

    See Also
    --------
    PRESTOClassifier : Lets the boundaries have their own, fused, weight vectors.
    coef_table : The fitted coefficients as a table with named boundaries.

    Notes
    -----
    Proportional-odds boundaries never cross, so the predicted probabilities need no repair.

    Examples
    --------
    >>> import numpy as np
    >>> from skselect.ordinal import ProportionalOddsClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = np.digitize(X @ [1.0, -1.0] + rng.logistic(size=300), [-1.0, 0.0, 1.0])
    >>> clf = ProportionalOddsClassifier().fit(X, y)
    >>> clf.coef_.shape, clf.intercept_.shape
    ((2,), (3,))
    """

    _unpenalised_first_vector = ("alpha=0 leaves the shared weights", "alpha > 0")

    def _first_vector_penalised(self):
        return self.alpha > 0

    _parameter_constraints: dict = {
        **_BaseCumulativeLogit._parameter_constraints,
        "alpha": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        alpha=0.0,
        *,
        link="logit",
        l1_ratio=1.0,
        standardize=True,
        fit_intercept=True,
        tol=1e-8,
        max_iter=10000,
    ):
        self.alpha = alpha
        self.link = link
        self.l1_ratio = l1_ratio
        self.standardize = standardize
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # One weight vector for all boundaries cannot separate classes that are not ordered
        # along a direction (the common checks' three blobs sit on a triangle).
        tags.classifier_tags.poor_score = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the proportional-odds model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Ordered class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights.

        Returns
        -------
        self : object
            Fitted estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from skselect.ordinal import ProportionalOddsClassifier
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(200, 2))
        >>> y = np.digitize(X @ [1.0, -1.0] + rng.logistic(size=200), [-1.0, 1.0])
        >>> ProportionalOddsClassifier().fit(X, y).intercept_.shape
        (2,)
        """
        X, classes, codes, sample_weight = self._validate_common(X, y, sample_weight)
        problem = self._make_problem(X, codes, len(classes), sample_weight, proportional_odds=True)
        [(_, u, n_iter, converged)] = solve_path(
            problem, [self.alpha], tol=self.tol, max_iter=self.max_iter
        )
        if not converged:
            _warn_not_converged(self, self.max_iter)
        self._set_fitted(problem, u, X, classes)
        self.coef_ = self.coef_[0].copy()
        del self.coef_diff_
        self.n_iter_ = n_iter
        return self
