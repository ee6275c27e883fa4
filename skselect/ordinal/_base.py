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

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import check_cv
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
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


def _cumulative(X, intercept, coef, link):
    """P(y <= c_k | x) = F(intercept_k - x . coef_k) for every row and boundary: the one place
    where fitted weights become cumulative probabilities (predictions and the CV folds)."""
    return cdf(intercept - X @ coef.T, link)


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
    # What an unpenalised first weight vector is called, and the setting that penalises it
    # (for the error on more features than rows).
    _unpenalised_first_vector = (
        "first_penalty_factor=0 leaves the first boundary's weights",
        "first_penalty_factor > 0 (1 penalises it like the differences)",
    )

    def _first_vector_penalised(self):
        return self.first_penalty_factor > 0

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
        if X.shape[1] >= X.shape[0] and not self._first_vector_penalised():
            # With more features than rows an unpenalised weight vector has no unique
            # maximum-likelihood value (the classes are separable), so the fit would diverge.
            what, remedy = self._unpenalised_first_vector
            raise ValueError(
                f"{what} unpenalised, which {X.shape[0]} samples cannot determine for "
                f"{X.shape[1]} features (the likelihood has no finite maximum). Use {remedy}."
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
        return _cumulative(X, self.intercept_.astype(np.float64), coef, self.link)

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
