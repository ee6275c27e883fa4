"""PRESTO: cumulative logit with one weight vector per boundary, fused by an L1 penalty.

Model (Faletto & Bien, 2023). For ordered classes c_1 < ... < c_K and boundaries
k = 1, ..., K - 1,

    P(y <= c_k | x) = sigmoid(intercept_k - x . coef_k),

the convention of statsmodels, MASS::polr and ordinal::clm (a positive weight pushes mass
towards the higher classes). The solver works in ordinalNet's convention, sigmoid(a_k + b_k . x)
with b_k = -coef_k, and the estimators flip the sign when they store ``coef_``. PRESTO minimises

    mean_i -log P(y_i | x_i)
      + alpha * sum_j [first_penalty_factor * |b_1j| + sum_{k>=2} |b_kj - b_(k-1)j|]

on standardised features (elastic net: each |t| becomes l1_ratio |t| + (1 - l1_ratio) t**2 / 2).
Writing psi_1 = b_1 and psi_k = b_k - b_(k-1) turns the penalty into a plain lasso on psi, with
b_k = psi_1 + ... + psi_k; the solver works on (intercepts, psi).

The solver is in :mod:`skselect.ordinal._newton_solver`.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numbers
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import check_cv
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from skselect.ordinal._links import LINKS, cdf
from skselect.ordinal._wide_solver import make_problem
from skselect.utils._parallel import _kernel_n_threads

# PRESTOClassifier(alpha="auto") fits at this fraction of alpha_max (glmnet-style scaling).
_AUTO_ALPHA_RATIO = 0.1


def _warn_not_converged(estimator, max_iter, what=""):
    """The family's one convergence warning."""
    warnings.warn(
        f"{type(estimator).__name__}{what} did not converge in max_iter={max_iter} iterations; "
        "increase max_iter or the penalty (the classes may be separable by the features).",
        ConvergenceWarning,
        stacklevel=3,
    )


# --------------------------------------------------------------------------------------------
# Target encoding
# --------------------------------------------------------------------------------------------


def _ordered_categorical_codes(y):
    """Return (categories, codes) if y is a pandas ordered Categorical (or Series of one)."""
    dtype = getattr(y, "dtype", None)
    if not (getattr(dtype, "ordered", False) and hasattr(dtype, "categories")):
        return None
    codes = y.codes if hasattr(y, "codes") else y.cat.codes
    codes = np.asarray(codes)
    if (codes < 0).any():
        raise ValueError("y contains missing values (NaN categories); drop those rows first.")
    return np.asarray(dtype.categories), codes


def _checked_cv(cv, codes):
    """``check_cv`` for an ordinal target, with an error that names ``cv``."""
    if isinstance(cv, Integral) and not isinstance(cv, bool):
        smallest = int(np.bincount(codes).min()) if codes.size else 0
        if cv > codes.size:
            raise ValueError(
                f"cv={cv} asks for more folds than there are samples ({codes.size}); use "
                f"cv <= {codes.size}, or at most {smallest} for stratified folds in which "
                "every class appears."
            )
    return check_cv(cv, codes, classifier=True)


def _encode_target(estimator, X, y):
    """Validate X and y; return X, the ordered classes and the integer codes of y."""
    categorical = _ordered_categorical_codes(y)
    if categorical is not None:
        categories, codes = categorical
        X, codes = validate_data(
            estimator,
            X,
            codes,
            accept_sparse=["csr", "csc"],
            dtype=[np.float64, np.float32],
            order="C",
            y_numeric=False,
        )
        present = np.unique(codes)
        return X, categories[present], np.searchsorted(present, codes).astype(np.intp)
    X, y = validate_data(
        estimator, X, y, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32], order="C"
    )
    if y.dtype == object:
        # Sorting the labels (np.unique, scikit-learn's target checks) would fail with a
        # bare comparison error.
        is_text = np.array([isinstance(label, str) for label in y])
        if is_text.any() and not is_text.all():
            raise TypeError(
                "y mixes strings and numbers (for example "
                f"{y[np.argmax(is_text)]!r} and {y[np.argmin(is_text)]!r}); ordinal class "
                "labels must be all numbers or all strings, or an ordered pandas Categorical "
                "that gives their order."
            )
    check_classification_targets(y)
    classes, codes = np.unique(y, return_inverse=True)
    return X, classes, codes.astype(np.intp, copy=False)


# --------------------------------------------------------------------------------------------
# Prediction helpers shared by the estimators
# --------------------------------------------------------------------------------------------


# A fit whose monotonicity constraint is active on a training row has two equal linear
# predictors there; mapping the coefficients back to the original scale can then leave a
# rounding-level decrease. Only decreases beyond this are crossings.
_CROSSING_TOLERANCE = 1e-12


def _crossing_rows(cumulative):
    if cumulative.shape[1] < 2:
        return np.zeros(cumulative.shape[0], dtype=bool)
    return (np.diff(cumulative, axis=1) < -_CROSSING_TOLERANCE).any(axis=1)


def _repair_crossing(cumulative, crossing, *, warn=True, who="PRESTOClassifier"):
    """Apply the crossing rule to (n, K-1) cumulative probabilities; return (fixed, n_crossed)."""
    crossed = _crossing_rows(cumulative)
    n_crossed = int(crossed.sum())
    if n_crossed == 0:
        # Clear rounding-level decreases so that class probabilities are never negative.
        return np.maximum.accumulate(cumulative, axis=1), 0
    message = (
        f"{who}: the cumulative probabilities of {n_crossed} of {cumulative.shape[0]} rows are "
        "not monotone over the class boundaries (the boundaries cross outside the training "
        "data)"
    )
    if crossing == "error":
        raise ValueError(message + "; set crossing='clip' or crossing='rearrange' to repair them.")
    if warn:
        warnings.warn(
            message + f"; repaired with crossing={crossing!r}.", UserWarning, stacklevel=3
        )
    if crossing == "clip":
        return np.maximum.accumulate(cumulative, axis=1), n_crossed
    return np.sort(cumulative, axis=1), n_crossed


def _class_probabilities(cumulative):
    n_samples = cumulative.shape[0]
    padded = np.hstack([np.zeros((n_samples, 1)), cumulative, np.ones((n_samples, 1))])
    return np.diff(padded, axis=1)


def _brier(proba, y_codes, sample_weight):
    onehot = np.zeros_like(proba)
    onehot[np.arange(len(y_codes)), y_codes] = 1.0
    per_row = ((onehot - proba) ** 2).sum(axis=1)
    return float(np.average(per_row, weights=sample_weight))


def _deviance(proba, y_codes, sample_weight):
    chosen = np.clip(proba[np.arange(len(y_codes)), y_codes], 1e-15, 1.0)
    return float(-2.0 * np.average(np.log(chosen), weights=sample_weight))


_SCORERS = {"brier": _brier, "deviance": _deviance}


class _BaseCumulativeLogit(ClassifierMixin, BaseEstimator):
    """Prediction methods and fitted-attribute bookkeeping for the cumulative logit family."""

    # The parameters every estimator of the family shares; subclasses add their own.
    _parameter_constraints: dict = {
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "standardize": ["boolean"],
        "fit_intercept": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="right")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "link": [StrOptions(set(LINKS))],
    }
    _penalised_constraints: dict = {
        "first_penalty_factor": [Interval(Real, 0, None, closed="left")],
        "crossing": [StrOptions({"error", "clip", "rearrange"})],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # CSR and CSC, fitted without densifying
        return tags

    def _validate_common(self, X, y, sample_weight):
        X, classes, codes = _encode_target(self, X, y)
        n_classes = len(classes)
        if n_classes < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 classes in y; got 1 class: "
                f"{classes.tolist()!r}."
            )
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        if np.any(sample_weight < 0):
            raise ValueError("sample_weight must be non-negative; got a negative weight.")
        class_weight = np.bincount(codes, weights=sample_weight, minlength=n_classes)
        if (class_weight <= 0).any():
            empty = classes[class_weight <= 0].tolist()
            raise ValueError(
                f"{type(self).__name__} needs a positive total sample_weight in every class; "
                f"class(es) {empty!r} have total weight 0. Drop those rows or give them weight."
            )
        if not self.fit_intercept and n_classes > 2:
            raise ValueError(
                "fit_intercept=False is only defined for K = 2 classes (logistic regression "
                f"without intercept); y has {n_classes} classes, which need one threshold each."
            )
        penalised_first = getattr(self, "first_penalty_factor", 0.0) > 0
        if isinstance(self, ProportionalOddsClassifier):
            penalised_first = self.alpha > 0
        if X.shape[1] >= X.shape[0] and not penalised_first:
            # With more features than rows an unpenalised weight vector has no unique
            # maximum-likelihood value (the classes are separable), so the fit would diverge.
            what = (
                "alpha=0 leaves the shared weights"
                if isinstance(self, ProportionalOddsClassifier)
                else "first_penalty_factor=0 leaves the first boundary's weights"
            )
            raise ValueError(
                f"{what} unpenalised, which {X.shape[0]} samples cannot determine for "
                f"{X.shape[1]} features (the likelihood has no finite maximum). Use "
                + (
                    "alpha > 0."
                    if isinstance(self, ProportionalOddsClassifier)
                    else "first_penalty_factor > 0 (1 penalises it like the differences)."
                )
            )
        return X, classes, codes, sample_weight

    def _make_problem(self, X, codes, n_classes, sample_weight, *, proportional_odds=False):
        return make_problem(
            X,
            codes,
            n_classes,
            sample_weight,
            standardize=self.standardize,
            fit_intercept=self.fit_intercept,
            l1_ratio=self.l1_ratio,
            first_penalty_factor=getattr(self, "first_penalty_factor", 1.0),
            proportional_odds=proportional_odds,
            n_threads=_kernel_n_threads(X.shape[0] * (X.shape[1] + 1) * (n_classes - 1)),
            link=self.link,
        )

    def _set_fitted(self, problem, u, X, classes):
        # The solver works with P(y <= k) = sigmoid(a_k + b_k . x); users get the convention
        # of statsmodels and R, P(y <= k) = sigmoid(theta_k - x . beta_k), so beta = -b.
        intercept, coef, coef_diff = problem.unstandardize(u)
        dtype = X.dtype
        self.classes_ = classes
        self.intercept_ = intercept.astype(dtype)
        self.coef_ = (-coef).astype(dtype)
        self.coef_diff_ = (-coef_diff).astype(dtype)
        self._solution = u

    def _boundary_coef(self):
        """Weights of every boundary, shape (n_classes - 1, n_features)."""
        return np.asarray(self.coef_, dtype=np.float64).reshape(-1, self.n_features_in_)

    def _boundary_cumulative(self, X):
        coef = self._boundary_coef()
        if coef.shape[0] != len(self.intercept_):
            coef = np.broadcast_to(coef, (len(self.intercept_), coef.shape[1]))
        eta = self.intercept_.astype(np.float64) - X @ coef.T
        return cdf(eta, self.link)

    def _raw_cumulative(self, X):
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32], reset=False
        )
        return X, self._boundary_cumulative(X)

    def predict_cumulative_proba(self, X):
        """Cumulative probabilities P(y <= classes_[k] | x) for the first K - 1 classes.

        Rows whose boundaries cross are repaired according to ``crossing`` (with a warning).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        cumulative : ndarray of shape (n_samples, n_classes - 1)
            Non-decreasing along each row.

        Examples
        --------
        >>> import numpy as np
        >>> from skselect.ordinal import PRESTOClassifier
        >>> rng = np.random.default_rng(0)
        >>> X = rng.uniform(-1, 1, size=(300, 2))
        >>> y = np.digitize(X @ [2.0, -1.0] + rng.logistic(size=300), [-1.0, 1.0])
        >>> clf = PRESTOClassifier(alpha=0.01).fit(X, y)
        >>> cumulative = clf.predict_cumulative_proba(X[:3])
        >>> cumulative.shape
        (3, 2)
        >>> bool(np.all(np.diff(cumulative, axis=1) >= 0))
        True
        """
        X, cumulative = self._raw_cumulative(X)
        cumulative, _ = _repair_crossing(cumulative, self._crossing_rule(), who=type(self).__name__)
        return cumulative.astype(X.dtype, copy=False)

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Differences of the (repaired) cumulative probabilities; rows sum to one.

        Examples
        --------
        >>> import numpy as np
        >>> from skselect.ordinal import PRESTOClassifier
        >>> rng = np.random.default_rng(0)
        >>> X = rng.uniform(-1, 1, size=(300, 2))
        >>> y = np.digitize(X @ [2.0, -1.0] + rng.logistic(size=300), [-1.0, 1.0])
        >>> clf = PRESTOClassifier(alpha=0.01).fit(X, y)
        >>> clf.predict_proba(X[:2]).round(2)
        array([[...]])
        """
        X, cumulative = self._raw_cumulative(X)
        cumulative, _ = _repair_crossing(cumulative, self._crossing_rule(), who=type(self).__name__)
        return _class_probabilities(cumulative).astype(X.dtype, copy=False)

    def predict(self, X):
        """The most probable class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.

        Examples
        --------
        >>> import numpy as np
        >>> from skselect.ordinal import PRESTOClassifier
        >>> rng = np.random.default_rng(0)
        >>> X = rng.uniform(-1, 1, size=(300, 2))
        >>> y = np.digitize(X @ [2.0, -1.0] + rng.logistic(size=300), [-1.0, 1.0])
        >>> clf = PRESTOClassifier(alpha=0.01).fit(X, y)
        >>> clf.predict(X[:5]).shape
        (5,)
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def _training_crossings(self, X):
        return int(_crossing_rows(self._boundary_cumulative(X)).sum())

    def _crossing_rule(self):
        return getattr(self, "crossing", "clip")


class PRESTOClassifier(_BaseCumulativeLogit):
    """Ordinal classifier that shrinks the boundary weights towards proportional odds (PRESTO).

    A cumulative link model with its own weight vector for every boundary between adjacent
    classes, ``P(y <= classes_[k] | x) = sigmoid(intercept_[k] - x @ coef_[k])``, fitted by
    minimising the mean negative log-likelihood plus an L1 penalty on the differences between
    adjacent weight vectors (and, optionally, on the first one), on standardised features. Rare
    classes at the end of the scale borrow strength from the common boundaries: with a large
    penalty all boundaries share one weight vector (proportional odds), with none each is its
    own logistic regression.

    Read more in the :ref:`User Guide <ordinal>`.

    Parameters
    ----------
    alpha : float or "auto", default="auto"
        Penalty level (>= 0). The objective is ``mean NLL + alpha * (first_penalty_factor *
        |b_1|_1 + sum_k |b_k - b_(k-1)|_1)`` on standardised features. ``"auto"`` uses
        ``0.1 * alpha_max``, where ``alpha_max`` is the smallest penalty that fuses every
        penalised coefficient (with the default ``first_penalty_factor=0``, the smallest
        penalty that gives the proportional-odds fit), as glmnet scales its path.
        :class:`PRESTOClassifierCV` picks ``alpha`` by cross-validation.
    link : {"logit", "probit", "cloglog", "loglog", "cauchit"}, default="logit"
        The cumulative link: ``P(y <= c_k | x) = F(threshold_k - x @ beta_k)`` with ``F`` the
        logistic, standard normal, Gumbel-minimum ``1 - exp(-exp(t))``, Gumbel-maximum
        ``exp(-exp(-t))`` or Cauchy CDF, as in R's ``ordinal::clm``. See
        :ref:`ordinal_links`.
    l1_ratio : float, default=1.0
        Elastic-net mixing in [0, 1]: each absolute value ``|t|`` in the penalty becomes
        ``l1_ratio * |t| + (1 - l1_ratio) * t**2 / 2``. ``0`` is the authors' "PRESTO_L2".
    first_penalty_factor : float, default=0.0
        Multiplier (>= 0) of the penalty on the first boundary's weights. ``0`` leaves them
        unpenalised, so that a large ``alpha`` gives the proportional-odds fit; ``1`` is the
        authors' choice, whose large-``alpha`` limit is the intercept-only model. With two
        classes there are no differences, so ``0`` gives unpenalised logistic regression.
    standardize : bool, default=True
        Penalise coefficients of features scaled to unit (weighted, population) standard
        deviation; coefficients are reported on the original scale.
    fit_intercept : bool, default=True
        Fit one unpenalised intercept (threshold) per boundary. ``False`` is only allowed for
        two classes (logistic regression without intercept).
    crossing : {"error", "clip", "rearrange"}, default="clip"
        What ``predict_proba`` and ``predict_cumulative_proba`` do with rows whose cumulative
        probabilities are not monotone (possible outside the training data): raise a
        ValueError, clip each to the running maximum of the lower ones, or sort them
        (monotone rearrangement). A warning reports how many rows crossed.
    tol : float, default=1e-8
        Stop when the largest violation of the optimality (KKT) conditions, measured on the
        gradient of the mean log-likelihood with respect to the standardised coefficients, is
        at most ``tol``.
    max_iter : int, default=10000
        Maximum number of proximal Newton iterations.
    warm_start : bool, default=False
        Start from the previous solution of ``fit`` (when the classes and features match).

    Attributes
    ----------
    alpha_ : float
        The penalty level used (``alpha``, or its value when ``alpha="auto"``).
    classes_ : ndarray of shape (n_classes,)
        Class labels in ordinal order: sorted, or the order of a pandas ordered Categorical.
    coef_ : ndarray of shape (n_classes - 1, n_features)
        Weight vector of each boundary on the original feature scale; row ``k`` is the boundary
        between ``classes_[k]`` and ``classes_[k + 1]``. Positive weights push mass towards
        the higher classes (the convention of statsmodels and R); with two classes ``coef_``
        equals :class:`~sklearn.linear_model.LogisticRegression`'s.
    coef_diff_ : ndarray of shape (n_classes - 1, n_features)
        ``coef_[0]`` followed by the differences ``coef_[k] - coef_[k - 1]``.
    intercept_ : ndarray of shape (n_classes - 1,)
        Threshold of each boundary on the original feature scale.
    n_iter_ : int
        Proximal Newton iterations run.
    n_crossings_ : int
        Training rows whose fitted cumulative probabilities cross (0 unless the solver stopped
        on the boundary of the feasible region). Crossings on new data are reported by a
        warning from ``predict_proba``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when X has string column names.

    See Also
    --------
    PRESTOClassifierCV : Chooses ``alpha`` by cross-validation along a warm-started path.
    ProportionalOddsClassifier : The same likelihood with one weight vector for all boundaries.
    coef_table : The fitted coefficients as a table with named boundaries.
    sklearn.linear_model.LogisticRegression : The two-class special case.

    Notes
    -----
    The fit is a convex problem on the region where the cumulative probabilities of every
    training row are non-decreasing. When the optimum lies on the boundary of that region,
    the solver reaches it by the method of multipliers (an augmented Lagrangian on the
    non-crossing constraints) instead of stopping where a step was first blocked, as
    ordinalNet's step halving does. It is a proximal Newton method:
    each iteration is one pass over the samples (O(n p^2 K)) plus coordinate descent on
    (K - 1)(p + 1) parameters.

    The authors' code (built on ordinalNet) writes the model as ``sigmoid(a_k + b_k @ x)``:
    its weights are ``-coef_`` and its intercepts are ``intercept_``.

    References
    ----------
    .. [1] G. Faletto and J. Bien. "Predicting rare events by shrinking towards proportional
       odds". Proceedings of the 40th International Conference on Machine Learning (ICML),
       PMLR 202:9547-9602, 2023.
    .. [2] M. J. Wurm, P. J. Rathouz and B. M. Hanlon. "Regularized ordinal regression and the
       ordinalNet R package". Journal of Statistical Software 99(6), 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from skselect.ordinal import PRESTOClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(500, 3))
    >>> latent = X @ [2.0, -1.0, 0.0] + rng.logistic(size=500)
    >>> y = np.digitize(latent, [-1.0, 1.0, 2.5])
    >>> clf = PRESTOClassifier().fit(X, y)
    >>> clf.classes_
    array([0, 1, 2, 3])
    >>> clf.coef_.shape
    (3, 3)
    >>> clf.predict_proba(X[:2]).sum(axis=1)
    array([1., 1.])
    """

    _parameter_constraints: dict = {
        **_BaseCumulativeLogit._parameter_constraints,
        **_BaseCumulativeLogit._penalised_constraints,
        "alpha": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        alpha="auto",
        *,
        link="logit",
        l1_ratio=1.0,
        first_penalty_factor=0.0,
        standardize=True,
        fit_intercept=True,
        crossing="clip",
        tol=1e-8,
        max_iter=10000,
        warm_start=False,
    ):
        self.alpha = alpha
        self.link = link
        self.l1_ratio = l1_ratio
        self.first_penalty_factor = first_penalty_factor
        self.standardize = standardize
        self.fit_intercept = fit_intercept
        self.crossing = crossing
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model at the penalty level ``alpha``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Ordered class labels: sorted order, or a pandas ordered Categorical's order.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights in the mean log-likelihood and the standardisation.

        Returns
        -------
        self : object
            Fitted estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from skselect.ordinal import PRESTOClassifier
        >>> rng = np.random.default_rng(0)
        >>> X = rng.uniform(-1, 1, size=(300, 2))
        >>> y = np.digitize(X @ [2.0, -1.0] + rng.logistic(size=300), [-1.0, 1.0])
        >>> clf = PRESTOClassifier(alpha=0.01).fit(X, y)
        >>> clf.coef_.shape
        (2, 2)
        """
        X, classes, codes, sample_weight = self._validate_common(X, y, sample_weight)
        problem = self._make_problem(X, codes, len(classes), sample_weight)
        start = None
        if self.alpha == "auto":
            found = problem.alpha_max()
            # Nothing penalised (two classes, first vector unpenalised): the plain likelihood.
            alpha = 0.0 if found is None else _AUTO_ALPHA_RATIO * found[0]
            if found is not None:
                start = found[1]
        else:
            alpha = float(self.alpha)
        if (
            self.warm_start
            and hasattr(self, "_solution")
            and len(getattr(self, "classes_", ())) == len(classes)
            and self._solution.shape[0] == (len(classes) - 1) * (X.shape[1] + 1)
        ):
            start = self._solution
        u, n_iter, converged = problem.solve(alpha, start, tol=self.tol, max_iter=self.max_iter)
        if not converged:
            _warn_not_converged(self, self.max_iter)
        self._set_fitted(problem, u, X, classes)
        self.alpha_ = alpha
        self.n_iter_ = n_iter
        self.n_crossings_ = self._training_crossings(X)
        return self


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
        u, n_iter, converged = problem.solve(self.alpha, tol=self.tol, max_iter=self.max_iter)
        if not converged:
            _warn_not_converged(self, self.max_iter)
        self._set_fitted(problem, u, X, classes)
        self.coef_ = self.coef_[0].copy()
        del self.coef_diff_
        self.n_iter_ = n_iter
        return self


# --------------------------------------------------------------------------------------------
# Cross-validated path
# --------------------------------------------------------------------------------------------


def _fold_path(X, codes, sample_weight, train, test, n_classes, alphas, settings):
    """Fit the warm-started path on one training fold; score every alpha on its test fold.

    A training fold may miss a class (rare extremes): the model is then fitted on the classes
    it has, and the missing ones get probability 0 on the test fold.
    """
    present = np.unique(codes[train])
    X_test, y_test, w_test = X[test], codes[test], sample_weight[test]
    scorer = _SCORERS[settings["scoring"]]
    scores = np.empty(len(alphas))
    n_crossed = np.zeros(len(alphas), dtype=np.intp)
    proba = np.zeros((len(test), n_classes))
    if len(present) < 2:
        proba[:, present[0]] = 1.0
        scores[:] = scorer(proba, y_test, w_test)
        return scores, n_crossed
    problem = make_problem(
        X[train],
        np.searchsorted(present, codes[train]),
        len(present),
        sample_weight[train],
        standardize=settings["standardize"],
        fit_intercept=settings["fit_intercept"],
        l1_ratio=settings["l1_ratio"],
        first_penalty_factor=settings["first_penalty_factor"],
        n_threads=settings["n_threads"],
        link=settings["link"],
    )
    u, multipliers = None, None
    # A crossing test row is scored after repair; "error" would abort the whole search, so the
    # path is scored with "clip" in that case (the Brier score stays finite either way).
    rule = "rearrange" if settings["crossing"] == "rearrange" else "clip"
    for index, alpha in enumerate(alphas):
        u, _, _ = problem.solve(
            alpha,
            u,
            tol=settings["tol"],
            max_iter=settings["max_iter"],
            multipliers=multipliers,
        )
        multipliers = problem.last_multipliers
        intercept, coef, _ = problem.unstandardize(u)
        cumulative = cdf(X_test @ coef.T + intercept, settings["link"])
        cumulative, n_crossed[index] = _repair_crossing(cumulative, rule, warn=False)
        proba.fill(0.0)
        proba[:, present] = _class_probabilities(cumulative)
        scores[index] = scorer(proba, y_test, w_test)
    return scores, n_crossed


class PRESTOClassifierCV(_BaseCumulativeLogit):
    """PRESTO with the penalty level chosen by cross-validation along a warm-started path.

    The path runs from ``alpha_max``, the smallest penalty that fuses every penalised
    coefficient (with the default ``first_penalty_factor=0``: the proportional-odds fit), down
    to ``alpha_min_ratio * alpha_max`` (nearly separate boundaries), on a geometric grid. Each
    training fold fits the whole path with warm starts and scores every ``alpha`` on its
    held-out fold; ``selection`` picks ``alpha_`` from the mean scores, and the model is
    refitted on all data at ``alpha_``.

    Read more in the :ref:`User Guide <ordinal>`.

    Parameters
    ----------
    link : {"logit", "probit", "cloglog", "loglog", "cauchit"}, default="logit"
        The cumulative link, as in :class:`PRESTOClassifier`.
    alphas : int or array-like of float, default=30
        Number of grid points, or the grid itself (values >= 0).
    alpha_min_ratio : float, default=1e-3
        Smallest grid value as a fraction of the largest (when ``alphas`` is an int).
    cv : int, cross-validation generator or iterable, default=5
        Folds, as in :func:`sklearn.model_selection.check_cv` (an int gives stratified folds,
        which keep rare extreme classes in every training fold where possible).
    scoring : {"brier", "deviance"}, default="brier"
        Held-out loss per alpha: the multiclass Brier score (the authors' choice, finite even if
        boundaries cross) or twice the mean negative log-likelihood.
    selection : {"min", "1se"}, default="min"
        ``"min"``: the largest alpha attaining the smallest mean held-out loss. ``"1se"``: the
        largest alpha whose mean loss is within one standard error (over folds) of that
        minimum, i.e. the model closest to proportional odds that the data cannot tell apart
        from the best one (glmnet's ``lambda.1se``).
    l1_ratio : float, default=1.0
        Elastic-net mixing, as in :class:`PRESTOClassifier`; used for the grid and every fit.
    first_penalty_factor : float, default=0.0
        Penalty multiplier of the first boundary's weights, as in :class:`PRESTOClassifier`.
        With two classes and ``0`` nothing is penalised: the grid is ``[0.0]`` (logistic
        regression).
    standardize : bool, default=True
        Penalise coefficients of standardised features (standardised within each fold).
    fit_intercept : bool, default=True
        As in :class:`PRESTOClassifier`.
    crossing : {"error", "clip", "rearrange"}, default="clip"
        Crossing rule of the final model's predictions. Held-out folds are scored with
        ``"rearrange"`` if requested, otherwise ``"clip"``.
    tol : float, default=1e-8
        Solver tolerance, as in :class:`PRESTOClassifier`.
    max_iter : int, default=10000
        Maximum Newton iterations per alpha.
    n_jobs : int, default=None
        Folds fitted in parallel through joblib (``None`` means 1 unless in a
        :func:`joblib.parallel_config` context). At most one job per fold is started.
    verbose : int, default=0
        Verbosity of the fold fits (passed to joblib) and, when positive, a line with the
        chosen ``alpha_``.

    Attributes
    ----------
    alphas_ : ndarray of shape (n_alphas,)
        The grid, decreasing.
    cv_scores_ : ndarray of shape (n_alphas, n_folds)
        Held-out score of every alpha on every fold.
    alpha_ : float
        The selected penalty level.
    best_index_ : int
        Index of ``alpha_`` in ``alphas_``.
    n_crossings_ : int
        Held-out rows (over all folds) whose cumulative probabilities crossed at ``alpha_``.
    classes_ : ndarray of shape (n_classes,)
        Class labels in ordinal order.
    coef_ : ndarray of shape (n_classes - 1, n_features)
        Weights of the refitted model, original scale, one row per boundary (the convention of
        :class:`PRESTOClassifier`).
    coef_diff_ : ndarray of shape (n_classes - 1, n_features)
        ``coef_[0]`` followed by the adjacent differences.
    intercept_ : ndarray of shape (n_classes - 1,)
        Thresholds of the refitted model.
    n_iter_ : int
        Newton iterations of the refit.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when X has string column names.

    See Also
    --------
    PRESTOClassifier : One penalty level.
    ProportionalOddsClassifier : The ``alpha_max`` end of the path.

    Notes
    -----
    Unlike the authors' code, held-out predictions use the cumulative weights
    ``b_k = psi_1 + ... + psi_k`` of the fitted model, and the grid and the fold fits use the
    requested ``l1_ratio``. The authors penalise the first weight vector too
    (``first_penalty_factor=1``), which makes the large-penalty end of their path the
    intercept-only model rather than proportional odds.

    References
    ----------
    .. [1] G. Faletto and J. Bien. "Predicting rare events by shrinking towards proportional
       odds". ICML 2023, PMLR 202:9547-9602.

    Examples
    --------
    >>> import numpy as np
    >>> from skselect.ordinal import PRESTOClassifierCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(400, 3))
    >>> y = np.digitize(X @ [2.0, -1.0, 0.0] + rng.logistic(size=400), [-1.0, 1.0, 2.5])
    >>> clf = PRESTOClassifierCV(alphas=10).fit(X, y)
    >>> clf.cv_scores_.shape
    (10, 5)
    >>> bool(clf.alpha_ in clf.alphas_)
    True
    """

    _parameter_constraints: dict = {
        "alphas": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "alpha_min_ratio": [Interval(Real, 0, 1, closed="neither")],
        "cv": ["cv_object"],
        "scoring": [StrOptions({"brier", "deviance"})],
        "selection": [StrOptions({"min", "1se"})],
        **_BaseCumulativeLogit._parameter_constraints,
        **_BaseCumulativeLogit._penalised_constraints,
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        link="logit",
        alphas=30,
        alpha_min_ratio=1e-3,
        cv=5,
        scoring="brier",
        selection="min",
        l1_ratio=1.0,
        first_penalty_factor=0.0,
        standardize=True,
        fit_intercept=True,
        crossing="clip",
        tol=1e-8,
        max_iter=10000,
        n_jobs=None,
        verbose=0,
    ):
        self.link = link
        self.alphas = alphas
        self.alpha_min_ratio = alpha_min_ratio
        self.cv = cv
        self.scoring = scoring
        self.selection = selection
        self.l1_ratio = l1_ratio
        self.first_penalty_factor = first_penalty_factor
        self.standardize = standardize
        self.fit_intercept = fit_intercept
        self.crossing = crossing
        self.tol = tol
        self.max_iter = max_iter
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _settings(self):
        return {
            "scoring": self.scoring,
            "standardize": self.standardize,
            "fit_intercept": self.fit_intercept,
            "l1_ratio": self.l1_ratio,
            "first_penalty_factor": self.first_penalty_factor,
            "crossing": self.crossing,
            "tol": self.tol,
            "max_iter": self.max_iter,
            "link": self.link,
        }

    def _grid(self, problem):
        if not isinstance(self.alphas, numbers.Integral):
            alphas = np.asarray(self.alphas, dtype=np.float64).ravel()
            if alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
                raise ValueError(
                    "alphas must be a positive int or a non-empty array of finite values >= 0; "
                    f"got {self.alphas!r}."
                )
            return np.sort(alphas)[::-1]
        found = problem.alpha_max()
        if found is None:
            # Two classes with the first vector unpenalised: nothing to tune.
            return np.array([0.0])
        alpha_max = found[0]
        if alpha_max <= 0:
            alpha_max = 1.0  # no signal at all: any grid selects the fused model
        if self.alphas == 1:
            return np.array([alpha_max])
        return np.geomspace(alpha_max, alpha_max * self.alpha_min_ratio, self.alphas)

    def _select(self, cv_scores):
        mean = cv_scores.mean(axis=1)
        # The grid is decreasing, so the first index within the bound is the largest alpha.
        best = int(np.argmin(mean))
        bound = mean[best]
        if self.selection == "1se" and cv_scores.shape[1] > 1:
            bound = bound + cv_scores[best].std(ddof=1) / np.sqrt(cv_scores.shape[1])
        return int(np.flatnonzero(mean <= bound)[0])

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Choose ``alpha`` by cross-validation, then refit on all data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Ordered class labels: sorted order, or a pandas ordered Categorical's order.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights in every fit and in the held-out scores.

        Returns
        -------
        self : object
            Fitted estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from skselect.ordinal import PRESTOClassifierCV
        >>> rng = np.random.default_rng(0)
        >>> X = rng.uniform(-1, 1, size=(300, 2))
        >>> y = np.digitize(X @ [2.0, -1.0] + rng.logistic(size=300), [-1.0, 1.0])
        >>> search = PRESTOClassifierCV(alphas=5, cv=3).fit(X, y)
        >>> search.cv_scores_.shape
        (5, 3)
        """
        X, classes, codes, sample_weight = self._validate_common(X, y, sample_weight)
        settings = self._settings()
        problem = self._make_problem(X, codes, len(classes), sample_weight)
        settings["n_threads"] = problem.n_threads
        alphas = self._grid(problem)
        folds = list(_checked_cv(self.cv, codes).split(X, codes))
        n_jobs = self.n_jobs
        if n_jobs is not None and n_jobs > len(folds):
            n_jobs = len(folds)  # more workers than folds only costs start-up time
        results = Parallel(n_jobs=n_jobs, verbose=self.verbose)(
            delayed(_fold_path)(
                X, codes, sample_weight, train, test, len(classes), alphas, settings
            )
            for train, test in folds
        )
        self.alphas_ = alphas
        self.cv_scores_ = np.column_stack([scores for scores, _ in results])
        crossed = np.column_stack([n for _, n in results]).sum(axis=1)
        best = self._select(self.cv_scores_)
        self.best_index_ = best
        self.alpha_ = float(alphas[best])
        if self.verbose:
            print(
                f"{type(self).__name__}: alpha_={self.alpha_:.4g} "
                f"({best + 1} of {len(alphas)}, selection={self.selection!r})"
            )
        u, n_iter, converged = problem.solve(self.alpha_, tol=self.tol, max_iter=self.max_iter)
        if not converged:
            _warn_not_converged(self, self.max_iter, what=f" (refit at alpha_={self.alpha_:.3g})")
        self._set_fitted(problem, u, X, classes)
        self.n_iter_ = n_iter
        self.n_crossings_ = int(crossed[best])
        return self


# --------------------------------------------------------------------------------------------
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
    u, _, converged = problem.solve(0.0, tol=tol, max_iter=max_iter)
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
