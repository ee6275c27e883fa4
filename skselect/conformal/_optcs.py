"""OptCSSelector: conformal selection after model selection or without data splitting."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, MetaEstimatorMixin, _fit_context, clone, is_classifier
from sklearn.utils import get_tags
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from skselect.conformal._pvalues import (
    PRUNING_OPTIONS,
    _auxiliary_sizes,
    _check_random_state,
    _select_with_auxiliary_sets,
)
from skselect.conformal._selector import (
    _check_unchanged,
    _clip_scores,
    _fit_ranking_estimator,
    _ranking,
    _split,
    _validate_features,
)
from skselect.utils._dask import (  # Dask input: conformal/_dask.py
    dask_implementation,
    is_dask_collection,
)
from skselect.utils._openmp_helpers import _openmp_effective_n_threads


def _fit_candidate(estimator, X, y, threshold):
    return _fit_ranking_estimator(estimator, X, y, threshold)


def _leave_one_out_batch(estimator, X, labels, indices):
    """LOO rankings of ``indices``: fit on every other sample of (X, labels), predict it.

    A training set with a single class (possible for a classifier) gets the constant ranking
    of that class, still a symmetric function of the training set.
    """
    n_samples = X.shape[0]
    rankings = np.empty(len(indices))
    for position, index in enumerate(indices):
        keep = np.ones(n_samples, dtype=bool)
        keep[index] = False
        train_labels = labels[keep]
        if is_classifier(estimator) and np.unique(train_labels).shape[0] < 2:
            rankings[position] = float(train_labels[0])
            continue
        model = clone(estimator).fit(X[keep], train_labels)
        rankings[position] = _ranking(model, X[index : index + 1])[0]
    return rankings


class OptCSSelector(MetaEstimatorMixin, BaseEstimator):
    """Conformal selection after model optimisation (OptCS), with FDR control.

    OptCS (Bai and Jin, 2024) keeps the finite-sample FDR guarantee of conformal selection
    while the data are reused to choose among candidate models (``mode="ms"``), to fit the
    model on all labelled and test data without a split (``mode="full"``), or both
    (``mode="full-ms"``). For every test unit ``j`` an auxiliary BH set of size ``s_j`` is
    computed from a score that is a symmetric function of the calibration units plus unit
    ``j``; e-values ``m 1{p_j <= fdr s_j / m} / (fdr s_j)`` are then pruned by e-BH.

    Read more in the :ref:`User Guide <conformal>`.

    Parameters
    ----------
    estimators : list of estimator objects
        Candidate ranking models: regressors (ranking = ``predict``) or binary classifiers
        (probability of ``1{y > threshold}``). ``mode="full"`` takes exactly one.
    mode : {"ms", "full", "full-ms"}, default="ms"
        ``"ms"``: fit every candidate on a training split and, per test unit, use the one
        with the largest auxiliary set. ``"full"``: fit one model by joint leave-one-out on
        the labelled plus test units (test labels imputed as null), ``n + m`` fits.
        ``"full-ms"``: leave-one-out for every candidate, then the ``"ms"`` choice,
        ``K (n + m)`` fits.
    threshold : float, default=0.0
        Selection target: units with ``y > threshold`` are the discoveries.
    fdr : float in (0, 1), default=0.1
        Target false discovery rate ``q``.
    pruning : {"homogeneous", "heterogeneous", "deterministic"}, default="homogeneous"
        Pruning of the e-value step. Deterministic pruning is eBH on the e-values and is very
        conservative after model selection; the random prunings divide the e-values by one
        shared (homogeneous) or independent (heterogeneous) uniforms.
    calibration_size : float in (0, 1) or int, default=0.5
        ``mode="ms"`` only: share (or number) of the labelled samples used for calibration.
    prefit : bool, default=False
        ``mode="ms"`` only: the candidates are already fitted on independent data and every
        sample passed to ``fit`` is used for calibration.
    n_jobs : int, default=None
        Number of joblib jobs for the candidate and leave-one-out fits. ``None`` means 1
        unless in a ``joblib.parallel_backend`` context (which may be ``"dask"``).
    random_state : int, RandomState instance or None, default=None
        Controls the split, the random tie-breaks between equally good models and the
        pruning draws.

    Attributes
    ----------
    estimators_ : list of estimator objects
        ``mode="ms"``: the fitted candidates (the given ones when ``prefit=True``).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during ``fit``, when they are all strings.
    selected_model_ : ndarray of int, shape (n_test,)
        Index into ``estimators`` of the model chosen for each test unit in the last
        ``select``.
    aux_sizes_ : ndarray of int, shape (n_test,)
        Auxiliary selection-set sizes ``s_j`` of the last ``select``.
    p_values_ : ndarray of shape (n_test,)
        Conformal p-value of every test unit under its chosen model.
    e_values_ : ndarray of shape (n_test,)
        e-values of the last ``select``.

    See Also
    --------
    ConformalSelector : One model, fitted on a training split.

    Notes
    -----
    After the ``predict`` calls, the selection step costs ``O(K (n log n + m log m))``: per
    model one sort of each side, then all ``m`` auxiliary-set sizes in ``O(m)`` (with unit
    weights a row depends on its unit only through its rank and tie group). The full modes
    add ``n + m`` fits per candidate, dispatched through ``joblib.Parallel``.

    Regressors in the full modes are fitted on the binary label ``1{y > threshold}``, the
    only label known for a test unit under its null hypothesis.

    References
    ----------
    .. [1] T. Bai and Y. Jin, "Optimized conformal selection: powerful selective inference
       after conformity score optimization", arXiv:2411.17983, 2024.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression, Ridge
    >>> from skselect.conformal import OptCSSelector
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 3))
    >>> y = X @ [2.0, -1.0, 0.5] + rng.normal(size=400)
    >>> selector = OptCSSelector([LinearRegression(), Ridge(alpha=100.0)], threshold=1.0,
    ...                          fdr=0.2, random_state=0).fit(X, y)
    >>> selected = selector.select(rng.normal(size=(50, 3)))
    >>> selected.shape, selector.selected_model_.shape
    ((50,), (50,))
    """

    _parameter_constraints = {
        "estimators": [list],
        "mode": [StrOptions({"ms", "full", "full-ms"})],
        "threshold": [Real],
        "fdr": [Interval(Real, 0, 1, closed="neither")],
        "pruning": [StrOptions(set(PRUNING_OPTIONS))],
        "calibration_size": [
            Interval(Real, 0, 1, closed="neither"),
            Interval(Integral, 1, None, closed="left"),
        ],
        "prefit": ["boolean"],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimators,
        *,
        mode="ms",
        threshold=0.0,
        fdr=0.1,
        pruning="homogeneous",
        calibration_size=0.5,
        prefit=False,
        n_jobs=None,
        random_state=None,
    ):
        self.estimators = estimators
        self.mode = mode
        self.threshold = threshold
        self.fdr = fdr
        self.pruning = pruning
        self.calibration_size = calibration_size
        self.prefit = prefit
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _check_estimators(self):
        if len(self.estimators) == 0:
            raise ValueError("estimators is empty; give at least one candidate model.")
        for index, estimator in enumerate(self.estimators):
            if not (hasattr(estimator, "fit") and hasattr(estimator, "predict")):
                raise TypeError(
                    f"estimators[{index}] must be an estimator with fit and predict, got "
                    f"{type(estimator).__name__}."
                )
        if self.mode == "full" and len(self.estimators) != 1:
            raise ValueError(
                f"mode='full' fits one model; got {len(self.estimators)} estimators. Pass one "
                "estimator, or use mode='full-ms' to choose among several."
            )
        if self.prefit and self.mode != "ms":
            raise ValueError(
                f"prefit=True needs mode='ms'; mode={self.mode!r} fits its models by "
                "leave-one-out on the calibration and test units."
            )

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the candidates (mode "ms") or store the labelled data (full modes).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Labelled samples.
        y : array-like of shape (n_samples,)
            Real-valued labels.

        Returns
        -------
        self : OptCSSelector
            The fitted selector.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression, Ridge
        >>> from skselect.conformal import OptCSSelector
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(200, 2))
        >>> y = X[:, 0] + rng.normal(size=200)
        >>> selector = OptCSSelector([LinearRegression(), Ridge(alpha=50.0)], random_state=0)
        >>> len(selector.fit(X, y).estimators_)
        2
        """
        self._check_estimators()
        X, y = _validate_features(
            self, X, y, reset=True, estimator=self.estimators[0], numeric=self.mode != "ms"
        )
        random_state = _check_random_state(self.random_state)
        self._calibrated_with = self._calibration_settings()
        if self.mode != "ms":
            self.X_calib_, self.calib_nonnull_ = X, y > self.threshold
            return self
        if self.prefit:
            for estimator in self.estimators:
                check_is_fitted(estimator)
            self.estimators_ = list(self.estimators)
            X_calib, y_calib = X, y
        else:
            split_seed = random_state.randint(np.iinfo(np.int32).max)
            X_train, X_calib, y_train, y_calib = _split(X, y, self.calibration_size, split_seed)
            self.estimators_ = Parallel(n_jobs=self.n_jobs)(
                delayed(_fit_candidate)(estimator, X_train, y_train, self.threshold)
                for estimator in self.estimators
            )
        self.calib_nonnull_ = y_calib > self.threshold
        self.calib_rankings_ = np.vstack([_ranking(est, X_calib) for est in self.estimators_])
        return self

    def _calibration_settings(self):
        return {
            "estimators": self.estimators,
            "mode": self.mode,
            "threshold": self.threshold,
            "calibration_size": self.calibration_size,
            "prefit": self.prefit,
        }

    def _leave_one_out_rankings(self, X_test):
        """(K, n + m) joint leave-one-out rankings over calibration plus test units."""
        if sp.issparse(self.X_calib_):
            X_all = sp.vstack([self.X_calib_, X_test], format="csr")
        else:
            X_all = np.concatenate([np.asarray(self.X_calib_), np.asarray(X_test)])
        labels = np.concatenate(
            [self.calib_nonnull_.astype(np.int64), np.zeros(X_test.shape[0], dtype=np.int64)]
        )
        n_all = X_all.shape[0]
        n_batches = min(n_all, 4 * effective_n_jobs(self.n_jobs))
        batches = np.array_split(np.arange(n_all), n_batches)
        jobs = [
            delayed(_leave_one_out_batch)(estimator, X_all, labels, batch)
            for estimator in self.estimators
            for batch in batches
        ]
        results = Parallel(n_jobs=self.n_jobs)(jobs)
        return np.concatenate(results).reshape(len(self.estimators), n_all)

    def select(self, X):
        """Select the test units predicted to have ``y > threshold``, at FDR ``fdr``.

        Parameters
        ----------
        X : array-like of shape (n_test, n_features)
            The test batch.

        Returns
        -------
        selected : ndarray of bool, shape (n_test,)
            True for the selected units.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression, Ridge
        >>> from skselect.conformal import OptCSSelector
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(200, 2))
        >>> y = X[:, 0] + rng.normal(size=200)
        >>> selector = OptCSSelector([LinearRegression(), Ridge(alpha=50.0)], fdr=0.2,
        ...                          random_state=0).fit(X, y)
        >>> selected = selector.select(rng.normal(size=(40, 2)))
        >>> selected.shape, selector.aux_sizes_.shape
        ((40,), (40,))
        """
        if is_dask_collection(X):  # Dask test points: rankings per block (conformal/_dask.py)
            return dask_implementation("OptCSSelector.select")(self, X)
        check_is_fitted(self)
        # fdr and pruning may change between fit and select; the calibration depends on the
        # rest.
        self._validate_params()
        _check_unchanged(self, self._calibrated_with, self._calibration_settings())
        X = _validate_features(
            self, X, reset=False, estimator=self.estimators[0], numeric=self.mode != "ms"
        )
        n_test = X.shape[0]
        random_state = _check_random_state(self.random_state)
        if self.mode == "ms":
            calib_rankings = self.calib_rankings_
            test_rankings = np.vstack([_ranking(est, X) for est in self.estimators_])
        else:
            rankings = self._leave_one_out_rankings(X)
            n_calib = self.calib_nonnull_.shape[0]
            calib_rankings, test_rankings = rankings[:, :n_calib], rankings[:, n_calib:]
        n_calib = calib_rankings.shape[1]
        n_models = calib_rankings.shape[0]
        set_sizes = np.empty((n_models, n_test), dtype=np.intp)
        p_values = np.empty((n_models, n_test))
        n_threads = _openmp_effective_n_threads()
        for k in range(n_models):
            calib_scores, test_scores = _clip_scores(
                calib_rankings[k], self.calib_nonnull_, test_rankings[k]
            )
            set_sizes[k], _, at_or_below, _ = _auxiliary_sizes(
                calib_scores,
                test_scores,
                np.ones(n_calib),
                np.ones(n_test),
                self.fdr,
                n_threads,
            )
            p_values[k] = (at_or_below + 1.0) / (n_calib + 1.0)
        # Ties between equally large auxiliary sets are broken uniformly at random.
        tie_break = random_state.uniform(size=(n_models, n_test))
        best = set_sizes.max(axis=0)
        chosen = np.argmax(np.where(set_sizes == best, tie_break, -1.0), axis=0)
        columns = np.arange(n_test)
        chosen_p_values = p_values[chosen, columns]
        selected, _, e_values = _select_with_auxiliary_sets(
            chosen_p_values, best, self.fdr, self.pruning, random_state
        )
        self.selected_model_ = chosen
        self.aux_sizes_ = best
        self.p_values_ = chosen_p_values
        self.e_values_ = e_values
        return selected

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = [get_tags(estimator) for estimator in self.estimators]
        tags.input_tags.allow_nan = all(t.input_tags.allow_nan for t in inner)
        tags.input_tags.sparse = all(t.input_tags.sparse for t in inner)
        tags.target_tags.required = True
        tags.target_tags.single_output = True
        tags.target_tags.multi_output = False
        return tags
