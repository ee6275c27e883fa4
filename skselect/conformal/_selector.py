"""ConformalSelector: conformal selection (cfBH) and weighted conformal selection (WCS)."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import check_is_fitted

from skselect.conformal._auxiliary import _auxiliary_sizes, _select_with_auxiliary_sets
from skselect.conformal._base import (
    _BaseConformalSelector,
    _clip_scores,
    _fit_ranking_estimator,
    _ranking,
    _residual_scores,
    _Selection,
    _split,
    _validate_features,
    _warn_if_no_calibration_discovery,
    _wrap,
)
from skselect.conformal._diverse import (
    OBJECTIVES,
    _check_objective_inputs,
    _choose,
    _similarity_matrix,
)
from skselect.conformal._fdp import FDP_METHODS, _bounds_from_sorted
from skselect.conformal._pvalues import (
    _bh_count,
    _check_random_state,
    _pvalues_from_scores,
    _scale_weights,
)
from skselect.conformal._target import (
    _check_target,
    _check_target_ranking,
    _in_target,
    _prediction_transform,
    _target_description,
)
from skselect.conformal._weights import (
    _clip_weights,
    _cross_fitted_density_ratio,
    _is_weight_classifier,
    _warn_if_small_ess,
    effective_sample_size,
)
from skselect.utils._dask import dask_implementation, is_dask_collection

# Cross-fitting folds of the density-ratio classifier: each fit sees 80% of the units.
_N_WEIGHT_FOLDS = 5


def _screening_stop(calib_scores, test_scores, fdr, budget):
    """The cut-off of budgeted conformal selection: (|C|, the units of C).

    Coming down the ranking, the least promising unit (calibration or test) is removed one
    at a time; after each removal at score ``t``, ``R = #{test <= t}`` and
    ``N = #{calibration <= t}`` are known. The cut-off is the first point where
    ``(1 + N) / (n + 1) <= fdr min(budget, R) / m``, a stopping time of this screening,
    at which ``e = (n + 1) / (1 + N)`` are valid conformal e-values for the units left.
    Stopping at the first such point matters: it may fall among the calibration scores
    above the last unit kept, and the e-values of a later point (fewer calibration units,
    as if one knew the next unit to go was a test unit) are not valid. Without a budget the
    units left are the cfBH selection (the same float expressions as the BH step on the
    p-values).
    """
    n_tests, n_calib = test_scores.shape[0], calib_scores.shape[0]
    sorted_test = np.sort(test_scores)
    sorted_calib = np.sort(calib_scores)
    times = np.unique(np.concatenate([sorted_test, sorted_calib[np.isfinite(sorted_calib)]]))
    remaining = np.searchsorted(sorted_test, times, side="right")
    nulls = np.searchsorted(sorted_calib, times, side="right").astype(np.float64)
    estimate = np.minimum((nulls + 1.0) / (n_calib + 1.0), 1.0)
    allowed = remaining if budget is None else np.minimum(remaining, budget)
    passing = np.flatnonzero((remaining > 0) & (estimate <= fdr * allowed / n_tests))
    if passing.size == 0:
        return 0, np.zeros(0, dtype=np.intp)
    order = np.argsort(test_scores, kind="stable")
    stop = int(remaining[passing[-1]])
    return stop, order[:stop]


class ConformalSelector(_BaseConformalSelector):
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
        Selection target: units with ``y > threshold`` are the discoveries. Not used when
        ``target`` is given.
    fdr : float in (0, 1), default=0.1
        Target false discovery rate ``q``.
    target : tuple, list of tuples or callable, default=None
        A composite selection target ``A`` (the discoveries are the units with
        ``y in A``), instead of ``y > threshold``:

        - ``("interval", lo, hi)``: ``lo < y < hi`` (``lo`` or ``hi`` may be infinite);
        - a list of such tuples: ``y`` in any of the intervals (their union);
        - a callable ``target(y, X)`` returning one bool per sample; ``y`` may then have
          several columns (multi-output labels) and reach it unchanged.

        Selection is conformal selection on the indicator ``1{y in A}`` (clipped score),
        so the FDR guarantee is the same, per unit. A classifier is fitted on the
        indicator; a regressor on ``y``, and it ranks the units by how far inside ``A`` its
        prediction lies (``min(mu - lo, hi - mu)`` for an interval, the largest over a
        union) or by ``target_ranking``. Needs ``conformity_score="clip"``.
    target_ranking : callable, default=None
        ``target_ranking(prediction, X) -> (n_samples,)``: the ranking of a regressor's
        predictions (larger = more likely in the target), required with a callable
        ``target`` and a regressor (for instance the signed distance of a multi-output
        prediction to a region). Overrides the interval distance; unused by classifiers.
    conformity_score : {"clip", "residual"}, default="clip"
        Nonconformity score. ``"clip"`` is ``inf * 1{y > threshold} - mu(x)`` (``M = +inf``),
        the most powerful choice for a good ranking; ``"residual"`` is ``y - mu(x)``.
    method : {"cfbh", "wcs"}, default="cfbh"
        ``"cfbh"``: BH on conformal p-values. ``"wcs"``: weighted conformal selection
        (auxiliary BH sets, then pruning), needed for covariate shift.
    pruning : {"homogeneous", "heterogeneous", "deterministic"}, default="homogeneous"
        Pruning of the first-step set in ``method="wcs"``; ignored otherwise. The first
        step keeps ``{j: p_j <= fdr s_j / m}``; pruning then keeps the units whose
        ``xi_j s_j`` passes an e-BH-type step, with ``xi_j`` one shared uniform
        (``"homogeneous"``), independent uniforms (``"heterogeneous"``) or 1
        (``"deterministic"``). All three control the FDR. Deterministic pruning can only keep
        a unit whose auxiliary set size ``s_j`` is at most the number of units kept, so when
        the weights are spread (a real covariate shift) most ``s_j`` exceed the first-step
        set and it selects nothing: in a simulation with a one-standard-deviation mean shift
        it selected nothing in most runs (power 0.02 against 0.27 for homogeneous pruning,
        same FDR bound). Homogeneous pruning had the highest power in every shift studied
        (see the User Guide). With unit weights, deterministic pruning equals
        ``method="cfbh"`` exactly.
    weight_function : callable or classifier, default=None
        The density ratio ``w(x) = dQ_X/dP_X`` of the test over the calibration covariate
        distribution, for ``method="wcs"`` (None means unit weights):

        - a callable ``weight_function(X) -> (n_samples,)`` returning the known, non-negative
          ratio; it is evaluated on the calibration units in ``fit`` and on the test units
          in ``select``;
        - an unfitted scikit-learn classifier with ``predict_proba``, which estimates the
          ratio against each test batch: it learns to tell calibration covariates (class 0)
          from test covariates (class 1), and ``w(x) = (n / m) P(test | x) /
          P(calibration | x)``. The classifier is cross-fitted over 5 folds of the
          calibration and test units, so no unit's weight comes from a model that saw that
          unit (an overfit classifier would otherwise push calibration weights towards 0
          and test weights up, and select too much), and no unit is set aside.

        With estimated weights the FDR guarantee is approximate: close to ``fdr`` when the
        classifier is well specified (see the User Guide for a study).
    weight_clip : float > 1, default=None
        Clip the weights into ``[mean / weight_clip, mean * weight_clip]``, the mean taken
        over the calibration weights: fewer extreme weights, at the price of a bias when
        the true ratio is that extreme. None does not clip.
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
        pruning draws. An int gives reproducible selections. With ``None`` or a
        ``RandomState`` instance, ``fit`` draws the seed of the select-time draws once (as
        scikit-learn estimators fix their randomness at fit), so ``select``, ``p_values``
        and ``selection_report`` on the same batch agree; another ``fit`` draws another
        seed.

    Attributes
    ----------
    estimator_ : estimator object
        The fitted ranking model (``estimator`` itself when ``prefit=True``).
    calib_scores_ : ndarray of shape (n_calib,)
        Nonconformity scores of the calibration units (``inf`` for clipped non-nulls).
    calib_weights_ : ndarray of shape (n_calib,)
        Calibration weights: ones without ``weight_function``, the callable's values with
        one. Absent when the weights are estimated by a classifier (they depend on the test
        batch; see ``selection_report``).
    effective_sample_size_ : float
        Kish's effective sample size ``(sum w_i)^2 / sum w_i^2`` of the calibration weights,
        when ``weight_function`` is a callable (for a classifier it is in the
        ``selection_report`` attributes). A warning is raised when it is below 10% of the
        calibration units.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during ``fit``, when they are all strings.

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
    .. [3] Q. Hao, Y. Liao, B. Jing and Z. Wei, "Multi-condition conformal selection",
       arXiv:2510.08075, 2025 (composite targets).
    .. [4] T. Bai, Y. Zhao, X. Yu and Y. Yang, "Multivariate conformal selection", ICML,
       2025 (multi-output labels).

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
    >>> bool(selected.any()), selector.p_values(X_test).shape
    (True, (100,))
    """

    _parameter_constraints: dict = {
        **_BaseConformalSelector._parameter_constraints,
        "estimator": [HasMethods(["fit", "predict"])],
        "conformity_score": [StrOptions({"clip", "residual"})],
        "method": [StrOptions({"cfbh", "wcs"})],
        "weight_function": [callable, HasMethods(["fit", "predict_proba"]), None],
        "weight_clip": [Interval(Real, 1, None, closed="neither"), None],
        "randomized": ["boolean"],
        "target": [None, tuple, list, callable],
        "target_ranking": [None, callable],
    }

    def __init__(
        self,
        estimator,
        *,
        threshold=0.0,
        fdr=0.1,
        target=None,
        target_ranking=None,
        conformity_score="clip",
        method="cfbh",
        pruning="homogeneous",
        weight_function=None,
        weight_clip=None,
        randomized=False,
        calibration_size=0.5,
        prefit=False,
        random_state=None,
    ):
        self.estimator = estimator
        self.threshold = threshold
        self.fdr = fdr
        self.target = target
        self.target_ranking = target_ranking
        self.conformity_score = conformity_score
        self.method = method
        self.pruning = pruning
        self.weight_function = weight_function
        self.weight_clip = weight_clip
        self.randomized = randomized
        self.calibration_size = calibration_size
        self.prefit = prefit
        self.random_state = random_state

    def _inner_estimators(self):
        return [self.estimator]

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the ranking model (unless prefit) and compute the calibration scores.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Labelled samples: split into training and calibration parts, or all used for
            calibration when ``prefit=True``. A DataFrame reaches ``estimator`` unchanged.
        y : array-like of shape (n_samples,)
            Real-valued labels.

        Returns
        -------
        self : object
            The fitted selector.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from skselect.conformal import ConformalSelector
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(400, 3))
        >>> y = X[:, 0] + rng.normal(size=400)
        >>> selector = ConformalSelector(LinearRegression(), threshold=1.0, fdr=0.2)
        >>> selector.fit(X, y).threshold
        1.0
        """
        if self.weight_function is not None and self.method != "wcs":
            raise ValueError(
                "weight_function is only used by method='wcs' (weighted conformal selection); "
                f"got method={self.method!r}."
            )
        _check_target(self.target)
        _check_target_ranking(self, [self.estimator])
        X, y = _validate_features(
            self,
            X,
            y,
            reset=True,
            estimators=[self.estimator],
            multi_output=callable(self.target),
        )
        random_state = _check_random_state(self.random_state)
        description = _target_description(self)
        if self.prefit:
            check_is_fitted(self.estimator)
            self.estimator_ = self.estimator
            X_calib, y_calib = X, y
        else:
            split_seed = random_state.randint(np.iinfo(np.int32).max)
            X_train, X_calib, y_train, y_calib = _split(X, y, self.calibration_size, split_seed)
            self.estimator_ = _fit_ranking_estimator(
                self.estimator,
                X_train,
                y_train,
                _in_target(self, y_train, X_train),
                description,
            )
        calib_in_target = _in_target(self, y_calib, X_calib)
        _warn_if_no_calibration_discovery(calib_in_target, description)
        calib_ranking = self._rank(X_calib)
        self._calib_ranking, self._calib_labels = calib_ranking, y_calib
        self._calib_in_target = calib_in_target
        self.calib_scores_ = self._scores(calib_ranking[:0])[0]
        if _is_weight_classifier(self.weight_function):
            # The density ratio is estimated against each test batch, in select.
            self._X_calib = X_calib
        else:
            self.calib_weights_ = self._weights(X_calib, "calibration")
            if self.weight_function is not None:
                self.effective_sample_size_ = effective_sample_size(self.calib_weights_)
                _warn_if_small_ess(self.effective_sample_size_, X_calib.shape[0], stacklevel=4)
        self._calibrated_with = self._calibration_settings()
        self._set_select_seed(random_state)
        return self

    def _rank(self, X):
        """The fitted model's ranking of X (for a composite target, through its transform)."""
        return _ranking(self.estimator_, X, _prediction_transform(self))

    def _scores(self, test_ranking):
        """(calibration scores, test scores) of the chosen conformity score."""
        if self.conformity_score == "clip":
            return _clip_scores(self._calib_ranking, self._calib_in_target, test_ranking)
        return _residual_scores(
            self._calib_labels, self._calib_ranking, self.threshold, test_ranking
        )

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
        if which == "test" and (weights == 0).any():
            raise ValueError(
                "weight_function returned 0 for some test units: a test unit of density "
                "ratio 0 cannot occur in the test distribution and would get a p-value of 0. "
                "Drop those units or return positive weights."
            )
        return weights

    def _calibration_settings(self):
        return {
            "conformity_score": self.conformity_score,
            "threshold": self.threshold,
            "target": self.target,
            "target_ranking": self.target_ranking,
            "weight_function": self.weight_function,
        }

    def _validate_test_features(self, X):
        return _validate_features(self, X, reset=False, estimators=[self.estimator_])

    def _prepare(self, X, random_state):
        """Test rankings, both score vectors, both (scaled) weight vectors and the effective
        sample size of the calibration weights (None without weights)."""
        test_ranking = self._rank(X)
        calib_scores, test_scores = self._scores(test_ranking)
        n_test = test_ranking.shape[0]
        if self.method != "wcs" or self.weight_function is None:
            return (
                test_ranking,
                calib_scores,
                test_scores,
                self.calib_weights_,
                np.ones(n_test),
                None,
            )
        if _is_weight_classifier(self.weight_function):
            fold_seed = random_state.randint(np.iinfo(np.int32).max)
            calib_weights, test_weights = _cross_fitted_density_ratio(
                self.weight_function, self._X_calib, X, _N_WEIGHT_FOLDS, fold_seed
            )
        else:
            calib_weights, test_weights = self.calib_weights_, self._weights(X, "test")
        calib_weights, test_weights = _clip_weights(calib_weights, test_weights, self.weight_clip)
        ess = effective_sample_size(calib_weights)
        if _is_weight_classifier(self.weight_function) or self.weight_clip is not None:
            # A callable's unclipped calibration weights were already judged in fit.
            _warn_if_small_ess(ess, calib_weights.shape[0], stacklevel=6)
        return test_ranking, calib_scores, test_scores, calib_weights, test_weights, ess

    def _p_values(self, X, prepared=None, random_state=None):
        if random_state is None:
            random_state = self._select_time_random_state()
        if prepared is None:
            prepared = self._prepare(X, random_state)
        _, calib_scores, test_scores, calib_weights, test_weights, _ = prepared
        calib_weights, test_weights = _scale_weights(calib_weights, test_weights)
        uniforms = None
        if self.randomized:
            uniforms = np.maximum(
                random_state.uniform(size=test_scores.shape[0]), np.finfo(np.float64).tiny
            )
        return _pvalues_from_scores(
            calib_scores, test_scores, calib_weights, test_weights, uniforms
        )

    def _selection(self, X):
        random_state = self._select_time_random_state()
        prepared = self._prepare(X, random_state)
        test_ranking, calib_scores, test_scores, calib_weights, test_weights, ess = prepared
        p_values = self._p_values(X, prepared, random_state)
        n_tests = p_values.shape[0]
        if self.method == "cfbh":
            count = _bh_count(p_values, self.fdr)
            cutoff = self.fdr * count / n_tests if n_tests else 0.0
            selected = p_values <= cutoff if count else np.zeros(n_tests, dtype=bool)
            return _Selection(
                prediction=test_ranking,
                score=test_scores,
                p_value=p_values,
                p_value_cutoff=np.full(n_tests, cutoff),
                selected=selected,
                fdr=self.fdr,
                bh_cutoff=cutoff,
            )
        set_sizes, *_ = _auxiliary_sizes(
            calib_scores,
            np.ascontiguousarray(test_scores, dtype=calib_scores.dtype),
            *_scale_weights(calib_weights, test_weights),
            self.fdr,
        )
        selected, _, e_values = _select_with_auxiliary_sets(
            p_values, set_sizes, self.fdr, self.pruning, random_state
        )
        return _Selection(
            prediction=test_ranking,
            score=test_scores,
            p_value=p_values,
            p_value_cutoff=self.fdr * set_sizes / max(n_tests, 1),
            selected=selected,
            fdr=self.fdr,
            aux_size=set_sizes,
            e_value=e_values,
            weight=test_weights if ess is not None else None,
            effective_sample_size=ess,
        )

    @validate_params(
        {
            "X": "no_validation",
            "confidence": [Interval(Real, 0, 1, closed="neither")],
            "method": [StrOptions(set(FDP_METHODS))],
            "boost": ["boolean"],
            "n_resamples": [Interval(Integral, 1, None, closed="left")],
        },
        prefer_skip_nested_validation=True,
    )
    def fdp_bounds(self, X, *, confidence=0.9, method="hc", boost=True, n_resamples=1000):
        """Bound the number of false selections among the top ``k`` units, for every ``k``.

        Ranks the test units by p-value (ties by the ranking model, best first) and
        returns, for every ``k`` at once and with probability at least ``confidence``, an
        upper bound on how many of the top ``k`` have ``y <= threshold``. Unlike ``fdr``,
        which is fixed before selecting, ``k`` (or a tolerated proportion) may be chosen
        after looking at the bounds. See :func:`fdp_bounds` for the method.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame, Dask array} of shape (n_test, n_features)
            The test batch. With a Dask array the p-values are computed block by block and
            only their counts per p-value are gathered; ``order`` of the result is then
            None (the bounds equal the in-memory ones).
        confidence : float in (0, 1), default=0.9
            Probability that all the bounds hold at once.
        method : {"hc", "ks"}, default="hc"
            Envelope shape: higher criticism (tight where the top units are) or
            Kolmogorov-Smirnov.
        boost : bool, default=True
            Combine the bounds across ``k`` (never looser).
        n_resamples : int, default=1000
            Draws of the exact law of the p-values used to set the envelope; seeded from
            ``random_state`` like every select-time draw.

        Returns
        -------
        bounds : FDPBounds
            The bounds for ``k = 1..n_test``; ``bounds.order`` lists the test units from
            the most promising.

        Notes
        -----
        Needs the exchangeability of calibration and test units (no covariate shift):
        weighted conformal p-values do not have the joint law the bounds rely on, so a
        selector with ``weight_function`` raises a ValueError. Valid for both conformity
        scores and for randomized p-values.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from skselect.conformal import ConformalSelector
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(2000, 3))
        >>> y = X[:, 0] + 0.3 * rng.normal(size=2000)
        >>> selector = ConformalSelector(LinearRegression(), threshold=1.0, random_state=0)
        >>> bounds = selector.fit(X[:1000], y[:1000]).fdp_bounds(X[1000:])
        >>> k = bounds.largest_k(0.2)  # the largest top-k with FDP <= 0.2, at 90% confidence
        >>> k, bounds.bound_top_k(k)
        (193, 38)
        """
        if self.weight_function is not None:
            raise ValueError(
                "fdp_bounds needs unweighted conformal p-values (exchangeable calibration "
                "and test units); this selector has weight_function="
                f"{self.weight_function!r}, whose weighted p-values do not have the joint "
                "law the bounds rely on. Use a selector without weight_function."
            )
        if is_dask_collection(X):
            return dask_implementation("fdp_bounds_dask")(
                self, X, confidence, method, boost, n_resamples
            )
        X = self._check_test_input(X)
        random_state = self._select_time_random_state()
        prepared = self._prepare(X, random_state)
        p_values = self._p_values(X, prepared, random_state)
        order = np.lexsort((-prepared[0], p_values))
        return _bounds_from_sorted(
            p_values[order],
            order,
            self.calib_scores_.shape[0],
            float(confidence),
            method,
            bool(boost),
            int(n_resamples),
            self._fdp_seed(),
        )

    @validate_params(
        {
            "X": "no_validation",
            "budget": [Interval(Integral, 0, None, closed="left"), None],
            "objective": [StrOptions(set(OBJECTIVES)), callable],
            "groups": ["array-like", None],
            "similarity": [StrOptions({"rbf", "tanimoto"}), callable, "array-like", None],
        },
        prefer_skip_nested_validation=True,
    )
    def select_diverse(self, X, *, budget=None, objective="size", groups=None, similarity=None):
        """Select at most ``budget`` units, as diverse as asked, with the same FDR guarantee.

        Come down the ranking, removing the least promising unit (calibration or test) one
        at a time, and stop at the first point where ``(1 + N) / (n + 1) <= fdr R / m``
        (``N`` calibration nulls and ``R`` test units left): the test units left are
        conformal selection's set ``C``, and ``(n + 1) 1{j in C} / (1 + N)`` are valid
        conformal e-values at this stopping time. Any subset of ``C`` with at least
        ``r = ceil(m (1 + N) / (fdr (n + 1)))`` units is self-consistent for them, so its
        FDR is at most ``fdr`` whatever rule picked it (Wang and Ramdas, 2022; Nair et al.,
        2025). This method keeps ``min(budget, |C|)`` units of ``C`` chosen by
        ``objective``. When the budget is below ``r``, the screening goes on to the first
        point where ``r`` fits the budget, another stopping time, and the units are chosen
        there. When even one calibration null is too many
        (``budget < m / (fdr (n + 1))``) no set can be certified: the selection is empty and
        a warning says so.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_test, n_features)
            The test batch.
        budget : int, default=None
            Largest number of units to select. None: the whole conformal selection
            (``select``), whatever the objective.
        objective : {"size", "groups", "similarity"} or callable, default="size"
            Which units to keep: ``"size"``, the best ranked; ``"groups"``, the most
            balanced counts over ``groups`` (exact); ``"similarity"``, the least similar
            units (greedy); a callable ``objective(indices, X) -> float`` to maximise
            (greedy), ``indices`` being positions in ``X``.
        groups : array-like of shape (n_test,), default=None
            Group of each test unit (a scaffold cluster, a site), for ``"groups"``.
        similarity : {"rbf", "tanimoto"}, callable or array-like, default=None
            For ``"similarity"``: an RBF kernel of the features, the Tanimoto similarity
            of non-negative fingerprints, a callable ``similarity(X_rows) -> (k, k)`` on
            the rows of the candidates, or an ``(n_test, n_test)`` matrix.

        Returns
        -------
        selected : ndarray of bool of shape (n_test,) or pandas Series
            The selected units; a Series indexed like ``X`` for a DataFrame.

        Notes
        -----
        Needs ``method="cfbh"``, unit weights and deterministic p-values. For weighted
        conformal selection, pass ``selection_report(X)["e_value"]`` to
        :func:`self_consistent_subset`.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from skselect.conformal import ConformalSelector
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(1000, 3))
        >>> y = X[:, 0] + 0.5 * rng.normal(size=1000)
        >>> selector = ConformalSelector(LinearRegression(), threshold=1.0, fdr=0.2,
        ...                              random_state=0).fit(X[:800], y[:800])
        >>> site = (X[800:, 1] > 0).astype(int)
        >>> shortlist = selector.select_diverse(X[800:], budget=10, objective="groups",
        ...                                     groups=site)
        >>> int(shortlist.sum()), np.bincount(site[shortlist]).tolist()
        (10, [5, 5])
        """
        if self.method != "cfbh" or self.weight_function is not None or self.randomized:
            raise ValueError(
                "select_diverse needs the deterministic, unweighted conformal e-values: "
                "method='cfbh', no weight_function and randomized=False (got "
                f"method={self.method!r}, weight_function={self.weight_function!r}, "
                f"randomized={self.randomized!r}). For weighted selection pass "
                "selection_report(X)['e_value'] to self_consistent_subset."
            )
        X = self._check_test_input(X)
        random_state = self._select_time_random_state()
        prepared = self._prepare(X, random_state)
        ranking, calib_scores, test_scores = prepared[0], prepared[1], prepared[2]
        n_tests, n_calib = test_scores.shape[0], calib_scores.shape[0]
        groups = _check_objective_inputs(objective, n_tests, groups, similarity, "similarity")
        selected = np.zeros(n_tests, dtype=bool)
        if n_tests == 0 or budget == 0:
            return _wrap(selected, X, "selected")
        stop, candidates = _screening_stop(calib_scores, test_scores, self.fdr, budget)
        if stop == 0:
            floor = n_tests / (self.fdr * (n_calib + 1))
            if budget is not None and budget < floor:
                warnings.warn(
                    f"budget={budget} is below m / (fdr (n + 1)) = {floor:.3g}: with "
                    f"{n_calib} calibration units no set of {budget} units or fewer can be "
                    "certified at this fdr, so nothing is selected. Use fdp_bounds to bound "
                    f"the false selections among the top {budget} instead, or add "
                    "calibration data.",
                    UserWarning,
                    stacklevel=3,
                )
            return _wrap(selected, X, "selected")
        size = stop if budget is None else min(budget, stop)
        matrix = None
        if objective == "similarity" and size < stop:
            matrix = _similarity_matrix(similarity, X, candidates, n_tests)
        chosen = _choose(
            candidates,
            size,
            objective,
            groups=groups,
            similarity=matrix,
            priority=ranking,
            context=X,
        )
        selected[chosen] = True
        return _wrap(selected, X, "selected")

    def _fdp_seed(self):
        """Seed of the envelope draws, from the select-time seed but on a stream of its own
        (a SeedSequence with a tag), apart from the uniforms of randomized p-values; the
        same whatever the batch and however it is chunked."""
        base = int(self._select_time_random_state().randint(np.iinfo(np.int32).max))
        return (base, 0xFD)
