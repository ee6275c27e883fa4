"""What ConformalSelector and OptCSSelector share: constraints, input handling, the ranking
model, scores, the selection result and its pandas views."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import sys
import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.model_selection import train_test_split
from sklearn.utils import get_tags
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from skselect.conformal._pvalues import PRUNING_OPTIONS, _check_random_state
from skselect.utils._dask import dask_implementation, is_dask_collection


def _is_pandas_df(X):
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(X, pd.DataFrame)


def _check_labels(y, multi_output=False):
    y = np.asarray(y) if multi_output else column_or_1d(y, warn=True)
    if y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)
    if y.dtype.kind not in "biuf":
        raise ValueError(f"y must hold real numbers, got dtype {y.dtype}.")
    y = y.astype(np.float64, copy=False)
    if not np.isfinite(y).all():
        raise ValueError("y contains NaN or infinite values; labels must be finite numbers.")
    return y


def _validate_features(
    selector, X, y="no_validation", *, reset, estimators, numeric=False, multi_output=False
):
    """Validate X (and y) for a selector wrapping ``estimators``.

    A pandas DataFrame is passed on unchanged (its column names reach the wrapped
    estimators, for instance a ColumnTransformer selecting columns by name); only the number
    and the names of its columns are recorded or checked. Other input is validated, with NaN
    and sparse matrices let through exactly when every wrapped estimator accepts them.
    ``multi_output`` lets a 2-d ``y`` through (for a callable target).
    """
    no_y = isinstance(y, str) and y == "no_validation"
    if _is_pandas_df(X):
        validate_data(selector, X, skip_check_array=True, reset=reset)
        if no_y:
            return X
        y = _check_labels(y, multi_output)
        check_consistent_length(X, y)
        return X, y
    tags = [get_tags(estimator) for estimator in estimators]
    kwargs = {
        "accept_sparse": ["csr", "csc"] if all(t.input_tags.sparse for t in tags) else False,
        "ensure_all_finite": not all(t.input_tags.allow_nan for t in tags),
        # The wrapped estimator converts its input itself, unless the selector stores X.
        "dtype": "numeric" if numeric else None,
        "reset": reset,
    }
    if no_y:
        return validate_data(selector, X, **kwargs)
    X, y = validate_data(selector, X, y, y_numeric=True, multi_output=multi_output, **kwargs)
    return X, _check_labels(y, multi_output)


def _ranking(estimator, X, transform=None):
    """Ranking function mu(x): large means "likely a discovery".

    A classifier gives the probability of its largest class label (1 when it was fitted on
    the target indicator); anything else gives ``predict``, passed through
    ``transform(prediction, X)`` when given (the ranking of a composite target).
    """
    if is_classifier(estimator):
        classes = getattr(estimator, "classes_", None)
        if classes is None or len(classes) != 2:
            raise ValueError(
                "A classifier used as ranking function must be fitted on two classes "
                f"(1{{y > threshold}}); got classes_={classes!r}."
            )
        ranking = estimator.predict_proba(X)[:, 1]
    else:
        ranking = estimator.predict(X)
        if transform is not None:
            ranking = transform(ranking, X)
    ranking = np.asarray(ranking)
    if ranking.dtype.kind not in "biuf":
        raise ValueError(
            f"The estimator {type(estimator).__name__} must predict real numbers, got dtype "
            f"{ranking.dtype}."
        )
    if ranking.ndim == 2 and ranking.shape[1] == 1:
        ranking = ranking[:, 0]
    if ranking.ndim != 1:
        raise ValueError(
            f"The estimator must predict one value per sample, got an array of shape "
            f"{ranking.shape}."
        )
    if np.isnan(ranking).any():
        raise ValueError(
            f"The estimator {type(estimator).__name__} returned NaN predictions; conformal "
            "scores need a number for every unit."
        )
    with np.errstate(over="ignore"):
        ranking64 = ranking.astype(np.float64)
    if not np.isfinite(ranking64).all():
        raise ValueError(
            f"The estimator {type(estimator).__name__} returned infinite predictions (or "
            "values beyond the float64 range); conformal scores need finite rankings: "
            "rescale the target or the features."
        )
    return ranking64


def _fit_ranking_estimator(estimator, X, y, in_target, description):
    """Fit a clone on the labels it needs: y for a regressor, the target indicator
    ``in_target`` (1{y > threshold} by default) for a classifier."""
    estimator = clone(estimator)
    if is_classifier(estimator):
        labels = np.asarray(in_target).astype(np.int64)
        if np.unique(labels).shape[0] < 2:
            raise ValueError(
                "The training part holds only one class of the target indicator (whether "
                f"the label {description}); a classifier needs both. Change the target, "
                "calibration_size or random_state."
            )
        return _fit_finite(estimator, X, labels, y)
    return _fit_finite(estimator, X, y, y)


def _fit_finite(estimator, X, target, y):
    """``estimator.fit(X, target)``; an overflow inside it on finite data is named as such
    (the estimator's own message speaks of infinite or NaN input, which X and y are not)."""
    try:
        return estimator.fit(X, target)
    except (ValueError, FloatingPointError, np.linalg.LinAlgError) as error:
        text = str(error).lower()
        if "inf" not in text and "nan" not in text:
            raise
        with np.errstate(over="ignore", invalid="ignore"):
            x_max = float(np.max(np.abs(np.asarray(X, dtype=np.float64)), initial=0.0))
            y_max = float(np.max(np.abs(np.asarray(y, dtype=np.float64)), initial=0.0))
        raise ValueError(
            f"{type(estimator).__name__}.fit failed on finite X and y: X has values up to "
            f"{x_max:.3g} and y up to {y_max:.3g}, and sums or squares of values this large "
            "overflow float64 inside the estimator. Rescale X and y (for example with "
            "StandardScaler, and TransformedTargetRegressor for y)."
        ) from error


def _clip_scores(calib_ranking, calib_nonnull, test_ranking):
    """Clipped score with M = +inf: non-null calibration units never rank below a test unit."""
    calib_scores = np.where(calib_nonnull, np.inf, -calib_ranking)
    return calib_scores, -test_ranking


def _residual_scores(y_calib, calib_ranking, threshold, test_ranking):
    """Residual score ``y - mu(x)``, at ``y = threshold`` for the test units.

    When a difference would overflow, both sides are computed as ``y / 2 - mu(x) / 2``: the
    same order (halving is exact above the subnormal range), so the same p-values.
    """
    with np.errstate(over="ignore"):
        calib_scores = y_calib - calib_ranking
        test_scores = threshold - test_ranking
    if np.isfinite(calib_scores).all() and np.isfinite(test_scores).all():
        return calib_scores, test_scores
    return 0.5 * y_calib - 0.5 * calib_ranking, 0.5 * threshold - 0.5 * test_ranking


def _split(X, y, calibration_size, random_state):
    n_samples = X.shape[0]
    try:
        return train_test_split(
            X, y, test_size=calibration_size, random_state=random_state, shuffle=True
        )
    except ValueError as exc:
        raise ValueError(
            f"Cannot split {n_samples} samples with calibration_size={calibration_size!r}: {exc}"
        ) from exc


def _warn_if_no_calibration_discovery(calib_nonnull, description):
    if not calib_nonnull.any():
        warnings.warn(
            f"No calibration label {description}: the calibration data hold no example of "
            "a discovery, so the p-values cannot tell a discovery from a null unit and the "
            "selection will almost surely be empty. Widen the target (lower the threshold) "
            "or add calibration data with labels inside it.",
            UserWarning,
            stacklevel=4,  # the caller of fit (through scikit-learn's fit wrapper)
        )


@dataclass
class _Selection:
    """Everything one selection computes, one entry per test unit (``None`` when unused)."""

    prediction: np.ndarray
    score: np.ndarray
    p_value: np.ndarray
    p_value_cutoff: np.ndarray
    selected: np.ndarray
    fdr: float
    bh_cutoff: float | None = None
    aux_size: np.ndarray | None = None
    e_value: np.ndarray | None = None
    model: np.ndarray | None = None
    weight: np.ndarray | None = None
    effective_sample_size: float | None = None


class _BaseConformalSelector(MetaEstimatorMixin, BaseEstimator):
    """Shared machinery; subclasses define ``_inner_estimators``, ``_calibration_settings``,
    ``_selection`` and ``_p_values``."""

    _parameter_constraints: dict = {
        # NaN and infinities compare False with everything: no unit could be a discovery.
        "threshold": [Interval(Real, None, None, closed="neither")],
        "fdr": [Interval(Real, 0, 1, closed="neither")],
        "pruning": [StrOptions(set(PRUNING_OPTIONS))],
        "calibration_size": [
            Interval(Real, 0, 1, closed="neither"),
            Interval(Integral, 1, None, closed="left"),
        ],
        "prefit": ["boolean"],
        "random_state": ["random_state"],
    }

    def _set_select_seed(self, random_state):
        """Fix, at fit, the seed of every select-time draw (tie-breaking, randomised p-values,
        density-ratio folds), so that ``select``, ``p_values`` and ``selection_report`` on the
        same batch agree. An int ``random_state`` seeds those draws itself, as it always did;
        ``None`` or a ``RandomState`` instance is drawn from once, here."""
        if isinstance(self.random_state, Integral) and not isinstance(self.random_state, bool):
            self._select_seed = None
        else:
            self._select_seed = int(random_state.randint(np.iinfo(np.int32).max))

    def _select_time_random_state(self):
        """A fresh generator for the draws of one select-time call (see _set_select_seed)."""
        if self._select_seed is None:
            return _check_random_state(self.random_state)
        return np.random.RandomState(self._select_seed)

    def _check_unchanged(self):
        """Refuse to select with parameters the calibration was not computed with."""
        at_fit, now = self._calibrated_with, self._calibration_settings()
        changed = [
            name for name in at_fit if at_fit[name] is not now[name] and at_fit[name] != now[name]
        ]
        if changed:
            before = ", ".join(f"{name}={at_fit[name]!r}" for name in changed)
            raise ValueError(
                f"{type(self).__name__}: {', '.join(changed)} changed since fit (it was "
                f"{before}); the calibration depends on it: call fit again."
            )

    def _check_ready(self):
        check_is_fitted(self)
        # Selection parameters (fdr, pruning, ...) may change between fit and select; the
        # calibration depends on the rest.
        self._validate_params()
        self._check_unchanged()

    def _check_test_input(self, X):
        self._check_ready()
        return self._validate_test_features(X)

    def _selection_result(self, X):
        """Validate X and return (X, the full :class:`_Selection`), without changing self."""
        X = self._check_test_input(X)
        return X, self._selection(X)

    def select(self, X):
        """Select the test units predicted to have ``y > threshold``, at FDR ``fdr``.

        The selector's fitted attributes are not modified: everything the selection computes
        is in :meth:`selection_report`.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame, Dask array} of shape (n_test, n_features)
            The test batch; the guarantee is about this whole batch. A Dask array gives the
            same selection as a Dask array (see the User Guide on scaling out).

        Returns
        -------
        selected : ndarray of bool of shape (n_test,), pandas Series or Dask array
            True for the selected units; a boolean Series with the index of ``X`` when ``X``
            is a DataFrame, a Dask array chunked like ``X`` when ``X`` is a Dask array.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from skselect.conformal import ConformalSelector
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(400, 3))
        >>> y = X[:, 0] + rng.normal(size=400)
        >>> selector = ConformalSelector(LinearRegression(), threshold=1.0, fdr=0.2)
        >>> selector.fit(X[:300], y[:300]).select(X[300:]).shape
        (100,)
        """
        if is_dask_collection(X):
            return dask_implementation("select_dask")(self, X)
        X, result = self._selection_result(X)
        return _wrap(result.selected, X, "selected")

    def selection_report(self, X):
        """One row per test unit: prediction, score, p-value, cut-off and selection.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_test, n_features)
            The test batch. Not a Dask array: the report holds several columns per test
            unit, so it is meant for a batch that fits in memory (a ValueError says so).

        Returns
        -------
        report : pandas DataFrame of shape (n_test, n_columns)
            Indexed like ``X`` (a RangeIndex for arrays), with columns ``prediction`` (the
            ranking ``mu(x)``), ``score`` (the score at the null boundary), ``p_value``,
            ``p_value_cutoff`` (a unit is selected by BH when its p-value is at most this;
            the first-step cut-off ``fdr s_j / m`` of the auxiliary-set methods) and
            ``selected``; the auxiliary-set methods add ``aux_size`` and ``e_value``,
            weighted selection adds ``weight`` (each test unit's density ratio), and
            :class:`OptCSSelector` adds ``model`` (the index of the candidate each unit
            used). ``report.attrs`` holds ``fdr``, ``bh_cutoff`` for BH and
            ``effective_sample_size`` (of the calibration weights) for weighted selection.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from skselect.conformal import ConformalSelector
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(400, 3))
        >>> y = X[:, 0] + rng.normal(size=400)
        >>> selector = ConformalSelector(LinearRegression(), threshold=1.0, fdr=0.2)
        >>> len(selector.fit(X[:300], y[:300]).selection_report(X[300:]))
        100
        """
        if is_dask_collection(X):
            return dask_implementation("selection_report_dask")(self, X)
        import pandas as pd

        X, result = self._selection_result(X)
        columns = {
            "prediction": result.prediction,
            "score": result.score,
            "p_value": result.p_value,
            "p_value_cutoff": result.p_value_cutoff,
            "selected": result.selected,
        }
        for name in ("aux_size", "e_value", "weight", "model"):
            if getattr(result, name) is not None:
                columns[name] = getattr(result, name)
        index = X.index if _is_pandas_df(X) else None
        report = pd.DataFrame(columns, index=index)
        report.attrs["fdr"] = result.fdr
        if result.bh_cutoff is not None:
            report.attrs["bh_cutoff"] = result.bh_cutoff
        if result.effective_sample_size is not None:
            report.attrs["effective_sample_size"] = result.effective_sample_size
        return report

    def p_values(self, X):
        """Conformal p-values of the test units (small means likely ``y > threshold``).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame, Dask array} of shape (n_test, n_features)
            Test units.

        Returns
        -------
        p_values : ndarray of shape (n_test,), pandas Series or Dask array
            One p-value in ``(0, 1]`` per unit; a Series with the index of ``X`` when ``X``
            is a DataFrame, a Dask array chunked like ``X`` when ``X`` is a Dask array.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from skselect.conformal import ConformalSelector
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(400, 3))
        >>> y = X[:, 0] + rng.normal(size=400)
        >>> selector = ConformalSelector(LinearRegression(), threshold=1.0, fdr=0.2)
        >>> p = selector.fit(X[:300], y[:300]).p_values(X[300:])
        >>> bool(((p > 0) & (p <= 1)).all())
        True
        """
        if is_dask_collection(X):
            return dask_implementation("p_values_dask")(self, X)
        X = self._check_test_input(X)
        return _wrap(self._p_values(X), X, "p_value")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = [get_tags(estimator) for estimator in self._inner_estimators()]
        tags.input_tags.allow_nan = bool(inner) and all(t.input_tags.allow_nan for t in inner)
        tags.input_tags.sparse = bool(inner) and all(t.input_tags.sparse for t in inner)
        tags.target_tags.required = True
        tags.target_tags.single_output = True
        tags.target_tags.multi_output = False
        return tags


def _wrap(values, X, name):
    """A Series indexed like X when X is a DataFrame, the array otherwise."""
    if _is_pandas_df(X):
        import pandas as pd

        return pd.Series(values, index=X.index, name=name)
    return values
