"""OptCSSelector: conformal selection after model selection or without data splitting."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral

import numpy as np
import scipy.sparse as sp
from joblib import effective_n_jobs
from joblib import hash as joblib_hash
from sklearn.base import _fit_context, clone, is_classifier
from sklearn.utils._indexing import _safe_indexing
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from skselect.conformal._auxiliary import _auxiliary_sizes, _select_with_auxiliary_sets
from skselect.conformal._base import (
    _BaseConformalSelector,
    _clip_scores,
    _fit_ranking_estimator,
    _is_pandas_df,
    _ranking,
    _Selection,
    _split,
    _validate_features,
    _warn_if_no_calibration_discovery,
)
from skselect.conformal._pvalues import _check_random_state
from skselect.conformal._target import (
    _check_target,
    _check_target_ranking,
    _in_target,
    _prediction_transform,
    _target_description,
)


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
        model = clone(estimator).fit(_safe_indexing(X, keep), train_labels)
        rankings[position] = _ranking(model, _safe_indexing(X, [index]))[0]
    return rankings


def _progress(results, total, verbose, what):
    """Yield ``results``, reporting progress when ``verbose``: a tqdm bar when tqdm is
    installed, otherwise a line at about every tenth of the work."""
    if not verbose:
        yield from results
        return
    try:
        from tqdm.auto import tqdm
    except ImportError:
        tqdm = None
    if tqdm is not None:
        with tqdm(total=total, desc=f"[OptCSSelector] {what}") as bar:
            for result in results:
                bar.update(1)
                yield result
        return
    step = max(1, total // 10)
    for done, result in enumerate(results, start=1):
        if done % step == 0 or done == total:
            print(f"[OptCSSelector] {what}: {done}/{total} done", flush=True)
        yield result


class OptCSSelector(_BaseConformalSelector):
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
        ``K (n + m)`` fits. In the full modes these fits happen at the first ``select``,
        ``p_values`` or ``selection_report`` call on a test batch; the rankings of the last
        batch are kept, so the other two calls on the same batch cost no fit.
    threshold : float, default=0.0
        Selection target: units with ``y > threshold`` are the discoveries. Not used when
        ``target`` is given.
    fdr : float in (0, 1), default=0.1
        Target false discovery rate ``q``.
    target : tuple, list of tuples or callable, default=None
        A composite selection target ``A`` instead of ``y > threshold``:
        ``("interval", lo, hi)`` for ``lo < y < hi``, a list of such tuples for their
        union, or a callable ``target(y, X)`` returning one bool per sample (``y`` may be
        multi-output). As in :class:`ConformalSelector`: classifiers are fitted on
        ``1{y in A}``, regressors on ``y`` and rank by how far inside ``A`` their
        prediction lies (or by ``target_ranking``); the full modes fit every candidate on
        ``1{y in A}``.
    target_ranking : callable, default=None
        ``target_ranking(prediction, X) -> (n_samples,)``: the ranking of a regressor's
        predictions for ``target`` (larger = more likely inside), required with a callable
        ``target`` and a regressor in ``mode="ms"``.
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
        Number of joblib jobs for the candidate and leave-one-out fits (never more than
        there are batches of fits). ``None`` means 1 unless in a ``joblib.parallel_config``
        context (whose backend may be ``"dask"``). The selection kernels' threads follow
        the OpenMP runtime limit instead (``OMP_NUM_THREADS`` or threadpoolctl).
    verbose : int, default=0
        Report the progress of the model fits: a progress bar when ``tqdm`` is installed,
        otherwise a line about every tenth of the fits. The leave-one-out fits of the full
        modes (``K (n + m)`` of them, in ``select``) can take minutes.
    random_state : int, RandomState instance or None, default=None
        Controls the split, the random tie-breaks between equally good models and the
        pruning draws. An int gives reproducible selections. With ``None`` or a
        ``RandomState`` instance, ``fit`` draws the seed of the select-time draws once (as
        scikit-learn estimators fix their randomness at fit), so ``select``, ``p_values``
        and ``selection_report`` on the same batch agree; another ``fit`` draws another
        seed.

    Attributes
    ----------
    estimators_ : list of estimator objects
        ``mode="ms"``: the fitted candidates (the given ones when ``prefit=True``).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during ``fit``, when they are all strings.

    See Also
    --------
    ConformalSelector : One model, fitted on a training split.

    Notes
    -----
    After the ``predict`` calls, the selection step costs ``O(K (n log n + m log m))``: per
    model one sort of each side, then all ``m`` auxiliary-set sizes in ``O(m)`` (with unit
    weights a row depends on its unit only through its rank and tie group). The full modes
    add ``n + m`` fits per candidate, dispatched through ``joblib.Parallel``, once per test
    batch: the leave-one-out rankings of the most recent batch are kept (keyed by a hash of
    the batch and of the candidates' parameters), so ``p_values`` followed by ``select`` and
    ``selection_report`` on the same batch refits nothing. A new batch, or a new ``fit``,
    replaces them.

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
    >>> X_test = rng.normal(size=(50, 3))
    >>> selected = selector.select(X_test)
    >>> selected.shape, selector.p_values(X_test).shape
    ((50,), (50,))
    """

    _parameter_constraints: dict = {
        **_BaseConformalSelector._parameter_constraints,
        "estimators": [list],
        "mode": [StrOptions({"ms", "full", "full-ms"})],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "target": [None, tuple, list, callable],
        "target_ranking": [None, callable],
    }

    def __init__(
        self,
        estimators,
        *,
        mode="ms",
        threshold=0.0,
        fdr=0.1,
        target=None,
        target_ranking=None,
        pruning="homogeneous",
        calibration_size=0.5,
        prefit=False,
        n_jobs=None,
        verbose=0,
        random_state=None,
    ):
        self.estimators = estimators
        self.mode = mode
        self.threshold = threshold
        self.fdr = fdr
        self.target = target
        self.target_ranking = target_ranking
        self.pruning = pruning
        self.calibration_size = calibration_size
        self.prefit = prefit
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.random_state = random_state

    def _inner_estimators(self):
        return list(self.estimators)

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

    def _run(self, jobs, what):
        """Run joblib ``jobs`` through scikit-learn's Parallel, in order, with progress."""
        n_jobs = min(effective_n_jobs(self.n_jobs), len(jobs))
        results = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
        return list(_progress(results, len(jobs), self.verbose, what))

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the candidates (mode "ms") or store the labelled data (full modes).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Labelled samples. A DataFrame reaches the candidates unchanged.
        y : array-like of shape (n_samples,)
            Real-valued labels.

        Returns
        -------
        self : object
            The fitted selector.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression, Ridge
        >>> from skselect.conformal import OptCSSelector
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(300, 3))
        >>> y = X[:, 0] + rng.normal(size=300)
        >>> selector = OptCSSelector([LinearRegression(), Ridge()], threshold=1.0).fit(X, y)
        >>> selector.select(X[:20]).shape
        (20,)
        """
        self._check_estimators()
        _check_target(self.target)
        if self.mode == "ms":
            _check_target_ranking(self, self.estimators)
        X, y = _validate_features(
            self,
            X,
            y,
            reset=True,
            estimators=self.estimators,
            numeric=self.mode != "ms",
            multi_output=callable(self.target),
        )
        random_state = _check_random_state(self.random_state)
        self._calibrated_with = self._calibration_settings()
        self._leave_one_out_cache = None
        description = _target_description(self)
        if self.mode != "ms":
            self.X_calib_, self.calib_nonnull_ = X, _in_target(self, y, X)
            _warn_if_no_calibration_discovery(self.calib_nonnull_, description)
            self._set_select_seed(random_state)
            return self
        if self.prefit:
            for estimator in self.estimators:
                check_is_fitted(estimator)
            self.estimators_ = list(self.estimators)
            X_calib, y_calib = X, y
        else:
            split_seed = random_state.randint(np.iinfo(np.int32).max)
            X_train, X_calib, y_train, y_calib = _split(X, y, self.calibration_size, split_seed)
            train_in_target = _in_target(self, y_train, X_train)
            self.estimators_ = self._run(
                [
                    delayed(_fit_ranking_estimator)(
                        estimator, X_train, y_train, train_in_target, description
                    )
                    for estimator in self.estimators
                ],
                "candidate fits",
            )
        self.calib_nonnull_ = _in_target(self, y_calib, X_calib)
        _warn_if_no_calibration_discovery(self.calib_nonnull_, description)
        self.calib_rankings_ = self._test_rankings(X_calib)
        self._set_select_seed(random_state)
        return self

    def _calibration_settings(self):
        return {
            "estimators": self.estimators,
            "mode": self.mode,
            "threshold": self.threshold,
            "target": self.target,
            "target_ranking": self.target_ranking,
            "calibration_size": self.calibration_size,
            "prefit": self.prefit,
        }

    def _validate_test_features(self, X):
        return _validate_features(
            self, X, reset=False, estimators=self.estimators, numeric=self.mode != "ms"
        )

    def _leave_one_out_rankings(self, X_test):
        """(K, n + m) joint leave-one-out rankings over calibration plus test units."""
        if _is_pandas_df(self.X_calib_):
            import pandas as pd

            X_all = pd.concat([self.X_calib_, X_test], ignore_index=True)
        elif sp.issparse(self.X_calib_):
            X_all = sp.vstack([self.X_calib_, X_test], format="csr")
        else:
            X_all = np.concatenate([np.asarray(self.X_calib_), np.asarray(X_test)])
        labels = np.concatenate(
            [self.calib_nonnull_.astype(np.int64), np.zeros(X_test.shape[0], dtype=np.int64)]
        )
        n_all = X_all.shape[0]
        # Batches depend on the data size only (never on n_jobs), so the fits and their
        # order are the same for every worker count; 10 per candidate lets progress show.
        batches = np.array_split(np.arange(n_all), min(n_all, 10))
        jobs = [
            delayed(_leave_one_out_batch)(estimator, X_all, labels, batch)
            for estimator in self.estimators
            for batch in batches
        ]
        results = self._run(jobs, f"leave-one-out fits in {len(jobs)} batches")
        return np.concatenate(results).reshape(len(self.estimators), n_all)

    def _cached_leave_one_out_rankings(self, X_test):
        """The joint leave-one-out rankings, computed once per test batch.

        ``select``, ``p_values`` and ``selection_report`` each need them, and they cost
        ``n + m`` fits per candidate: the last batch's rankings are kept under a hash of the
        batch and of the candidates' parameters (a candidate changed in place by
        ``set_params`` is refitted). One (key, rankings) tuple is assigned at once, so
        concurrent calls read either the old or the new entry, never a mix.
        """
        try:
            key = joblib_hash(
                (X_test, [estimator.get_params(deep=True) for estimator in self.estimators])
            )
        except Exception:  # an unpicklable parameter: no cache, the fits are redone
            key = None
        cached = getattr(self, "_leave_one_out_cache", None)
        if key is not None and cached is not None and cached[0] == key:
            return cached[1]
        rankings = self._leave_one_out_rankings(X_test)
        if key is not None:
            rankings.setflags(write=False)
            self._leave_one_out_cache = (key, rankings)
        return rankings

    def _test_rankings(self, X):
        """(K, m) rankings of the units by the fitted candidates (mode "ms")."""
        transform = _prediction_transform(self)
        return np.vstack([_ranking(est, X, transform) for est in self.estimators_])

    def _rankings(self, X):
        if self.mode == "ms":
            return self.calib_rankings_, self._test_rankings(X)
        rankings = self._cached_leave_one_out_rankings(X)
        n_calib = self.calib_nonnull_.shape[0]
        return rankings[:, :n_calib], rankings[:, n_calib:]

    def _p_values(self, X):
        return self._selection(X).p_value

    def _selection(self, X):
        return self._selection_from_rankings(*self._rankings(X))

    def _selection_from_rankings(self, calib_rankings, test_rankings):
        """The selection once every model has ranked the calibration and the test units
        (also the last step of the Dask path, on the gathered test rankings)."""
        random_state = self._select_time_random_state()
        n_models, n_test = test_rankings.shape
        n_calib = calib_rankings.shape[1]
        set_sizes = np.empty((n_models, n_test), dtype=np.intp)
        p_values = np.empty((n_models, n_test))
        test_scores = np.empty((n_models, n_test))
        for k in range(n_models):
            calib_scores, test_scores[k] = _clip_scores(
                calib_rankings[k], self.calib_nonnull_, test_rankings[k]
            )
            set_sizes[k], _, at_or_below, _ = _auxiliary_sizes(
                calib_scores,
                np.ascontiguousarray(test_scores[k]),
                np.ones(n_calib),
                np.ones(n_test),
                self.fdr,
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
        return _Selection(
            prediction=test_rankings[chosen, columns],
            score=test_scores[chosen, columns],
            p_value=chosen_p_values,
            p_value_cutoff=self.fdr * best / max(n_test, 1),
            selected=selected,
            fdr=self.fdr,
            aux_size=best,
            e_value=e_values,
            model=chosen,
        )
