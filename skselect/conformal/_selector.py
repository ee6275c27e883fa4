"""ConformalSelector: conformal selection (cfBH) and weighted conformal selection (WCS)."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, _fit_context, clone, is_classifier
from sklearn.model_selection import train_test_split
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from skselect.conformal._pvalues import (
    PRUNING_OPTIONS,
    _auxiliary_sizes,
    _check_random_state,
    _select_with_auxiliary_sets,
    benjamini_hochberg,
    conformal_pvalues,
)
from skselect.utils._dask import (  # Dask input: conformal/_dask.py
    dask_implementation,
    is_dask_collection,
)
from skselect.utils._openmp_helpers import _openmp_effective_n_threads


def _validate_features(selector, X, y="no_validation", *, reset, estimator, numeric=False):
    """Validate X (and y) for a selector wrapping ``estimator``.

    NaN and sparse input are let through exactly when the wrapped estimator accepts them, so
    that the wrapped estimator decides and the selector never rejects what it could use.
    """
    tags = get_tags(estimator)
    kwargs = {
        "accept_sparse": ["csr", "csc"] if tags.input_tags.sparse else False,
        "ensure_all_finite": not tags.input_tags.allow_nan,
        # The wrapped estimator converts its input itself, unless the selector stores X.
        "dtype": "numeric" if numeric else None,
        "reset": reset,
    }
    if isinstance(y, str) and y == "no_validation":
        return validate_data(selector, X, **kwargs)
    X, y = validate_data(selector, X, y, y_numeric=True, **kwargs)
    y = column_or_1d(y, warn=True).astype(np.float64, copy=False)
    if not np.isfinite(y).all():
        raise ValueError("y contains NaN or infinite values; labels must be finite numbers.")
    return X, y


def _ranking(estimator, X):
    """Ranking function mu(x): large means "likely above the threshold".

    A classifier gives the probability of its largest class label (1 when it was fitted on
    1{y > threshold}); anything else gives ``predict``.
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
    ranking = np.asarray(ranking, dtype=np.float64)
    if ranking.ndim == 2 and ranking.shape[1] == 1:
        ranking = ranking[:, 0]
    if ranking.ndim != 1:
        raise ValueError(
            f"The estimator must predict one value per sample, got an array of shape "
            f"{ranking.shape}."
        )
    if not np.isfinite(ranking).all():
        raise ValueError(
            f"The estimator {type(estimator).__name__} returned NaN or infinite predictions; "
            "conformal scores need finite rankings."
        )
    return ranking


def _fit_ranking_estimator(estimator, X, y, threshold):
    """Fit a clone on the labels it needs: y for a regressor, 1{y > threshold} otherwise."""
    estimator = clone(estimator)
    if is_classifier(estimator):
        labels = (y > threshold).astype(np.int64)
        if np.unique(labels).shape[0] < 2:
            raise ValueError(
                "The training part holds only one class of 1{y > threshold} (threshold="
                f"{threshold!r}); a classifier needs both. Change threshold, calibration_size "
                "or random_state."
            )
        return estimator.fit(X, labels)
    return estimator.fit(X, y)


def _check_unchanged(selector, at_fit, now):
    """Refuse to select with parameters the calibration was not computed with."""
    changed = [
        name for name in at_fit if at_fit[name] is not now[name] and at_fit[name] != now[name]
    ]
    if changed:
        before = ", ".join(f"{name}={at_fit[name]!r}" for name in changed)
        raise ValueError(
            f"{type(selector).__name__}: {', '.join(changed)} changed since fit (it was "
            f"{before}); the calibration depends on it: call fit again."
        )


def _clip_scores(calib_ranking, calib_nonnull, test_ranking):
    """Clipped score with M = +inf: non-null calibration units never rank below a test unit."""
    calib_scores = np.where(calib_nonnull, np.inf, -calib_ranking)
    return calib_scores, -test_ranking


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


class ConformalSelector(MetaEstimatorMixin, BaseEstimator):
    """Select test units whose unobserved label exceeds a threshold, with FDR control.

    Conformal selection (Jin and Candès, 2023) turns any model into a selection rule: a model
    ranks the units, conformal p-values compare every test unit with held-out calibration
    units, and Benjamini-Hochberg selects. The false discovery rate
    ``E[#{selected j with y_j <= threshold} / max(1, #selected)]`` is at most ``fdr`` in
    finite samples whenever calibration and test data are exchangeable. With
    ``method="wcs"`` and a known density ratio (covariate shift), weighted conformal selection
    (Jin and Candès, 2023b) keeps the same guarantee.

    Read more in the :ref:`User Guide <conformal>`.

    Parameters
    ----------
    estimator : estimator object
        Regressor (ranking = ``predict``, fitted on ``y``) or binary classifier (ranking =
        probability of the larger class, fitted on ``1{y > threshold}``).
    threshold : float, default=0.0
        Selection target: units with ``y > threshold`` are the discoveries.
    fdr : float in (0, 1), default=0.1
        Target false discovery rate ``q``.
    score : {"clip", "residual"}, default="clip"
        Nonconformity score. ``"clip"`` is ``inf * 1{y > threshold} - mu(x)`` (``M = +inf``),
        the most powerful choice for a good ranking; ``"residual"`` is ``y - mu(x)``.
    method : {"cfbh", "wcs"}, default="cfbh"
        ``"cfbh"``: BH on conformal p-values. ``"wcs"``: weighted conformal selection
        (auxiliary BH sets, then pruning), needed for covariate shift.
    pruning : {"deterministic", "homogeneous", "heterogeneous"}, default="deterministic"
        Pruning of the first-step set in ``method="wcs"``; ignored otherwise.
    weight_function : callable, default=None
        ``weight_function(X) -> (n_samples,)`` non-negative density ratio ``dQ_X/dP_X`` of
        the test over the calibration covariate distribution, evaluated on calibration units
        during ``fit`` and on test units during ``select``. Only with ``method="wcs"``; None
        means unit weights.
    randomized : bool, default=False
        Randomized p-values (ties split by an independent uniform) instead of the conservative
        deterministic ones.
    calibration_size : float in (0, 1) or int, default=0.5
        Share (or number) of the labelled samples kept for calibration; the rest trains the
        estimator. Ignored when ``prefit=True``.
    prefit : bool, default=False
        If True, ``estimator`` is already fitted (on data independent of what ``fit`` gets)
        and every sample passed to ``fit`` is used for calibration.
    random_state : int, RandomState instance or None, default=None
        Controls the train/calibration split, the uniforms of randomized p-values and the
        pruning draws. An int gives reproducible selections.

    Attributes
    ----------
    estimator_ : estimator object
        The fitted ranking model (``estimator`` itself when ``prefit=True``).
    calib_scores_ : ndarray of shape (n_calib,)
        Nonconformity scores of the calibration units (``inf`` for clipped non-nulls).
    calib_weights_ : ndarray of shape (n_calib,)
        Calibration weights (ones without ``weight_function``).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during ``fit``, when they are all strings.
    p_values_ : ndarray of shape (n_test,)
        Conformal p-values of the last ``select`` call.
    aux_sizes_ : ndarray of shape (n_test,)
        Auxiliary selection-set sizes ``s_j`` of the last ``select`` (``method="wcs"``).
    e_values_ : ndarray of shape (n_test,)
        e-values ``m 1{p_j <= fdr s_j / m} / (fdr s_j)`` of the last ``select``
        (``method="wcs"``).

    See Also
    --------
    OptCSSelector : Selection after choosing among several models, with the same guarantee.
    conformal_pvalues : The p-values alone.
    benjamini_hochberg : The BH step.

    Notes
    -----
    After one ``predict`` on the test batch, ``select`` costs ``O(n log n + m log m)`` for
    ``"cfbh"`` and for ``"wcs"`` without ``weight_function``, and
    ``O(n log n + m log m + m^2)`` for ``"wcs"`` with distinct test weights (an ``O(m)`` scan
    per test unit, ``prange`` over test units).

    The guarantee needs the ranking model to be independent of the calibration and test
    data: do not tune ``estimator``, ``fdr`` or ``threshold`` by looking at the selection.

    References
    ----------
    .. [1] Y. Jin and E. J. Candès, "Selection by prediction with conformal p-values",
       Journal of Machine Learning Research 24(244), 2023.
    .. [2] Y. Jin and E. J. Candès, "Model-free selective inference under covariate shift
       via weighted conformal p-values", arXiv:2307.09291, 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skselect.conformal import ConformalSelector
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 3))
    >>> y = X @ [2.0, -1.0, 0.5] + rng.normal(size=400)
    >>> selector = ConformalSelector(LinearRegression(), threshold=1.0, fdr=0.2,
    ...                              random_state=0).fit(X, y)
    >>> X_test = rng.normal(size=(100, 3))
    >>> selected = selector.select(X_test)
    >>> selected.shape, selected.dtype
    ((100,), dtype('bool'))
    >>> bool(selected.any()), selector.p_values_.shape
    (True, (100,))
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "threshold": [Real],
        "fdr": [Interval(Real, 0, 1, closed="neither")],
        "score": [StrOptions({"clip", "residual"})],
        "method": [StrOptions({"cfbh", "wcs"})],
        "pruning": [StrOptions(set(PRUNING_OPTIONS))],
        "weight_function": [callable, None],
        "randomized": ["boolean"],
        "calibration_size": [
            Interval(Real, 0, 1, closed="neither"),
            Interval(Integral, 1, None, closed="left"),
        ],
        "prefit": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator,
        *,
        threshold=0.0,
        fdr=0.1,
        score="clip",
        method="cfbh",
        pruning="deterministic",
        weight_function=None,
        randomized=False,
        calibration_size=0.5,
        prefit=False,
        random_state=None,
    ):
        self.estimator = estimator
        self.threshold = threshold
        self.fdr = fdr
        self.score = score
        self.method = method
        self.pruning = pruning
        self.weight_function = weight_function
        self.randomized = randomized
        self.calibration_size = calibration_size
        self.prefit = prefit
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the ranking model (unless prefit) and compute the calibration scores.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Labelled samples: split into training and calibration parts, or all used for
            calibration when ``prefit=True``.
        y : array-like of shape (n_samples,)
            Real-valued labels.

        Returns
        -------
        self : ConformalSelector
            The fitted selector.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from skselect.conformal import ConformalSelector
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(200, 2))
        >>> y = X[:, 0] + rng.normal(size=200)
        >>> selector = ConformalSelector(LinearRegression(), random_state=0).fit(X, y)
        >>> selector.calib_scores_.shape
        (100,)
        """
        if self.weight_function is not None and self.method != "wcs":
            raise ValueError(
                "weight_function is only used by method='wcs' (weighted conformal selection); "
                f"got method={self.method!r}."
            )
        X, y = _validate_features(self, X, y, reset=True, estimator=self.estimator)
        random_state = _check_random_state(self.random_state)
        if self.prefit:
            check_is_fitted(self.estimator)
            self.estimator_ = self.estimator
            X_calib, y_calib = X, y
        else:
            split_seed = random_state.randint(np.iinfo(np.int32).max)
            X_train, X_calib, y_train, y_calib = _split(X, y, self.calibration_size, split_seed)
            self.estimator_ = _fit_ranking_estimator(
                self.estimator, X_train, y_train, self.threshold
            )
        calib_ranking = _ranking(self.estimator_, X_calib)
        if self.score == "clip":
            self.calib_scores_ = np.where(y_calib > self.threshold, np.inf, -calib_ranking)
        else:
            self.calib_scores_ = y_calib - calib_ranking
        self.calib_weights_ = self._weights(X_calib, "calibration")
        self._calibrated_with = self._calibration_settings()
        return self

    def _weights(self, X, which):
        if self.weight_function is None:
            return np.ones(X.shape[0])
        weights = np.asarray(self.weight_function(X), dtype=np.float64)
        if weights.shape != (X.shape[0],):
            raise ValueError(
                f"weight_function must return one weight per {which} sample: expected shape "
                f"({X.shape[0]},), got {weights.shape}."
            )
        if not np.isfinite(weights).all() or (weights < 0).any():
            raise ValueError(
                f"weight_function returned negative, NaN or infinite weights for the {which} "
                "samples; density ratios must be finite and non-negative."
            )
        return weights

    def _calibration_settings(self):
        return {
            "score": self.score,
            "threshold": self.threshold,
            "weight_function": self.weight_function,
        }

    def _test_scores(self, X):
        check_is_fitted(self)
        # fdr, method, pruning and randomized may change between fit and select; the
        # calibration scores depend on the rest.
        self._validate_params()
        _check_unchanged(self, self._calibrated_with, self._calibration_settings())
        X = _validate_features(self, X, reset=False, estimator=self.estimator_)
        test_scores = -_ranking(self.estimator_, X)
        if self.score == "residual":
            test_scores = test_scores + self.threshold
        return X, test_scores

    def p_values(self, X):
        """Conformal p-values of the test units (small means likely ``y > threshold``).

        Parameters
        ----------
        X : array-like of shape (n_test, n_features)
            Test units.

        Returns
        -------
        p_values : ndarray of shape (n_test,)
            Weighted p-values with ``method="wcs"``, plain conformal p-values otherwise.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from skselect.conformal import ConformalSelector
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(200, 2))
        >>> y = X[:, 0] + rng.normal(size=200)
        >>> selector = ConformalSelector(LinearRegression(), random_state=0).fit(X, y)
        >>> p_values = selector.p_values(X[:5])
        >>> bool(((p_values > 0) & (p_values <= 1)).all())
        True
        """
        if is_dask_collection(X):  # Dask test points: lazy, blockwise (conformal/_dask.py)
            return dask_implementation("ConformalSelector.p_values")(self, X)
        X, test_scores = self._test_scores(X)
        random_state = _check_random_state(self.random_state)
        return self._p_values(X, test_scores, random_state)

    def _p_values(self, X, test_scores, random_state):
        if self.method == "wcs":
            weights = {
                "calib_weights": self.calib_weights_,
                "test_weights": self._weights(X, "test"),
            }
        else:
            weights = {}
        return conformal_pvalues(
            self.calib_scores_,
            test_scores,
            randomized=self.randomized,
            random_state=random_state,
            **weights,
        )

    def select(self, X):
        """Select the test units predicted to have ``y > threshold``, at FDR ``fdr``.

        Parameters
        ----------
        X : array-like of shape (n_test, n_features)
            The test batch; the guarantee is about this whole batch.

        Returns
        -------
        selected : ndarray of bool, shape (n_test,)
            True for the selected units.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from skselect.conformal import ConformalSelector
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(200, 2))
        >>> y = X[:, 0] + rng.normal(size=200)
        >>> selector = ConformalSelector(LinearRegression(), fdr=0.2, random_state=0).fit(X, y)
        >>> selector.select(rng.normal(size=(50, 2))).shape
        (50,)
        """
        if is_dask_collection(X):  # Dask test points: exact BH, lazy (conformal/_dask.py)
            return dask_implementation("ConformalSelector.select")(self, X)
        X, test_scores = self._test_scores(X)
        random_state = _check_random_state(self.random_state)
        p_values = self._p_values(X, test_scores, random_state)
        self.p_values_ = p_values
        if self.method == "cfbh":
            return benjamini_hochberg(p_values, self.fdr)
        test_weights = self._weights(X, "test")
        set_sizes, *_ = _auxiliary_sizes(
            self.calib_scores_,
            np.ascontiguousarray(test_scores, dtype=self.calib_scores_.dtype),
            self.calib_weights_,
            test_weights,
            self.fdr,
            _openmp_effective_n_threads(),
        )
        selected, _, e_values = _select_with_auxiliary_sets(
            p_values, set_sizes, self.fdr, self.pruning, random_state
        )
        self.aux_sizes_ = set_sizes
        self.e_values_ = e_values
        return selected

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.target_tags.required = True
        tags.target_tags.single_output = True
        tags.target_tags.multi_output = False
        return tags
